import type { ConnectionConfig } from '../config/config-schema';
import type { BindRefusal } from '../domain/logon';

/**
 * What a domain controller said of a password: right, or refused and why; `server` is the DC that said it.
 * `anotherAccount`: the DC accepted the password, but of an account other than the user's (a name reused).
 */
export type DirectoryVerdict =
  | { readonly accepted: true; readonly server: string }
  | { readonly accepted: false; readonly reason: BindRefusal | 'anotherAccount'; readonly server: string };

/** Whom to bind as, where, and who the bind must turn out to be (read by the guard, ports/account-guard.ts). */
export interface BindAccount {
  /** The account's userPrincipalName, else its distinguished name. */
  readonly bindName: string;
  /** `host:port` of the DC whose bad-password count was read: the bind goes there and to no other DC. */
  readonly server: string;
  /** The user's objectGUID: after the bind, the bound user must read itself as that account. */
  readonly objectGuid: string;
  /** Where the bound user looks itself up (the domain's naming context). */
  readonly namingContext: string;
}

/**
 * Checks a user's password with the directory: a simple bind as that user over the saved connection (its TLS
 * rules), on the one DC named. It never uses the service account or its password.
 */
export interface DirectoryAuthenticator {
  /**
   * The DC's verdict. Throws DirectoryUnavailableError when it could not check the password (not reachable,
   * TLS refused, no answer in time, not one of the connection's servers).
   */
  authenticate(
    connection: ConnectionConfig,
    account: BindAccount,
    password: string,
  ): Promise<DirectoryVerdict>;
}
