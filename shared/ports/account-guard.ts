import type { ConnectionConfig } from '../config/config-schema';
import type { AccountStanding } from '../domain/account-lockout';

/** Whose standing to read, over which connection (the configuration the logon is about to bind with). */
export interface AccountGuardRequest {
  readonly connection: ConnectionConfig;
  /** The configuration version the connection was read with: a password cached under another is read again. */
  readonly configVersion: number;
  readonly objectGuid: string;
}

/**
 * Reads what a DC says of an account's lockout before a logon binds as it (POST /logon's guard,
 * domain/account-lockout.ts). It binds with the service account, whose password only it may read, and only
 * over a connection whose fingerprint is the one the password was saved for (domain/password-binding.ts): a
 * logon whose configuration was changed without the password is never checked. On AWS it is a function of its
 * own (functions/logon-guard.ts): the logon function's role may invoke it but not read the secret.
 */
export interface AccountGuard {
  /**
   * The account as the DC read sees it; undefined when the domain has no account with that objectGUID.
   * Throws DirectoryUnavailableError when it could not be read (no DC, a refused bind, an unreadable
   * attribute), and PasswordTargetMismatchError when the connection is not the one the password is for.
   */
  standing(request: AccountGuardRequest): Promise<AccountStanding | undefined>;
}
