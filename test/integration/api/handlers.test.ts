/**
 * The Lambda handlers, called with API Gateway events, against DynamoDB Local, the file secret store and
 * the Samba fixture. Environment first, then the handlers are imported: they read it at cold start.
 */

import { readFile, stat } from 'node:fs/promises';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ScryptPasswordHasher } from '../../../shared/adapters/crypto/scrypt-password-hasher';
import { DynamoRunLock } from '../../../shared/adapters/dynamodb/dynamo-run-lock';
import { configKey, passwordKey, userKey } from '../../../shared/adapters/dynamodb/keys';
import type { apiEvent, JsonResponse } from '../../support/api-events';
import { dynamoDbClient, scanAll } from '../../support/clients';
import { FixtureDirectory } from '../../support/fixture-directory';
import { type LoadedHandlers, loadHandlers } from '../../support/lambda-handlers';
import { entriesWithMessage, logLines } from '../../support/structured-logs';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const directory = inject('directory');
const fixture = new FixtureDirectory();
const dynamodb = dynamoDbClient();
let loaded: LoadedHandlers;
let tableName: string;
let secretFile: string;

const call = (...args: Parameters<LoadedHandlers['call']>): Promise<JsonResponse> => loaded.call(...args);
const config = () => fixtureConfig();

/** The item stored under this key, as it is in the table (or in the credentials table). */
async function storedItem(
  key: Record<string, string>,
  table: 'main' | 'credentials' = 'main',
): Promise<Record<string, unknown> | undefined> {
  const TableName = table === 'main' ? tableName : loaded.credentialsTableName;
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName, Key: marshall(key), ConsistentRead: true }),
  );
  return Item ? unmarshall(Item) : undefined;
}

beforeAll(async () => {
  loaded = await loadHandlers();
  ({ tableName, secretFile } = loaded);
});

afterAll(() => dynamodb.destroy());

/** Long operations answer their Report (200) when they end within this wait; these end in seconds. */
const WAIT = { Prefer: 'wait=120' };

