/**
 * A webhook receiver on 127.0.0.1 for the local stack's signed deliveries (docs/contract.md#webhooks): it
 * answers 204 and keeps each delivery, or 503 while `unavailable` (or once `okBudget` is spent), and refuses
 * connections while closed (or once it has refused one with `closeAfterRefusal`). `E`: the events the test expects in the bodies.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AdSyncEvent } from '../../shared/domain/run-event';

export interface Delivery<E> {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly event: E;
}

export class WebhookReceiver<E extends { readonly type: string } = AdSyncEvent> {
  /** The requests answered 2xx, in the order they came. */
  readonly delivered: Delivery<E>[] = [];
  /** The requests answered 503. */
  refused = 0;
  unavailable = false;
  /**
   * Set: the next request refused is the last this server answers; it then closes, as a receiver that fails and
   * goes down (connections refused until `open` again).
   */
  closeAfterRefusal = false;
  /** While above 0, so many more are answered 2xx, and then the receiver is unavailable. */
  okBudget = Number.POSITIVE_INFINITY;
  port = 0;
  private server: Server | undefined;

  /** Listens (on the port it had before, once it has had one). */
  async open(): Promise<void> {
    const server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      if (this.unavailable || this.okBudget <= 0) {
        this.refused += 1;
        if (this.closeAfterRefusal) {
          this.closeAfterRefusal = false;
          response.once('finish', () => void this.close());
        }
        response.writeHead(503).end();
        return;
      }
      this.okBudget -= 1;
      const body = Buffer.concat(chunks).toString('utf8');
      this.delivered.push({ headers: request.headers, body, event: JSON.parse(body) as E });
      response.writeHead(204).end();
    });
    await new Promise<void>((done) => server.listen(this.port, '127.0.0.1', done));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }

  /** The events delivered from `from` on. */
  events(from = 0): E[] {
    return this.delivered.slice(from).map((d) => d.event);
  }
}
