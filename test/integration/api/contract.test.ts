/**
 * The OpenAPI document is the contract (issue 13): the local stack (`adsync serve` in a child process, against
 * the Samba fixture) is sent good and bad requests on every route, and each answer, status and body, is
 * checked against the document it serves at GET /openapi.json (Ajv, JSON Schema 2020-12): the operation
 * declares the status, and the body is what that response's schema says.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../local/dynamodb-local';
import { ApiClient, bearerToken, isReport } from '../../../shared/api/client';
import { matchResource, routes } from '../../../shared/api/routes';
import { FixtureDirectory } from '../../support/fixture-directory';
import type { LdifEntry } from '../../support/ldif';
import { type ServeProcess, startServe } from '../../support/local-stack-process';
import {
  type Answer,
  ContractChecker,
  type OpenApiDocument,
  rawRequest,
} from '../../support/openapi-contract';
import { createScratchOu, scratchOuName, userEntry } from '../../support/scratch-ou';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const token = randomBytes(24).toString('hex');
const FIXTURE = new FixtureDirectory();
let home: string;
let serve: ServeProcess;
let contract: ContractChecker;
/** Every answer checked, as `METHOD resource` -> statuses: the last test asks for a good and a bad one each. */
const seen = new Map<string, Set<number>>();
const problems: string[] = [];

type Route = (typeof routes)[number];
type Key = `${Route['method']} ${Route['resource']}`;

interface Send {
  /** Path parameters, filled into the resource. */
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  /** A body sent as it is (with Content-Type application/json unless headers say otherwise). */
  readonly raw?: string;
  readonly headers?: Record<string, string>;
  /** Another method than the route's (for 405). */
  readonly method?: string;
  /** No Authorization header. */
  readonly anonymous?: boolean;
  /** Host header (the local stack answers only its own names). */
  readonly host?: string;
}

/**
 * Statuses no request to the local stack can bring about: API Gateway's own (IAM denial, throttling, its 29 s
 * timeout) and the generic 500 of an error nobody foresaw.
 */
const NOT_REPRODUCIBLE = new Set(['403', '429', '500', '504']);

/**
 * Statuses of a route that only AWS can bring about: 502 StartFailed when Lambda does not take the
 * asynchronous invocation (test/integration/operations/ has it, with Lambda's client mocked); the local
 * stack starts operations in its own process.
 */
const AWS_ONLY: Readonly<Record<string, readonly string[]>> = {
  'POST /sync': ['502'],
  'POST /sync/users/{name}': ['502'],
  'POST /test-settings': ['502'],
};

/** Path parameters where a test names none. */
const PLACEHOLDERS: Record<string, string> = {
  userName: 'alice',
  name: 'alice',
  runId: 'no-such-run',
  previewId: 'no-such-preview',
};

/** Long operations answer their final Report when they end within this wait (these end in seconds). */
const WAIT = { prefer: 'wait=120' };

