/**
 * The console in AWS mode, wired to the browser: the Cognito sign-in (sign-in.ts) with the page's
 * sessionStorage, address and Web Crypto, and the SigV4-signed API client (aws-api-client.ts). Loaded only when
 * config.json says `"mode": "aws"`, so the local stack's console never downloads the AWS SDK.
 */
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import type { ApiClient } from '../../../shared/api/client';
import type { AwsConfig } from '../runtime-config';
import { awsApiClient } from './aws-api-client';
import { CognitoSignIn } from './sign-in';

export { SignInError } from './sign-in';

export interface AwsSession {
  readonly api: ApiClient;
  /** Who is signed in (the ID token's email). */
  readonly user: string;
  signOut(): Promise<void>;
}

/** The sign-in of this page. */
export function browserSignIn(config: AwsConfig): CognitoSignIn {
  return new CognitoSignIn(config, {
    fetch: (input, init) => fetch(input, init),
    storage: window.sessionStorage,
    location: window.location,
    replaceUrl: (url) => history.replaceState(null, '', url),
    crypto: window.crypto,
    now: () => Date.now(),
    identity: new CognitoIdentityClient({ region: config.region }),
  });
}

/**
 * Signs in (or completes the sign-in Cognito sent back, or keeps the tab's session) and answers the session,
 * or `undefined` when the browser is on its way to the managed login.
 * @throws SignInError when the sign-in that came back cannot be completed
 */
export async function startAwsSession(config: AwsConfig): Promise<AwsSession | undefined> {
  const signIn = browserSignIn(config);
  const outcome = await signIn.start();
  if (!outcome.signedIn) return undefined;
  return { api: awsApiClient(config, signIn), user: outcome.user, signOut: () => signIn.signOut() };
}
