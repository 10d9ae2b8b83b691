/**
 * Crash consistency: a sync process killed with SIGKILL in the middle of its apply phase. The lease lock
 * it held expires on its own; the next run completes, and the end state is a clean run's: every user in
 * scope once, no duplicates, nothing lost.
 */
import { spawn } from 'node:child_process';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kindIndex } from '../../../shared/adapters/dynamodb/keys';
import { SyncRunningError } from '../../../shared/errors';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { dynamoDbClient } from '../../support/clients';
import { expectedSync } from '../../support/expected-sync';
import { FixtureDirectory } from '../../support/fixture-directory';
import {
  createSyncHarness,
  fixtureConfig,
  type SyncHarness,
  servicePassword,
} from '../../support/sync-harness';

const LEASE_SECONDS = 3;
const CHILD = new URL('../../support/sync-child.ts', import.meta.url).pathname;
let harness: SyncHarness;
const dynamodb = dynamoDbClient();

beforeAll(async () => {
  harness = await createSyncHarness();
  await harness.configs.saveConfig(fixtureConfig());
});
afterAll(() => {
  harness.close();
  dynamodb.destroy();
});

async function userCount(): Promise<number> {
  const { Count = 0 } = await dynamodb.send(
    new QueryCommand({
      TableName: harness.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :users',
      ExpressionAttributeValues: { ':users': { S: kindIndex.users } },
      Select: 'COUNT',
    }),
  );
  return Count;
}

describe('a sync killed during its apply phase', () => {
  it('leaves a state the next run completes, with no duplicates and nothing lost', async () => {
    const expected = expectedSync(new FixtureDirectory());
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        CHILD_ENDPOINT: inject('dynamodb').endpoint,
        CHILD_TABLE: harness.tableName,
        CHILD_PASSWORD: servicePassword(),
        CHILD_LEASE_SECONDS: String(LEASE_SECONDS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<string | null>((resolve) =>
      child.once('exit', (_, signal) => resolve(signal)),
    );

    // Kill it as soon as some, not all, users are written.
    let written = 0;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      written = await userCount();
      if (written > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const afterKill = await userCount();
    expect(afterKill).toBeGreaterThan(0);
    expect(afterKill).toBeLessThan(expected.inScope.length);

    // The dead run's lock is still held, until its lease expires.
    await expect(synchronizeNow(harness.exclusive())).rejects.toBeInstanceOf(SyncRunningError);
    // Once it has: the next run's lock reads a clock past the lease, rather than the test waiting for it.
    const afterLease = { now: () => new Date(Date.now() + (LEASE_SECONDS + 1) * 1000) };
    const next = await synchronizeNow(harness.exclusive({ clock: afterLease }));
    expect(next.status).toBe('succeeded');
    expect(next.counts.created + next.counts.unchanged).toBe(expected.inScope.length);
    expect(next.counts.conflicts).toBe(0);

    const users = await harness.store.listUsers();
    expect(users.map((u) => u.userName).sort()).toEqual(expected.inScope);
    expect(new Set(users.map((u) => u.objectGuid)).size).toBe(users.length);
    // The killed run left no run record; the completed one did.
    expect((await harness.store.listRuns(10)).map((r) => r.runId)).toEqual([next.runId]);
    expect(await harness.lock.acquire('after', 60)).toBe(true);
  });
});
