/**
 * The local stack's HTTP API: a server on 127.0.0.1 that answers only requests addressed to
 * `127.0.0.1:<port>` or `localhost:<port>` (a web page whose DNS name is rebound to 127.0.0.1 sends its own
 * name in `Host`, and gets 421), serves the console's files without a token, and hands every API request with
 * the right bearer token to its route's function as API Gateway's event.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { MAX_BODY_BYTES } from '../shared/api/http-api';
import { toHttpError } from '../shared/api/http-errors';
import { type FunctionName, matchResource, routes } from '../shared/api/routes';
import {
  MisdirectedRequestError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
} from '../shared/errors';
import { isConsolePath, sendConsoleFile } from './web-console';

/** Runs a function's handler on an API Gateway event, as the API's integration does. */
export type InvokeFunction = (
  name: FunctionName,
  event: APIGatewayProxyEvent,
) => Promise<APIGatewayProxyResult>;

export interface LocalApiOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly token: string;
  readonly invoke: InvokeFunction;
}

export interface LocalApi {
  /** `http://127.0.0.1:<port>`, the port it listens on. */
  readonly url: string;
  /** Closes the server and every connection to it. */
  close(): Promise<void>;
}

const sameToken = (given: string, token: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
};

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new PayloadTooLargeError(`The body has more than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The API Gateway (REST, proxy integration) event of a request to one of the API's resources. */
export function apiGatewayEvent(request: {
  readonly method: string;
  readonly path: string;
  readonly resource: string;
  readonly pathParameters: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly query: Record<string, string> | null;
  readonly body: string | null;
}): APIGatewayProxyEvent {
  return {
    resource: request.resource,
    path: request.path,
    httpMethod: request.method,
    headers: request.headers,
    multiValueHeaders: {},
    queryStringParameters: request.query,
    multiValueQueryStringParameters: null,
    pathParameters: Object.keys(request.pathParameters).length > 0 ? request.pathParameters : null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    body: request.body,
    isBase64Encoded: false,
  };
}

function send(response: ServerResponse, result: APIGatewayProxyResult): void {
  response.writeHead(result.statusCode, (result.headers ?? {}) as Record<string, string>);
  response.end(result.body);
}

function sendError(response: ServerResponse, error: unknown): void {
  const { statusCode, body } = toHttpError(error);
  send(response, {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });
}

/** Answers one request; `ownHosts` are the Host values it answers to. */
async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  ownHosts: readonly string[],
  { token, invoke }: LocalApiOptions,
): Promise<void> {
  try {
    const host = (request.headers.host ?? '').toLowerCase();
    if (!ownHosts.includes(host)) {
      throw new MisdirectedRequestError(
        `This server answers only requests whose Host is ${ownHosts.join(' or ')}`,
      );
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const { pathname } = url;
    // The console's static files need no token (see web-console.ts); every API route does.
    if (isConsolePath(request.method ?? 'GET', pathname)) {
      await sendConsoleFile(request.method ?? 'GET', pathname, response);
      return;
    }
    const authorization = request.headers.authorization ?? '';
    const given = /^Bearer (.+)$/i.exec(authorization)?.[1] ?? '';
    if (!sameToken(given, token)) throw new UnauthorizedError('Missing or wrong bearer token');
    let match: ReturnType<typeof matchResource>;
    try {
      match = matchResource(url.pathname);
    } catch {
      match = undefined;
    }
    if (!match) throw new NotFoundError(`No route ${url.pathname}`);
    const route = routes.find((r) => r.resource === match.resource) as (typeof routes)[number];
    const body = await readBody(request);
    const event = apiGatewayEvent({
      method: request.method ?? 'GET',
      path: url.pathname,
      ...match,
      headers: Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(', ') : (value ?? ''),
        ]),
      ),
      query: url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null,
      body: body.length > 0 ? body.toString('utf8') : null,
    });
    send(response, await invoke(route.function, event));
  } catch (error) {
    sendError(response, error);
  }
}

/** Listens on 127.0.0.1 and answers from then on. */
export async function listenLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  /** `127.0.0.1:<port>` and `localhost:<port>`, once the server listens. */
  let ownHosts: readonly string[] = [];
  const server = createServer((request, response) => answer(request, response, ownHosts, options));
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolveListen);
  });
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : options.port;
  ownHosts = [`127.0.0.1:${listening}`, `localhost:${listening}`];
  return {
    url: `http://127.0.0.1:${listening}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
