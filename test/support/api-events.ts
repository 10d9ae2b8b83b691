/** API Gateway (REST, proxy) events for handler tests, shaped like the ones the local stack and AWS send. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { apiGatewayEvent } from '../../local/local-api';
import { matchResource } from '../../shared/api/routes';

export function apiEvent(
  method: string,
  path: string,
  options: {
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    query?: Record<string, string>;
  } = {},
): APIGatewayProxyEvent {
  const body = options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body));
  return apiGatewayEvent({
    method,
    path,
    ...(matchResource(path) ?? { resource: path, pathParameters: {} }),
    headers: { ...(body === null ? {} : { 'Content-Type': 'application/json' }), ...options.headers },
    query: options.query ?? null,
    body,
  });
}

export interface JsonResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field in the tests
  readonly body: any;
  readonly raw: string;
}

export function parseResponse(result: unknown): JsonResponse {
  const response = result as APIGatewayProxyResult;
  return {
    statusCode: response.statusCode,
    headers: (response.headers ?? {}) as Record<string, string>,
    body: response.body ? JSON.parse(response.body) : undefined,
    raw: response.body,
  };
}
