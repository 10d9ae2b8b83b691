/**
 * Turns a table of route handlers into one middy Lambda handler for API Gateway (REST, proxy integration).
 * Middleware first: header normalization, body size limit, routing (404/405), JSON parsing, validation of
 * the path, query, body and headers with the route's schemas (routes.ts), and one error mapper. A route
 * handler receives the validated input, typed from those schemas, calls a use case and shapes the result;
 * its answer's type is the route's response schema, and its status is the route's unless it names another.
 * The dispatch is traced (X-Ray, runtime/tracer.ts) when the function runs in Lambda.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import { toValidationError } from '../config/config-schema';
import { MethodNotAllowedError, NotFoundError, PayloadTooLargeError, ValidationError } from '../errors';
import { consoleOriginOf } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { tracedHandler } from '../runtime/tracer';
import { corsHeaders } from './cors';
import { toHttpError } from './http-errors';
import { type RouteKey, type RouteOf, type RouteSpec, routes } from './routes';
import type { DeepReadonly } from './schemas';

/** Bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 256 * 1024;

/** What a schema of a route yields once validated; `Otherwise` when the route has no such schema. */
type Parsed<R, Part extends 'path' | 'query' | 'headers' | 'body', Otherwise> = R extends {
  readonly [P in Part]: infer S extends z.ZodType;
}
  ? z.output<S>
  : Otherwise;

/** A route's request, validated with its schemas. */
interface RouteRequest<K extends RouteKey> {
  readonly path: Parsed<RouteOf<K>, 'path', Record<string, never>>;
  readonly query: Parsed<RouteOf<K>, 'query', Record<string, never>>;
  /** The headers the route declares, by their documented names. */
  readonly headers: Parsed<RouteOf<K>, 'headers', Record<string, never>>;
  readonly body: Parsed<RouteOf<K>, 'body', undefined>;
  /**
   * What precedes the route's path in the URL the client called (API Gateway's stage, `/v1`; none on the
   * local stack): a `Location` the route answers starts with it.
   */
  readonly basePath: string;
}

/** What a route that starts a long operation answers with 200 when it ends in time (`completed`). */
type Completed<K extends RouteKey> =
  RouteOf<K> extends { readonly completed: infer C extends z.ZodType } ? z.output<C> : never;

/**
 * A route's answer: a body of its response schema (or of its `completed` one), and its status unless
 * another is named.
 */
type RouteAnswer<K extends RouteKey> = {
  readonly statusCode?: number;
  readonly headers?: Readonly<Record<string, string>>;
} & (RouteOf<K> extends { readonly response: infer S extends z.ZodType }
  ? { readonly body: DeepReadonly<z.output<S> | Completed<K>> }
  : { readonly body?: undefined });

type RouteHandler<K extends RouteKey> = (
  request: RouteRequest<K>,
  context: Context,
) => Promise<RouteAnswer<K>>;

type RouteHandlers = { readonly [K in RouteKey]?: RouteHandler<K> };

/** Validates input with a schema; the error names each field, under `prefix` (`query`, or none for bodies). */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  prefix: string[] = [],
): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw toValidationError(result.error, prefix, 'request');
  return result.data;
}

/** The headers a schema names (`If-Match`), taken case-insensitively from the (lower-cased) request headers. */
function parseHeaders(schema: z.ZodObject, headers: Readonly<Record<string, string>>): unknown {
  const declared: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = headers[name.toLowerCase()];
    if (value !== undefined) declared[name] = value;
  }
  const result = schema.safeParse(declared);
  if (result.success) return result.data;
  const { details } = toValidationError(result.error, [], 'request');
  throw new ValidationError(`Invalid ${details.map((detail) => detail.path).join(', ')}`, details, {
    cause: result.error,
  });
}

function parseJson(event: APIGatewayProxyEvent): unknown {
  if (event.body === null || event.body === undefined || event.body === '') return {};
  const contentType = event.headers?.['content-type'] ?? '';
  if (!/^application\/(.+\+)?json(;.*)?$/i.test(contentType)) {
    throw new ValidationError('The body must be JSON', [
      { path: '(body)', message: `Content-Type must be application/json, not "${contentType}"` },
    ]);
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError(
      'The body is not valid JSON',
      // Not the parser's message: it quotes the body, and the body may hold a password.
      [{ path: '(body)', message: 'is not valid JSON' }],
      {
        cause: error,
      },
    );
  }
}

