/**
 * The CLI's client of the ad-sync HTTP API: the shared typed client (shared/api/client.ts) with the local
 * stack's bearer token, or with requests to a deployed API Gateway signed by SigV4 (credentials from the
 * standard AWS chain).
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { ApiError, bearerToken, ApiClient as SharedApiClient } from '../shared/api/client';
import { sigV4 } from '../shared/api/sigv4-signer';

export { ApiError };

export class ApiClient extends SharedApiClient {
  static local(baseUrl: string, token: string): ApiClient {
    return new ApiClient({
      baseUrl,
      sign: bearerToken(token),
      unreachableHint: 'is the local stack running? adsync serve',
    });
  }

  /**
   * For `https://<id>.execute-api.<region>.amazonaws.com/<stage>`; the region is read from the host, else from
   * `env.AWS_REGION` (the credentials come from the standard chain, which reads the process's environment).
   */
  static async signed(
    baseUrl: string,
    env: Readonly<Record<string, string | undefined>> = process.env,
  ): Promise<ApiClient> {
    const region =
      /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(baseUrl).hostname)?.[1] ?? env.AWS_REGION;
    if (!region) throw new Error(`cannot tell the AWS region of ${baseUrl}; set AWS_REGION`);
    const sign = sigV4({ region, credentials: defaultProvider(), sha256: Hash.bind(null, 'sha256') });
    return new ApiClient({ baseUrl, sign });
  }
}
