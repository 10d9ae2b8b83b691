/**
 * Least privilege, checked against what the code really sends. Every DynamoDB request each function makes
 * is recorded at the wire (a proxy in front of DynamoDB Local) while the functions do all they do: save
 * and read the configuration, browse the directory, test settings, sync with a handoff to a follow-up
 * invocation, rename and delete users with archive folders, run on the schedule, manage local users, list
 * runs. Each request must be allowed by that function's role in the synthesized CDK template, and the item
 * kinds the sync and the users function write must be exactly those their roles grant.
 */
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { lambdaContext } from '../../../local/local-stack';
import { handoffKey, type ItemKind, userKey } from '../../../shared/adapters/dynamodb/keys';
import type { FunctionName } from '../../../shared/api/routes';
import type { Report } from '../../../shared/domain/report';
import type { User } from '../../../shared/domain/user';
import { HANDOFF_RESERVE_MS } from '../../../shared/use-cases/run-sync';
import { apiEvent, type JsonResponse, parseResponse } from '../../support/api-events';
import { dynamoDbClient } from '../../support/clients';
import { type DynamoDbRecorder, startDynamoDbRecorder } from '../../support/dynamodb-recorder';
import { authorizationsOf, kindOfKey, StackPolicies, synthStack } from '../../support/iam-policy';
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
    const config = fixtureConfig({
      options: { deleteUsers: true },
      schedule: { enabled: true, intervalMinutes: 60 },
    });
    ok(await call('config', 'PUT', '/config', { body: { config, password: servicePassword() } }));
    ok(await call('config', 'GET', '/config'));
    ok(await call('directory', 'GET', '/directory/base-dns'));
    ok(await call('directory', 'GET', '/directory/groups', { query: { search: 'Sales' } }));
  });

  it('syncs past its deadline: a handoff, and the follow-up invocation the stream starts', async () => {
    const nearDeadline = lambdaContext('sync', HANDOFF_RESERVE_MS - 1_000);
    const first = parseResponse(await invoke('sync', apiEvent('POST', '/sync', { body: {} }), nearDeadline));
    const running = ok(first).body as Report;
    expect(running.status).toBe('running');
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: loaded.tableName,
        Key: marshall(handoffKey({ runId: running.runId, invocation: 2 })),
        ConsistentRead: true,
      }),
    );
    expect(Item).toBeDefined();
    const insert: DynamoDBStreamEvent = {
      Records: [{ eventName: 'INSERT', dynamodb: { NewImage: Item as never, StreamViewType: 'NEW_IMAGE' } }],
    };
    const [outcome] = (await invoke('sync', insert)) as { outcome: string }[];
    expect(outcome?.outcome).toBe('ran');
    expect(unmarshall(Item ?? {})).toMatchObject({ runId: running.runId });
  });

  it('tests the settings against the users now in the database', async () => {
    const tested = ok(await call('test-settings', 'POST', '/test-settings', { body: {} }));
    expect(tested.body.status).toBe('succeeded');
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

    const report = ok(parseResponse(await invoke('sync', apiEvent('POST', '/sync', { body: {} }))))
      .body as Report;
    expect(report).toMatchObject({ status: 'succeeded', counts: { updated: 1, deleted: 2 } });
    expect(await store.getArchiveFolder('bob')).toMatchObject({ messageCount: 3 });
    expect(await store.getArchiveFolder('gone.with.mail')).toMatchObject({
      ownerDeletedAt: expect.any(String),
    });
    expect(await store.getArchiveFolder('gone.empty')).toBeUndefined();
  });

  it('runs on the schedule', async () => {
    const result = (await invoke('sync', {
      source: 'ad-sync.schedule',
      scheduledAt: '2026-11-24T02:00:00.000Z',
    })) as { outcome: string };
    expect(result.outcome).toBe('ran');
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

describe('the roles of the CDK stack', () => {
  it('allow every DynamoDB request each function made', () => {
    const denied = recorder.requests.flatMap(({ label, operation, input }) =>
      authorizationsOf(operation, input)
        .filter((authorization) => !policies.allows(label as FunctionName, authorization))
        .map(({ action, resource, leadingKeys }) => `${label}: ${action} on ${resource} [${leadingKeys}]`),
    );
    expect([...new Set(denied)]).toEqual([]);
  });

  it('grant the sync and the users function the writes of exactly the item kinds they write', () => {
    const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
    const written = (name: FunctionName): ItemKind[] => {
      const kinds = recorder.requests
        .filter((request) => request.label === name)
        .flatMap(({ operation, input }) => authorizationsOf(operation, input))
        .filter(({ action }) => WRITES.includes(action))
        .flatMap(({ leadingKeys }) => leadingKeys.map(kindOfKey));
      return [...new Set(kinds)].filter((kind) => kind !== undefined).sort();
    };
    const granted = (name: FunctionName): ItemKind[] =>
      [...new Set(WRITES.flatMap((action) => policies.kindsAllowed(name, action)))].sort();
    expect(written('sync')).toEqual(granted('sync'));
    expect(written('users')).toEqual(granted('users'));
    expect(written('config')).toEqual(['config']);
    for (const name of ['test-settings', 'runs', 'directory', 'openapi'] as const) {
      expect(written(name), name).toEqual([]);
    }
  });
});
