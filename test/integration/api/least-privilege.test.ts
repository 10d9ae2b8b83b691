/**
 * Least privilege, checked against what the code really sends. Every DynamoDB request each function makes
 * is recorded at the wire (a proxy in front of DynamoDB Local) while the functions do all they do: save
 * and read the configuration, browse the directory (and explain a user), start syncs and previews (and fail to), follow them
 * while they run, run them in the workers (a sync with a handoff to a follow-up invocation, a preview of
 * unsaved settings), rename and delete users with archive folders, run on the schedule (and check for a stale
 * sync), ask (the watcher) whether a notified user is a synchronized one, manage local users, log users on, list
 * runs. Each request must be allowed by that function's role in the synthesized CDK template, and the
 * item kinds the functions write must be exactly those their roles grant.
 *
 * The start function's hand-over to a worker is queued here, as Lambda queues an asynchronous invocation,
 * and delivered by the test once the request has been answered: each function's requests are then
 * recorded under its own name (the recorder's label is one at a time).
 */
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { lambdaContext } from '../../../local/local-stack';
import { ScryptPasswordHasher } from '../../../shared/adapters/crypto/scrypt-password-hasher';
import {
  alertKey,
  handoffKey,
  type ItemKind,
  passwordKey,
  userKey,
} from '../../../shared/adapters/dynamodb/keys';
import { useInProcessFunctions } from '../../../shared/adapters/lambda/in-process-starter';
import type { FunctionName } from '../../../shared/api/routes';
import type { Report } from '../../../shared/domain/report';
import type { User } from '../../../shared/domain/user';
import { watchContext } from '../../../shared/runtime/watch-context';
import { HANDOFF_RESERVE_MS } from '../../../shared/use-cases/run-dependencies';
import type { apiEvent, JsonResponse } from '../../support/api-events';
import { dynamoDbClient } from '../../support/clients';
import { type DynamoDbRecorder, startDynamoDbRecorder } from '../../support/dynamodb-recorder';
import {
  authorizationsOf,
  functionIdPrefix,
  kindOfKey,
  StackPolicies,
  synthStack,
  type TableRole,
} from '../../support/iam-policy';
import { type LoadedHandlers, loadHandlers } from '../../support/lambda-handlers';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';
import { TestTableStore } from '../../support/table-store';

const ENVIRONMENT = { CONTINUATIONS: 'stream', APPLY_BATCH_SIZE: '1000', FULL_READ_EVERY_HOURS: '0' };
const dynamodb = dynamoDbClient();
let recorder: DynamoDbRecorder;
let loaded: LoadedHandlers;
let store: TestTableStore;
let policies: StackPolicies;

/** Calls a function with an API Gateway event, its requests recorded under its name. */
const call = (name: FunctionName, method: string, path: string, options?: Parameters<typeof apiEvent>[2]) =>
  recorder.as(name, () => loaded.call(name, method, path, options));
const invoke = (name: FunctionName, event: unknown, context?: Parameters<LoadedHandlers['invoke']>[2]) =>
  recorder.as(name, () => loaded.invoke(name, event, context));

type Worker = 'sync' | 'test-settings';
/** The hand-overs of the start function not yet delivered, and every worker it ever handed one to. */
const queued: { name: Worker; event: unknown }[] = [];
const handedTo = new Set<Worker>();

/** Queues the start function's hand-overs instead of running them at once. */
const queueHandOvers = () =>
  useInProcessFunctions(async (name, event) => {
    // The logon guard answers the logon function at once, as a synchronous invocation does.
    if (name === 'logon-guard') return loaded.invoke(name, event);
    queued.push({ name, event });
    handedTo.add(name);
  });

/** Delivers the one hand-over queued (to `name`), as Lambda delivers an asynchronous invocation. */
async function deliver<T>(name: Worker, context?: Parameters<LoadedHandlers['invoke']>[2]): Promise<T> {
  expect(queued.map((q) => q.name)).toEqual([name]);
  const [handOver] = queued.splice(0);
  return (await invoke(name, handOver?.event, context)) as T;
}

const ok = (response: JsonResponse, status = 200): JsonResponse => {
  expect(response.statusCode, JSON.stringify(response.body)).toBe(status);
  return response;
};

