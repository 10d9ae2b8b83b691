/**
 * The bind password is sent only to the directory it was saved for. The secret store keeps, next to the
 * password, the fingerprint of the connection target it was saved with (servers or domain, encryption and
 * port, TLS trust and name, account); every use compares that fingerprint with the connection about to be
 * used and refuses on any difference, before a connection is opened. So neither a saved configuration that
 * changed without the password (a cached secret, a save racing a run, an edited CONFIG item) nor a replayed
 * old secret can send the password somewhere else.
 */
import { createHash } from 'node:crypto';
import type { ConnectionConfig } from '../config/config-schema';
import { MissingPasswordError, PasswordTargetMismatchError, ValidationError } from '../errors';

/** The password as the secret store keeps it. */
export interface SavedPassword {
  readonly password: string;
  /** connectionTarget() of the connection it was saved for. */
  readonly target: string;
  /** The configuration version saved with it. */
  readonly configVersion: number;
}

/**
 * The password a run binds with: a string given with this very request (Test Settings of unsaved settings,
 * tests, the benchmark), which is for the request's connection by definition, or the saved one, which is
 * checked against the connection.
 */
export type BindPassword = string | SavedPassword;

/** The account and password to bind with, checked for this connection. */
export interface BindCredentials {
  readonly username: string;
  readonly password: string;
}

/** What the password is sent to: a stable fingerprint (SHA-256, hex) of every field that chooses the target. */
export function connectionTarget(connection: ConnectionConfig): string {
  const fields = [
    connection.servers,
    connection.servers.length === 0 ? (connection.domain ?? '').toLowerCase() : '',
    connection.encryption,
    connection.caCertificate ?? '',
    connection.tlsServerName ?? '',
    connection.authentication,
    connection.username ?? '',
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/**
 * The account to bind with: a user name and a password are both required (no anonymous bind), and a saved
 * password only for the connection it was saved for (PasswordTargetMismatchError otherwise).
 */
export function bindCredentials(
  connection: ConnectionConfig,
  password: BindPassword | undefined,
): BindCredentials {
  if (!connection.username) {
    throw new ValidationError('No user name to bind with', [
      { path: 'connection.username', message: 'is required to bind to the directory' },
    ]);
  }
  if (password === undefined || password === '') {
    throw new MissingPasswordError('No password is set for the bind account');
  }
  if (typeof password === 'string') return { username: connection.username, password };
  if (password.password === '') throw new MissingPasswordError('No password is set for the bind account');
  if (password.target !== connectionTarget(connection)) {
    throw new PasswordTargetMismatchError(
      'The saved password was saved for another connection (servers, domain, encryption, certificate or account); it is sent only there. Save the configuration with the password again.',
    );
  }
  return { username: connection.username, password: password.password };
}
