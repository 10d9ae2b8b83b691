/**
 * The CLI's client of the ad-sync HTTP API: the shared typed client (shared/api/client.ts) with the local
 * stack's bearer token, or with requests to a deployed API Gateway signed by SigV4 (credentials from the
 * standard AWS chain).
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { ApiError, bearerToken, ApiClient as SharedApiClient, type SignRequest } from '../shared/api/client';

export { ApiError };

export class ApiClient extends SharedApiClient {
  static local(baseUrl: string, token: string): ApiClient {
    return new ApiClient({
      baseUrl,
      sign: bearerToken(token),
      unreachableHint: 'is the local stack running? adsync serve',
    });
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
    const sign: SignRequest = async ({ method, url, headers, body }) => {
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
    };
    return new ApiClient({ baseUrl, sign });
  }
}
