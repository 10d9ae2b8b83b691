/**
 * The console's sign-in in AWS mode (console/src/aws/sign-in.ts, pkce.ts, aws-api-client.ts), in Node: Node's
 * Web Crypto, an in-memory sessionStorage, a recorded address bar, a fixed clock. At the AWS boundary: Cognito's
 * token endpoint and the API are answered by a recording fetch, Cognito Identity by aws-sdk-client-mock.
 */
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { awsApiClient } from '../../../console/src/aws/aws-api-client';
import { base64Url, codeChallengeS256, createCodeVerifier } from '../../../console/src/aws/pkce';
import {
  CognitoSignIn,
  PENDING_KEY,
  REFRESH_MARGIN_MS,
  SESSION_KEY,
  SignInError,
  SignInRedirectError,
} from '../../../console/src/aws/sign-in';
import { isSignInRedirect } from '../../../console/src/aws/sign-in-redirect';
import type { AwsConfig } from '../../../console/src/runtime-config';

const CONFIG: AwsConfig = {
  mode: 'aws',
  apiUrl: 'https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com/v1',
  region: 'eu-central-1',
  userPoolId: 'eu-central-1_AbCdEf123',
  userPoolClientId: '1example23456789abcdefghij',
  identityPoolId: 'eu-central-1:0b6e7c9a-1f2d-4e3c-8a5b-6c7d8e9f0a1b',
  cognitoDomain: 'https://ad-sync-admins.auth.eu-central-1.amazoncognito.com',
};
const CONSOLE = 'https://d111111abcdef8.cloudfront.net';
const LOGIN_KEY = 'cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbCdEf123';
const IDENTITY_ID = 'eu-central-1:11111111-2222-3333-4444-555555555555';
const START = Date.parse('2026-11-25T09:00:00Z');

/** A JWT-shaped ID token with these claims (unsigned: the console does not check it, AWS does). */
const idToken = (claims: Record<string, unknown>): string =>
  [{ alg: 'RS256', kid: 'test' }, claims]
    .map((part) => base64Url(new TextEncoder().encode(JSON.stringify(part))))
    .concat('signature')
    .join('.');
const FIRST_ID_TOKEN = idToken({ email: 'admin@example.com', 'cognito:username': 'admin', token_use: 'id' });
const SECOND_ID_TOKEN = idToken({ email: 'admin@example.com', token_use: 'id', refreshed: true });

/** sessionStorage, in memory. */
class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

interface Sent {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}
type Answer = (request: Sent) => Response;

const identity = mockClient(CognitoIdentityClient);
let storage: MemoryStorage;
let location: { href: string; assign(url: string): void };
let assigned: string[];
let replaced: string[];
let now: number;
let sent: Sent[];
/** The answers of the token endpoint and the API, taken in order. */
let tokenAnswers: Answer[];
let apiAnswers: Answer[];

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const fakeFetch: typeof fetch = async (input, init = {}) => {
  const request: Sent = {
    url: input instanceof Request ? input.url : String(input),
    method: init.method ?? 'GET',
    headers: Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>)),
    body: typeof init.body === 'string' ? init.body : undefined,
  };
  sent.push(request);
  const answers = request.url.startsWith(CONFIG.cognitoDomain) ? tokenAnswers : apiAnswers;
  const answer = answers.shift();
  if (!answer) throw new Error(`no answer left for ${request.method} ${request.url}`);
  return answer(request);
};

function signInAt(href: string): CognitoSignIn {
  location.href = href;
  return new CognitoSignIn(CONFIG, {
    fetch: fakeFetch,
    storage,
    location,
    replaceUrl: (url) => {
      replaced.push(url);
      location.href = url;
    },
    crypto: globalThis.crypto,
    now: () => now,
    identity: new CognitoIdentityClient({ region: CONFIG.region }),
  });
}

