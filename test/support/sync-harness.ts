/**
 * Wiring for the sync integration tests: the real LdapDirectoryReader against the Samba DC, and the
 * DynamoDB stores on a table of the test's own in DynamoDB Local, with a count of the writes they send.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { countWrites } from '../../local/dynamodb-local';
import type { WallClock } from '../../shared/adapters/dynamodb/documents';
import { DynamoConfigStore } from '../../shared/adapters/dynamodb/dynamo-config-store';
import { DynamoRunCheckpoints } from '../../shared/adapters/dynamodb/dynamo-run-checkpoints';
import { DynamoRunHandoffs } from '../../shared/adapters/dynamodb/dynamo-run-handoffs';
import { DynamoRunLock } from '../../shared/adapters/dynamodb/dynamo-run-lock';
import { DynamoSyncCursorStore } from '../../shared/adapters/dynamodb/dynamo-sync-cursor-store';
import { ensureTable } from '../../shared/adapters/dynamodb/table';
import { LdapDirectoryReader } from '../../shared/adapters/ldap/ldap-directory-reader';
import { type Config, type ConfigInput, parseConfig } from '../../shared/config/config-schema';
import type { DirectoryReader, DirectorySession } from '../../shared/ports/directory-reader';
import type { SyncDependencies } from '../../shared/use-cases/run-dependencies';
import type { ExclusiveSyncDependencies } from '../../shared/use-cases/sync-lock';
import { dynamoDbClient } from './clients';
import { connectionSettings } from './samba-dc';
import { savedWithConfiguration } from './saved-password';
import { TestTableStore } from './table-store';

/** The run state of a table on a clock: the lock, the cursor, the checkpoint and the handoffs. */
export interface RunState {
  readonly lock: DynamoRunLock;
  readonly cursors: DynamoSyncCursorStore;
  readonly checkpoints: DynamoRunCheckpoints;
  readonly continuations: DynamoRunHandoffs;
}

export interface SyncHarness {
  readonly deps: SyncDependencies;
  /** The users and runs of this table (the sync's and the admin routes' stores, and test-only reads). */
  readonly store: TestTableStore;
  readonly configs: DynamoConfigStore;
  readonly lock: DynamoRunLock;
  readonly cursors: DynamoSyncCursorStore;
  /** The run state of this table, on the harness's client, with a clock. */
  settings(clock?: WallClock): RunState;
  /**
   * What Synchronize now needs besides: the saved configuration and the lock of this table, a secret store
   * holding `password` (the service account's by default), a lease of `leaseSeconds` (600).
   */
  exclusive(options?: {
    password?: string;
    leaseSeconds?: number;
    clock?: WallClock;
  }): ExclusiveSyncDependencies;
  readonly tableName: string;
  /** DynamoDB write requests sent so far that touched users or archive folders (run records excluded). */
  userWrites(): number;
  /** User and archive items written so far (each action of a transaction counts). */
  userItemWrites(): number;
  /** Does what the archive application does: stores messages in the user's archive folder (made on first use). */
  archiveMessages(userName: string, count: number): Promise<void>;
  close(): void;
}

/**
 * With `incremental`, runs keep a cursor and read only what changed (as the deployed service does); with
 * `stream`, the table has its stream (change events are made from it).
 */
export async function createSyncHarness(
  options: { incremental?: boolean; stream?: boolean } = {},
): Promise<SyncHarness> {
  const client = dynamoDbClient();
  const writes = countWrites(client);
  const tableName = `sync-${randomUUID()}`;
  await ensureTable(client, tableName, { stream: options.stream ?? false });
  const store = new TestTableStore(client, tableName);
  const configs = new DynamoConfigStore(client, tableName);
  const settings = (clock?: WallClock): RunState => {
    const checkpoints = new DynamoRunCheckpoints(client, tableName);
    return {
      lock: new DynamoRunLock(client, tableName, clock),
      cursors: new DynamoSyncCursorStore(client, tableName),
      checkpoints,
      continuations: new DynamoRunHandoffs(client, tableName, checkpoints, clock),
    };
  };
  const { lock, cursors } = settings();
  const deps: SyncDependencies = {
    directory: new LdapDirectoryReader(),
    users: store,
    runs: store,
    ...(options.incremental ? { cursors } : {}),
  };
  return {
    deps,
    configs,
    lock,
    cursors,
    settings,
    exclusive({ password = servicePassword(), leaseSeconds = 600, clock } = {}) {
      return {
        ...deps,
        configs: clock ? new DynamoConfigStore(client, tableName, clock) : configs,
        lock: clock ? new DynamoRunLock(client, tableName, clock) : lock,
        secrets: savedWithConfiguration(configs, password),
        leaseSeconds,
      };
    },
    store,
    tableName,
    userWrites: () => writes.userRequests,
    userItemWrites: () => writes.userItems,
    archiveMessages: (userName, count) => store.addArchivedMessages(userName, count),
    close: () => client.destroy(),
  };
}

/**
 * Registers the hooks that make a harness before the tests of the file (or of the describe block it is called
 * in) and close it after them, and answers it: usable from the first `beforeAll` of the caller on.
 */
export function useSyncHarness(options: Parameters<typeof createSyncHarness>[0] = {}): SyncHarness {
  let made: SyncHarness | undefined;
  beforeAll(async () => {
    made = await createSyncHarness(options);
  });
  afterAll(() => made?.close());
  return new Proxy({} as SyncHarness, {
    get(_target, property) {
      if (!made) throw new Error('the sync harness is made in beforeAll');
      return Reflect.get(made, property);
    },
  });
}

/** A configuration for the fixture DC: LDAPS to 127.0.0.1 with the test CA, bound as the service account. */
export function fixtureConfig(
  overrides: { connection?: Partial<ConfigInput['connection']> } & Omit<ConfigInput, 'connection'> = {},
): Config {
  const directory = inject('directory');
  const { connection, ...rest } = overrides;
  return parseConfig({
    ...rest,
    connection: { ...connectionSettings(directory), timeoutSeconds: 10, ...connection },
  });
}

export const servicePassword = (): string => inject('directory').serviceAccount.password;

/** `work` on a session of `reader` to the directory `config` names, bound as the service account; closed after. */
export async function withServiceSession<T>(
  reader: DirectoryReader,
  config: Config,
  work: (session: DirectorySession) => Promise<T>,
): Promise<T> {
  const session = await reader.connect(await reader.resolveServers(config.connection), config.connection);
  try {
    await session.bind(config.connection.username ?? '', servicePassword());
    return await work(session);
  } finally {
    await session.close();
  }
}