describe('GET and PUT /config', () => {
  it('returns the defaults of a fresh installation', async () => {
    const response = await call('config', 'GET', '/config');
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      version: 0,
      passwordSet: false,
      config: { options: { deleteUsers: false } },
    });
  });

  it('refuses to browse the directory before a configuration is saved', async () => {
    const response = await call('directory', 'GET', '/directory/base-dns');
    expect(response.statusCode).toBe(400);
    expect(response.body.error.details).toEqual([{ path: 'config', message: expect.any(String) }]);
  });

  it('saves the configuration and the password; the password goes to the secret store only', async () => {
    const response = await call('config', 'PUT', '/config', {
      body: { config: config(), password: servicePassword() },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ version: 1, passwordSet: true });
    expect(response.raw).not.toContain(servicePassword());

    expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(secretFile, 'utf8')).toContain(servicePassword());
    const Items = await scanAll(dynamodb, tableName);
    expect(JSON.stringify(Items)).not.toContain(servicePassword());

    const read = await call('config', 'GET', '/config');
    expect(read.body).toMatchObject({
      version: 1,
      passwordSet: true,
      config: { connection: { username: directory.serviceAccount.upn } },
    });
    expect(read.raw).not.toContain(servicePassword());
  });

  it('keeps the password when a later save does not send one', async () => {
    const response = await call('config', 'PUT', '/config', { body: { config: config() } });
    expect(response.body).toMatchObject({ version: 2, passwordSet: true });
  });

  it('never sends the saved password to another server: a changed connection needs the password again', async () => {
    const elsewhere = { ...config(), connection: { ...config().connection, servers: ['ldap.example.com'] } };
    const save = await call('config', 'PUT', '/config', { body: { config: elsewhere } });
    expect(save.statusCode).toBe(400);
    expect(save.body.error.details).toEqual([
      { path: 'password', message: expect.stringMatching(/only where it was saved/) },
    ]);
    const test = await call('start', 'POST', '/test-settings', {
      headers: WAIT,
      body: { config: elsewhere },
    });
    expect(test.statusCode).toBe(400);
    expect(test.body.error.details[0].path).toBe('password');
    // Other settings of the saved connection can be tested without it.
    const filtersOnly = { ...config(), filters: { ...config().filters, enabledUsersOnly: false } };
    expect(
      (
        await call('start', 'POST', '/test-settings', {
          headers: WAIT,
          body: { config: filtersOnly },
        })
      ).statusCode,
    ).toBe(200);
  });

  it('applies If-Match: 409 for a stale version, 200 for the current one', async () => {
    const stale = await call('config', 'PUT', '/config', {
      body: { config: config() },
      headers: { 'If-Match': '1' },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.body.error.code).toBe('VersionConflict');
    const current = await call('config', 'PUT', '/config', {
      body: { config: config() },
      headers: { 'If-Match': '"2"' },
    });
    expect(current.statusCode).toBe(200);
    expect(current.body.version).toBe(3);
  });

  it.each<[string, Parameters<typeof apiEvent>[2], number, string | undefined]>([
    ['malformed JSON', { rawBody: '{"config": ' }, 400, '(body)'],
    [
      'a body that is not JSON',
      { rawBody: 'config=1', headers: { 'Content-Type': 'text/plain' } },
      400,
      '(body)',
    ],
    [
      'an unknown field',
      { body: { config: { connection: { domain: 'company.local', pasword: 'x' } } } },
      400,
      'config.connection',
    ],
    [
      'a wrong type',
      { body: { config: { connection: { domain: 'company.local', timeoutSeconds: '10' } } } },
      400,
      'config.connection.timeoutSeconds',
    ],
    [
      'Windows authentication',
      { body: { config: { connection: { domain: 'company.local', authentication: 'windows' } } } },
      400,
      'config.connection.authentication',
    ],
    ['a missing config', { body: { password: 'x' } }, 400, 'config'],
    [
      'an empty password',
      { body: { config: { connection: { domain: 'company.local' } }, password: '' } },
      400,
      'password',
    ],
    ['an array body', { body: [] }, 400, '(root)'],
    [
      'an oversize body',
      {
        rawBody: JSON.stringify({
          config: { connection: { domain: 'company.local' } },
          pad: 'x'.repeat(300_000),
        }),
      },
      413,
      undefined,
    ],
  ])('answers %s with %i and the error shape', async (_, options, status, path) => {
    const response = await call('config', 'PUT', '/config', options);
    expect(response.statusCode).toBe(status);
    expect(response.body).toEqual({
      error: {
        code: expect.any(String),
        message: expect.any(String),
        ...(path ? { details: expect.any(Array) } : {}),
      },
    });
    if (path) expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await call('config', 'GET', '/config')).body.version).toBe(3);
  });

  it('answers a wrong method with 405 and Allow, an unknown route with 404', async () => {
    const wrongMethod = await call('config', 'DELETE', '/config');
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, PUT');
    const unknown = await call('config', 'GET', '/nothing-here');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body.error.code).toBe('NotFound');
  });
});