/** A directory user in the database that the directory does not hold (deleted in AD, say). */
const ghost = (userName: string): User => ({
  userName,
  fullName: userName,
  emailAddresses: [],
  authentication: 'directoryServices',
  distinguishedName: `CN=${userName},${inject('directory').baseDn}`,
  objectGuid: randomUUID(),
  privileges: ['login'],
  ownArchiveAccess: ['read'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

beforeAll(async () => {
  Object.assign(process.env, ENVIRONMENT);
  recorder = await startDynamoDbRecorder(inject('dynamodb').endpoint);
  loaded = await loadHandlers({ dynamodbEndpoint: recorder.endpoint });
  queueHandOvers();
  store = new TestTableStore(dynamodb, loaded.tableName);
  policies = new StackPolicies(synthStack().template);
});

afterAll(async () => {
  for (const name of Object.keys(ENVIRONMENT)) delete process.env[name];
  await recorder.close();
  dynamodb.destroy();
});

describe('every function, as deployed', () => {
  it('saves and reads the configuration, and browses the directory', async () => {
    const groupsDn = `OU=Groups,${inject('directory').baseDn}`;
    const config = fixtureConfig({
      options: { deleteUsers: true },
      schedule: { enabled: true, intervalMinutes: 60 },
      // The groups and a rule: the sync writes group items and users' group privileges.
      groups: { sync: 'all', baseDn: groupsDn },
      privilegeRules: [{ group: `CN=Engineering Team,${groupsDn}`, privileges: ['exportEmail'] }],
    });
    ok(await call('config', 'PUT', '/config', { body: { config, password: servicePassword() } }));
    ok(await call('config', 'GET', '/config'));
    ok(await call('directory', 'GET', '/directory/base-dns'));
    ok(await call('directory', 'GET', '/directory/groups', { query: { search: 'Sales' } }));
    // One user explained: the users it concerns are looked up by name and by objectGUID.
    ok(await call('directory', 'GET', '/directory/users/alice'));
  });

  it('starts a sync, shows it running, refuses a second, and runs it past its deadline: a handoff, and the follow-up invocation the stream starts', async () => {
    const started = ok(await call('start', 'POST', '/sync', { body: {} }), 202);
    const { runId } = started.body as { runId: string };
    expect(started.headers.location).toBe(`/sync/runs/${runId}`);
    // Before the worker has it: running, its lease its own.
    expect(ok(await call('runs', 'GET', `/sync/runs/${runId}`)).body.status).toBe('running');
    const listed = ok(await call('runs', 'GET', '/sync/runs')).body.runs as {
      runId: string;
      status: string;
    }[];
    expect(listed.find((run) => run.runId === runId)?.status).toBe('running');
    const second = ok(await call('start', 'POST', '/sync', { body: {} }), 409);
    expect(second.body.error).toMatchObject({ code: 'SyncRunning', details: [{ message: runId }] });

    const nearDeadline = lambdaContext('sync', HANDOFF_RESERVE_MS - 1_000);
    const first = await deliver<{ outcome: string; report: Report }>('sync', nearDeadline);
    expect(first).toMatchObject({ outcome: 'ran', report: { runId, status: 'running' } });
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: loaded.tableName,
        Key: marshall(handoffKey({ runId, invocation: 2 })),
        ConsistentRead: true,
      }),
    );
    expect(Item).toBeDefined();
    const insert: DynamoDBStreamEvent = {
      Records: [{ eventName: 'INSERT', dynamodb: { NewImage: Item as never, StreamViewType: 'NEW_IMAGE' } }],
    };
    const [outcome] = (await invoke('sync', insert)) as { outcome: string }[];
    expect(outcome?.outcome).toBe('ran');
    expect(unmarshall(Item ?? {})).toMatchObject({ runId });
    expect(ok(await call('runs', 'GET', `/sync/runs/${runId}`)).body.status).toBe('succeeded');
  });

  it('previews the saved settings, and unsaved ones with their password, against the users now in the database', async () => {
    const saved = ok(await call('start', 'POST', '/test-settings', { body: {} }), 202);
    const { previewId } = saved.body as { previewId: string };
    expect(saved.headers.location).toBe(`/test-settings/${previewId}`);
    expect(ok(await call('runs', 'GET', `/test-settings/${previewId}`)).body.status).toBe('running');
    expect(await deliver('test-settings')).toMatchObject({ outcome: 'ran' });
    expect(ok(await call('runs', 'GET', `/test-settings/${previewId}`)).body).toMatchObject({
      dryRun: true,
      status: 'succeeded',
    });

    // Waiting for the end (Prefer: wait), which does not come while the worker has not started.
    const unsaved = ok(
      await call('start', 'POST', '/test-settings', {
        headers: { Prefer: 'wait=1' },
        body: { config: fixtureConfig({ options: { deleteUsers: true } }), password: servicePassword() },
      }),
      202,
    );
    expect(await deliver('test-settings')).toMatchObject({ outcome: 'ran', report: { status: 'succeeded' } });
    ok(await call('runs', 'GET', `/test-settings/${unsaved.body.previewId}`));
  });

  it('syncs a rename and deletes whose archive folders move, go or stay', async () => {
    // As the archive application and AD would leave it: bob renamed in AD (the database holds his old
    // name), two users gone from AD, one of whose folders holds messages.
    const bob = (await store.getUser('bob')) as User;
    await dynamodb.send(
      new DeleteItemCommand({ TableName: loaded.tableName, Key: marshall(userKey('bob')) }),
    );
    await store.createUser({ ...bob, userName: 'bob.before' });
    await store.addArchivedMessages('bob.before', 3);
    await store.createUser(ghost('gone.with.mail'));
    await store.addArchivedMessages('gone.with.mail', 5);
    await store.createUser(ghost('gone.empty'));
    await store.addArchivedMessages('gone.empty', 0);

    // The start function waits for the end (its reads of the run) until it answers 202.
    ok(await call('start', 'POST', '/sync', { headers: { Prefer: 'wait=1' }, body: {} }), 202);
    const { report } = await deliver<{ report: Report }>('sync');
    expect(report).toMatchObject({ status: 'succeeded', counts: { updated: 1, deleted: 2 } });
    expect(await store.getArchiveFolder('bob')).toMatchObject({ messageCount: 3 });
    expect(await store.getArchiveFolder('gone.with.mail')).toMatchObject({
      ownerDeletedAt: expect.any(String),
    });
    expect(await store.getArchiveFolder('gone.empty')).toBeUndefined();
  });

  it('refuses an approval of deletes no run withheld (it looks at the last runs), and releases the lock', async () => {
    const refused = ok(await call('start', 'POST', '/sync', { body: { allowMassDeletion: true } }), 409);
    expect(refused.body.error.code).toBe('ApprovalMismatch');
    expect(queued).toEqual([]);
  });

  it('records a start that fails, and answers 502', async () => {
    useInProcessFunctions(() => {
      throw new Error('Lambda did not queue the invocation');
    });
    try {
      const sync = ok(await call('start', 'POST', '/sync', { body: {} }), 502);
      expect(sync.body.error.code).toBe('StartFailed');
      const preview = ok(await call('start', 'POST', '/test-settings', { body: {} }), 502);
      expect(preview.body.error.code).toBe('StartFailed');
    } finally {
      queueHandOvers();
    }
    const [last] = ok(await call('runs', 'GET', '/sync/runs')).body.runs as { status: string }[];
    expect(last?.status).toBe('failed');
  });

  it('runs on the schedule', async () => {
    const result = (await invoke('sync', {
      source: 'ad-sync.schedule',
      scheduledAt: '2026-11-24T02:00:00.000Z',
    })) as { outcome: string };
    expect(result.outcome).toBe('ran');
  });

  it("asks, as the watcher does, whether a notified user is a synchronized one: the user's sync state by objectGUID", async () => {
    const { objectGuid } = (await store.getUser('bob')) as User;
    const { isSynchronizedUser } = watchContext();
    expect(await recorder.as('watch', () => isSynchronizedUser(String(objectGuid)))).toBe(true);
    expect(await recorder.as('watch', () => isSynchronizedUser(randomUUID()))).toBe(false);
    const queries = recorder.requests.filter(({ label }) => label === 'watch');
    expect(queries.map(({ operation, input }) => [operation, input.Select])).toEqual([
      ['Query', 'SPECIFIC_ATTRIBUTES'],
      ['Query', 'SPECIFIC_ATTRIBUTES'],
    ]);
  });

  it('checks for a stale sync', async () => {
    const result = (await invoke('sync', {
      source: 'ad-sync.stale-check',
      checkedAt: '2026-11-24T02:05:00.000Z',
    })) as { outcome: string };
    expect(result.outcome).toBe('checked');
  });

  it('shows the synchronized groups and their members', async () => {
    const { groups } = ok(await call('users', 'GET', '/groups')).body as { groups: { name: string }[] };
    expect(groups.map((g) => g.name)).toContain('grp-Engineering-Team');
    ok(await call('users', 'GET', '/groups/grp-Sales-Europe'));
    ok(await call('users', 'GET', '/groups/grp-Sales-Europe/members', { query: { transitive: 'true' } }));
    // The rule's group: its members got the rule's privilege, and nobody else did.
    const frank = (await store.getUser('frank')) as User;
    expect(frank.groups).toContain('grp-Engineering-Team');
    expect(frank.groupPrivileges).toEqual(['exportEmail']);
    const bob = (await store.getUser('bob')) as User;
    expect(bob.groups ?? []).not.toContain('grp-Engineering-Team');
    expect(bob.groupPrivileges ?? []).toEqual([]);
  });

  it('manages local users and lists runs', async () => {
    ok(
      await call('users', 'POST', '/users', {
        body: { userName: 'auditor', password: 'correct horse battery' },
      }),
      201,
    );
    const page = ok(await call('users', 'GET', '/users'));
    ok(await call('users', 'GET', '/users', { query: { cursor: page.body.cursor } }));
    ok(await call('users', 'GET', '/users/auditor'));
    ok(await call('users', 'DELETE', '/users/auditor'), 204);
    ok(await call('users', 'DELETE', '/users/bob'), 409);
    const runs = ok(await call('runs', 'GET', '/sync/runs'));
    ok(await call('runs', 'GET', `/sync/runs/${runs.body.runs[0].runId}`));
    ok(await call('openapi', 'GET', '/openapi.json'));
  });
});

