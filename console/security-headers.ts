/**
 * The admin console's security headers, in one place for both places that serve it: the local stack
 * (local/web-console.ts) and CloudFront in AWS (cdk/console.ts). The page loads only its own scripts and
 * styles, may not be framed, and talks only to its own origin, plus, in AWS, the origins it calls across
 * (the API, Cognito): only `connect-src` differs between the two.
 */

/** The Content-Security-Policy of the console; `connectTo` are the origins it may call besides its own. */
export function consoleContentSecurityPolicy(connectTo: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...connectTo].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** The headers every console file is served with (the local stack's CSP: its own origin only). */
export const CONSOLE_SECURITY_HEADERS = {
  'content-security-policy': consoleContentSecurityPolicy(),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;
