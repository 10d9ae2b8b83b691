/**
 * Turns a table of route handlers into one middy Lambda handler for API Gateway (REST, proxy integration).
 * Middleware first: header normalization, body size limit, routing (404/405), JSON parsing and validation
 * helpers, and one error mapper; the route handlers only call a use case and shape the result.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { z } from 'zod';
import { toValidationError } from '../config/config-schema';
import { MethodNotAllowedError, NotFoundError, PayloadTooLargeError, ValidationError } from '../errors';
import { logger } from '../runtime/logger';
import { toHttpError } from './http-errors';
import { type RouteKey, routes } from './routes';

/** Bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface ApiRequest {
  readonly body: unknown;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ApiResponse {
  readonly statusCode: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type RouteHandler = (request: ApiRequest, context: Context) => Promise<ApiResponse>;

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

const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: body === undefined ? '' : JSON.stringify(body),
});

/** One Lambda handler serving the given routes. */
export function httpApi(handlers: Partial<Record<RouteKey, RouteHandler>>) {
  const served = routes.filter((route) => handlers[`${route.method} ${route.resource}` as RouteKey]);

  const dispatch = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const size = event.body ? Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : 0;
    if (size > MAX_BODY_BYTES) {
      throw new PayloadTooLargeError(`The body has ${size} bytes; at most ${MAX_BODY_BYTES} are accepted`);
    }
    const handler = handlers[`${event.httpMethod} ${event.resource}` as RouteKey];
    if (!handler) {
      const allowed = served
        .filter((route) => route.resource === event.resource)
        .map((route) => route.method);
      if (allowed.length === 0) throw new NotFoundError(`No route ${event.path ?? event.resource}`);
      throw Object.assign(
        new MethodNotAllowedError(`${event.httpMethod} is not allowed here; use ${allowed.join(', ')}`),
        {
          allowed,
        },
      );
    }
    const response = await handler(
      {
        body: parseJson(event),
        pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
        query: (event.queryStringParameters ?? {}) as Record<string, string>,
        headers: (event.headers ?? {}) as Record<string, string>,
      },
      context,
    );
    return json(response.statusCode, response.body, { ...response.headers });
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(httpHeaderNormalizer())
    .use({
      onError: async (request) => {
        const { statusCode, body, known } = toHttpError(request.error);
        if (!known) logger.error('request failed', { error: request.error as Error });
        const allowed = (request.error as { allowed?: string[] }).allowed;
        request.response = json(statusCode, body, allowed ? { allow: allowed.join(', ') } : {});
      },
    })
    .handler(dispatch);
}