describe('POST /test-settings', () => {
  it('tests the saved settings and commits nothing', async () => {
    const response = await call('start', 'POST', '/test-settings', {
      headers: WAIT,
      body: {},
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ dryRun: true, status: 'succeeded' });
    expect((await call('users', 'GET', '/users')).body.users).toEqual([]);
    expect((await call('runs', 'GET', '/sync/runs')).body.runs).toEqual([]);
  });

  it('tests unsaved settings from the request (here: a wrong password) without saving them', async () => {
    const response = await call('start', 'POST', '/test-settings', {
      headers: WAIT,
      body: { config: config(), password: 'not-the-password' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ status: 'failed', error: { code: 'InvalidCredentials' } });
    expect((await call('config', 'GET', '/config')).body.passwordSet).toBe(true);
  });

  it('rejects an invalid unsaved configuration with 400 naming the field', async () => {
    const response = await call('start', 'POST', '/test-settings', {
      headers: WAIT,
      body: { config: { connection: { servers: ['not a host'] } } },
    });
    expect(response.statusCode).toBe(400);
    expect(response.body.error.details[0].path).toBe('config.connection.servers.0');
  });
});

describe('POST /sync and the run history', () => {
  let runId: string;

  it('synchronizes with the saved settings and records the run', async () => {
    const response = await call('start', 'POST', '/sync', {
      headers: WAIT,
      body: {},
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ dryRun: false, status: 'succeeded', trigger: 'api' });
    expect(response.body.counts.created).toBeGreaterThan(1000);
    runId = response.body.runId;
  });

  it('lists runs newest first and returns one run with its changes', async () => {
    const runs = await call('runs', 'GET', '/sync/runs');
    expect(runs.body.runs[0]).toMatchObject({ runId, status: 'succeeded' });
    expect(runs.body.runs[0].changes).toBeUndefined();
    const run = await call('runs', 'GET', `/sync/runs/${runId}`);
    expect(run.body.changes.length).toBe(run.body.counts.created);
    expect((await call('runs', 'GET', '/sync/runs/no-such-run')).statusCode).toBe(404);
  });

  it('answers 409 while another sync holds the lock', async () => {
    const lock = new DynamoRunLock(dynamodb, tableName);
    expect(await lock.acquire('someone-else', 600)).toBe(true);
    try {
      const response = await call('start', 'POST', '/sync', {
        headers: WAIT,
        body: {},
      });
      expect(response.statusCode).toBe(409);
      expect(response.body.error).toMatchObject({
        code: 'SyncRunning',
        details: [{ path: 'runId', message: 'someone-else' }],
      });
    } finally {
      await lock.release('someone-else');
    }
  });

  it('rejects unknown fields in the sync request', async () => {
    const response = await call('start', 'POST', '/sync', {
      headers: WAIT,
      body: { allowMassDeletion: 'yes' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.body.error.details[0].path).toBe('allowMassDeletion');
  });
});

describe('the scheduled sync', () => {
  const scheduled = (scheduledAt: string) =>
    loaded.invoke('sync', { source: 'ad-sync.schedule', scheduledAt });

  it('does nothing while the schedule is disabled', async () => {
    expect(await scheduled('2026-11-24T01:00:00.000Z')).toEqual({ outcome: 'disabled' });
  });

  it('runs once per occurrence: a duplicated event does nothing', async () => {
    await call('config', 'PUT', '/config', {
      body: { config: { ...config(), schedule: { enabled: true, intervalMinutes: 60 } } },
    });
    const first = (await scheduled('2026-11-24T02:00:00.000Z')) as {
      outcome: string;
      report: { trigger: string; status: string };
    };
    expect(first.outcome).toBe('ran');
    expect(first.report).toMatchObject({ trigger: 'schedule', status: 'succeeded' });
    expect(await scheduled('2026-11-24T02:00:00.000Z')).toEqual({ outcome: 'duplicate' });
  });

  it('records a skipped run when another sync holds the lock', async () => {
    const lock = new DynamoRunLock(dynamodb, tableName);
    expect(await lock.acquire('someone-else', 600)).toBe(true);
    try {
      const result = (await scheduled('2026-11-24T03:00:00.000Z')) as {
        outcome: string;
        report: { runId: string };
      };
      expect(result.outcome).toBe('skipped');
      const runs = await call('runs', 'GET', '/sync/runs');
      expect(runs.body.runs[0]).toMatchObject({
        runId: result.report.runId,
        status: 'skipped',
        trigger: 'schedule',
      });
    } finally {
      await lock.release('someone-else');
    }
  });
});

describe('the lease lock', () => {
  it('expires on its own, so a crashed run cannot hold it forever', async () => {
    let now = new Date('2026-11-24T00:00:00Z');
    const lock = new DynamoRunLock(dynamodb, tableName, { now: () => now });
    expect(await lock.acquire('crashed-run', 60)).toBe(true);
    now = new Date('2026-11-24T00:00:30Z');
    expect(await lock.acquire('next-run', 60)).toBe(false);
    now = new Date('2026-11-24T00:01:01Z');
    expect(await lock.acquire('next-run', 60)).toBe(true);
    await lock.release('crashed-run');
    expect(await lock.acquire('third-run', 60)).toBe(false);
    await lock.release('next-run');
    expect(await lock.acquire('third-run', 60)).toBe(true);
    await lock.release('third-run');
  });
});

describe('users', () => {
  it('lists users in pages with a cursor, in name order', async () => {
    const first = await call('users', 'GET', '/users');
    expect(first.body.users).toHaveLength(100);
    expect(first.body.cursor).toEqual(expect.any(String));
    const second = await call('users', 'GET', '/users', { query: { cursor: first.body.cursor } });
    expect(second.body.users[0].userName.toLowerCase() > first.body.users[99].userName.toLowerCase()).toBe(
      true,
    );
    expect((await call('users', 'GET', '/users', { query: { cursor: 'garbage' } })).statusCode).toBe(400);
    const forged = Buffer.from(JSON.stringify(configKey)).toString('base64url');
    expect((await call('users', 'GET', '/users', { query: { cursor: forged } })).statusCode).toBe(400);
    expect((await call('users', 'GET', '/users', { query: { other: '1' } })).statusCode).toBe(400);
  });

  it('returns one user in the shape of the API User, and 404 for an unknown one', async () => {
    const bob = await call('users', 'GET', '/users/BOB');
    expect(bob.statusCode).toBe(200);
    expect(Object.keys(bob.body).sort()).toEqual([
      'attributes',
      'authentication',
      'createdAt',
      'distinguishedName',
      'effectivePrivileges',
      'emailAddresses',
      'fullName',
      'groupArchiveAccess',
      'groupPrivileges',
      'groups',
      'objectGuid',
      'ownArchiveAccess',
      'privileges',
      'updatedAt',
      'userName',
    ]);
    expect((await call('users', 'GET', '/users/nobody')).statusCode).toBe(404);
    expect((await call('users', 'GET', `/users/${'x'.repeat(300)}`)).statusCode).toBe(400);
  });

  it('adds a local user (201) with a hashed password that is never returned, and refuses the name twice', async () => {
    const created = await call('users', 'POST', '/users', {
      body: {
        userName: 'auditor',
        fullName: 'The Auditor',
        emailAddresses: ['Auditor@Example.com'],
        password: 'correct horse battery',
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.body).toMatchObject({
      userName: 'auditor',
      authentication: 'local',
      emailAddresses: ['auditor@example.com'],
    });
    expect(created.raw).not.toMatch(/password|correct horse/i);
    // The hash is an item of its own in the credentials table (no stream; the read routes' roles cannot
    // read it), never in the one table.
    const user = await storedItem(userKey('auditor'));
    expect(user).toMatchObject({ userName: 'auditor', authentication: 'local' });
    expect(JSON.stringify(user)).not.toMatch(/passwordHash|scrypt|correct horse/);
    expect(await storedItem(passwordKey('auditor'))).toBeUndefined();
    const hash = await storedItem(passwordKey('auditor'), 'credentials');
    expect(hash).toEqual({ ...passwordKey('auditor'), passwordHash: expect.stringMatching(/^scrypt\$/) });
    expect(await new ScryptPasswordHasher().verify('correct horse battery', String(hash?.passwordHash))).toBe(
      true,
    );
    const Items = await scanAll(dynamodb, tableName);
    expect(JSON.stringify(Items)).not.toMatch(/correct horse|scrypt|passwordHash/);
    // A create under a taken name changes nothing, not even the hash.
    const again = { userName: 'AUDITOR', password: 'another horse battery' };
    expect((await call('users', 'POST', '/users', { body: again })).statusCode).toBe(409);
    expect(await storedItem(passwordKey('auditor'), 'credentials')).toEqual(hash);
    expect((await call('users', 'POST', '/users', { body: { userName: 'alice' } })).statusCode).toBe(409);
    // Listing and reading users never return a hash.
    const read = await call('users', 'GET', '/users/auditor');
    expect(read.raw).not.toMatch(/passwordHash|scrypt/);
    let cursor: string | undefined;
    do {
      const page = await call('users', 'GET', '/users', cursor ? { query: { cursor } } : {});
      expect(page.raw).not.toMatch(/passwordHash|scrypt/);
      cursor = page.body.cursor;
    } while (cursor);
  });

  it.each([
    [{ userName: '' }, 'userName'],
    [{ userName: 'a/b' }, 'userName'],
    [{ userName: 'x', emailAddresses: ['not-an-address'] }, 'emailAddresses.0'],
    [{ userName: 'x', password: 'short' }, 'password'],
    [{ userName: 'x', privileges: ['login'] }, '(root)'],
  ])('rejects %j with 400 at %s', async (body, path) => {
    const response = await call('users', 'POST', '/users', { body });
    expect(response.statusCode).toBe(400);
    expect(response.body.error.details[0].path).toBe(path);
  });

  it('deletes a local user (204) but not a directory user (409) or an unknown one (404)', async () => {
    expect((await call('users', 'DELETE', '/users/auditor')).statusCode).toBe(204);
    expect((await call('users', 'GET', '/users/auditor')).statusCode).toBe(404);
    // Its password hash went with it, in the same transaction.
    expect(await storedItem(passwordKey('auditor'), 'credentials')).toBeUndefined();
    expect((await call('users', 'DELETE', '/users/bob')).statusCode).toBe(409);
    expect((await call('users', 'DELETE', '/users/nobody')).statusCode).toBe(404);
  });
});

describe('directory pickers', () => {
  it('lists the naming contexts for the Base-DN picker', async () => {
    const response = await call('directory', 'GET', '/directory/base-dns');
    expect(response.statusCode).toBe(200);
    expect(response.body.defaultNamingContext).toBe(directory.baseDn);
    expect(response.body.namingContexts).toContain(directory.baseDn);
  });

  it('finds groups by name for the group picker', async () => {
    const response = await call('directory', 'GET', '/directory/groups', { query: { search: 'Sales' } });
    expect(response.statusCode).toBe(200);
    expect(response.body.groups.map((g: { name: string }) => g.name)).toEqual(['Sales DE', 'Sales Europe']);
    expect(response.body.groups[0]).toMatchObject({
      dn: fixture.group('Sales DE').dn,
      description: 'third level',
    });
  });

  it('treats filter metacharacters in the search as text', async () => {
    const response = await call('directory', 'GET', '/directory/groups', { query: { search: '*' } });
    expect(response.body.groups.map((g: { name: string }) => g.name).sort()).toEqual([
      '*',
      'x)(objectClass=*',
    ]);
    const injection = await call('directory', 'GET', '/directory/groups', { query: { search: ')(cn=*' } });
    expect(injection.body.groups).toEqual([]);
  });
});

describe('GET /openapi.json', () => {
  it('documents every route of the API as OpenAPI 3.1', async () => {
    const response = await call('openapi', 'GET', '/openapi.json');
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths).sort()).toEqual([
      '/config',
      '/directory/base-dns',
      '/directory/groups',
      '/directory/users/{name}',
      '/groups',
      '/groups/{name}',
      '/groups/{name}/members',
      '/logon',
      '/openapi.json',
      '/sync',
      '/sync/runs',
      '/sync/runs/{runId}',
      '/sync/users/{name}',
      '/test-settings',
      '/test-settings/{previewId}',
      '/users',
      '/users/{userName}',
    ]);
    expect(
      response.body.paths['/config'].put.requestBody.content['application/json'].schema.properties.config,
    ).toBeDefined();
  });
});

describe('logs', () => {
  it('are JSON lines, one per sync step with its timing, and never contain the password', async () => {
    await call('start', 'POST', '/test-settings', {
      headers: WAIT,
      body: { config: config(), password: `${servicePassword()}-wrong` },
    });
    const lines = logLines(loaded.logs());
    const steps = entriesWithMessage<{ step: { name: string; ok: boolean } }>(lines, 'sync step');
    expect(steps.length).toBeGreaterThan(8);
    expect(steps[0]).toMatchObject({
      level: 'INFO',
      service: 'ad-sync',
      step: { name: 'resolve', ok: true, ms: expect.any(Number) },
    });
    expect(steps.some((entry) => entry.step.name === 'bind' && entry.step.ok === false)).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain(servicePassword());
    }
  });
});
