import type { ConnectionConfig } from '../config/config-schema';
import type { BindRefusal } from '../domain/logon';

/** What a domain controller said of a password: right, or refused and why; `server` is the DC that said it. */
export type DirectoryVerdict =
  | { readonly accepted: true; readonly server: string }
  | { readonly accepted: false; readonly reason: BindRefusal; readonly server: string };

/**
 * Checks a user's password with the directory: a simple bind as that user over the saved connection (its
 * servers and failover, its TLS rules). It never uses the service account or its password.
 */
export interface DirectoryAuthenticator {
  /**
   * The verdict of the first domain controller that answers the bind. Throws DirectoryUnavailableError when
   * none could check the password (none reachable, TLS refused, no answer in time).
   */
  authenticate(connection: ConnectionConfig, bindName: string, password: string): Promise<DirectoryVerdict>;
}