describe('the logon function, as deployed', () => {
  it('logs local and directory users on, refuses, locks a name out, and clears a count on a success', async () => {
    const logon = (userName: string, password: string) =>
      call('logon', 'POST', '/logon', { body: { userName, password } });
    ok(
      await call('users', 'POST', '/users', { body: { userName: 'signer', password: 'signer password 1' } }),
      201,
    );
    ok(await logon('signer', 'wrong'), 401);
    ok(await logon('signer', 'signer password 1'));
    for (let i = 0; i < 5; i += 1) ok(await logon('Signer', `wrong ${i}`), 401);
    ok(await logon('signer', 'signer password 1'), 429);
    // A local user created before the credentials table: its hash is still an item of the one table.
    await store.createUser({
      userName: 'earlier.signer',
      fullName: 'Earlier Signer',
      emailAddresses: [],
      authentication: 'local',
      privileges: ['login'],
      ownArchiveAccess: ['read'],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    const passwordHash = await new ScryptPasswordHasher().hash('earlier password 1');
    await dynamodb.send(
      new PutItemCommand({
        TableName: loaded.tableName,
        Item: marshall({ ...passwordKey('earlier.signer'), passwordHash }),
      }),
    );
    ok(await logon('earlier.signer', 'earlier password 1'));
    // A directory user: a bind as bob, refused by the DC.
    ok(await logon('bob', 'not his password'), 401);
    ok(await logon('nobody', 'whatever'), 401);
  });
});

describe('what the functions send to the table', () => {
  it('never carries the bind password: not the saved one, not the one given with unsaved settings', () => {
    expect(recorder.requests.length).toBeGreaterThan(100);
    const carrying = recorder.requests.filter(({ input }) =>
      JSON.stringify(input).includes(servicePassword()),
    );
    expect(carrying.map(({ label, operation }) => `${label}: ${operation}`)).toEqual([]);
  });
});

describe('the roles of the CDK stack', () => {
  /** Which of the stack's tables a request's table is: the test's credentials table, or the one table. */
  const tableOf = (tableName: string): TableRole =>
    tableName === loaded.credentialsTableName ? 'credentials' : 'main';

  it('allow every DynamoDB request each function made', () => {
    const denied = recorder.requests.flatMap(({ label, operation, input }) =>
      authorizationsOf(operation, input, tableOf)
        .filter((authorization) => !policies.allows(label as FunctionName, authorization))
        .map(
          ({ action, table, resource, leadingKeys }) =>
            `${label}: ${action} on ${table} ${resource} [${leadingKeys}]`,
        ),
    );
    expect([...new Set(denied)]).toEqual([]);
  });

  /** The item kinds of the keys the function's requests of these actions named, on one of the tables. */
  const kindsSent = (name: FunctionName, actions: readonly string[], on: TableRole = 'main'): ItemKind[] => {
    const kinds = recorder.requests
      .filter((request) => request.label === name)
      .flatMap(({ operation, input }) => authorizationsOf(operation, input, tableOf))
      .filter(
        ({ action, table, resource }) => actions.includes(action) && table === on && resource === 'table',
      )
      .flatMap(({ leadingKeys }) => leadingKeys.map(kindOfKey));
    return [...new Set(kinds)].filter((kind) => kind !== undefined).sort();
  };
  const kindsGranted = (name: FunctionName, actions: readonly string[], on: TableRole = 'main'): ItemKind[] =>
    [...new Set(actions.flatMap((action) => policies.kindsAllowed(name, action, on)))].sort();

  it('grant each function the writes of exactly the item kinds it writes', () => {
    const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
    for (const name of ['sync', 'users', 'start', 'test-settings', 'logon'] as const) {
      // The sync writes an alert only when no run has succeeded for hours (alerts.staleAfterHours, at least 1),
      // which this file's runs, minutes apart, never see: the kind of the alert's key is the one granted
      // (DynamoAlertStore, test/unit/use-cases/scheduled-backoff.test.ts for when it raises one).
      const unseen: readonly ItemKind[] = name === 'sync' ? ['alert'] : [];
      for (const on of ['main', 'credentials'] as const) {
        expect(kindsSent(name, WRITES, on), `${name} on ${on}`).toEqual(
          kindsGranted(name, WRITES, on).filter((kind) => !unseen.includes(kind)),
        );
      }
    }
    expect(kindOfKey(alertKey('sync.stale:never').pk)).toBe('alert');
    // Local users' password hashes: in the credentials table only, by the users function only.
    expect(kindsSent('users', WRITES, 'credentials')).toEqual(['password']);
    expect(kindsSent('users', WRITES)).toEqual(['user']);
    // A delete is two writes: the UpdateItem that marks the user (its change event's mark), then the DeleteItem.
    expect(kindsSent('sync', ['dynamodb:UpdateItem'])).toContain('user');
    expect(kindsSent('logon', WRITES)).toEqual(['logon']);
    expect(kindsSent('start', WRITES)).toEqual(['lock', 'preview', 'run']);
    expect(kindsSent('test-settings', WRITES)).toEqual(['preview']);
    expect(kindsSent('config', WRITES)).toEqual(['config']);
    for (const name of ['runs', 'directory', 'openapi'] as const) {
      expect(kindsSent(name, WRITES), name).toEqual([]);
    }
  });

  it('grant the start, runs and logon functions the reads of exactly the item kinds they read', () => {
    for (const name of ['start', 'runs', 'logon'] as const) {
      for (const action of ['dynamodb:GetItem', 'dynamodb:Query']) {
        expect(kindsSent(name, [action]), `${name} ${action}`).toEqual(kindsGranted(name, [action]));
      }
    }
    // A local user's hash: in the credentials table, by key; for a user created before that table existed,
    // in the one table (the earlier signer's).
    expect(kindsSent('logon', ['dynamodb:GetItem'], 'credentials')).toEqual(['password']);
    expect(kindsGranted('logon', ['dynamodb:GetItem'], 'credentials')).toEqual(['password']);
  });

  it('let the start function invoke exactly the workers it handed operations to', () => {
    expect([...handedTo].sort()).toEqual(['sync', 'test-settings']);
    const invokable = policies
      .statementsOf('start')
      .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes('lambda:InvokeFunction'))
      .flatMap((s) => [s.Resource].flat() as { 'Fn::GetAtt': [string, string] }[])
      .map((resource) => resource['Fn::GetAtt']);
    expect(
      invokable.map(([id, attribute]) => `${id.replace(/[0-9A-F]{8}$/, '')}.${attribute}`).sort(),
    ).toEqual([...handedTo].map((name) => `${functionIdPrefix(name)}.Arn`).sort());
  });
});
