/**
 * httpApi: the route table is the runtime contract. A request's path, query, body and declared headers are
 * validated with the route's schemas before its handler runs; the handler gets them typed, and its answer's
 * status defaults to the route's. No services: the handlers here answer fixed bodies.
 */
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../local/local-stack';
import { httpApi } from '../../../shared/api/http-api';
import { toPublicUser } from '../../../shared/domain/user';
import { apiEvent, parseResponse } from '../../support/api-events';
import { aLocalUser } from '../../support/builders';

const alice = toPublicUser(aLocalUser('alice', { fullName: 'Alice' }));

/** What each handler was given. */
const received: unknown[] = [];

const api = httpApi({
  'GET /users/{userName}': async ({ path }) => {
    received.push(path);
    const userName: string = path.userName;
    return { body: { ...alice, userName } };
  },
  'GET /users': async ({ query }) => {
    received.push(query);
    return { body: { users: [alice] } };
  },
  'POST /users': async ({ body }) => {
    received.push(body);
    return { body: { ...alice, userName: body.userName } };
  },
  'DELETE /users/{userName}': async () => ({}),
  'PUT /config': async ({ headers, body }) => {
    received.push(headers);
    const version: number | undefined = headers['If-Match'];
    return { body: { config: body.config, version: (version ?? 0) + 1, passwordSet: false } };
  },
  // @ts-expect-error: an answer that is not the route's response schema does not compile.
  'GET /sync/runs': async () => ({ body: { runs: [{ runId: 'r' }] } }),
});

const call = async (...args: Parameters<typeof apiEvent>) => {
  received.length = 0;
  return parseResponse(await api(apiEvent(...args), lambdaContext('users')));
};

describe('httpApi', () => {
  it('hands the handler the validated path parameters', async () => {
    const response = await call('GET', '/users/alice');
    expect(response.statusCode).toBe(200);
    expect(received).toEqual([{ userName: 'alice' }]);
  });

  it('answers an invalid path parameter with 400 naming it, without calling the handler', async () => {
    const response = await call('GET', `/users/${'x'.repeat(300)}`);
    expect(response.statusCode).toBe(400);
    expect(response.body.error.details).toEqual([{ path: 'path.userName', message: expect.any(String) }]);
    expect(received).toEqual([]);
  });

  it('validates the query: an unknown parameter is a 400 naming it', async () => {
    expect((await call('GET', '/users', { query: { cursor: 'c' } })).statusCode).toBe(200);
    expect(received).toEqual([{ cursor: 'c' }]);
    const unknown = await call('GET', '/users', { query: { other: '1' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body.error.details).toEqual([
      { path: 'query', message: expect.stringContaining('other') },
    ]);
    expect(received).toEqual([]);
  });

  it('validates the body, and answers with the route status (201) when the handler names none', async () => {
    const created = await call('POST', '/users', { body: { userName: 'bob' } });
    expect(created.statusCode).toBe(201);
    expect(created.body.userName).toBe('bob');
    expect(received).toEqual([{ userName: 'bob' }]);
    const invalid = await call('POST', '/users', { body: { userName: 'a/b' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body.error.details).toEqual([{ path: 'userName', message: expect.any(String) }]);
    expect(received).toEqual([]);
  });

  it('answers 204 with no body for a route without a response', async () => {
    const deleted = await call('DELETE', '/users/alice');
    expect(deleted.statusCode).toBe(204);
    expect(deleted.raw).toBe('');
  });

  it('parses the declared headers: If-Match is a version number, and a bad one is named', async () => {
    const body = { config: { connection: { domain: 'company.local' } } };
    expect((await call('PUT', '/config', { body, headers: { 'If-Match': 'W/"4"' } })).body.version).toBe(5);
    expect(received).toEqual([{ 'If-Match': 4 }]);
    expect((await call('PUT', '/config', { body })).body.version).toBe(1);
    expect(received).toEqual([{}]);
    const bad = await call('PUT', '/config', { body, headers: { 'if-match': 'yesterday' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.error).toEqual({
      code: 'ValidationError',
      message: 'Invalid If-Match',
      details: [{ path: 'If-Match', message: 'must be a configuration version' }],
    });
  });
});
