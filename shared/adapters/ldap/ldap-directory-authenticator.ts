/**
 * DirectoryAuthenticator over ldapts: a logon's password checked by a simple bind as the user, over the saved
 * connection. The same servers in the same order (the configured list, or DNS discovery with its domain
 * rule), the same TLS rules as the sync (tlsOptionsFor: the CA, the host name, TLS 1.2+; LDAPS, or StartTLS
 * before anything else is sent, never plain text), and a short timeout. One connection per attempt, closed at
 * once; nothing is read, and the service account is not involved.
 *
 * Failover goes on to the next DC only while no DC has received the password: once a bind is sent, its answer
 * is final. A refusal is never retried on another DC (AD would count another bad password), and a bind that
 * gets no answer is not either (the DC may have counted it).
 */
import { type ConnectionOptions, connect as connectTls } from 'node:tls';
import { InvalidCredentialsError as LdapInvalidCredentialsError } from 'ldapts';
import type { ConnectionConfig } from '../../config/config-schema';
import { DirectoryUnavailableError } from '../../errors';
import type { Clock } from '../../ports/clock';
import type { DirectoryAuthenticator, DirectoryVerdict } from '../../ports/directory-authenticator';
import type { ServerAddress } from '../../ports/directory-reader';
import { systemClock } from '../../use-cases/system-clock';
import { bindRefusalOf, toDirectoryError } from './directory-errors';
import { formatServer } from './domain-controllers';
import { LdapDirectoryReader } from './ldap-directory-reader';
import { OneConnectionClient } from './one-connection-client';
import { tlsOptionsFor } from './tls-options';

/** Each DC gets at most this long (or the connection's timeoutSeconds, when shorter) to answer a logon. */
export const LOGON_SERVER_TIMEOUT_SECONDS = 5;
/** All DCs together: a logon answers within API Gateway's 29 seconds. */
export const LOGON_DEADLINE_SECONDS = 20;

type ResolveServers = (connection: ConnectionConfig) => Promise<ServerAddress[]>;

export class LdapDirectoryAuthenticator implements DirectoryAuthenticator {
  constructor(
    private readonly resolveServers: ResolveServers = (connection) =>
      new LdapDirectoryReader().resolveServers(connection),
    /** What the logon's deadline is read on (each DC's own timeout is the socket's). */
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  async authenticate(
    connection: ConnectionConfig,
    bindName: string,
    password: string,
  ): Promise<DirectoryVerdict> {
    // An empty password makes a simple bind "unauthenticated", which a DC may accept without checking anything.
    if (password === '') throw new Error('an empty password is never sent to the directory');
    let servers: ServerAddress[];
    try {
      servers = await this.resolveServers(connection);
    } catch (error) {
      throw new DirectoryUnavailableError(
        `no domain controller to check the password with: ${(error as Error).message}`,
        false,
        { cause: error },
      );
    }
    const deadline = this.clock.now().getTime() + LOGON_DEADLINE_SECONDS * 1000;
    const failures: string[] = [];
    for (const address of servers) {
      const remaining = deadline - this.clock.now().getTime();
      if (remaining <= 0) {
        failures.push(`no time left for ${formatServer(address)} and the DCs after it`);
        break;
      }
      const timeout = Math.min(
        connection.timeoutSeconds * 1000,
        LOGON_SERVER_TIMEOUT_SECONDS * 1000,
        remaining,
      );
      const outcome = await bindOnce(address, connection, bindName, password, timeout);
      if ('verdict' in outcome) return outcome.verdict;
      if (outcome.passwordSent) {
        throw new DirectoryUnavailableError(
          `${outcome.failure.message}; the password was sent, so no other DC is asked`,
          true,
          { cause: outcome.failure },
        );
      }
      failures.push(outcome.failure.message);
    }
    throw new DirectoryUnavailableError(
      `no domain controller could check the password: ${failures.join('; ')}`,
    );
  }
}

type BindOutcome =
  | { readonly verdict: DirectoryVerdict }
  | { readonly failure: Error; readonly passwordSent: boolean };

/** One bind on one DC, on a connection of its own: the DC's verdict, or why it gave none. */
async function bindOnce(
  address: ServerAddress,
  connection: ConnectionConfig,
  bindName: string,
  password: string,
  timeout: number,
): Promise<BindOutcome> {
  const server = formatServer(address);
  const tlsOptions = tlsOptionsFor(address, connection);
  const ldaps = connection.encryption === 'ldaps';
  // The bind is the first request on a protected connection: once TLS is up, the password is on its way.
  let protectedConnection = false;
  const client = new OneConnectionClient({
    url: `${ldaps ? 'ldaps' : 'ldap'}://${server}`,
    // Both are needed: with only one, a server that accepts but never answers hangs forever.
    connectTimeout: timeout,
    timeout,
    ...(ldaps
      ? {
          tlsOptions,
          // tls.connect as ldapts calls it, noting when the handshake (certificate checks included) is done.
          createSecureConnection: ((port: number, host: string, options: ConnectionOptions) => {
            const socket = connectTls(port, host, options);
            socket.once('secureConnect', () => {
              protectedConnection = true;
            });
            return socket;
          }) as typeof connectTls,
        }
      : {}),
  });
  try {
    if (!ldaps) {
      await client.startTLS(tlsOptions);
      protectedConnection = true;
    }
    await client.bind(bindName, password);
    return { verdict: { accepted: true, server } };
  } catch (error) {
    if (error instanceof LdapInvalidCredentialsError) {
      return { verdict: { accepted: false, reason: bindRefusalOf(error.message), server } };
    }
    return {
      failure: toDirectoryError(error, server, protectedConnection ? 'bind' : 'connect'),
      passwordSent: protectedConnection,
    };
  } finally {
    await client.unbind().catch(() => {});
  }
}
