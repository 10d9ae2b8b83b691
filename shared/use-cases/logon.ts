/**
 * Logon (POST /logon, SPEC 7.3, docs/contract.md#logon): the application checks a user's password. A
 * directory user's is checked by a bind as that user over the saved connection, a local user's against the
 * stored hash; the user must hold the `login` privilege. Every refusal gets the same answer (401
 * InvalidCredentials) in about the same time; its reason goes to `onRefused` (the log), never the password.
 *
 * Steps: load the lockout policy -> admit the attempt (it counts as a failure from now on; 429 when the name
 * has `maxFailures` counted, without a look at the user or the directory) -> hold the name (one attempt of a
 * name at a time, any name; 429 otherwise) -> look the user up -> decide how to
 * check (credentialCheckOf) -> check: one password-hash check always (the stored hash, or one of nobody's),
 * and, for a directory user who may log on, the guarded bind at the same time -> a success clears the count; a
 * refusal keeps it; a directory that could not check the password withdraws it (503).
 *
 * The guarded bind (docs/security.md#logon): the logon guard reads what the domain's PDC emulator says of the
 * account (its lockout policy, its bad-password count, whether it is locked, the DC's time), over the
 * connection the password was saved for only; while one more bad password could lock the account the logon is
 * refused (429 until AD forgets the count) and no bind is made; else the bind goes to that DC, as the
 * account's current name, and must turn out to be the user's objectGUID.
 */

import { defaultConfig } from '../config/config-schema';
import { bindSafety } from '../domain/account-lockout';
import { type CredentialCheck, credentialCheckOf, type LogonRefusal } from '../domain/logon';
import type { User } from '../domain/user';
import { type PublicUser, toPublicUser } from '../domain/user';
import { DirectoryUnavailableError, LockedOutError, LogonRefusedError } from '../errors';
import type { AccountGuard } from '../ports/account-guard';
import type { ConfigStore } from '../ports/config-store';
import type { DirectoryAuthenticator } from '../ports/directory-authenticator';
import type { LogonAttempts } from '../ports/logon-attempts';
import type { PasswordHasher } from '../ports/password-hasher';
import type { PasswordHashes } from '../ports/password-hashes';
import type { UserAdministration } from '../ports/user-administration';

/** A refused logon, as the log records it. */
export interface LogonRefused {
  readonly userName: string;
  readonly reason: LogonRefusal;
  /** Failed logons of this name in a row, this one included. */
  readonly failures: number;
  readonly maxFailures: number;
  /** The DC that refused the bind, for a directory user. */
  readonly server?: string;
}

export interface LogonDependencies {
  readonly configs: ConfigStore;
  readonly users: Pick<UserAdministration, 'getUser'>;
  readonly passwordHashes: PasswordHashes;
  /** Checks a local user's password against its hash, and spends the same check on nobody's otherwise. */
  readonly hasher: PasswordHasher;
  readonly attempts: LogonAttempts;
  readonly directory: DirectoryAuthenticator;
  /** Reads what the DC says of a directory user's account before any bind as it. */
  readonly guard: AccountGuard;
  /** Told of every refusal (the log, the LogonFailed metric). */
  readonly onRefused?: (refused: LogonRefused) => void;
  /**
   * Told of every attempt refused for a lockout (the log, the LogonLockedOut metric): this name's failures
   * here (`failures`), the directory's count that one more bad password would take to its threshold
   * (`directory`), or another logon of the name being checked (`concurrent`).
   */
  readonly onLockedOut?: (lockedOut: {
    userName: string;
    retryAfterSeconds: number;
    by: 'failures' | 'directory' | 'concurrent';
  }) => void;
  /** Told when the directory could not check a password (the log). */
  readonly onUnavailable?: (unavailable: { userName: string; error: DirectoryUnavailableError }) => void;
}

export interface LogonRequest {
  readonly userName: string;
  readonly password: string;
}

/** The saved connection a logon binds over, and the configuration version it was read with. */
interface SavedConnection {
  readonly connection: Parameters<DirectoryAuthenticator['authenticate']>[0];
  readonly configVersion: number;
}

/** What the checked password proved. */
type Verdict =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly reason: LogonRefusal; readonly server?: string };

/** The one message of every refusal: it must not tell one reason from another. */
const REFUSED = 'The user name or password is wrong, or the user may not log on';
const UNAVAILABLE = 'The directory could not check the password; try again later';

/** Checks a logon; the user (the API's User) when it is accepted. */
export async function logon(
  deps: LogonDependencies,
  { userName, password }: LogonRequest,
): Promise<PublicUser> {
  const stored = await deps.configs.getConfig();
  const config = stored?.config ?? defaultConfig();
  const configVersion = stored?.version ?? 0;
  const { maxFailures, lockoutMinutes } = config.logon;
  const admission = await deps.attempts.admit(userName, { maxFailures, lockoutSeconds: lockoutMinutes * 60 });
  if (!admission.admitted) {
    const { retryAfterSeconds } = admission;
    deps.onLockedOut?.({ userName, retryAfterSeconds, by: 'failures' });
    throw new LockedOutError(
      `Too many failed logons of this user name in a row; try again in ${retryAfterSeconds} seconds`,
      retryAfterSeconds,
    );
  }
  // One attempt of a name at a time, whoever the name is (a user or nobody): a logon reads what the DC says
  // of the account and then binds, and two at once could both read the same count.
  if (!(await deps.attempts.holdBind(userName, BIND_HOLD_SECONDS))) {
    await deps.attempts.withdraw(userName);
    deps.onLockedOut?.({ userName, retryAfterSeconds: 1, by: 'concurrent' });
    throw new LockedOutError('Another logon of this user name is being checked; try again in a moment', 1);
  }
  try {
    return await checkAdmitted(deps, { userName, password }, admission.failures, {
      connection: config.connection,
      configVersion,
      maxFailures,
    });
  } finally {
    await deps.attempts.releaseBind(userName);
  }
}

