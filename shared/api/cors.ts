/**
 * What the admin console may do across origins (in AWS it is served by CloudFront, the API by API
 * Gateway): the request headers it sends, answered by the preflight (cdk/api.ts), and the response headers
 * it reads, exposed by every answer (http-api.ts, and API Gateway's own errors). On the local stack the
 * console and the API share one origin, and none of this is sent.
 */

/** SigV4's headers, the body's type, and the API's own (If-Match on PUT /config, Prefer on long operations). */
export const CORS_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'if-match',
  'prefer',
] as const;

/** The response headers a browser may read besides the CORS-safelisted ones. */
export const EXPOSED_HEADERS = ['location', 'preference-applied'] as const;

/** The headers of every answer for a console at `origin`; none without one. */
export function corsHeaders(origin: string | undefined): Record<string, string> {
  if (origin === undefined) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': EXPOSED_HEADERS.join(', '),
  };
}
