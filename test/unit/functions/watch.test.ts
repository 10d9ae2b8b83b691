/**
 * The watcher function (functions/watch.ts) as Lambda runs it, its AWS calls answered by aws-sdk-client-mock:
 * the configuration and the watch's state in the table, the password in Secrets Manager, the asynchronous
 * invocation of the sync function. The directory is the in-memory one (the LDAP reader's stand-in) and time is
 * the test clock (the system clock's stand-in): the watch held for eleven minutes takes no real time.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { configKey, watchKey } from '../../../shared/adapters/dynamodb/keys';
import type { WatchStatus } from '../../../shared/domain/change-watch';
import { connectionTarget } from '../../../shared/domain/password-binding';
import { systemClock } from '../../../shared/use-cases/system-clock';
import { directoryEntry, type InMemoryDirectory } from '../../support/in-memory';
import { inMemoryConfig } from '../../support/in-memory-app';
import type { TestClock } from '../../support/test-clock';

vi.mock('../../../shared/use-cases/system-clock', async () => {
  const { TestClock } = await import('../../support/test-clock');
  return { systemClock: new TestClock() };
});
vi.mock('../../../shared/adapters/ldap/ldap-directory-reader', async () => {
  const { InMemoryDirectory } = await import('../../support/in-memory');
  const { systemClock: clock } = await import('../../../shared/use-cases/system-clock');
  const directory = new InMemoryDirectory();
  directory.clock = clock;
  // Every `new LdapDirectoryReader()` is this one directory, so the test can notify its changes.
  return {
    LdapDirectoryReader: vi.fn(function reader() {
      return directory;
    }),
  };
});

const clock = systemClock as TestClock;
const documents = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);
const lambda = mockClient(LambdaClient);
const SYNC_FUNCTION = 'ad-sync-sync';
const STAFF = 'CN=Alice,OU=Staff,DC=company,DC=local';

let handler: (event: unknown, context: Context) => Promise<{ heldMs: number }>;
let directory: InMemoryDirectory;

/** A Lambda context with `remainingMs` left on the test clock. */
const contextWith = (remainingMs: number): Context => {
  const deadline = clock.nowMs + remainingMs;
  return {
    functionName: 'ad-sync-watch',
    awsRequestId: 'request-1',
    getRemainingTimeInMillis: () => deadline - clock.nowMs,
  } as Partial<Context> as Context;
};

/** The table holds this configuration (none: nothing saved) and this watch state (none: never kept). */
function tableHolds(changeNotifications: boolean | undefined, watch?: WatchStatus): void {
  const config = inMemoryConfig({ schedule: { changeNotifications: changeNotifications ?? false } });
  documents
    .on(GetCommand, { Key: configKey })
    .resolves(
      changeNotifications === undefined
        ? {}
        : { Item: { ...configKey, config, version: 3, savedAt: '2026-11-25T11:00:00.000Z' } },
    );
  documents.on(GetCommand, { Key: watchKey }).resolves(watch ? { Item: { ...watchKey, ...watch } } : {});
  const saved = {
    password: directory.password,
    target: connectionTarget(config.connection),
    configVersion: 3,
  };
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(saved) });
}

const keptStates = () =>
  documents
    .commandCalls(PutCommand)
    .map((call) => call.args[0].input.Item)
    .filter((item) => item?.pk === watchKey.pk && item?.sk === watchKey.sk)
    .map((item) => item?.state);

/** Invokes the watcher, and moves the test clock on until it returns. */
const invoke = (remainingMs: number) =>
  clock.runUntil(handler({ source: 'ad-sync.watch' }, contextWith(remainingMs)), 1_000);

beforeAll(async () => {
  Object.assign(process.env, {
    TABLE_NAME: 'ad-sync-table',
    SECRET_ID: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:ad-sync-AbCdEf',
    SYNC_FUNCTION_NAME: SYNC_FUNCTION,
    TEST_SETTINGS_FUNCTION_NAME: 'ad-sync-test-settings',
    AWS_REGION: 'eu-central-1',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });
  ({ handler } = await import('../../../functions/watch'));
  // Its lines are the watch's own (tested in watch-changes.test.ts): kept out of the test output.
  (await import('../../../shared/runtime/logger')).logger.setLogLevel('SILENT');
  const { LdapDirectoryReader } = await import('../../../shared/adapters/ldap/ldap-directory-reader');
  directory = new LdapDirectoryReader() as unknown as InMemoryDirectory;
  directory.put(directoryEntry(1));
});

beforeEach(() => {
  for (const mock of [documents, secrets, lambda]) mock.reset();
  // Anything else the table is asked (the lock, the run's record) succeeds.
  documents.onAnyCommand().resolves({});
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

afterEach(() => {
  directory.dropWatches();
});

describe('the watcher function', () => {
  it('ends at once with changeNotifications off (or nothing saved), keeping the state off', async () => {
    tableHolds(false);
    expect(await invoke(15 * 60_000)).toEqual({ heldMs: 0 });
    expect(keptStates()).toEqual(['off']);
    tableHolds(undefined);
    expect(await invoke(15 * 60_000)).toEqual({ heldMs: 0 });
    expect(directory.watches.size).toBe(0);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('takes over from a live watch, invokes the sync function for a change, and holds for its 11 minutes', async () => {
    const live = {
      state: 'watching' as const,
      since: '2026-11-25T11:50:00.000Z',
      checkedAt: new Date(clock.nowMs - 5_000).toISOString(),
    };
    tableHolds(true, live);
    const held = handler({ source: 'ad-sync.watch' }, contextWith(15 * 60_000));
    await clock.advance(2_000);
    expect(directory.watches.size).toBe(1);
    // The previous watcher watched until now: no catch-up run.
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    directory.notify(STAFF);
    await clock.advance(2_000);
    const invocations = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input);
    expect(invocations).toEqual([
      expect.objectContaining({ FunctionName: SYNC_FUNCTION, InvocationType: 'Event' }),
    ]);
    expect(JSON.parse(Buffer.from(invocations[0]?.Payload as Uint8Array).toString())).toMatchObject({
      trigger: 'notification',
      configVersion: 3,
    });
    // WATCH_HOLD_SECONDS (660 s by default) from the start, then the search is closed.
    expect(await clock.runUntil(held, 1_000)).toEqual({ heldMs: 660_000 });
    expect(directory.watches.size).toBe(0);
    expect(keptStates()).toContain('watching');
  });

  it('lets go 30 s before its timeout when that comes before its hold', async () => {
    tableHolds(true);
    // Five minutes left: held 4.5 minutes. The previous watch was never kept: a catch-up run first.
    expect(await invoke(5 * 60_000)).toEqual({ heldMs: 270_000 });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(directory.watches.size).toBe(0);
  });
});
