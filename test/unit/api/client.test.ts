/**
 * The typed API client of the CLI and the console (shared/api/client.ts): what each route method sends, and
 * how it answers errors. Its fetch is a recorder here; test/integration/api/contract.test.ts drives it
 * against the local stack.
 */
import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, bearerToken } from '../../../shared/api/client';

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

  it('adds the query, leaving out what is not given', async () => {
    const { client, sent } = clientAnswering(200, { users: [] });
    await client.listUsers('next page');
    await client.listUsers();
    expect(sent.map((request) => request.url)).toEqual([
      'http://127.0.0.1:8080/users?cursor=next+page',
      'http://127.0.0.1:8080/users',
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
});