const credentialsAnswer = (n: number) => ({
  IdentityId: IDENTITY_ID,
  Credentials: {
    AccessKeyId: `ASIAEXAMPLE${n}`,
    SecretKey: `secret-${n}`,
    SessionToken: `session-token-${n}`,
    Expiration: new Date(now + 60 * 60_000),
  },
});

/** The form fields of a token request. */
const formOf = (request: Sent | undefined): Record<string, string> =>
  Object.fromEntries(new URLSearchParams(request?.body ?? ''));

/** Goes through a whole sign-in: the redirect, then Cognito's answer with a code, from `#/runs`. */
async function signedIn(): Promise<CognitoSignIn> {
  await signInAt(`${CONSOLE}/#/runs`).start();
  const state = new URL(assigned.at(-1) as string).searchParams.get('state');
  tokenAnswers.push(() =>
    json(200, {
      id_token: FIRST_ID_TOKEN,
      access_token: 'access',
      refresh_token: 'refresh-1',
      expires_in: 3600,
      token_type: 'Bearer',
    }),
  );
  identity.on(GetIdCommand).resolves({ IdentityId: IDENTITY_ID });
  identity.on(GetCredentialsForIdentityCommand).resolves(credentialsAnswer(1));
  const signIn = signInAt(`${CONSOLE}/?code=the-code&state=${state}`);
  expect(await signIn.start()).toEqual({ signedIn: true, user: 'admin@example.com' });
  return signIn;
}

beforeEach(() => {
  identity.reset();
  storage = new MemoryStorage();
  assigned = [];
  replaced = [];
  location = {
    href: CONSOLE,
    assign: (url) => {
      assigned.push(url);
    },
  };
  now = START;
  sent = [];
  tokenAnswers = [];
  apiAnswers = [];
});

