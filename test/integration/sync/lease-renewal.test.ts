/**
 * A run longer than its lock's lease keeps the lock: the lease is renewed while the run goes on, so the next
 * sync (the schedule, an API call) cannot start beside it (docs/security.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncRunningError } from '../../../shared/errors';
import type { DirectoryReader, DirectorySession } from '../../../shared/ports/directory-reader';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { createSyncHarness, fixtureConfig, type SyncHarness } from '../../support/sync-harness';

const LEASE_SECONDS = 1;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The real reader, with a directory read that starts only after `ms`: a run that outlives its lease. */
function slowReader(reader: DirectoryReader, ms: number): DirectoryReader {
  return {
    resolveServers: (connection) => reader.resolveServers(connection),
    async connect(servers, connection) {
      const session = await reader.connect(servers, connection);
      const slow: DirectorySession = Object.create(session);
      return Object.assign(slow, {
        async *userPages(baseDn: string, changedSinceUsn?: number) {
          await sleep(ms);
          yield* session.userPages(baseDn, changedSinceUsn);
        },
      });
    },
  };
}

let harness: SyncHarness;
beforeAll(async () => {
  harness = await createSyncHarness();
});
afterAll(() => harness.close());

describe('the sync lock', () => {
  it('is renewed while a run outlives its lease, so a second sync gets SyncRunning', async () => {
    const deps = harness.exclusive({ leaseSeconds: LEASE_SECONDS });
    await deps.configs.saveConfig(fixtureConfig());
    const long = synchronizeNow({ ...deps, directory: slowReader(deps.directory, 4_000) });
    // Well past the lease (expiry is checked to the second): without renewal the lock would be free.
    await sleep((LEASE_SECONDS + 2) * 1000);
    await expect(synchronizeNow(deps)).rejects.toBeInstanceOf(SyncRunningError);
    expect((await long).status).toBe('succeeded');
    // Released at the end.
    expect(await harness.lock.acquire('after', 60)).toBe(true);
  });
});
