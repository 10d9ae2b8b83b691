/** The TLS options of a connection to a domain controller, the same for the sync and for a logon's bind. */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { ConnectionConfig } from '../../config/config-schema';
import type { ServerAddress } from '../../ports/directory-reader';

/**
 * The TLS rules of every connection to a DC (the sync's, and a logon's bind as the user): the certificate
 * verified (against `caCertificate` when given), TLS 1.2 at least, and the host name checked.
 */
export function tlsOptionsFor(address: ServerAddress, connection: ConnectionConfig): ConnectionOptions {
  return {
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(connection.caCertificate ? { ca: [connection.caCertificate] } : {}),
    // Host-name verification needs a name; for an IP without tlsServerName Node checks the IP SANs.
    ...(connection.tlsServerName
      ? { servername: connection.tlsServerName }
      : isIP(address.host) === 0
        ? { servername: address.host }
        : {}),
  };
}