/** The stage (or custom domain's base path) before the resource's path: `/v1` for `/v1/sync`. */
function basePathOf(event: APIGatewayProxyEvent): string {
  const full = (event.requestContext as { path?: string } | undefined)?.path;
  if (!full || !event.path || !full.endsWith(event.path)) return '';
  return full.slice(0, full.length - event.path.length);
}

/**
 * The route's input, validated in the order a reader checks a request: path, query, body, headers. A body is
 * parsed on every route (a route without a body schema ignores it), so malformed JSON is a 400 everywhere.
 */
function parseRequest(route: RouteSpec, event: APIGatewayProxyEvent) {
  const body = parseJson(event);
  const headers = (event.headers ?? {}) as Record<string, string>;
  return {
    basePath: basePathOf(event),
    path: route.path ? parseInput(route.path, event.pathParameters ?? {}, ['path']) : {},
    query: route.query ? parseInput(route.query, event.queryStringParameters ?? {}, ['query']) : {},
    body: route.body ? parseInput(route.body, body) : undefined,
    headers: route.headers ? parseHeaders(route.headers, headers) : {},
  };
}

const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: body === undefined ? '' : JSON.stringify(body),
});

export interface HttpApiOptions {
  /**
   * The admin console's origin (CONSOLE_ORIGIN by default): every answer allows it to read it, and the
   * headers of cors.ts's EXPOSED_HEADERS. Without it (the local stack, where the console is same-origin), no
   * CORS header is sent.
   */
  readonly consoleOrigin?: string | undefined;
}

/** One Lambda handler serving the given routes. */
export function httpApi(handlers: RouteHandlers, { consoleOrigin = consoleOriginOf() }: HttpApiOptions = {}) {
  const cors = corsHeaders(consoleOrigin);
  const served = routes.filter((route) => handlers[`${route.method} ${route.resource}`]);

  const dispatch = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const size = event.body ? Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : 0;
    if (size > MAX_BODY_BYTES) {
      throw new PayloadTooLargeError(`The body has ${size} bytes; at most ${MAX_BODY_BYTES} are accepted`);
    }
    const route: RouteSpec | undefined = served.find(
      (candidate) => candidate.method === event.httpMethod && candidate.resource === event.resource,
    );
    if (!route) {
      const allowed = served
        .filter((candidate) => candidate.resource === event.resource)
        .map((candidate) => candidate.method);
      if (allowed.length === 0) throw new NotFoundError(`No route ${event.path ?? event.resource}`);
      throw Object.assign(
        new MethodNotAllowedError(`${event.httpMethod} is not allowed here; use ${allowed.join(', ')}`),
        {
          allowed,
        },
      );
    }
    // The route table types each handler with its own route; here they are called through one signature.
    const handler = handlers[`${route.method} ${route.resource}` as RouteKey] as unknown as (
      request: ReturnType<typeof parseRequest>,
      context: Context,
    ) => Promise<{ statusCode?: number; body?: unknown; headers?: Readonly<Record<string, string>> }>;
    const answer = await handler(parseRequest(route, event), context);
    return json(answer.statusCode ?? route.status, answer.body, { ...answer.headers, ...cors });
  };

  // The trace's handler subsegment: a 5xx is a fault, an answered 4xx an error (X-Ray's meaning of both).
  const traced = tracedHandler(dispatch, { isFault: (error) => toHttpError(error).statusCode >= 500 });
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(httpHeaderNormalizer())
    .use({
      onError: async (request) => {
        const { statusCode, body, headers, known } = toHttpError(request.error);
        if (!known) logger.error('request failed', { error: request.error as Error });
        const allowed = (request.error as { allowed?: string[] }).allowed;
        request.response = json(statusCode, body, {
          ...headers,
          ...(allowed ? { allow: allowed.join(', ') } : {}),
          ...cors,
        });
      },
    })
    .handler(traced);
}
