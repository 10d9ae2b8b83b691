/**
 * SigV4 for the API client's `sign` hook (client.ts), for a deployed API Gateway whose methods use IAM
 * authorization. Browser-safe, like the client: the SHA-256 and the credentials are passed in, so the CLI
 * brings Node's hash and the AWS credential chain (cli/api-client.ts), and the console a pure-JavaScript hash
 * and the signed-in administrator's temporary credentials (console/src/aws/).
 */
import { SignatureV4 } from '@smithy/signature-v4';
import type { SignRequest } from './client';

type SignatureV4Init = ConstructorParameters<typeof SignatureV4>[0];

export interface SigV4Options {
  readonly region: string;
  /** The signing name of the service; API Gateway's is `execute-api`. */
  readonly service?: string;
  /** Fixed credentials, or a function answering current ones (called for every request). */
  readonly credentials: SignatureV4Init['credentials'];
  /** The SHA-256 (and HMAC) implementation: `@smithy/hash-node` in Node, `@aws-crypto/sha256-js` in the browser. */
  readonly sha256: NonNullable<SignatureV4Init['sha256']>;
  /** The signing time; the clock by default (tests fix it). */
  readonly now?: () => Date;
}

/** The query of a URL as SigV4 wants it: each name with its value, or its values when repeated. */
function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of params) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return query;
}

/**
 * Signs each request with SigV4 (`Authorization`, `X-Amz-Date`, and `X-Amz-Security-Token` with temporary
 * credentials). The path is the URL's, as sent (percent-encoded): SigV4 encodes it once more, as AWS services
 * other than S3 expect. No `X-Amz-Content-SHA256` header: API Gateway does not need it (the body's hash is
 * signed all the same), and every header a browser adds must be allowed by the API's CORS settings.
 */
export function sigV4(options: SigV4Options): SignRequest {
  const signer = new SignatureV4({
    service: options.service ?? 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: options.sha256,
    applyChecksum: false,
  });
  return async ({ method, url, headers, body }) => {
    const signed = await signer.sign(
      {
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port === '' ? {} : { port: Number(url.port) }),
        path: url.pathname,
        query: queryOf(url.searchParams),
        headers: { ...headers, host: url.host },
        ...(body === undefined ? {} : { body }),
      },
      options.now ? { signingDate: options.now() } : {},
    );
    // `host` is signed but not returned: fetch sends the URL's host itself (browsers refuse to set it).
    const { host: _host, ...toSend } = signed.headers;
    return toSend;
  };
}
