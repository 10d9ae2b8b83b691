/**
 * A TCP proxy on loopback between the sync and the DC, for fault injection. It forwards bytes both ways
 * (TLS passes through untouched, so certificate checks still see the DC) and injects one fault per proxy:
 * a reset after some bytes, a stall, a slow drip, a fixed latency, or a black hole that never answers. A test can also reset
 * every open connection at a moment of its choosing (a connection dropped between two operations).
 */
import { connect, createServer, type Socket } from 'node:net';

export type Fault =
  /** Forward everything. */
  | { readonly kind: 'none' }
  /** Reset the connection once the server has sent this many bytes (a dropped connection). */
  | { readonly kind: 'cut'; readonly afterServerBytes: number }
  /** Stop passing the server's bytes on after this many, keeping the connection open (a hung server). */
  | { readonly kind: 'stall'; readonly afterServerBytes: number }
  /** Pass the server's bytes on a few at a time with a pause between (a very slow link). */
  | { readonly kind: 'drip'; readonly bytes: number; readonly everyMs: number }
  /** Accept connections and never answer: a TLS handshake that never completes. */
  | { readonly kind: 'blackhole' }
  /**
   * Pass each of the server's chunks on after a delay, in order (a distant server): every round trip takes
   * at least `ms`, so an operation of a few round trips lasts seconds whatever the size of the directory.
   */
  | { readonly kind: 'latency'; readonly ms: number };

export interface FaultProxyOptions {
  readonly targetHost: string;
  readonly targetPort: number;
  readonly fault?: Fault;
  /** The port to listen on (a proxy started again where a closed one was: a DC back after an outage); any free one by default. */
  readonly port?: number;
}

export interface FaultProxy {
  readonly port: number;
  /** Bytes the server sent through the proxy, over all connections so far. */
  serverBytes(): number;
  /** Connections accepted so far. */
  connections(): number;
  /** Every byte the clients sent through the proxy, over all connections so far. */
  clientBytes(): Buffer;
  /** Resets every open connection (the proxy keeps listening) and resolves once they are closed. */
  resetConnections(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let total = 0;
  let accepted = 0;
  const fromClients: Buffer[] = [];
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  const fault: Fault = options.fault ?? { kind: 'none' };
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((client) => {
    accepted += 1;
    sockets.add(client);
    clients.add(client);
    client.on('error', () => client.destroy());
    client.on('close', () => {
      sockets.delete(client);
      clients.delete(client);
    });
    if (fault.kind === 'blackhole') return;
    const upstream = connect({ host: options.targetHost, port: options.targetPort });
    sockets.add(upstream);
    let sent = 0;
    const cut = (): void => {
      client.resetAndDestroy();
      upstream.destroy();
    };
    const forward = (chunk: Buffer): void => {
      sent += chunk.length;
      total += chunk.length;
      client.write(chunk);
    };
    client.on('data', (chunk: Buffer) => {
      fromClients.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (fault.kind === 'cut' || fault.kind === 'stall') {
        if (sent + chunk.length >= fault.afterServerBytes) {
          const part = chunk.subarray(0, Math.max(0, fault.afterServerBytes - sent));
          forward(part);
          if (fault.kind === 'cut') client.write(Buffer.alloc(0), cut);
          return; // stall: the rest never arrives
        }
        forward(chunk);
      } else if (fault.kind === 'drip') {
        upstream.pause();
        let offset = 0;
        const drip = (): void => {
          forward(chunk.subarray(offset, offset + fault.bytes));
          offset += fault.bytes;
          if (offset < chunk.length && !client.destroyed) {
            const timer = setTimeout(drip, fault.everyMs);
            timers.add(timer);
          } else {
            upstream.resume();
          }
        };
        drip();
      } else if (fault.kind === 'latency') {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!client.destroyed) forward(chunk);
        }, fault.ms);
        timers.add(timer);
      } else {
        forward(chunk);
      }
    });
    upstream.on('error', () => cut());
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the proxy has no port');
  return {
    port: address.port,
    serverBytes: () => total,
    connections: () => accepted,
    clientBytes: () => Buffer.concat(fromClients),
    resetConnections: () =>
      Promise.all(
        [...clients].map(
          (client) =>
            new Promise<void>((resolve) => {
              client.once('close', () => resolve());
              client.resetAndDestroy();
            }),
        ),
      ).then(() => undefined),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
