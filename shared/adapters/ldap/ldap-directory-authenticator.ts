/**
 * DirectoryAuthenticator over ldapts: a logon's password checked by a simple bind as the user, over the saved
 * connection, on the one DC whose bad-password count the logon guard read (another DC keeps its own count),
 * with the same TLS rules as the sync (tlsOptionsFor: the CA, the host name, TLS 1.2+; LDAPS, or StartTLS
 * before anything else is sent, never plain text) and a short timeout. One connection per attempt, closed at
 * once; the service account is not involved.
 *
 * After a successful bind, the bound user reads the account its bind name names and must find the user's
 * objectGUID: a userPrincipalName or DN reused by another account does not log on as the old user. A bind
 * that gets no answer is not retried (the DC may have counted it).
 */
import { type ConnectionOptions, connect as connectTls } from 'node:tls';
import { EqualityFilter, InvalidCredentialsError as LdapInvalidCredentialsError } from 'ldapts';
import type { ConnectionConfig } from '../../config/config-schema';
import { DirectoryUnavailableError } from '../../errors';
import type {
  BindAccount,
  DirectoryAuthenticator,
  DirectoryVerdict,
} from '../../ports/directory-authenticator';
import type { ServerAddress } from '../../ports/directory-reader';
import { bindRefusalOf, toDirectoryError } from './directory-errors';
import { formatServer } from './domain-controllers';
import { LdapDirectoryReader } from './ldap-directory-reader';
import { OneConnectionClient } from './one-connection-client';
import { tlsOptionsFor } from './tls-options';
import { guidOf } from './user-entry';

/** The DC gets at most this long (or the connection's timeoutSeconds, when shorter) to answer a logon. */
export const LOGON_SERVER_TIMEOUT_SECONDS = 5;

type ResolveServers = (connection: ConnectionConfig) => Promise<ServerAddress[]>;

export class LdapDirectoryAuthenticator implements DirectoryAuthenticator {
  constructor(
    private readonly resolveServers: ResolveServers = (connection) =>
      new LdapDirectoryReader().resolveServers(connection),
  ) {}

  async authenticate(
    connection: ConnectionConfig,
    account: BindAccount,
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
    // Only the DC whose bad-password count was read: another keeps a count of its own.
    const address = servers.find((server) => formatServer(server) === account.server);
    if (!address) {
      throw new DirectoryUnavailableError(
        `${account.server}, where the account's lockout state was read, is not one of the connection's servers`,
      );
    }
    const timeout = Math.min(connection.timeoutSeconds, LOGON_SERVER_TIMEOUT_SECONDS) * 1000;
    const outcome = await bindOnce(address, connection, account, password, timeout);
    if ('verdict' in outcome) return outcome.verdict;
    throw new DirectoryUnavailableError(
      outcome.passwordSent
        ? `${outcome.failure.message}; the password was sent, so it is not sent again`
        : outcome.failure.message,
      outcome.passwordSent,
      { cause: outcome.failure },
    );
  }
}

/**
 * The objectGUID of the account the bind name names, read as the bound user (Samba has no WhoAmI): by
 * userPrincipalName in the domain, or the distinguished name itself. Undefined when the bound user finds no
 * such account or more than one: the bind is then not taken as the user's.
 */
async function boundAccountGuid(
  client: OneConnectionClient,
  account: BindAccount,
): Promise<string | undefined> {
  const byDn = !account.bindName.includes('@');
  const { searchEntries } = await client.search(byDn ? account.bindName : account.namingContext, {
    scope: byDn ? 'base' : 'sub',
    filter: byDn
      ? '(objectClass=user)'
      : new EqualityFilter({ attribute: 'userPrincipalName', value: account.bindName }),
    attributes: ['objectGUID'],
    explicitBufferAttributes: ['objectGUID'],
  });
  const [entry] = searchEntries;
  return searchEntries.length === 1 && entry ? guidOf(entry).toLowerCase() : undefined;
}

type BindOutcome =
  | { readonly verdict: DirectoryVerdict }
  | { readonly failure: Error; readonly passwordSent: boolean };

/** One bind on one DC, on a connection of its own: the DC's verdict, or why it gave none. */
async function bindOnce(
  address: ServerAddress,
  connection: ConnectionConfig,
  account: BindAccount,
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
    await client.bind(account.bindName, password);
    const self = await boundAccountGuid(client, account);
    return {
      verdict:
        self === account.objectGuid.toLowerCase()
          ? { accepted: true, server }
          : { accepted: false, reason: 'anotherAccount', server },
    };
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
