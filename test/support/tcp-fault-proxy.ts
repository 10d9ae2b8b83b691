/**
 * A TCP proxy on loopback between the sync and the DC, for fault injection. It forwards bytes both ways
 * (TLS passes through untouched, so certificate checks still see the DC) and can cut every connection
 * once the server has sent a given number of bytes, as a dropped connection in the middle of a read.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface FaultProxyOptions {
  readonly targetHost: string;
  readonly targetPort: number;
  /** Reset the connection after this many bytes from the server (per connection). */
  readonly cutAfterServerBytes?: number;
}

export interface FaultProxy {
  readonly port: number;
  /** Bytes the server sent through the proxy, over all connections so far. */
  serverBytes(): number;
  close(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let total = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: options.targetHost, port: options.targetPort });
    sockets.add(client).add(upstream);
    let sent = 0;
    const cut = (): void => {
      client.resetAndDestroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      const limit = options.cutAfterServerBytes;
      if (limit !== undefined && sent + chunk.length >= limit) {
        const part = chunk.subarray(0, Math.max(0, limit - sent));
        total += part.length;
        sent += part.length;
        client.write(part, cut);
        return;
      }
      sent += chunk.length;
      total += chunk.length;
      client.write(chunk);
    });
    for (const socket of [client, upstream]) {
      socket.on('error', () => cut());
      socket.on('close', () => {
        sockets.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the proxy has no port');
  return {
    port: address.port,
    serverBytes: () => total,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