describe('PKCE', () => {
  it('makes verifiers of 43 unreserved characters, a new one each time', () => {
    const verifiers = new Set(Array.from({ length: 20 }, () => createCodeVerifier(globalThis.crypto)));
    expect(verifiers.size).toBe(20);
    for (const verifier of verifiers) expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
  });

  it('derives the S256 challenge of RFC 7636 appendix B', async () => {
    await expect(
      codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', globalThis.crypto),
    ).resolves.toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
});

describe('CognitoSignIn', () => {
  it('sends a tab without a session to the managed login: code flow, PKCE S256, a random state', async () => {
    await expect(signInAt(`${CONSOLE}/#/users`).start()).resolves.toEqual({ signedIn: false });
    expect(assigned).toHaveLength(1);
    const authorize = new URL(assigned[0] as string);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${CONFIG.cognitoDomain}/oauth2/authorize`);
    const pending = JSON.parse(storage.getItem(PENDING_KEY) as string) as Record<string, string>;
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      response_type: 'code',
      client_id: CONFIG.userPoolClientId,
      redirect_uri: `${CONSOLE}/`,
      scope: 'openid email profile',
      state: pending.state,
      code_challenge: await codeChallengeS256(pending.verifier as string, globalThis.crypto),
      code_challenge_method: 'S256',
    });
    expect(authorize.search).toContain('scope=openid+email+profile');
    expect(pending.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pending.returnTo).toBe('#/users');
    // A second sign-in gets another state and verifier.
    await signInAt(CONSOLE).signIn();
    const again = JSON.parse(storage.getItem(PENDING_KEY) as string) as Record<string, string>;
    expect(again.state).not.toBe(pending.state);
    expect(again.verifier).not.toBe(pending.verifier);
    expect(sent).toEqual([]);
  });

  it('exchanges the code with its verifier, cleans the address bar, and gets credentials for the ID token', async () => {
    await signInAt(`${CONSOLE}/#/runs`).start();
    const { verifier, state } = JSON.parse(storage.getItem(PENDING_KEY) as string) as Record<string, string>;
    const signIn = await (async () => {
      tokenAnswers.push(() =>
        json(200, { id_token: FIRST_ID_TOKEN, access_token: 'a', refresh_token: 'refresh-1' }),
      );
      identity.on(GetIdCommand).resolves({ IdentityId: IDENTITY_ID });
      identity.on(GetCredentialsForIdentityCommand).resolves(credentialsAnswer(1));
      const started = signInAt(`${CONSOLE}/?code=the-code&state=${state}`);
      await expect(started.start()).resolves.toEqual({ signedIn: true, user: 'admin@example.com' });
      return started;
    })();

    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      url: `${CONFIG.cognitoDomain}/oauth2/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(formOf(sent[0])).toEqual({
      grant_type: 'authorization_code',
      client_id: CONFIG.userPoolClientId,
      code: 'the-code',
      redirect_uri: `${CONSOLE}/`,
      code_verifier: verifier,
    });
    // Back where the administrator was, without the code.
    expect(replaced).toEqual([`${CONSOLE}/#/runs`]);
    expect(storage.getItem(PENDING_KEY)).toBeNull();

    expect(identity.commandCalls(GetIdCommand).map((call) => call.args[0].input)).toEqual([
      { IdentityPoolId: CONFIG.identityPoolId, Logins: { [LOGIN_KEY]: FIRST_ID_TOKEN } },
    ]);
    expect(identity.commandCalls(GetCredentialsForIdentityCommand).map((call) => call.args[0].input)).toEqual(
      [{ IdentityId: IDENTITY_ID, Logins: { [LOGIN_KEY]: FIRST_ID_TOKEN } }],
    );
    await expect(signIn.credentials()).resolves.toEqual({
      accessKeyId: 'ASIAEXAMPLE1',
      secretAccessKey: 'secret-1',
      sessionToken: 'session-token-1',
      expiration: new Date(START + 60 * 60_000),
    });
    // Kept for the tab only: the ID and refresh tokens and the credentials, never the access token.
    const kept = storage.getItem(SESSION_KEY) as string;
    expect(kept).toContain('refresh-1');
    expect(kept).not.toContain('"a"');
    expect(identity.calls()).toHaveLength(2);
  });

  it('refuses an answer whose state this tab did not send, without exchanging its code', async () => {
    await signInAt(CONSOLE).start();
    const signIn = signInAt(`${CONSOLE}/?code=stolen-code&state=someone-elses-state`);
    await expect(signIn.start()).rejects.toThrow(
      new SignInError(
        'This sign-in answer was not asked for by this tab (its state does not match), so it was ignored. Sign in again.',
      ),
    );
    expect(sent).toEqual([]);
    expect(identity.calls()).toHaveLength(0);
    expect(replaced).toEqual([`${CONSOLE}/`]);
    expect(storage.items.size).toBe(0);
    // And without any sign-in started in this tab.
    await expect(signInAt(`${CONSOLE}/?code=c&state=s`).start()).rejects.toThrow(SignInError);
    expect(sent).toEqual([]);
  });

  it('says why when Cognito answers an error instead of a code', async () => {
    await signInAt(CONSOLE).start();
    await expect(
      signInAt(`${CONSOLE}/?error=access_denied&error_description=User+is+disabled`).start(),
    ).rejects.toThrow('Cognito did not sign you in: User is disabled.');
    expect(replaced).toEqual([`${CONSOLE}/`]);
  });

  it('refuses a code Cognito will not exchange, and keeps nothing', async () => {
    await signInAt(CONSOLE).start();
    const { state } = JSON.parse(storage.getItem(PENDING_KEY) as string) as Record<string, string>;
    tokenAnswers.push(() => json(400, { error: 'invalid_grant' }));
    await expect(signInAt(`${CONSOLE}/?code=old&state=${state}`).start()).rejects.toThrow(
      'The sign-in could not be completed: Cognito refused the token request: invalid_grant (HTTP 400).',
    );
    expect(storage.items.size).toBe(0);
  });

  it('keeps the tab’s session on reload, asking nothing while the credentials are fresh', async () => {
    await signedIn();
    const before = sent.length;
    await expect(signInAt(`${CONSOLE}/#/sync`).start()).resolves.toEqual({
      signedIn: true,
      user: 'admin@example.com',
    });
    expect(sent).toHaveLength(before);
    expect(identity.calls()).toHaveLength(2);
  });

  it('renews the credentials with the refresh token shortly before they expire', async () => {
    const signIn = await signedIn();
    now = START + 60 * 60_000 - REFRESH_MARGIN_MS - 1000;
    await expect(signIn.credentials()).resolves.toMatchObject({ accessKeyId: 'ASIAEXAMPLE1' });
    expect(sent).toHaveLength(1);

    now += 2000;
    tokenAnswers.push(() => json(200, { id_token: SECOND_ID_TOKEN, access_token: 'a2' }));
    identity.on(GetCredentialsForIdentityCommand).resolves(credentialsAnswer(2));
    // Two requests at once share one refresh.
    const [first, second] = await Promise.all([signIn.credentials(), signIn.credentials()]);
    expect(first).toEqual(second);
    expect(first).toMatchObject({ accessKeyId: 'ASIAEXAMPLE2', sessionToken: 'session-token-2' });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ url: `${CONFIG.cognitoDomain}/oauth2/token`, method: 'POST' });
    expect(formOf(sent[1])).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
      client_id: CONFIG.userPoolClientId,
    });
    // The identity is known: no second GetId, and the new ID token for the new credentials.
    expect(identity.commandCalls(GetIdCommand)).toHaveLength(1);
    expect(identity.commandCalls(GetCredentialsForIdentityCommand).at(-1)?.args[0].input).toEqual({
      IdentityId: IDENTITY_ID,
      Logins: { [LOGIN_KEY]: SECOND_ID_TOKEN },
    });
    // Cognito sent no new refresh token: the first one is kept for the next refresh.
    expect(storage.getItem(SESSION_KEY)).toContain('refresh-1');
  });

  it('goes back to sign-in when Cognito refuses the refresh token', async () => {
    const signIn = await signedIn();
    now = START + 60 * 60_000;
    tokenAnswers.push(() => json(400, { error: 'invalid_grant' }));
    const redirectsBefore = assigned.length;
    await expect(signIn.credentials()).rejects.toThrow(SignInRedirectError);
    expect(storage.getItem(SESSION_KEY)).toBeNull();
    expect(assigned).toHaveLength(redirectsBefore + 1);
    expect(assigned.at(-1)).toMatch(
      new RegExp(`^${CONFIG.cognitoDomain}/oauth2/authorize\\?response_type=code&`),
    );
    expect(storage.getItem(PENDING_KEY)).not.toBeNull();
  });

  it('signs out: forgets everything, revokes the refresh token, ends the Cognito session', async () => {
    const signIn = await signedIn();
    tokenAnswers.push(() => new Response(null, { status: 200 }));
    await signIn.signOut();
    expect(storage.items.size).toBe(0);
    expect(sent.at(-1)).toMatchObject({
      url: `${CONFIG.cognitoDomain}/oauth2/revoke`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(formOf(sent.at(-1))).toEqual({ token: 'refresh-1', client_id: CONFIG.userPoolClientId });
    const logout = new URL(assigned.at(-1) as string);
    expect(`${logout.origin}${logout.pathname}`).toBe(`${CONFIG.cognitoDomain}/logout`);
    expect(Object.fromEntries(logout.searchParams)).toEqual({
      client_id: CONFIG.userPoolClientId,
      logout_uri: `${CONSOLE}/`,
    });
    // The next start has no session: off to the managed login.
    await expect(signInAt(`${CONSOLE}/`).start()).resolves.toEqual({ signedIn: false });
  });

  it('signs out even when Cognito cannot be reached to revoke the token', async () => {
    const signIn = await signedIn();
    // No answer left for the revocation: the fetch fails.
    await signIn.signOut();
    expect(storage.items.size).toBe(0);
    expect(assigned.at(-1)).toMatch(new RegExp(`^${CONFIG.cognitoDomain}/logout\\?`));
  });
});