/** Polls an operation's Report (each answer checked against the document) until it has ended. */
async function untilEnded(key: 'GET /sync/runs/{runId}' | 'GET /test-settings/{previewId}', id: string) {
  const params = key === 'GET /sync/runs/{runId}' ? { runId: id } : { previewId: id };
  for (;;) {
    const answer = await send(key, { params });
    expect(answer.status).toBe(200);
    const report = answer.body as { status: string; progress?: unknown };
    if (report.status !== 'running') return answer;
    expect(report.progress).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sends a request to a route and checks the answer against the document; returns the answer. */
async function send(key: Key, options: Send = {}): Promise<Answer> {
  const [routeMethod, resource] = key.split(' ') as [string, string];
  const method = options.method ?? routeMethod;
  const path = resource.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(options.params?.[name] ?? PLACEHOLDERS[name] ?? ''),
  );
  const url = new URL(path, serve.url);
  for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
  const text = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const answer = await rawRequest(url.href, {
    method,
    headers: {
      ...(options.anonymous ? {} : { authorization: `Bearer ${token}` }),
      ...(options.host ? { host: options.host } : {}),
      ...(text === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(text === undefined ? {} : { body: text }),
  });
  const label = `${method} ${resource}`;
  seen.set(label, (seen.get(label) ?? new Set()).add(answer.status));
  problems.push(...contract.problems(method, resource, answer));
  return answer;
}

/** The error code of an error answer. */
const codeOf = (answer: Answer): string | undefined =>
  (answer.body as { error?: { code?: string } } | undefined)?.error?.code;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ad-sync-contract-'));
  serve = await startServe({ ADSYNC_HOME: home, ADSYNC_PORT: String(await freePort()), ADSYNC_TOKEN: token });
  const answer = await rawRequest(`${serve.url}/openapi.json`, {
    method: 'GET',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(answer.status).toBe(200);
  contract = new ContractChecker(answer.body as OpenApiDocument);
});

afterAll(async () => {
  await serve?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('every route, answered as the OpenAPI document says', () => {
  it('names the servers it describes', () => {
    expect((contract.document as { servers?: unknown[] }).servers?.length).toBeGreaterThan(0);
  });

  it('without the token: 401', async () => {
    for (const route of routes) {
      const answer = await send(`${route.method} ${route.resource}`, { anonymous: true });
      expect(answer.status).toBe(401);
    }
  });

  it('addressed to another host (DNS rebinding): 421', async () => {
    const port = new URL(serve.url).port;
    for (const route of routes) {
      const answer = await send(`${route.method} ${route.resource}`, { host: `rebound.example:${port}` });
      expect(answer.status).toBe(421);
    }
  });

  it('with a method the path does not serve: 405 with Allow', async () => {
    for (const resource of new Set(routes.map((route) => route.resource))) {
      const served = routes.filter((route) => route.resource === resource).map((route) => route.method);
      const route = routes.find((r) => r.resource === resource) as Route;
      for (const method of [
        'PATCH',
        ...['GET', 'PUT', 'POST', 'DELETE'].filter((m) => !served.includes(m as never)),
      ]) {
        const answer = await send(`${route.method} ${route.resource}`, { method });
        expect(answer.status).toBe(405);
        expect(answer.headers.allow).toBe(served.join(', '));
      }
    }
  });

  it('with a body that is not JSON: 400 naming the body', async () => {
    for (const route of routes) {
      const answer = await send(`${route.method} ${route.resource}`, { raw: 'not json' });
      expect(answer.status).toBe(400);
    }
  });

  it('with a body over 256 KiB: 413', async () => {
    const pad = JSON.stringify({ pad: 'x'.repeat(300_000) });
    for (const route of routes) {
      const answer = await send(`${route.method} ${route.resource}`, { raw: pad });
      expect(answer.status).toBe(413);
    }
  });

  it('before a configuration is saved: the defaults, and 400 where one is needed', async () => {
    expect((await send('GET /config')).status).toBe(200);
    expect((await send('GET /directory/base-dns')).status).toBe(400);
    expect((await send('GET /directory/groups', { query: { search: 'Sales' } })).status).toBe(400);
    expect((await send('GET /directory/users/{name}')).status).toBe(400);
    expect((await send('POST /sync', { body: {} })).status).toBe(400);
    expect((await send('POST /test-settings', { body: {} })).status).toBeGreaterThanOrEqual(200);
  });

  it('PUT /config: 400 naming the field, 413, 200, and 409 for a stale If-Match', async () => {
    // The groups are synchronized: the groups routes have something to show.
    const config = fixtureConfig({
      groups: { sync: 'all', baseDn: `OU=Groups,${inject('directory').baseDn}` },
    });
    expect(
      (
        await send('PUT /config', {
          body: {
            config: { ...config, privilegeRules: [{ group: `OU=Groups,${inject('directory').baseDn}` }] },
          },
        })
      ).status,
    ).toBe(400);
    expect((await send('PUT /config', { body: { config, pasword: 'x' } })).status).toBe(400);
    expect(
      (await send('PUT /config', { body: { config: { connection: { timeoutSeconds: '9' } } } })).status,
    ).toBe(400);
    expect((await send('PUT /config', { raw: '{"config": ' })).status).toBe(400);
    expect(
      (await send('PUT /config', { raw: 'config=1', headers: { 'content-type': 'text/plain' } })).status,
    ).toBe(400);
    expect((await send('PUT /config', { body: { config, pad: 'x'.repeat(300_000) } })).status).toBe(413);
    expect(
      (await send('PUT /config', { body: { config }, headers: { 'if-match': 'yesterday' } })).status,
    ).toBe(400);
    const saved = await send('PUT /config', { body: { config, password: servicePassword() } });
    expect(saved.status).toBe(200);
    const stale = await send('PUT /config', { body: { config }, headers: { 'if-match': '0' } });
    expect(stale.status).toBe(409);
    expect(codeOf(stale)).toBe('VersionConflict');
    expect((await send('PUT /config', { body: { config }, headers: { 'if-match': '"1"' } })).status).toBe(
      200,
    );
    expect((await send('GET /config')).status).toBe(200);
  });

  it('POST /test-settings: 202 and the preview to follow, the report under Prefer: wait, 400, 413', async () => {
    const started = await send('POST /test-settings', { body: {} });
    expect(started.status).toBe(202);
    const { previewId } = started.body as { previewId: string };
    expect(started.headers.location).toBe(`/test-settings/${previewId}`);
    const ended = await untilEnded('GET /test-settings/{previewId}', previewId);
    expect(ended.body).toMatchObject({ runId: previewId, dryRun: true, status: 'succeeded' });
    const waited = await send('POST /test-settings', { body: {}, headers: WAIT });
    expect(waited.status).toBe(200);
    expect(waited.headers['preference-applied']).toBe('wait=120');
    const wrongPassword = await send('POST /test-settings', {
      body: { config: fixtureConfig(), password: 'not-the-password' },
      headers: WAIT,
    });
    expect(wrongPassword.status).toBe(200);
    expect(wrongPassword.body).toMatchObject({ status: 'failed', error: { code: 'InvalidCredentials' } });
    expect((await send('GET /test-settings/{previewId}')).status).toBe(404);
    expect(
      (await send('GET /test-settings/{previewId}', { params: { previewId: 'p'.repeat(200) } })).status,
    ).toBe(400);
    expect(
      (await send('POST /test-settings', { body: { config: { connection: { servers: ['not a host'] } } } }))
        .status,
    ).toBe(400);
    expect((await send('POST /test-settings', { raw: '[' })).status).toBe(400);
    expect((await send('POST /test-settings', { body: { pad: 'x'.repeat(300_000) } })).status).toBe(413);
  });

  let runId: string;

  it('POST /sync: 400, 409 for an approval of nothing, 202 and the run to follow, 409 while it runs, 200 under Prefer: wait', async () => {
    expect((await send('POST /sync', { body: { allowMassDeletion: 'yes' } })).status).toBe(400);
    const approval = await send('POST /sync', { body: { allowMassDeletion: true } });
    expect(approval.status).toBe(409);
    expect(codeOf(approval)).toBe('ApprovalMismatch');
    const both = await Promise.all([send('POST /sync', { body: {} }), send('POST /sync', { body: {} })]);
    expect(both.map((answer) => answer.status).sort()).toEqual([202, 409]);
    const started = both.find((answer) => answer.status === 202) as Answer;
    runId = (started.body as { runId: string }).runId;
    expect(started.headers.location).toBe(`/sync/runs/${runId}`);
    const refused = both.find((answer) => answer.status === 409) as Answer;
    expect(refused.body).toMatchObject({
      error: { code: 'SyncRunning', details: [{ path: 'runId', message: runId }] },
    });
    const ended = await untilEnded('GET /sync/runs/{runId}', runId);
    expect(ended.body).toMatchObject({ runId, dryRun: false, status: 'succeeded', trigger: 'api' });
    const waited = await send('POST /sync', { body: {}, headers: WAIT });
    expect(waited.status).toBe(200);
    expect(waited.headers['preference-applied']).toBe('wait=120');
    expect(waited.body).toMatchObject({ status: 'succeeded' });
  });

  it('POST /sync/users/{name}: 202 and the run to follow, 409 while a sync runs, 200 under Prefer: wait, 400', async () => {
    // Four at once: one takes the lock, the others (at least two of them of one user) find it taken.
    const all = await Promise.all([
      send('POST /sync', { body: {} }),
      ...['alice', 'bob', 'carol'].map((name) => send('POST /sync/users/{name}', { params: { name } })),
    ]);
    expect(all.map((answer) => answer.status).sort()).toEqual([202, 409, 409, 409]);
    for (const refused of all.filter((answer) => answer.status === 409)) {
      expect(codeOf(refused)).toBe('SyncRunning');
    }
    const started = all.find((answer) => answer.status === 202) as Answer;
    await untilEnded('GET /sync/runs/{runId}', (started.body as { runId: string }).runId);
    const user = await send('POST /sync/users/{name}', { params: { name: 'alice' } });
    expect(user.status).toBe(202);
    const userRun = (user.body as { runId: string }).runId;
    expect(user.headers.location).toBe(`/sync/runs/${userRun}`);
    const ended = await untilEnded('GET /sync/runs/{runId}', userRun);
    expect(ended.body).toMatchObject({ status: 'succeeded', trigger: 'user', counts: { directoryUsers: 1 } });
    const waited = await send('POST /sync/users/{name}', {
      params: { name: `alice@${inject('directory').domain}` },
      headers: WAIT,
    });
    expect(waited.status).toBe(200);
    expect(waited.body).toMatchObject({ status: 'succeeded', trigger: 'user' });
    expect((await send('POST /sync/users/{name}', { params: { name: 'a\u0001b' } })).status).toBe(400);
  });

  it('GET /sync/runs and /sync/runs/{runId}: the history, one report, 404 and 400', async () => {
    expect((await send('GET /sync/runs')).status).toBe(200);
    expect((await send('GET /sync/runs/{runId}', { params: { runId } })).status).toBe(200);
    expect((await send('GET /sync/runs/{runId}', { params: { runId: 'no-such-run' } })).status).toBe(404);
    expect((await send('GET /sync/runs/{runId}', { params: { runId: 'r'.repeat(200) } })).status).toBe(400);
  });

  it('GET /users: pages, and 400 for a bad cursor or an unknown parameter', async () => {
    const first = await send('GET /users');
    expect(first.status).toBe(200);
    const cursor = (first.body as { cursor?: string }).cursor;
    expect(cursor).toEqual(expect.any(String));
    expect((await send('GET /users', { query: { cursor: cursor as string } })).status).toBe(200);
    expect((await send('GET /users', { query: { cursor: 'garbage' } })).status).toBe(400);
    expect((await send('GET /users', { query: { other: '1' } })).status).toBe(400);
  });

  it('POST /users: 201, 409 for a taken name, 400 naming the field', async () => {
    const body = { userName: 'auditor', fullName: 'The Auditor', password: 'correct horse battery' };
    expect((await send('POST /users', { body })).status).toBe(201);
    const again = await send('POST /users', { body: { userName: 'AUDITOR' } });
    expect(again.status).toBe(409);
    expect(codeOf(again)).toBe('ConcurrentModification');
    expect((await send('POST /users', { body: { userName: 'a/b' } })).status).toBe(400);
    expect((await send('POST /users', { body: { userName: 'x', privileges: ['login'] } })).status).toBe(400);
  });

  it('GET /users/{userName}: 200, 404, 400', async () => {
    expect((await send('GET /users/{userName}', { params: { userName: 'bob' } })).status).toBe(200);
    expect((await send('GET /users/{userName}', { params: { userName: 'auditor' } })).status).toBe(200);
    expect((await send('GET /users/{userName}', { params: { userName: 'nobody' } })).status).toBe(404);
    expect((await send('GET /users/{userName}', { params: { userName: 'x'.repeat(300) } })).status).toBe(400);
  });

  it('GET /groups, /groups/{name} and its members: pages, 200, 404 and 400', async () => {
    const groups = await send('GET /groups');
    expect(groups.status).toBe(200);
    expect((groups.body as { groups: { name: string }[] }).groups.map((g) => g.name)).toContain(
      'grp-Sales-Europe',
    );
    expect((await send('GET /groups', { query: { cursor: 'garbage' } })).status).toBe(400);
    const europe = await send('GET /groups/{name}', { params: { name: 'GRP-Sales-Europe' } });
    expect(europe.status).toBe(200);
    expect(europe.body).toMatchObject({ name: 'grp-Sales-Europe', kind: 'security', scope: 'global' });
    expect((await send('GET /groups/{name}', { params: { name: 'no-such-group' } })).status).toBe(404);
    expect((await send('GET /groups/{name}', { params: { name: 'g'.repeat(300) } })).status).toBe(400);
    const members = (transitive?: string) =>
      send('GET /groups/{name}/members', {
        params: { name: 'grp-Sales-Europe' },
        ...(transitive ? { query: { transitive } } : {}),
      });
    const direct = await members();
    const nested = await members('true');
    expect(direct.status).toBe(200);
    expect(nested.status).toBe(200);
    const count = (answer: Answer) => (answer.body as { members: unknown[] }).members.length;
    expect(count(nested)).toBeGreaterThan(count(direct));
    expect((await members('yes')).status).toBe(400);
    expect((await send('GET /groups/{name}/members', { params: { name: 'no-such-group' } })).status).toBe(
      404,
    );
  });

  it('DELETE /users/{userName}: 204, 404, and 409 for a directory user', async () => {
    expect((await send('DELETE /users/{userName}', { params: { userName: 'auditor' } })).status).toBe(204);
    expect((await send('DELETE /users/{userName}', { params: { userName: 'auditor' } })).status).toBe(404);
    const directoryUser = await send('DELETE /users/{userName}', { params: { userName: 'bob' } });
    expect(directoryUser.status).toBe(409);
    expect(codeOf(directoryUser)).toBe('DirectoryUser');
    expect((await send('DELETE /users/{userName}', { params: { userName: 'x'.repeat(300) } })).status).toBe(
      400,
    );
  });

  it('the typed client (CLI and console): one method per route, each answered as documented', async () => {
    const checked = new Set<string>();
    const client = new ApiClient({
      baseUrl: serve.url,
      sign: bearerToken(token),
      fetch: async (url, init) => {
        const response = await fetch(url, init);
        const method = init?.method ?? 'GET';
        const { resource } = matchResource(new URL(String(url)).pathname) ?? { resource: String(url) };
        const text = await response.clone().text();
        const headers = Object.fromEntries(response.headers);
        problems.push(
          ...contract.problems(method, resource, {
            status: response.status,
            headers,
            text,
            body: text ? JSON.parse(text) : undefined,
          }),
        );
        checked.add(`${method} ${resource}`);
        return response;
      },
    });
    const { config, version } = await client.getConfig();
    await client.putConfig({ config }, version);
    expect((await client.testSettings()).dryRun).toBe(true);
    const started = await client.startTestSettings();
    if (isReport(started)) throw new Error('a start without Prefer: wait answers 202');
    expect((await client.getPreview(started.previewId)).runId).toBe(started.previewId);
    const { runId: latest } = await client.synchronize();
    expect((await client.listRuns()).runs[0]?.runId).toBe(latest);
    expect((await client.getRun(latest)).runId).toBe(latest);
    expect((await client.listUsers()).users).toHaveLength(100);
    await client.createUser({ userName: 'client user', password: 'client user password' });
    expect((await client.getUser('client user')).authentication).toBe('local');
    const { user } = await client.logon({ userName: 'client user', password: 'client user password' });
    expect(user.userName).toBe('client user');
    await client.deleteUser('client user');
    expect((await client.listGroups()).groups.length).toBeGreaterThan(0);
    expect((await client.getGroup('grp-Sales-DE')).name).toBe('grp-Sales-DE');
    expect(
      (await client.listGroupMembers('grp-Sales-DE', { transitive: true })).members.length,
    ).toBeGreaterThan(0);
    expect((await client.listBaseDns()).namingContexts.length).toBeGreaterThan(0);
    expect((await client.searchGroups('Sales')).groups.length).toBeGreaterThan(0);
    expect((await client.explainUser('alice')).attributes.sAMAccountName).toBe('alice');
    expect((await client.synchronizeUser('alice')).trigger).toBe('user');
    expect((await client.openApiDocument()).openapi).toBe('3.1.0');
    expect([...checked].sort()).toEqual(routes.map((route) => `${route.method} ${route.resource}`).sort());
  });

  it('GET /directory/users/{name}: 200 (in scope, excluded, by DN), 404, 409 for an ambiguous name, 400', async () => {
    const alice = await send('GET /directory/users/{name}');
    expect(alice.status).toBe(200);
    expect(alice.body).toMatchObject({
      inScope: true,
      plannedAction: 'unchanged',
      current: { userName: 'alice' },
    });
    const disabled = FIXTURE.users.find(FixtureDirectory.isDisabled) as LdifEntry;
    const excluded = await send('GET /directory/users/{name}', { params: { name: disabled.dn } });
    expect(excluded.status).toBe(200);
    expect(excluded.body).toMatchObject({ inScope: false, distinguishedName: disabled.dn });
    for (const name of ['nobody-here', '*', '*)(objectClass=*']) {
      const missing = await send('GET /directory/users/{name}', { params: { name } });
      expect(missing.status, name).toBe(404);
      expect(codeOf(missing)).toBe('NotFound');
    }
    expect((await send('GET /directory/users/{name}', { params: { name: 'a\u0001b' } })).status).toBe(400);
    // Two users one name designates: one's userPrincipalName is the other's sAMAccountName.
    const { dn: ou, tag } = scratchOuName('Contract');
    const scratch = await createScratchOu(ou);
    try {
      const upn = `contract-${tag}@${inject('directory').domain}`;
      await scratch.admin.add(
        `CN=One,${ou}`,
        userEntry({ sAMAccountName: `c1-${tag}`, userPrincipalName: upn }),
      );
      await scratch.admin.add(`CN=Two,${ou}`, userEntry({ sAMAccountName: upn }));
      const ambiguous = await send('GET /directory/users/{name}', { params: { name: upn } });
      expect(ambiguous.status).toBe(409);
      expect(ambiguous.body).toMatchObject({
        error: {
          code: 'AmbiguousName',
          details: [
            { path: 'distinguishedName', message: expect.stringContaining(ou) },
            { path: 'distinguishedName', message: expect.stringContaining(ou) },
          ],
        },
      });
    } finally {
      await scratch.remove();
    }
  });

  it('the directory pickers: 200, 400, and 502 when the directory fails', async () => {
    expect((await send('GET /directory/base-dns')).status).toBe(200);
    expect((await send('GET /directory/groups', { query: { search: 'Sales' } })).status).toBe(200);
    expect((await send('GET /directory/groups')).status).toBe(200);
    expect((await send('GET /directory/groups', { query: { other: '1' } })).status).toBe(400);
    // The bind is refused: the directory behind the API failed.
    const config = fixtureConfig();
    expect((await send('PUT /config', { body: { config, password: 'not-the-password' } })).status).toBe(200);
    const refused = await send('GET /directory/groups', { query: { search: 'Sales' } });
    expect(refused.status).toBe(502);
    expect(codeOf(refused)).toBe('InvalidCredentials');
    // No directory at that address.
    const nowhere = fixtureConfig({ connection: { servers: ['127.0.0.1:1'] } });
    expect(
      (await send('PUT /config', { body: { config: nowhere, password: servicePassword() } })).status,
    ).toBe(200);
    const unreachable = await send('GET /directory/base-dns');
    expect(unreachable.status).toBe(502);
    expect(codeOf(unreachable)).toBe('Unreachable');
    expect((await send('GET /directory/users/{name}')).status).toBe(502);
  });

  it('POST /logon: 200 and the user, 400, 401 for every refusal, 429 with Retry-After, 503 when the directory is unreachable', async () => {
    const body = { userName: 'logon user', password: 'logon user password' };
    expect((await send('POST /users', { body })).status).toBe(201);
    const accepted = await send('POST /logon', { body });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ user: { userName: 'logon user', authentication: 'local' } });
    expect((await send('POST /logon', { body: { userName: 'logon user' } })).status).toBe(400);
    expect((await send('POST /logon', { body: { ...body, remember: true } })).status).toBe(400);
    for (const refused of [
      { ...body, password: 'wrong' },
      { userName: 'nobody at all', password: 'whatever' },
      { ...body, password: '' },
    ]) {
      const answer = await send('POST /logon', { body: refused });
      expect(answer.status).toBe(401);
      expect(codeOf(answer)).toBe('InvalidCredentials');
    }
    // Two counted above (the unknown name has a count of its own): three more make five.
    for (let failures = 3; failures <= 5; failures += 1) {
      expect((await send('POST /logon', { body: { ...body, password: `wrong ${failures}` } })).status).toBe(
        401,
      );
    }
    const locked = await send('POST /logon', { body });
    expect(locked.status).toBe(429);
    expect(codeOf(locked)).toBe('LockedOut');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // A directory user, while the saved servers answer nothing (the pickers' test left them so).
    const unreachable = await send('POST /logon', { body: { userName: 'bob', password: 'his password' } });
    expect(unreachable.status).toBe(503);
    expect(codeOf(unreachable)).toBe('DirectoryUnavailable');
  });

  it('GET /openapi.json: the document', async () => {
    expect((await send('GET /openapi.json')).status).toBe(200);
  });

  /** What the document declares and no request here could make the API answer. */
  const missed: string[] = [];

  it("declares no status a route never answers (beyond API Gateway's own and the generic 500)", () => {
    for (const route of routes) {
      const label = `${route.method} ${route.resource}`;
      const answered = new Set(seen.get(label));
      // 405 is what the path answers the methods it does not serve.
      for (const [other, statuses] of seen) {
        if (other.endsWith(` ${route.resource}`) && statuses.has(405)) answered.add(405);
      }
      for (const status of contract.declaredStatuses(route.method, route.resource)) {
        const awsOnly = AWS_ONLY[label]?.includes(status);
        if (!NOT_REPRODUCIBLE.has(status) && !awsOnly && !answered.has(Number(status))) {
          missed.push(`${label} declares ${status}, and no request here made it answer ${status}`);
        }
      }
    }
  });

  it('every answer matched the document, and every route gave a good and a bad one', () => {
    expect({ problems, missed }).toEqual({ problems: [], missed: [] });
    for (const route of routes) {
      const statuses = [...(seen.get(`${route.method} ${route.resource}`) ?? [])];
      expect(
        statuses.some((status) => status < 300),
        `${route.method} ${route.resource}`,
      ).toBe(true);
      expect(
        statuses.some((status) => status >= 400),
        `${route.method} ${route.resource}`,
      ).toBe(true);
    }
  });
});