/** An admitted attempt, its name held: the user looked up and the password checked as credentialCheckOf says. */
async function checkAdmitted(
  deps: LogonDependencies,
  { userName, password }: LogonRequest,
  failures: number,
  { maxFailures, ...saved }: SavedConnection & { readonly maxFailures: number },
): Promise<PublicUser> {
  const user = await deps.users.getUser(userName);
  let verdict: Verdict;
  try {
    verdict = await checkPassword(deps, credentialCheckOf(user, password), user, password, saved);
  } catch (error) {
    if (error instanceof LockedOutError) {
      // Refused before any bind: no password was checked, so none failed.
      await deps.attempts.withdraw(userName);
      throw error;
    }
    if (!(error instanceof DirectoryUnavailableError)) throw error;
    // Not checked: not a failure, unless a DC may have received the password (and counted it in AD).
    if (!error.passwordSent) await deps.attempts.withdraw(userName);
    deps.onUnavailable?.({ userName, error });
    // Which DCs failed, and how, is for the log: the caller learns only that it may try again later.
    throw new DirectoryUnavailableError(UNAVAILABLE, error.passwordSent, { cause: error });
  }
  if (verdict.accepted && user) {
    await deps.attempts.clear(userName);
    return toPublicUser(user);
  }
  if (!verdict.accepted) {
    deps.onRefused?.({
      userName,
      reason: verdict.reason,
      failures,
      maxFailures,
      ...(verdict.server ? { server: verdict.server } : {}),
    });
  }
  throw new LogonRefusedError(REFUSED);
}

/**
 * Checks the password as decided. Whatever the check, it costs one password-hash check (the user's stored hash
 * or one of nobody's): a refusal takes about as long whoever it refuses; a bind runs at the same time.
 */
async function checkPassword(
  deps: LogonDependencies,
  check: CredentialCheck,
  user: User | undefined,
  password: string,
  saved: SavedConnection,
): Promise<Verdict> {
  switch (check.by) {
    case 'localHash': {
      const hash = user ? await deps.passwordHashes.getPasswordHash(user.userName) : undefined;
      if (hash === undefined) {
        await deps.hasher.verifyAgainstNobody(password);
        return { accepted: false, reason: 'noPasswordSet' };
      }
      return (await deps.hasher.verify(password, hash))
        ? { accepted: true }
        : { accepted: false, reason: 'wrongPassword' };
    }
    case 'directoryBind': {
      const [verdict] = await Promise.all([
        guardedBind(deps, user as User, password, saved),
        deps.hasher.verifyAgainstNobody(password),
      ]);
      return verdict;
    }
    case 'nothing':
      await deps.hasher.verifyAgainstNobody(password);
      return { accepted: false, reason: check.reason };
  }
}

/** A bind may take this long with the guard's read before it: a hold of the name lasts no longer. */
const BIND_HOLD_SECONDS = 30;

/**
 * The bind as a directory user, made only when the DC's own count says it cannot lock the account: one at a
 * time per name, on the DC that was read, as the account's current name. LockedOutError when it may not be
 * made now; DirectoryUnavailableError when the account's state could not be read or the DC did not answer.
 */
async function guardedBind(
  deps: LogonDependencies,
  user: User,
  password: string,
  { connection, configVersion }: SavedConnection,
): Promise<Verdict> {
  const { userName } = user;
  if (!user.objectGuid) return { accepted: false, reason: 'noDirectoryName' };
  const standing = await deps.guard
    .standing({ connection, configVersion, objectGuid: user.objectGuid })
    .catch((error: unknown) => {
      // Not known whether a bind could lock the account: none is made.
      throw error instanceof DirectoryUnavailableError
        ? error
        : new DirectoryUnavailableError(
            `the account's lockout state could not be read: ${(error as Error).message}`,
            false,
            { cause: error },
          );
    });
  if (!standing) return { accepted: false, reason: 'notInDirectory' };
  // On the DC's clock, which stamped badPasswordTime.
  const safety = bindSafety(standing);
  if (!safety.safe) {
    deps.onLockedOut?.({ userName, retryAfterSeconds: safety.retryAfterSeconds, by: 'directory' });
    throw new LockedOutError(
      `Too many failed logons of this user in the directory; try again in ${safety.retryAfterSeconds} seconds`,
      safety.retryAfterSeconds,
    );
  }
  const verdict = await deps.directory.authenticate(
    connection,
    {
      bindName: standing.userPrincipalName ?? standing.distinguishedName,
      server: standing.server,
      objectGuid: user.objectGuid,
      namingContext: standing.namingContext,
    },
    password,
  );
  return verdict.accepted
    ? { accepted: true }
    : { accepted: false, reason: verdict.reason, server: verdict.server };
}
