/**
 * The console in AWS mode, end to end in Debian's Chromium: the same build as on the local stack, told by
 * config.json that it is deployed. AWS is stood in for at its boundary, in the browser's network layer
 * (playwright-core's routes): Cognito's managed login and token endpoint, Cognito Identity, and API Gateway,
 * which checks every request's SigV4 signature (test/support/sigv4-reference.ts, written from AWS's
 * description) before passing it on to the local stack. The page is served with the Content-Security-Policy
 * CloudFront sends (console/security-headers.ts with the API's and Cognito's origins).
 */

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
  type Route,
} from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consoleContentSecurityPolicy } from '../../../console/security-headers';
import { freePort } from '../../../local/dynamodb-local';
import { type ServeProcess, startServe } from '../../support/local-stack-process';
import { type CheckedSignature, checkSignature } from '../../support/sigv4-reference';

const CHROMIUM = '/usr/bin/chromium';
const directory = inject('directory');
const token = 'aws-mode-e2e-token-0123456789abcdef';

const REGION = 'eu-central-1';
const API_ORIGIN = 'https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com';
const COGNITO = 'https://ad-sync-e2e.auth.eu-central-1.amazoncognito.com';
const IDENTITY = 'https://cognito-identity.eu-central-1.amazonaws.com';
const USER_POOL_ID = 'eu-central-1_E2eTest123';
const CLIENT_ID = '4e2eclientid0123456789abcd';
const IDENTITY_POOL_ID = 'eu-central-1:0b6e7c9a-1f2d-4e3c-8a5b-6c7d8e9f0a1b';
const IDENTITY_ID = 'eu-central-1:11111111-2222-3333-4444-555555555555';
const AWS_CONFIG = {
  mode: 'aws',
  apiUrl: `${API_ORIGIN}/v1`,
  region: REGION,
  userPoolId: USER_POOL_ID,
  userPoolClientId: CLIENT_ID,
  identityPoolId: IDENTITY_POOL_ID,
  cognitoDomain: COGNITO,
};
/** The deployed page's policy (cdk/console.ts): the local stack's, reaching also the API and Cognito. */
const AWS_CSP = consoleContentSecurityPolicy([API_ORIGIN, COGNITO, IDENTITY]);

const base64Url = (text: string): string => Buffer.from(text).toString('base64url');
const ID_TOKEN = [
  base64Url(JSON.stringify({ alg: 'RS256', kid: 'e2e' })),
  base64Url(JSON.stringify({ email: 'admin@example.com', token_use: 'id', 'cognito:username': 'admin' })),
  'signature',
].join('.');
const ACCESS_TOKEN = 'e2e-access-token-never-kept';
const REFRESH_TOKEN = 'e2e-refresh-token';
const CREDENTIALS = {
  AccessKeyId: 'ASIAE2EEXAMPLE',
  SecretKey: 'e2e-secret-access-key',
  SessionToken: 'e2e-session-token',
};

let home: string;
let serve: ServeProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** What config.json answers (a test replaces it with a broken one). */
let configBody: unknown = AWS_CONFIG;
const pageErrors: string[] = [];

/** What reached the stand-ins for AWS. */
const authorizeRequests: URL[] = [];
const tokenRequests: Array<Record<string, string>> = [];
const identityRequests: Array<{ target: string; body: Record<string, unknown> }> = [];
const logoutRequests: URL[] = [];
const revokeRequests: Array<Record<string, string>> = [];
const apiRequests: Array<{
  method: string;
  path: string;
  headers: Record<string, string>;
  checked: CheckedSignature;
}> = [];

/** CORS as the deployed API and Cognito answer it for the console's origin. */
const cors = (): Record<string, string> => ({
  'access-control-allow-origin': serve.url,
  'access-control-allow-methods': 'GET,POST,PUT,DELETE,OPTIONS',
  'access-control-allow-headers':
    'authorization,content-type,x-amz-date,x-amz-security-token,prefer,if-match,x-amz-target,x-amz-user-agent,amz-sdk-invocation-id,amz-sdk-request',
  'access-control-max-age': '600',
});

async function answerPreflight(route: Route): Promise<boolean> {
  if (route.request().method() !== 'OPTIONS') return false;
  await route.fulfill({ status: 204, headers: cors() });
  return true;
}

/** The managed login: signs the administrator in at once and sends the browser back with a code. */
async function managedLogin(route: Route): Promise<void> {
  const url = new URL(route.request().url());
  authorizeRequests.push(url);
  const back = new URL(url.searchParams.get('redirect_uri') ?? '');
  back.searchParams.set('code', `e2e-code-${authorizeRequests.length}`);
  back.searchParams.set('state', url.searchParams.get('state') ?? '');
  // A page that goes on at once (a 302 would do, but a route sees no request that follows a redirect).
  await route.fulfill({
    status: 200,
    contentType: 'text/html',
    body: `<!doctype html><meta http-equiv="refresh" content="0;url=${back.href.replaceAll('&', '&amp;')}"><title>Signed in</title>`,
  });
}

