/**
 * Wiring for the sync integration tests: the real LdapDirectoryReader against the Samba DC, and a
 * DynamoUserStore on a table of the test's own in DynamoDB Local, with a count of the writes it sends.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { countWrites } from '../../local/dynamodb-local';
import { DynamoSettingsStore } from '../../shared/adapters/dynamodb/dynamo-settings-store';
import { DynamoUserStore } from '../../shared/adapters/dynamodb/dynamo-user-store';
import { ensureTable } from '../../shared/adapters/dynamodb/table';
import { LdapDirectoryReader } from '../../shared/adapters/ldap/ldap-directory-reader';
import { type Config, type ConfigInput, parseConfig } from '../../shared/config/config-schema';
import type { SyncDependencies } from '../../shared/use-cases/run-dependencies';
import type { ExclusiveSyncDependencies } from '../../shared/use-cases/run-exclusively';
import { dynamoDbClient } from './clients';
import { connectionSettings } from './samba-dc';
import { savedWithConfiguration } from './saved-password';

export interface SyncHarness {
  readonly deps: SyncDependencies;
  readonly store: DynamoUserStore;
  readonly cursors: DynamoSettingsStore;
  /** The settings store (lock, cursor, checkpoint) of this table, on the harness's client, with a clock. */
  settings(clock?: () => Date): DynamoSettingsStore;
  /**
   * What Synchronize now needs besides: the saved configuration and the lock of this table, a secret store
   * holding `password` (the service account's by default), a lease of `leaseSeconds` (600).
   */
  exclusive(options?: {
    password?: string;
    leaseSeconds?: number;
    clock?: () => Date;
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

/** With `incremental`, runs keep a cursor and read only what changed (as the deployed service does). */
export async function createSyncHarness(options: { incremental?: boolean } = {}): Promise<SyncHarness> {
  const client = dynamoDbClient();
  const writes = countWrites(client);
  const tableName = `sync-${randomUUID()}`;
  await ensureTable(client, tableName);
  const store = new DynamoUserStore(client, tableName);
  const cursors = new DynamoSettingsStore(client, tableName);
  const deps: SyncDependencies = {
    directory: new LdapDirectoryReader(),
    users: store,
    runs: store,
    ...(options.incremental ? { cursors } : {}),
  };
  return {
    deps,
    cursors,
    settings: (clock) => new DynamoSettingsStore(client, tableName, clock),
    exclusive({ password = servicePassword(), leaseSeconds = 600, clock } = {}) {
      const settings = clock ? new DynamoSettingsStore(client, tableName, clock) : cursors;
      return {
        ...deps,
        configs: settings,
        lock: settings,
        secrets: savedWithConfiguration(settings, password),
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