describe('awsApiClient', () => {
  it('signs every API call with SigV4 and the temporary credentials, session token included', async () => {
    const signIn = await signedIn();
    apiAnswers.push(() => json(200, { runs: [] }));
    // The signer reads the clock: the signature's date is the day of the call.
    vi.useFakeTimers({ toFake: ['Date'], now: START + 60_000 });
    try {
      await awsApiClient(CONFIG, signIn, fakeFetch).listRuns();
    } finally {
      vi.useRealTimers();
    }
    const call = sent.at(-1) as Sent;
    expect(call.url).toBe(`${CONFIG.apiUrl}/sync/runs`);
    expect(call.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE1\/20261125\/eu-central-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(call.headers['x-amz-security-token']).toBe('session-token-1');
    expect(call.headers['x-amz-date']).toMatch(/^20261125T\d{6}Z$/);
  });

  it('renews expired credentials when the API refuses them, and sends the request once more', async () => {
    const signIn = await signedIn();
    apiAnswers.push(() => json(403, { message: 'The security token included in the request is expired' }));
    tokenAnswers.push(() => json(200, { id_token: SECOND_ID_TOKEN }));
    identity.on(GetCredentialsForIdentityCommand).resolves(credentialsAnswer(2));
    apiAnswers.push(() => json(202, { runId: 'r1', status: 'running' }));

    await expect(awsApiClient(CONFIG, signIn, fakeFetch).startSync({})).resolves.toEqual({
      runId: 'r1',
      status: 'running',
    });
    const [refused, refresh, retried] = sent.slice(-3) as [Sent, Sent, Sent];
    expect(refused.headers.authorization).toContain('Credential=ASIAEXAMPLE1/');
    expect(formOf(refresh).grant_type).toBe('refresh_token');
    expect(retried).toMatchObject({ url: `${CONFIG.apiUrl}/sync`, method: 'POST', body: '{}' });
    expect(retried.headers.authorization).toContain('Credential=ASIAEXAMPLE2/');
    expect(retried.headers['x-amz-security-token']).toBe('session-token-2');
    expect(retried.headers['content-type']).toBe('application/json');
  });

  it('leaves the page to sign-in when the API refuses expired credentials and Cognito the refresh token', async () => {
    const signIn = await signedIn();
    apiAnswers.push(() =>
      json(403, { message: 'Signature expired: 20261125T090000Z is now earlier than ...' }),
    );
    tokenAnswers.push(() => json(400, { error: 'invalid_grant' }));
    const failure = await awsApiClient(CONFIG, signIn, fakeFetch)
      .getConfig()
      .catch((error: unknown) => error);
    expect(isSignInRedirect(failure)).toBe(true);
    expect(isSignInRedirect(new Error('other'))).toBe(false);
    expect(assigned.at(-1)).toMatch(new RegExp(`^${CONFIG.cognitoDomain}/oauth2/authorize\\?`));
    expect(storage.getItem(SESSION_KEY)).toBeNull();
  });

  it('does not retry a request the role may not make (a 403 that is not about expiry)', async () => {
    const signIn = await signedIn();
    apiAnswers.push(() => json(403, { message: 'User: arn:aws:sts::1:assumed-role/x is not authorized' }));
    await expect(awsApiClient(CONFIG, signIn, fakeFetch).listRuns()).rejects.toMatchObject({ status: 403 });
    expect(tokenAnswers).toEqual([]);
    expect(sent.filter((request) => request.url.startsWith(CONFIG.apiUrl))).toHaveLength(1);
  });
});
