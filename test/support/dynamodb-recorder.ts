/**
 * A recording proxy in front of DynamoDB Local: every request that passes through while a label is set is
 * kept, with that label (the function that sent it), as IAM sees it: the operation and the JSON of the wire
 * protocol. Requests and answers pass unchanged.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly label: string;
  /** `PutItem`, `TransactWriteItems`, ... (from `X-Amz-Target`). */
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

export interface DynamoDbRecorder {
  /** The endpoint to send requests to (`AWS_ENDPOINT_URL_DYNAMODB`). */
  readonly endpoint: string;
  readonly requests: readonly RecordedRequest[];
  /** Runs `work` with requests recorded under `label`; one at a time (the label is global). */
  as<T>(label: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function startDynamoDbRecorder(upstream: string): Promise<DynamoDbRecorder> {
  const target = new URL(upstream);
  const requests: RecordedRequest[] = [];
  let label: string | undefined;
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(incoming.headers['x-amz-target'] ?? '').split('.')[1];
      if (label !== undefined && operation) {
        requests.push({ label, operation, input: JSON.parse(body.toString('utf8')) });
      }
      const forwarded = request(
        {
          hostname: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          // DynamoDB Local answers only requests addressed to its own port (421 otherwise); it checks no signature.
          headers: { ...incoming.headers, host: target.host },
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', (error) => outgoing.destroy(error));
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    async as(name, work) {
      if (label !== undefined) throw new Error(`already recording for ${label}`);
      label = name;
      try {
        return await work();
      } finally {
        label = undefined;
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
