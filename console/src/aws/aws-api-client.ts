/**
 * The console's API client in AWS: the shared typed client, pointed at the API Gateway stage of config.json,
 * every request signed with SigV4 and the signed-in administrator's temporary credentials. IAM stays the
 * API's only authorizer; the console holds no other key to it.
 */
import { ApiClient } from '../../../shared/api/client';
import type { AwsConfig } from '../runtime-config';
import { browserSigV4 } from './browser-signer';
import type { CognitoSignIn } from './sign-in';

/** The headers the signer adds; a request is signed again without them. */
const SIGNATURE_HEADERS = new Set(['authorization', 'x-amz-date', 'x-amz-security-token']);

/**
 * Whether API Gateway refused a request because its credentials or signature have expired (rather than
 * because the role may not do this): 403 with `ExpiredTokenException` / "Signature expired" (or the
 * `x-amzn-ErrorType` header, when CORS exposes it).
 */
export async function isExpiredSignature(response: Response): Promise<boolean> {
  if (response.status !== 403) return false;
  const type = response.headers.get('x-amzn-errortype') ?? '';
  if (/ExpiredToken/i.test(type)) return true;
  const text = await response
    .clone()
    .text()
    .catch(() => '');
  return /security token included in the request is expired|signature expired/i.test(text);
}

/** The client for the deployed API; `fetchApi` is the browser's fetch (tests give another). */
export function awsApiClient(
  config: AwsConfig,
  signIn: CognitoSignIn,
  fetchApi: typeof fetch = fetch,
): ApiClient {
  const sign = browserSigV4({ region: config.region, credentials: () => signIn.credentials() });
  /** Sends a signed request; when it comes back refused as expired, renews the credentials and tries once more. */
  const send: typeof fetch = async (input, init = {}) => {
    const response = await fetchApi(input, init);
    if (!(await isExpiredSignature(response))) return response;
    await signIn.refresh();
    const url = new URL(input instanceof Request ? input.url : String(input));
    const unsigned = Object.fromEntries(
      Object.entries((init.headers ?? {}) as Record<string, string>).filter(
        ([name]) => !SIGNATURE_HEADERS.has(name.toLowerCase()),
      ),
    );
    const body = typeof init.body === 'string' ? init.body : undefined;
    const headers = await sign({
      method: init.method ?? 'GET',
      url,
      headers: unsigned,
      ...(body === undefined ? {} : { body }),
    });
    return fetchApi(input, { ...init, headers });
  };
  return new ApiClient({ baseUrl: config.apiUrl, sign, fetch: send });
}
