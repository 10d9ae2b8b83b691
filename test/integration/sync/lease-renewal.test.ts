/**
 * A run longer than its lock's lease keeps the lock: the lease is renewed while the run goes on, so the next
 * sync (the schedule, an API call) cannot start beside it (docs/security.md). On virtual time: the run, its
 * lock's lease (in DynamoDB Local) and the renewals read one TestClock, which the test moves on, so seconds
 * past the lease take no real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncRunningError } from '../../../shared/errors';
import type { DirectoryReader, DirectorySession } from '../../../shared/ports/directory-reader';
import type { RunLock } from '../../../shared/ports/run-lock';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { createSyncHarness, fixtureConfig, type SyncHarness } from '../../support/sync-harness';
import { TestClock } from '../../support/test-clock';

const LEASE_SECONDS = 3;
/** The lease is renewed every third of it. */
const RENEWAL_MS = (LEASE_SECONDS * 1000) / 3;

/** The real reader, with a directory read that starts only after `ms` on `clock`: a run that outlives its lease. */
function slowReader(reader: DirectoryReader, clock: TestClock, ms: number): DirectoryReader {
  return {
    resolveServers: (connection) => reader.resolveServers(connection),
    async connect(servers, connection) {
      const session = await reader.connect(servers, connection);
      const slow: DirectorySession = Object.create(session);
      return Object.assign(slow, {
        async *userPages(baseDn: string, changedSinceUsn?: number) {
          await clock.sleep(ms);
          yield* session.userPages(baseDn, changedSinceUsn);
        },
      });
    },
  };
}

/** The lock, noting when (on `clock`, from its start) each owner asked for it. */
function notedLock(lock: RunLock, clock: TestClock): { lock: RunLock; asked: Map<string, number[]> } {
  const start = clock.nowMs;
  const asked = new Map<string, number[]>();
  const noted: RunLock = Object.create(lock);
  noted.acquire = (owner, leaseSeconds) => {
    asked.set(owner, [...(asked.get(owner) ?? []), clock.nowMs - start]);
    return lock.acquire(owner, leaseSeconds);
  };
  return { lock: noted, asked };
}

let harness: SyncHarness;
beforeAll(async () => {
  harness = await createSyncHarness();
});
afterAll(() => harness.close());

describe('the sync lock', () => {
  it('is renewed every third of the lease while a run outlives it, so a second sync gets SyncRunning', async () => {
    const clock = new TestClock();
    const exclusive = harness.exclusive({ leaseSeconds: LEASE_SECONDS, clock });
    const { lock, asked } = notedLock(exclusive.lock, clock);
    const deps = { ...exclusive, lock, clock };
    await deps.configs.saveConfig(fixtureConfig());
    const long = synchronizeNow({ ...deps, directory: slowReader(deps.directory, clock, 7_000) });
    // The renewals and the slow read wait on the clock; the time moves a renewal at a time, each landed in
    // DynamoDB before the next.
    await clock.sleeping(2);
    for (let step = 0; step < ((LEASE_SECONDS + 2) * 1000) / RENEWAL_MS; step += 1) {
      await clock.advance(RENEWAL_MS);
      await clock.sleeping(2);
    }
    // Well past the lease (expiry is checked to the second): without renewal the lock would be free.
    await expect(synchronizeNow(deps)).rejects.toBeInstanceOf(SyncRunningError);
    // The run's claim, then a renewal a second; the second sync asked once, and was refused.
    expect([...asked.values()]).toEqual([[0, 1_000, 2_000, 3_000, 4_000, 5_000], [5_000]]);

    // The read goes on at 7 s, and the run ends; the lock is released at the end.
    await clock.advance(2_000);
    expect((await long).status).toBe('succeeded');
    expect(await harness.lock.holder()).toBeUndefined();
    expect(await harness.lock.acquire('after', 60)).toBe(true);
  });
});
