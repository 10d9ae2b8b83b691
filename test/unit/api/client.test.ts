/**
 * The typed API client of the CLI and the console (shared/api/client.ts): what each route method sends, and
 * how it answers errors. Its fetch is a recorder here; test/integration/api/contract.test.ts drives it
 * against the local stack.
 */
import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, bearerToken } from '../../../shared/api/client';
import type { Report } from '../../../shared/api/schemas';
import { aReport } from '../../support/builders';
import { TestClock } from '../../support/test-clock';

interface Sent {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** A client whose fetch records the request and answers `status` with `answer`. */
function clientAnswering(status: number, answer?: unknown) {
  const sent: Sent[] = [];
  let unauthorized = 0;
  const client = new ApiClient({
    baseUrl: 'http://127.0.0.1:8080/',
    sign: bearerToken('t'.repeat(32)),
    onUnauthorized: () => {
      unauthorized += 1;
    },
    fetch: async (url, init) => {
      sent.push({
        method: init?.method ?? 'GET',
        url: String(url),
        headers: init?.headers as Record<string, string>,
        ...(typeof init?.body === 'string' ? { body: init.body } : {}),
      });
      return new Response(answer === undefined ? null : JSON.stringify(answer), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    },
  });
  return { client, sent, unauthorized: () => unauthorized };
}

describe('ApiClient', () => {
  it('fills in and encodes path parameters', async () => {
    const { client, sent } = clientAnswering(204);
    await client.deleteUser('a b/c');
    expect(sent).toEqual([
      {
        method: 'DELETE',
        url: 'http://127.0.0.1:8080/users/a%20b%2Fc',
        headers: { authorization: `Bearer ${'t'.repeat(32)}` },
      },
    ]);
  });

  it('sends a mapping to try with explainUser as JSON in the query, and none without it', async () => {
    const { client, sent } = clientAnswering(200, {});
    await client.explainUser('ann');
    await client.explainUser('ann', { attributes: { dept: { from: 'department' } } });
    expect(sent.map((s) => s.url)).toEqual([
      'http://127.0.0.1:8080/directory/users/ann',
      `http://127.0.0.1:8080/directory/users/ann?mapping=${encodeURIComponent('{"attributes":{"dept":{"from":"department"}}}')}`,
    ]);
  });

  it('adds the query, leaving out what is not given', async () => {
    const { client, sent } = clientAnswering(200, { users: [] });
    await client.listUsers('next page');
    await client.listUsers();
    expect(sent.map((request) => request.url)).toEqual([
      'http://127.0.0.1:8080/users?cursor=next+page',
      'http://127.0.0.1:8080/users',
    ]);
  });

  it('asks for a group, and for its members, direct or transitive, page by page', async () => {
    const { client, sent } = clientAnswering(200, { members: [] });
    await client.getGroup('Sales DE');
    await client.listGroups('next');
    await client.listGroupMembers('Sales DE');
    await client.listGroupMembers('Sales DE', { transitive: true, cursor: 'MTAw' });
    expect(sent.map((request) => request.url)).toEqual([
      'http://127.0.0.1:8080/groups/Sales%20DE',
      'http://127.0.0.1:8080/groups?cursor=next',
      'http://127.0.0.1:8080/groups/Sales%20DE/members',
      'http://127.0.0.1:8080/groups/Sales%20DE/members?transitive=true&cursor=MTAw',
    ]);
  });

  it('sends the body as JSON and the version as If-Match', async () => {
    const { client, sent } = clientAnswering(200, { version: 4 });
    await client.putConfig({ config: { connection: { domain: 'company.local' } } }, 3);
    expect(sent[0]).toMatchObject({
      method: 'PUT',
      url: 'http://127.0.0.1:8080/config',
      headers: { 'If-Match': '3', 'content-type': 'application/json' },
      body: '{"config":{"connection":{"domain":"company.local"}}}',
    });
  });

  it('throws an ApiError with the code and field details of an error answer', async () => {
    const { client } = clientAnswering(400, {
      error: { code: 'ValidationError', message: 'bad', details: [{ path: 'userName', message: 'no' }] },
    });
    await expect(client.createUser({ userName: 'a/b' })).rejects.toEqual(
      new ApiError(400, 'ValidationError', 'bad', [{ path: 'userName', message: 'no' }]),
    );
  });

  it('tells the caller of a 401 before it throws', async () => {
    const { client, unauthorized } = clientAnswering(401, {
      error: { code: 'Unauthorized', message: 'who' },
    });
    await expect(client.getConfig()).rejects.toMatchObject({ status: 401, code: 'Unauthorized' });
    expect(unauthorized()).toBe(1);
  });

  it('sends a logon, and does not take its refusal for a wrong token', async () => {
    const { client, sent, unauthorized } = clientAnswering(401, {
      error: { code: 'InvalidCredentials', message: 'The user name or password is wrong' },
    });
    await expect(client.logon({ userName: 'alice', password: ' p"w' })).rejects.toMatchObject({
      status: 401,
      code: 'InvalidCredentials',
    });
    expect(sent[0]).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:8080/logon',
      body: '{"userName":"alice","password":" p\\"w"}',
    });
    expect(unauthorized()).toBe(0);
  });

  it('tells how long to wait from Retry-After', async () => {
    const client = new ApiClient({
      baseUrl: 'http://127.0.0.1:8080',
      sign: bearerToken('t'),
      fetch: async () =>
        new Response(JSON.stringify({ error: { code: 'LockedOut', message: 'locked' } }), {
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after': '840' },
        }),
    });
    await expect(client.logon({ userName: 'alice', password: 'x' })).rejects.toEqual(
      new ApiError(429, 'LockedOut', 'locked', [], 840),
    );
    await expect(client.logon({ userName: 'alice', password: 'x' })).rejects.toMatchObject({
      retryAfterSeconds: 840,
    });
  });

  it('answers a failed connection with status 0 and the hint', async () => {
    const client = new ApiClient({
      baseUrl: 'http://127.0.0.1:8080',
      sign: bearerToken('t'),
      unreachableHint: 'is the local stack running? adsync serve',
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    await expect(client.listRuns()).rejects.toMatchObject({
      status: 0,
      code: 'NetworkError',
      message: 'cannot reach http://127.0.0.1:8080 (is the local stack running? adsync serve): fetch failed',
    });
  });

  describe('following a long operation', () => {
    const report = (status: Report['status'], extra: Partial<Report> = {}): Report =>
      aReport({ status, ...extra });

    /** A client whose fetch answers each request with the next of `answers` (waiting on `clock` when given). */
    function clientScripted(answers: ReadonlyArray<readonly [number, unknown]>, clock?: TestClock) {
      const sent: Sent[] = [];
      const client = new ApiClient({
        baseUrl: 'http://127.0.0.1:8080',
        ...(clock ? { clock } : {}),
        sign: bearerToken('t'),
        fetch: async (url, init) => {
          sent.push({
            method: init?.method ?? 'GET',
            url: String(url),
            headers: init?.headers as Record<string, string>,
          });
          const [status, answer] = answers[sent.length - 1] ?? [500, undefined];
          return new Response(JSON.stringify(answer), { status });
        },
      });
      return { client, sent };
    }

    it('starts a sync asking to wait, then polls its run, telling each running Report, until it ends', async () => {
      const searching = report('running', {
        progress: { phase: 'search', read: 10, inScope: 9, planned: 0, applied: 0 },
      });
      const applying = report('running', {
        progress: { phase: 'apply', read: 20, inScope: 18, planned: 5, applied: 2, toApply: 5 },
      });
      const { client, sent } = clientScripted([
        [202, { runId: 'run-1', status: 'running' }],
        [200, searching],
        [200, applying],
        [200, report('succeeded')],
      ]);
      const seen: unknown[] = [];
      const final = await client.synchronize({}, { onProgress: (r) => seen.push(r.progress), pollMs: 0 });
      expect(final.status).toBe('succeeded');
      expect(seen).toEqual([searching.progress, applying.progress]);
      expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual([
        'POST http://127.0.0.1:8080/sync',
        'GET http://127.0.0.1:8080/sync/runs/run-1',
        'GET http://127.0.0.1:8080/sync/runs/run-1',
        'GET http://127.0.0.1:8080/sync/runs/run-1',
      ]);
      expect(sent[0]?.headers.Prefer).toBe('wait=2');
    });

    it('waits pollMs between polls on its clock, a second by default', async () => {
      const clock = new TestClock();
      const { client, sent } = clientScripted(
        [
          [202, { runId: 'run-1', status: 'running' }],
          [200, report('running')],
          [200, report('running')],
          [200, report('succeeded')],
        ],
        clock,
      );
      const following = client.synchronize();
      for (const polled of [2, 3]) {
        await clock.sleeping();
        expect(sent).toHaveLength(polled);
        expect(await clock.advanceToNext()).toBe(1_000);
      }
      expect((await following).status).toBe('succeeded');
      expect(sent).toHaveLength(4);
    });

    it('answers the Report of a start that ended within the wait without polling', async () => {
      const { client, sent } = clientScripted([[200, report('succeeded', { dryRun: true })]]);
      const seen: unknown[] = [];
      const final = await client.testSettings({}, { onProgress: (r) => seen.push(r), wait: 25 });
      expect(final).toMatchObject({ status: 'succeeded', dryRun: true });
      expect(seen).toEqual([]);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.headers.Prefer).toBe('wait=25');
    });

    it('follows a preview at its own address', async () => {
      const { client, sent } = clientScripted([
        [202, { previewId: 'preview-1', status: 'running' }],
        [200, report('failed', { dryRun: true, error: { code: 'InvalidCredentials', message: 'no' } })],
      ]);
      expect((await client.testSettings({}, { pollMs: 0 })).status).toBe('failed');
      expect(sent[1]?.url).toBe('http://127.0.0.1:8080/test-settings/preview-1');
    });

    it('passes on the 409 of a sync already running, with the running run in its details', async () => {
      const { client } = clientScripted([
        [
          409,
          {
            error: {
              code: 'SyncRunning',
              message: 'A sync is already running',
              details: [{ path: 'runId', message: 'run-0' }],
            },
          },
        ],
      ]);
      await expect(client.synchronize()).rejects.toEqual(
        new ApiError(409, 'SyncRunning', 'A sync is already running', [{ path: 'runId', message: 'run-0' }]),
      );
    });
  });
});