async function tokenEndpoint(route: Route): Promise<void> {
  if (await answerPreflight(route)) return;
  tokenRequests.push(Object.fromEntries(new URLSearchParams(route.request().postData() ?? '')));
  await route.fulfill({
    status: 200,
    headers: { ...cors(), 'content-type': 'application/json' },
    body: JSON.stringify({
      id_token: ID_TOKEN,
      access_token: ACCESS_TOKEN,
      refresh_token: REFRESH_TOKEN,
      expires_in: 3600,
      token_type: 'Bearer',
    }),
  });
}

/** Cognito Identity's JSON protocol: GetId, then GetCredentialsForIdentity. */
async function cognitoIdentity(route: Route): Promise<void> {
  if (await answerPreflight(route)) return;
  const request = route.request();
  const target = (await request.allHeaders())['x-amz-target'] ?? '';
  identityRequests.push({ target, body: JSON.parse(request.postData() ?? '{}') as Record<string, unknown> });
  const answer = target.endsWith('.GetId')
    ? { IdentityId: IDENTITY_ID }
    : {
        IdentityId: IDENTITY_ID,
        Credentials: { ...CREDENTIALS, Expiration: Math.floor(Date.now() / 1000) + 3600 },
      };
  await route.fulfill({
    status: 200,
    headers: { ...cors(), 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(answer),
  });
}

/**
 * API Gateway with IAM authorization: a request whose signature is not right is refused (403), as AWS does;
 * a right one goes on to the local stack (with its bearer token, in place of the IAM check).
 */
async function apiGateway(route: Route): Promise<void> {
  if (await answerPreflight(route)) return;
  const request = route.request();
  const url = new URL(request.url());
  const headers = await request.allHeaders();
  const body = request.postData() ?? '';
  const checked = checkSignature({ method: request.method(), url, headers, body }, (accessKeyId) =>
    accessKeyId === CREDENTIALS.AccessKeyId ? CREDENTIALS.SecretKey : undefined,
  );
  apiRequests.push({ method: request.method(), path: url.pathname + url.search, headers, checked });
  if (checked.problem) {
    await route.fulfill({
      status: 403,
      headers: { ...cors(), 'content-type': 'application/json' },
      body: JSON.stringify({ message: checked.problem }),
    });
    return;
  }
  const forwarded: Record<string, string> = { authorization: `Bearer ${token}` };
  for (const name of ['content-type', 'prefer', 'if-match']) {
    if (headers[name]) forwarded[name] = headers[name];
  }
  const response = await route.fetch({
    url: `${serve.url}${url.pathname.replace(/^\/v1/, '')}${url.search}`,
    method: request.method(),
    headers: forwarded,
    ...(body ? { postData: body } : {}),
  });
  await route.fulfill({ response, headers: { ...response.headers(), ...cors() } });
}

const heading = (name: string): Locator => page.getByRole('heading', { level: 1, name });
const field = (label: string): Locator => page.getByLabel(label, { exact: true });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the console's end-to-end tests need Debian's chromium package`);
  }
  home = await mkdtemp(join(tmpdir(), 'ad-sync-aws-mode-'));
  serve = await startServe({ ADSYNC_HOME: home, ADSYNC_PORT: String(await freePort()), ADSYNC_TOKEN: token });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  // The page as CloudFront serves it: the local stack's page, with the policy that lets it reach AWS.
  await context.route(
    (url) => url.origin === serve.url && url.pathname === '/',
    async (route) => {
      const response = await route.fetch();
      expect(response.headers()['content-security-policy']).toContain("connect-src 'self';");
      await route.fulfill({
        response,
        headers: { ...response.headers(), 'content-security-policy': AWS_CSP },
      });
    },
  );
  await context.route(`${serve.url}/config.json`, (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(configBody) }),
  );
  await context.route(`${COGNITO}/oauth2/authorize?*`, managedLogin);
  await context.route(`${COGNITO}/oauth2/token`, tokenEndpoint);
  await context.route(`${COGNITO}/oauth2/revoke`, async (route) => {
    if (await answerPreflight(route)) return;
    revokeRequests.push(Object.fromEntries(new URLSearchParams(route.request().postData() ?? '')));
    await route.fulfill({ status: 200, headers: cors() });
  });
  await context.route(`${COGNITO}/logout?*`, async (route) => {
    logoutRequests.push(new URL(route.request().url()));
    await route.fulfill({
      status: 200,
      contentType: 'text/html',
      body: '<!doctype html><title>Signed out</title>',
    });
  });
  await context.route(`${IDENTITY}/**`, cognitoIdentity);
  await context.route(`${API_ORIGIN}/**`, apiGateway);
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('the admin console in AWS mode', () => {
  it('signs in with Cognito (code + PKCE), gets credentials, and opens the page asked for without the code', async () => {
    await page.goto(`${serve.url}/#/runs`);
    await heading('Runs').waitFor();
    expect(page.url()).toBe(`${serve.url}/#/runs`);
    await page.getByText('Signed in as admin@example.com').waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);

    expect(authorizeRequests).toHaveLength(1);
    const authorize = authorizeRequests[0] as URL;
    const challenge = authorize.searchParams.get('code_challenge') ?? '';
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${serve.url}/`,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The code went back with the verifier whose SHA-256 is the challenge sent first.
    expect(tokenRequests).toHaveLength(1);
    const exchange = tokenRequests[0] as Record<string, string>;
    expect(exchange).toMatchObject({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code: 'e2e-code-1',
      redirect_uri: `${serve.url}/`,
    });
    expect(
      createHash('sha256')
        .update(exchange.code_verifier ?? '')
        .digest('base64url'),
    ).toBe(challenge);

    const logins = { [`cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`]: ID_TOKEN };
    expect(identityRequests).toEqual([
      {
        target: 'AWSCognitoIdentityService.GetId',
        body: { IdentityPoolId: IDENTITY_POOL_ID, Logins: logins },
      },
      {
        target: 'AWSCognitoIdentityService.GetCredentialsForIdentity',
        body: { IdentityId: IDENTITY_ID, Logins: logins },
      },
    ]);

    // The tab keeps the session in sessionStorage only, and never the access token.
    const stored = await page.evaluate(() => ({
      session: JSON.stringify(Object.entries(sessionStorage)),
      local: localStorage.length,
    }));
    expect(stored.session).toContain(REFRESH_TOKEN);
    expect(stored.session).not.toContain(ACCESS_TOKEN);
    expect(stored.local).toBe(0);
  });

  it('signs every API call with SigV4 and the temporary credentials: configure, save, Test Settings', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Directory Services', exact: true }).click();
    await heading('Directory Services').waitFor();
    await field('Servers').fill(directory.host);
    await field('Domain').fill(directory.domain);
    await field('CA certificate').fill(directory.caCertificate);
    await field('TLS server name').fill(directory.tlsServerName);
    await field('User name').fill(directory.serviceAccount.upn);
    await page.getByLabel('Password').fill(directory.serviceAccount.password);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved as version 1.').waitFor();
    await page.getByRole('button', { name: 'Test Settings' }).click();
    await heading('Test Settings').waitFor();
    await page.locator('#test-outcome').getByText('Succeeded').waitFor();

    const methods = new Set(apiRequests.map((request) => request.method));
    expect([...methods].sort()).toEqual(['GET', 'POST', 'PUT']);
    for (const { method, path, headers, checked } of apiRequests) {
      const what = `${method} ${path}`;
      expect(path, what).toMatch(/^\/v1\//);
      expect(checked.problem, what).toBeUndefined();
      expect(checked, what).toMatchObject({
        accessKeyId: CREDENTIALS.AccessKeyId,
        region: REGION,
        service: 'execute-api',
      });
      expect(checked.signedHeaders, what).toEqual(
        expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token']),
      );
      expect(headers['x-amz-security-token'], what).toBe(CREDENTIALS.SessionToken);
      // No bearer token ever goes to AWS.
      expect(headers.authorization, what).toMatch(/^AWS4-HMAC-SHA256 /);
    }
    // A body's type and the Prefer header are signed too.
    const start = apiRequests.find(
      (request) => request.method === 'POST' && request.path === '/v1/test-settings',
    );
    expect(start?.checked.signedHeaders).toEqual(expect.arrayContaining(['content-type', 'prefer']));
  });

  it('signs out: forgets the session, revokes the refresh token, ends the Cognito session; the next visit signs in afresh', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${COGNITO}/logout?*`);
    expect(revokeRequests).toEqual([{ token: REFRESH_TOKEN, client_id: CLIENT_ID }]);
    expect(logoutRequests).toHaveLength(1);
    expect(Object.fromEntries((logoutRequests[0] as URL).searchParams)).toEqual({
      client_id: CLIENT_ID,
      logout_uri: `${serve.url}/`,
    });
    // Nothing kept: coming back goes through the managed login again.
    await page.goto(`${serve.url}/#/users`);
    await heading('Users').waitFor();
    expect(authorizeRequests).toHaveLength(2);
    expect(tokenRequests.at(-1)?.code).toBe('e2e-code-2');
  });

  it('shows a broken config.json as such, with what is wrong', async () => {
    configBody = { mode: 'aws', apiUrl: 'http://api.example' };
    try {
      await page.goto(`${serve.url}/`);
      await heading('The console is not configured correctly').waitFor();
      const problems = page.locator('.config-problems li');
      expect(await problems.allTextContents()).toEqual([
        'apiUrl must be an https URL',
        'cognitoDomain is missing',
        'region is missing',
        'userPoolId is missing',
        'userPoolClientId is missing',
        'identityPoolId is missing',
      ]);
      expect(await page.getByRole('navigation').isVisible()).toBe(false);
    } finally {
      configBody = AWS_CONFIG;
    }
  });

  it('raised no script error and no Content-Security-Policy violation on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
