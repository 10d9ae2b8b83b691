/**
 * The one place where ldapts result-code errors, socket errors, TLS errors and timeouts become the named
 * errors of `shared/errors.ts`. The sync decides on those classes, never on message strings.
 */
import {
  AdminLimitExceededError,
  BusyError,
  ConfidentialityRequiredError,
  InsufficientAccessError as LdapInsufficientAccessError,
  InvalidCredentialsError as LdapInvalidCredentialsError,
  NoSuchObjectError as LdapNoSuchObjectError,
  ResultCodeError,
  SizeLimitExceededError,
  StrongAuthRequiredError,
  TimeLimitExceededError,
  UnavailableError,
} from 'ldapts';
import type { BindRefusal } from '../../domain/logon';
import {
  DirectoryError,
  InsufficientAccessError,
  InvalidCredentialsError,
  LdapError,
  NoSuchObjectError,
  OutsideDomainError,
  PartialReadError,
  rephrase,
  SizeLimitError,
  TimeLimitError,
  TimeoutError,
  TlsError,
  UnreachableError,
} from '../../errors';
import { ConnectionLostError } from './one-connection-client';

/** LDAP result 10: the DC holds no naming context with the search's base and refers it to another DC. */
const REFERRAL = 10;

/** What the client was doing; a dropped connection means "unreachable" before a read and "partial" during one. */
/** `watch`: the change notification search a watch holds (notification-search.ts). */
export type DirectoryPhase = 'connect' | 'bind' | 'read' | 'watch';

/** Active Directory's sub-codes in the text of an invalidCredentials (49) result ("data 52e"). */
const AD_BIND_REASONS: Readonly<Record<string, string>> = {
  '525': 'the user does not exist',
  '52e': 'the user name or password is wrong',
  '530': 'the account may not log on at this time',
  '531': 'the account may not log on from this workstation',
  '532': 'the password has expired',
  '533': 'the account is disabled',
  '701': 'the account has expired',
  '773': 'the password must be changed before the next logon',
  '775': 'the account is locked out',
};

/** The same sub-codes as the reasons a logon's refusal is logged with. */
const BIND_REFUSAL_BY_SUB_CODE: Readonly<Record<string, BindRefusal>> = {
  '525': 'unknownUser',
  '52e': 'wrongPassword',
  '530': 'logonHoursRestricted',
  '531': 'workstationRestricted',
  '532': 'passwordExpired',
  '533': 'accountDisabled',
  '701': 'accountExpired',
  '773': 'passwordMustChange',
  '775': 'accountLockedOut',
};

/** AD's sub-code in the text of an invalidCredentials (49) result: `data 52e` -> `52e`. */
const subCodeOf = (message: string): string | undefined =>
  /data ([0-9a-f]{3})/i.exec(message)?.[1]?.toLowerCase();

/**
 * Why a domain controller refused a bind, from the text of its invalidCredentials (49) result; a directory
 * that gives no sub-code (not AD) says only `invalidCredentials`.
 */
export function bindRefusalOf(message: string): BindRefusal {
  const subCode = subCodeOf(message);
  return (subCode && BIND_REFUSAL_BY_SUB_CODE[subCode]) || 'invalidCredentials';
}

const TLS_CODES =
  /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|HOSTNAME_MISMATCH|EPROTO)/;
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** Translates anything thrown while talking to `server` into a DirectoryError with a precise message. */
export function toDirectoryError(error: unknown, server: string, phase: DirectoryPhase): DirectoryError {
  if (error instanceof DirectoryError) return error;
  const cause = { cause: error };
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;

  if (error instanceof LdapInvalidCredentialsError) {
    const subCode = subCodeOf(message);
    const reason =
      (subCode && AD_BIND_REASONS[subCode]) ??
      'the user name or password is wrong, or the account cannot log on';
    return new InvalidCredentialsError(`${server} rejected the bind: ${reason} (LDAP 49)`, cause);
  }
  if (error instanceof StrongAuthRequiredError || error instanceof ConfidentialityRequiredError) {
    return new TlsError(
      `${server} requires a protected connection for this operation (LDAP ${error.code})`,
      cause,
    );
  }
  if (error instanceof SizeLimitExceededError || error instanceof AdminLimitExceededError) {
    return new SizeLimitError(
      `${server} stopped the search at a size limit; the read is incomplete (LDAP ${error.code})`,
      cause,
    );
  }
  if (error instanceof TimeLimitExceededError) {
    return new TimeLimitError(
      `${server} stopped the search at its time limit; the read is incomplete (LDAP 3)`,
      cause,
    );
  }
  if (error instanceof LdapInsufficientAccessError) {
    return new InsufficientAccessError(`the bind account may not read this on ${server} (LDAP 50)`, cause);
  }
  if (error instanceof LdapNoSuchObjectError) {
    return new NoSuchObjectError(`${server}: the object does not exist (LDAP 32): ${message}`, cause);
  }
  if (error instanceof BusyError || error instanceof UnavailableError) {
    return new UnreachableError(`${server} is busy or unavailable (LDAP ${error.code})`, cause);
  }
  if (error instanceof ResultCodeError && error.code === REFERRAL) {
    // ldapts raises a referral as an unknown result code and never follows it, and neither does ad-sync.
    return new OutsideDomainError(
      `${server}: the object is outside the directory's domain; the DC referred the request to another ` +
        `(LDAP 10, a referral, which is not followed): ${message}`,
      cause,
    );
  }
  if (error instanceof ResultCodeError) {
    return new LdapError(`${server} answered with LDAP result ${error.code}: ${message}`, cause);
  }

  if (error instanceof ConnectionLostError) {
    const lost =
      `the connection to ${server} was lost between two requests during ${phase}; a run never opens another ` +
      '(it would not be authenticated)';
    return phase === 'read'
      ? new PartialReadError(`${lost}; nothing read is used`, cause)
      : new UnreachableError(lost, cause);
  }

  if (typeof code === 'string' && TLS_CODES.test(code)) {
    return new TlsError(`TLS with ${server} failed: ${message} (${code})`, cause);
  }
  if (/timed? ?out/i.test(message) || code === 'ETIMEDOUT') {
    return new TimeoutError(`${server} did not answer in time during ${phase}: ${message}`, cause);
  }
  const dropped =
    (typeof code === 'string' && DROPPED_CODES.has(code)) ||
    /connection closed|socket error|socket connection/i.test(message);
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) {
    return new UnreachableError(`${server} cannot be reached: ${message}`, cause);
  }
  if (dropped) {
    return phase === 'read'
      ? new PartialReadError(
          `the connection to ${server} dropped during the read; nothing read is used: ${message}`,
          cause,
        )
      : new UnreachableError(`the connection to ${server} dropped during ${phase}: ${message}`, cause);
  }
  if (/certificate|tls|ssl/i.test(message))
    return new TlsError(`TLS with ${server} failed: ${message}`, cause);
  return new LdapError(`${phase} with ${server} failed: ${message}`, cause);
}

/**
 * A failed read of one object by its DN (`what`: how to name it, the DN by default): as toDirectoryError, and a
 * referral says which DN is outside the directory's domain.
 */
export function lookupErrorOf(error: unknown, server: string, dn: string, what = dn): DirectoryError {
  const failure = toDirectoryError(error, server, 'read');
  return failure instanceof OutsideDomainError
    ? rephrase(
        failure,
        `${what} is outside the directory's domain: ${server} referred the request to another domain's ` +
          `DC (LDAP 10, a referral, which is not followed); use a DN under one of its naming contexts`,
      )
    : failure;
}
