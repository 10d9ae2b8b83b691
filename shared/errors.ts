/**
 * Named errors of ad-sync. Every failure the sync can decide on is one of these classes; LDAP result codes,
 * socket, TLS and timeout errors are translated into them once, in `adapters/ldap/directory-errors.ts`.
 * Each carries a stable `code` (reported in a run's `error.code` and in API error bodies) and its `cause`.
 */
/** What a caller is told of an error that is not one of ours: nothing (the details go to the log). */
export const INTERNAL_ERROR = {
  code: 'InternalError',
  message: 'Internal error; the details are in the service log',
} as const;

export abstract class AdSyncError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The same kind of error with a message that says more; the original becomes its cause. */
export function rephrase<E extends AdSyncError>(error: E, message: string): E {
  const Kind = error.constructor as new (message: string, options?: ErrorOptions) => E;
  return new Kind(message, { cause: error });
}

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * A validation error lists at most this many problems, and says how many more it found: its body stays far
 * below Lambda's 6 MB response limit whatever the request held.
 */
export const MAX_LISTED_ISSUES = 100;
/** A path or message is cut to this many characters (an unknown key is quoted in its message). */
export const MAX_ISSUE_TEXT = 200;

const cut = (text: string): string =>
  text.length > MAX_ISSUE_TEXT ? `${text.slice(0, MAX_ISSUE_TEXT - 1)}…` : text;

/** The issues an error lists: the first MAX_LISTED_ISSUES, each cut to MAX_ISSUE_TEXT characters. */
export function listedIssues(issues: readonly FieldIssue[]): FieldIssue[] {
  return issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((issue) => ({ path: cut(issue.path), message: cut(issue.message) }));
}

/**
 * Bad input: the configuration or a request body. `details` name each offending field path: at most
 * MAX_LISTED_ISSUES of them, the message ending with how many more there were.
 */
export class ValidationError extends AdSyncError {
  readonly code = 'ValidationError';
  readonly details: readonly FieldIssue[];
  constructor(message: string, details: readonly FieldIssue[] = [], options?: ErrorOptions) {
    const more = details.length - MAX_LISTED_ISSUES;
    super(more > 0 ? `${message}; ... and ${more} more problems` : message, options);
    this.details = listedIssues(details);
  }
}

/** Failures talking to the directory. None of them ever leads to a delete: the run stops before applying. */
export abstract class DirectoryError extends AdSyncError {}

export class InvalidCredentialsError extends DirectoryError {
  readonly code = 'InvalidCredentials';
}
export class UnreachableError extends DirectoryError {
  readonly code = 'Unreachable';
}
export class TlsError extends DirectoryError {
  readonly code = 'Tls';
}
export class TimeoutError extends DirectoryError {
  readonly code = 'Timeout';
}
export class SizeLimitError extends DirectoryError {
  readonly code = 'SizeLimit';
}
export class TimeLimitError extends DirectoryError {
  readonly code = 'TimeLimit';
}
/** The read started but did not complete (connection dropped, paging cut short): its result is unusable. */
export class PartialReadError extends DirectoryError {
  readonly code = 'PartialRead';
}
/**
 * An attribute the sync decides on could not be read: not returned although every user has it (the bind
 * account may not read it), not a valid value, or not in the directory's schema. The read is incomplete.
 */
export class UnreadableAttributeError extends DirectoryError {
  readonly code = 'UnreadableAttribute';
}
export class InsufficientAccessError extends DirectoryError {
  readonly code = 'InsufficientAccess';
}
/** The base DN or a selected group does not exist in the directory. */
export class NoSuchObjectError extends DirectoryError {
  readonly code = 'NoSuchObject';
}
/**
 * The DN is outside the directory's domain: the DC answered a search of it with a referral (LDAP 10) to another
 * domain's DC, which is never followed. For the product it does not exist (the same code), and says why.
 */
export class OutsideDomainError extends NoSuchObjectError {}
/** No domain controller could be found by DNS SRV discovery. */
export class DiscoveryError extends DirectoryError {
  readonly code = 'DiscoveryFailed';
}
/** Any other LDAP failure, with its result code in the message. */
export class LdapError extends DirectoryError {
  readonly code = 'LdapError';
}

