/**
 * A small client of the ad-sync HTTP API for the CLI: the local stack with its bearer token, or a deployed
 * API Gateway with requests signed by SigV4 (credentials from the standard AWS chain).
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Sign = (request: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}) => Promise<Record<string, string>>;

export class ApiClient {
  private constructor(
    private readonly baseUrl: string,
    private readonly sign: Sign,
  ) {}

  static local(baseUrl: string, token: string): ApiClient {
    return new ApiClient(baseUrl, async ({ headers }) => ({ ...headers, authorization: `Bearer ${token}` }));
  }

  /** For `https://<id>.execute-api.<region>.amazonaws.com/<stage>`; the region is read from the host. */
  static async signed(baseUrl: string): Promise<ApiClient> {
    const region =
      /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(baseUrl).hostname)?.[1] ??
      process.env.AWS_REGION;
    if (!region) throw new Error(`cannot tell the AWS region of ${baseUrl}; set AWS_REGION`);
    const signer = new SignatureV4({
      service: 'execute-api',
      region,
      credentials: defaultProvider(),
      sha256: Hash.bind(null, 'sha256'),
    });
    return new ApiClient(baseUrl.replace(/\/$/, ''), async ({ method, url, headers, body }) => {
      const signed = await signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...headers, host: url.host },
        ...(body === undefined ? {} : { body }),
      });
      return signed.headers;
    });
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    const url = new URL(`${this.baseUrl}${path}`);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = await this.sign({
      method,
      url,
      headers: { ...extraHeaders, ...(text === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(text === undefined ? {} : { body: text }),
    });
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(text === undefined ? {} : { body: text }) });
    } catch (error) {
      throw new Error(`cannot reach ${this.baseUrl} (is the local stack running? adsync serve)`, {
        cause: error,
      });
    }
    const payload =
      response.status === 204 ? undefined : ((await response.json().catch(() => undefined)) as unknown);
    if (!response.ok) {
      const error = (
        payload as {
          error?: { code?: string; message?: string; details?: { path: string; message: string }[] };
        }
      )?.error;
      throw new ApiError(
        response.status,
        error?.code ?? 'HttpError',
        error?.message ?? response.statusText,
        error?.details ?? [],
      );
    }
    return payload as T;
  }
}
