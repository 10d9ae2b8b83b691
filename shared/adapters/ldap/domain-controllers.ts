/**
 * Which domain controllers a connection goes to: the configured servers in order, or the DCs DNS announces
 * (SRV records of `_ldap._tcp.dc._msdcs.<domain>`, in RFC 2782 order), held to the domain unless the
 * certificate is pinned; and how a server is named in messages.
 */
import type { SrvRecord } from 'node:dns';
import { isIP } from 'node:net';
import { type ConnectionConfig, parseServerAddress } from '../../config/config-schema';
import { DiscoveryError } from '../../errors';
import type { ServerAddress } from '../../ports/directory-reader';

const LDAPS_PORT = 636;
const LDAP_PORT = 389;

export type SrvResolver = (name: string) => Promise<SrvRecord[]>;

/** RFC 2782 order without the randomness: lower priority first, then higher weight. */
export function orderSrvRecords(records: readonly SrvRecord[]): SrvRecord[] {
  return [...records].sort(
    (a, b) => a.priority - b.priority || b.weight - a.weight || a.name.localeCompare(b.name),
  );
}

const withoutTrailingDot = (name: string): string => name.replace(/\.+$/, '');

/**
 * DNS is not authenticated: a spoofed SRV answer can name any host, and without a pinned CA or server name
 * the certificate check only proves that the host is who DNS said, so the bind would send the password to
 * it. Discovered hosts must therefore be the domain or under it (`*.company.local`), unless the certificate
 * is pinned by `caCertificate` or `tlsServerName`. Checked before any connection is made.
 */
function assertInsideDomain(servers: readonly ServerAddress[], connection: ConnectionConfig): void {
  if (connection.caCertificate || connection.tlsServerName) return;
  const domain = withoutTrailingDot(connection.domain ?? '').toLowerCase();
  const outside = servers
    .map(({ host }) => host)
    .filter((host) => {
      const name = host.toLowerCase();
      return domain === '' || (name !== domain && !name.endsWith(`.${domain}`));
    });
  if (outside.length === 0) return;
  const names = outside.map((host) => `"${host || '.'}"`).join(', ');
  throw new DiscoveryError(
    `DNS named domain controllers outside the domain ${domain}: ${names}. A discovered DC must be ${domain} ` +
      `or a host under it; to use DCs named otherwise, list them in servers or pin their certificate with ` +
      `caCertificate or tlsServerName (nothing was connected to)`,
  );
}

/** The servers a connection goes to: the configured ones (with the encryption's default port), or DNS's. */
export async function resolveServers(
  connection: ConnectionConfig,
  resolveSrv: SrvResolver,
): Promise<ServerAddress[]> {
  const defaultPort = connection.encryption === 'ldaps' ? LDAPS_PORT : LDAP_PORT;
  if (connection.servers.length > 0) {
    return connection.servers.map((server) => {
      const address = parseServerAddress(server);
      if (!address) throw new DiscoveryError(`"${server}" is not a server address`);
      return { host: address.host, port: address.port ?? defaultPort };
    });
  }
  const domain = connection.domain;
  if (!domain) throw new DiscoveryError('no servers are configured and no domain to discover them from');
  const name = `_ldap._tcp.dc._msdcs.${domain}`;
  let records: SrvRecord[];
  try {
    records = await resolveSrv(name);
  } catch (error) {
    throw new DiscoveryError(
      `no domain controllers found: DNS SRV lookup of ${name} failed (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  if (records.length === 0)
    throw new DiscoveryError(`no domain controllers found: ${name} has no SRV records`);
  const servers = orderSrvRecords(records).map((record) => ({
    host: withoutTrailingDot(record.name),
    // SRV records announce the LDAP port (389); LDAPS runs on 636 of the same hosts.
    port: connection.encryption === 'ldaps' ? LDAPS_PORT : record.port,
  }));
  assertInsideDomain(servers, connection);
  return servers;
}

/** `host:port`, `[::1]:636` for IPv6. */
export const formatServer = ({ host, port }: ServerAddress): string =>
  `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