/** A write was refused because the item changed since it was read (a concurrent apply, an edited user). */
export class ConcurrentModificationError extends AdSyncError {
  readonly code = 'ConcurrentModification';
}

/** The secret store holds no password for the bind account. */
export class MissingPasswordError extends AdSyncError {
  readonly code = 'MissingPassword';
}

/**
 * The saved password was saved for another connection target than the one about to be used (a configuration
 * changed without it, or edited outside the API): it is not sent there.
 */
export class PasswordTargetMismatchError extends AdSyncError {
  readonly code = 'PasswordTargetMismatch';
}

/** The requested user, run or route does not exist. */
export class NotFoundError extends AdSyncError {
  readonly code = 'NotFound';
}

/**
 * A name designates more than one directory user (one's sAMAccountName is another's userPrincipalName):
 * `details` list each match's DN, for the caller to ask again by DN or objectGUID.
 */
export class AmbiguousNameError extends AdSyncError {
  readonly code = 'AmbiguousName';
  readonly details: readonly FieldIssue[];
  constructor(message: string, distinguishedNames: readonly string[], options?: ErrorOptions) {
    super(message, options);
    // Whole DNs (a cut one names nothing); a name matches few entries, and at most MAX_LISTED_ISSUES are listed.
    this.details = distinguishedNames
      .slice(0, MAX_LISTED_ISSUES)
      .map((dn) => ({ path: 'distinguishedName', message: dn }));
  }
}

/** The route exists, the method does not. */
export class MethodNotAllowedError extends AdSyncError {
  readonly code = 'MethodNotAllowed';
}

/** The request body is larger than the API accepts. */
export class PayloadTooLargeError extends AdSyncError {
  readonly code = 'PayloadTooLarge';
}

/** No or a wrong bearer token (local stack; API Gateway does IAM authorization in AWS). */
export class UnauthorizedError extends AdSyncError {
  readonly code = 'Unauthorized';
}

/**
 * A request addressed to another host name than the server's own (local stack): a web page that rebinds
 * its DNS name to 127.0.0.1 sends its own name in `Host`.
 */
export class MisdirectedRequestError extends AdSyncError {
  readonly code = 'MisdirectedRequest';
}

/** Another sync holds the lock; `details` name the run that holds it, when known. */
export class SyncRunningError extends AdSyncError {
  readonly code = 'SyncRunning';
  readonly details: readonly FieldIssue[];
  constructor(message: string, runningRunId?: string, options?: ErrorOptions) {
    super(message, options);
    this.details = runningRunId ? [{ path: 'runId', message: runningRunId }] : [];
  }
}

/**
 * The worker function could not be asked to run an operation that was started (a sync, a preview): the
 * operation is recorded as failed with this reason.
 */
export class StartFailedError extends AdSyncError {
  readonly code = 'StartFailed';
}

/**
 * `allowMassDeletion` does not match the deletes the last run withheld (another run, another count, or a
 * configuration saved since): it approves only what was shown.
 */
export class ApprovalMismatchError extends AdSyncError {
  readonly code = 'ApprovalMismatch';
}

/** `If-Match` named a configuration version that is no longer current. */
export class VersionConflictError extends AdSyncError {
  readonly code = 'VersionConflict';
}

/** The operation is not allowed on this kind of user (the sync owns directory users). */
export class UserKindError extends AdSyncError {
  readonly code = 'DirectoryUser';
}

/**
 * A logon was refused (POST /logon): every refusal alike, whatever its reason (unknown user, wrong password,
 * a disabled or expired account, no `login` privilege). The reason goes to the log only.
 */
export class LogonRefusedError extends AdSyncError {
  readonly code = 'InvalidCredentials';
}

/**
 * Logons of this user name failed `maxFailures` times in a row: they are refused, without asking the
 * directory, for `retryAfterSeconds` more.
 */
export class LockedOutError extends AdSyncError {
  readonly code = 'LockedOut';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The directory could not check a logon's password (no domain controller answered, TLS failed, a timeout):
 * the logon is not accepted. `passwordSent` tells whether a domain controller may have received the password
 * before it failed (a bind with no answer): such an attempt stays counted, as AD may have counted it too.
 */
export class DirectoryUnavailableError extends AdSyncError {
  readonly code = 'DirectoryUnavailable';
  constructor(
    message: string,
    readonly passwordSent = false,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
