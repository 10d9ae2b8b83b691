/**
 * Synchronize now and its continuations, with the in-memory fakes (test/support/in-memory.ts): the cases
 * that take many invocations or a stale lease, with exact counts, in milliseconds. The same use cases run
 * against the real Samba DC and DynamoDB Local in test/integration/sync/.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../../shared/domain/report';
import { SyncRunningError } from '../../../shared/errors';
import { continueRun } from '../../../shared/use-cases/continue-run';
import { startedReport } from '../../../shared/use-cases/operation-status';
import { HANDOFF_RESERVE_MS } from '../../../shared/use-cases/run-dependencies';
import { runScheduledSync } from '../../../shared/use-cases/scheduled-sync';
import type { ExclusiveSyncDependencies } from '../../../shared/use-cases/sync-lock';
import { testSettings } from '../../../shared/use-cases/sync-pipeline';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { reportCounts } from '../../support/builders';
import {
  directoryEntry,
  type InMemoryDirectory,
  type InMemorySettings,
  type InMemoryUserStore,
} from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { TestClock } from '../../support/test-clock';

let app: InMemoryApp;
let clock: TestClock;
let directory: InMemoryDirectory;
let store: InMemoryUserStore;
let settings: InMemorySettings;

/** The sync function as deployed: a deadline always near, so every apply batch hands off. */
const nearDeadline = (batch: number) =>
  app.deps({ continuations: settings, applyBatchSize: batch, remainingMs: () => HANDOFF_RESERVE_MS - 1 });

/** Runs the follow-up invocations a run asks for until it ends. */
async function untilEnded(dependencies: ExclusiveSyncDependencies, runId: string) {
  let invocation = 1;
  for (;;) {
    invocation += 1;
    const outcome = await continueRun(dependencies, { runId, invocation });
    if (outcome.outcome !== 'ran') throw new Error(`invocation ${invocation}: ${outcome.outcome}`);
    await clock.advance(1000);
    if (outcome.report.status !== 'running') return { report: outcome.report, invocations: invocation };
  }
}

const names = async () => (await store.listUsers()).map((u) => u.userName);
/** The search step's message: whether the run read everything, and why. */
const searchOf = (report: Report): string => report.steps.find((s) => s.name === 'search')?.message ?? '';
/** The report's changes as `action:userName`. */
const actionsOf = (report: Report): string[] => report.changes.map((c) => `${c.action}:${c.userName}`);

beforeEach(async () => {
  const { mail: _noMail, ...withoutMail } = directoryEntry(12);
  app = inMemoryApp({
    // Every reading moves the clock on a millisecond: runs started one after the other are ordered.
    clock: new TestClock(Date.parse('2026-11-25T12:00:00Z'), 1),
    entries: [
      ...Array.from({ length: 10 }, (_, i) => directoryEntry(i + 1)),
      directoryEntry(11, { userAccountControl: 514 }),
      withoutMail,
    ],
  });
  ({ clock, directory, store, settings } = app);
  await settings.saveConfig(inMemoryConfig({ options: { deleteUsers: true } }));
});

describe('synchronizeNow with the in-memory ports', () => {
  it('creates the users in scope and counts and lists the excluded ones with their reasons', async () => {
    const report = await synchronizeNow(app.deps());
    expect(report.status).toBe('succeeded');
    expect(report.counts).toEqual(
      reportCounts({ directoryUsers: 12, inScope: 10, excluded: 2, created: 10 }),
    );
    expect(report.excluded).toEqual([
      expect.objectContaining({ userName: 'user11', reasons: ['disabled'] }),
      expect.objectContaining({ userName: 'user12', reasons: ['noEmailAddress'] }),
    ]);
    expect(await names()).toHaveLength(10);
    expect(await store.getRun(report.runId)).toMatchObject({ status: 'succeeded', configVersion: 1 });
  });

  it('reads only what changed after a clean run, and counts the rest as unchanged', async () => {
    await synchronizeNow(app.deps());
    directory.put(directoryEntry(3, { displayName: 'Renamed Three' }));
    directory.remove(directoryEntry(4).objectGuid);
    const report = await synchronizeNow(app.deps());
    expect(searchOf(report)).toMatch(/1 users changed since USN/);
    expect(report.counts).toMatchObject({ directoryUsers: 1, updated: 1, deleted: 1, unchanged: 8 });
    expect(await names()).not.toContain('user4');
    expect(store.writes).toBe(12);
  });

  it('reads the group members every run, and lists the database only when they changed', async () => {
    const group = 'CN=Mail Users,OU=Groups,DC=company,DC=local';
    const guidOf = (i: number) => directoryEntry(i).objectGuid;
    directory.group(group, [1, 2, 3, 4].map(guidOf));
    await settings.saveConfig(
      inMemoryConfig({
        options: { deleteUsers: true, deletionThreshold: { maxPercent: 100 } },
        filters: { groups: [group] },
      }),
    );
    expect((await synchronizeNow(app.deps())).counts).toMatchObject({ created: 4, excluded: 8 });
    expect(directory.reads).toEqual(['members', 'dirSync']);

    // The members did not change: the users read are judged by them, the database is not listed, and
    // DirSync is reported as the full read found it.
    directory.reads.length = 0;
    const listings = store.listings;
    directory.put(
      directoryEntry(2, { displayName: 'Two Again' }),
      directoryEntry(5, { displayName: 'Five' }),
    );
    const quiet = await synchronizeNow(app.deps());
    expect(directory.reads).toEqual(['scope', 'members']);
    expect(store.listings).toBe(listings);
    expect(quiet.counts).toMatchObject({
      directoryUsers: 2,
      inScope: 1,
      excluded: 1,
      updated: 1,
      deleted: 0,
    });
    expect(searchOf(quiet)).toMatch(/members unchanged; DirSync is not offered/);

    // 3 left and 6 joined (neither user object changed): the database is listed, the leaver and joiner found.
    directory.group(group, [1, 2, 4, 6].map(guidOf));
    const moved = await synchronizeNow(app.deps());
    expect(store.listings).toBe(listings + 1);
    expect(searchOf(moved)).toMatch(/members changed/);
    expect(moved.counts).toMatchObject({ created: 1, deleted: 1 });
    expect((await names()).sort()).toEqual(['user1', 'user2', 'user4', 'user6']);

    // Unchanged again: no listing.
    await synchronizeNow(app.deps());
    expect(store.listings).toBe(listings + 1);
  });

  it('reads everything when the grace period changed, so that a shorter one ends the suspensions it should', async () => {
    await settings.saveConfig(inMemoryConfig({ options: { deleteUsers: true, deletionGraceDays: 7 } }));
    await synchronizeNow(app.deps());
    directory.put(directoryEntry(7, { userAccountControl: 514 }));
    expect((await synchronizeNow(app.deps())).counts).toMatchObject({ suspended: 1 });
    await settings.saveConfig(inMemoryConfig({ options: { deleteUsers: true, deletionGraceDays: 0 } }));
    const after = await synchronizeNow(app.deps());
    expect(searchOf(after)).toContain('full read: the settings changed');
    expect(actionsOf(after)).toEqual(['delete:user7']);
  });

  it('deletes a suspended user at the first run after its grace period, not at the next reconciliation', async () => {
    const DAY_MS = 24 * 60 * 60 * 1000;
    await settings.saveConfig(inMemoryConfig({ options: { deleteUsers: true, deletionGraceDays: 7 } }));
    // The reconciliation a year apart: only the grace periods make a run read everything.
    const yearly = app.deps({ fullReadEveryHours: 24 * 365 });
    await synchronizeNow(yearly);
    directory.put(directoryEntry(7, { userAccountControl: 514 }));
    const suspended = await synchronizeNow(yearly);
    expect(suspended.counts).toMatchObject({ suspended: 1 });
    expect(searchOf(suspended)).toMatch(/users changed since USN/);
    await clock.advance(3 * DAY_MS);
    directory.put(directoryEntry(8, { userAccountControl: 514 }));
    expect((await synchronizeNow(yearly)).counts).toMatchObject({ suspended: 1, deleted: 0 });

    await clock.advance(4 * DAY_MS - 1_000);
    const early = await synchronizeNow(yearly);
    expect(searchOf(early)).toMatch(/users changed since USN/);
    expect(early.counts).toMatchObject({ deleted: 0, suspended: 0 });

    await clock.advance(1_000);
    const due = await synchronizeNow(yearly);
    expect(searchOf(due)).toContain("full read: a suspended user's grace period has ended");
    expect(actionsOf(due)).toEqual(['delete:user7']);
    const next = await synchronizeNow(yearly);
    expect(searchOf(next)).toMatch(/users changed since USN/);

    await clock.advance(3 * DAY_MS);
    const second = await synchronizeNow(yearly);
    expect(searchOf(second)).toContain("full read: a suspended user's grace period has ended");
    expect(actionsOf(second)).toEqual(['delete:user8']);
    expect(searchOf(await synchronizeNow(yearly))).toMatch(/users changed since USN/);
  });

  it('adopts a name whose old holder the read never returned, once the whole read is known', async () => {
    await synchronizeNow(app.deps());
    // user5's account is recreated: a new objectGUID under the same name, read before its old one is missed.
    directory.remove(directoryEntry(5).objectGuid);
    directory.put(directoryEntry(99, { sAMAccountName: 'user5' }));
    await settings.clearCursor();
    const report = await synchronizeNow(app.deps());
    expect(report.changes).toContainEqual(
      expect.objectContaining({
        action: 'update',
        userName: 'user5',
        changedFields: expect.arrayContaining(['objectGuid']),
      }),
    );
    expect(report.counts).toMatchObject({ conflicts: 0, deleted: 0 });
    expect((await store.getUser('user5'))?.objectGuid).toBe(directoryEntry(99).objectGuid);
  });

  it('fails a cut-short read before writing anything, and deletes no one', async () => {
    await synchronizeNow(app.deps());
    const before = store.writes;
    await settings.clearCursor();
    directory.failAfterPages = 2;
    const report = await synchronizeNow(app.deps());
    expect(report).toMatchObject({ status: 'failed', error: { code: 'PartialRead' } });
    expect(store.writes).toBe(before);
    expect(await names()).toHaveLength(10);
  });

  it('gives a second sync SyncRunning while the first holds the lock, and the schedule a skipped run', async () => {
    expect(await settings.acquire('another-run', 60)).toBe(true);
    await expect(synchronizeNow(app.deps())).rejects.toBeInstanceOf(SyncRunningError);
    await settings.saveConfig(inMemoryConfig({ schedule: { enabled: true, intervalMinutes: 60 } }));
    const scheduled = await runScheduledSync(app.deps(), '2026-11-25T12:00:00Z');
    expect(scheduled).toMatchObject({ outcome: 'skipped', report: { status: 'skipped' } });
    expect(await runScheduledSync(app.deps(), '2026-11-25T12:00:00Z')).toEqual({ outcome: 'duplicate' });
  });
});

describe("a report's withheld changes", () => {
  /** The changes marked `withheld: true`, and the others, as `action:userName`. */
  const split = (report: Report) => ({
    withheld: report.changes
      .filter((c) => c.withheld === true)
      .map((c) => `${c.action}:${c.userName}`)
      .sort(),
    others: report.changes
      .filter((c) => !('withheld' in c))
      .map((c) => `${c.action}:${c.userName}`)
      .sort(),
  });
  const DAY_MS = 24 * 60 * 60 * 1000;
  const limited = (options: object = {}) =>
    settings.saveConfig(
      inMemoryConfig({
        options: { deleteUsers: true, deletionThreshold: { maxCount: 2, maxPercent: 100 }, ...options },
      }),
    );

  it("marks exactly the deletes the threshold held back; the creates beside them and an approved run's deletes are not", async () => {
    await limited();
    await synchronizeNow(app.deps());
    for (const n of [1, 2, 3]) directory.remove(directoryEntry(n).objectGuid);
    directory.put(directoryEntry(20));
    const stopped = await synchronizeNow(app.deps());
    expect(stopped).toMatchObject({ status: 'deletionThresholdExceeded', deletesWithheld: 3 });
    // Why, as data: the limit and its numbers (the population: the directory users before the run).
    expect(stopped.deletesWithheldBecause).toEqual({
      reason: 'threshold',
      exceeded: 'maxCount',
      deletes: 3,
      directoryUsers: expect.any(Number),
      maxCount: 2,
      maxPercent: 100,
    });
    expect(split(stopped)).toEqual({
      withheld: ['delete:user1', 'delete:user2', 'delete:user3'],
      others: ['create:user20'],
    });
    // The reason still says it in words; clients decide on the mark.
    expect(stopped.changes.filter((c) => c.withheld).every((c) => c.reason?.includes('; withheld: '))).toBe(
      true,
    );

    const stored = await settings.getConfig();
    if (!stored) throw new Error('no config');
    const preview = await testSettings(app.deps(), { config: stored.config, password: directory.password });
    expect(split(preview).withheld).toEqual(['delete:user1', 'delete:user2', 'delete:user3']);

    const approved = await synchronizeNow(app.deps(), { allowMassDeletion: true });
    expect(approved.status).toBe('succeeded');
    expect(split(approved)).toEqual({
      withheld: [],
      others: ['delete:user1', 'delete:user2', 'delete:user3'],
    });
  });

  it('lists the deletes a Test Settings would apply without the mark', async () => {
    await synchronizeNow(app.deps());
    directory.remove(directoryEntry(4).objectGuid);
    const stored = await settings.getConfig();
    if (!stored) throw new Error('no config');
    const preview = await testSettings(app.deps(), { config: stored.config, password: directory.password });
    expect(preview.status).toBe('succeeded');
    expect(split(preview)).toEqual({ withheld: [], others: ['delete:user4'] });
  });

  it('marks held-back suspensions under a grace period, and suspensions and deletes held back together', async () => {
    await limited({ deletionGraceDays: 7 });
    await synchronizeNow(app.deps());
    for (const n of [1, 2, 3]) directory.remove(directoryEntry(n).objectGuid);
    const stopped = await synchronizeNow(app.deps());
    expect(stopped.status).toBe('deletionThresholdExceeded');
    expect(split(stopped)).toEqual({
      withheld: ['suspend:user1', 'suspend:user2', 'suspend:user3'],
      others: [],
    });
    expect(await synchronizeNow(app.deps(), { allowMassDeletion: true })).toMatchObject({
      status: 'succeeded',
      counts: { suspended: 3 },
    });

    // A week later the three are due for deleting, and a fourth leaves: held back together.
    await clock.advance(8 * DAY_MS);
    directory.remove(directoryEntry(4).objectGuid);
    const both = await synchronizeNow(app.deps());
    expect(both.status).toBe('deletionThresholdExceeded');
    expect(split(both)).toEqual({
      withheld: ['delete:user1', 'delete:user2', 'delete:user3', 'suspend:user4'],
      others: [],
    });
  });
});

describe('the lock of a run that has recorded its end', () => {
  it('is waited for while that run releases it: a sync started as soon as the last one is seen ended runs', async () => {
    const last = await synchronizeNow(app.deps());
    expect(last.status).toBe('succeeded');
    // The run's record says it ended; its release has not landed yet.
    expect(await settings.acquire(last.runId, 60)).toBe(true);
    let releasedAt: number | undefined;
    void clock.sleep(150).then(async () => {
      await settings.release(last.runId);
      releasedAt = clock.nowMs;
    });
    const next = await clock.runUntil(synchronizeNow(app.deps()));
    expect(releasedAt).toBeDefined();
    expect(next.status).toBe('succeeded');
    expect(next.runId).not.toBe(last.runId);
  });

  it('is refused with SyncRunning naming the run when it is not released within a moment, and at once when that run is still running', async () => {
    const last = await synchronizeNow(app.deps());
    expect(await settings.acquire(last.runId, 60)).toBe(true);
    let refused: unknown;
    const stuck = synchronizeNow(app.deps()).catch((error: unknown) => {
      refused = error;
    });
    // Still asking for the lock well into the moment it waits (2 s on the clock)...
    await clock.advance(1_900);
    expect(refused).toBeUndefined();
    // ...and refused once it has passed.
    await clock.advance(200);
    await stuck;
    expect(refused).toBeInstanceOf(SyncRunningError);
    expect((refused as SyncRunningError).message).toContain(last.runId);
    await settings.release(last.runId);

    await store.recordRun({ ...last, runId: 'still-running', status: 'running' });
    expect(await settings.acquire('still-running', 60)).toBe(true);
    // Refused without the clock moving: no wait for a run that is still running.
    await expect(synchronizeNow(app.deps())).rejects.toBeInstanceOf(SyncRunningError);
  });
});

describe('a run continued over many invocations', () => {
  it('ends as an uninterrupted run would, with every write made once and the counts of the whole run', async () => {
    const first = await synchronizeNow(nearDeadline(3));
    expect(first).toMatchObject({ status: 'running', counts: { created: 3 } });
    expect(settings.handoffs).toEqual([first.runId]);
    // The lock is held between invocations.
    await expect(synchronizeNow(app.deps())).rejects.toBeInstanceOf(SyncRunningError);
    // A duplicated handoff does nothing.
    const { report, invocations } = await untilEnded(nearDeadline(3), first.runId);
    expect(invocations).toBe(4);
    expect(report.status).toBe('succeeded');
    expect(report.counts).toMatchObject({ inScope: 10, created: 10, unchanged: 0, conflicts: 0 });
    expect(report.changes.filter((c) => c.action === 'create')).toHaveLength(10);
    expect(store.writes).toBe(10);
    expect(await continueRun(nearDeadline(3), { runId: first.runId, invocation: 2 })).toEqual({
      outcome: 'stale',
    });
  });

  it("counts the deletes of earlier invocations against the threshold, and keeps the first one's decision", async () => {
    await synchronizeNow(app.deps());
    await settings.saveConfig(
      inMemoryConfig({ options: { deleteUsers: true, deletionThreshold: { maxCount: 4, maxPercent: 100 } } }),
    );
    for (const n of [1, 2, 3, 4, 5]) directory.remove(directoryEntry(n).objectGuid);
    await settings.clearCursor();
    const first = await synchronizeNow(nearDeadline(2));
    const { report } =
      first.status === 'running' ? await untilEnded(nearDeadline(2), first.runId) : { report: first };
    expect(report).toMatchObject({
      status: 'deletionThresholdExceeded',
      deletesWithheld: 5,
      counts: { deleted: 0 },
    });
    expect(await names()).toHaveLength(10);

    const approved = await synchronizeNow(nearDeadline(2), {
      allowMassDeletion: { runId: report.runId, deletes: 5 },
    });
    expect(approved).toMatchObject({ status: 'running', counts: { deleted: 2 } });
    const { report: done } = await untilEnded(nearDeadline(2), approved.runId);
    expect(done).toMatchObject({ status: 'succeeded', counts: { deleted: 5 } });
    expect(await names()).toHaveLength(5);
  });

  it('suspends each user once over many invocations, counts the suspensions of the whole run, and restores', async () => {
    await synchronizeNow(app.deps());
    const graced = {
      deleteUsers: true,
      deletionGraceDays: 7,
      deletionThreshold: { maxCount: 10, maxPercent: 100 },
    };
    await settings.saveConfig(inMemoryConfig({ options: graced }));
    for (const n of [1, 2, 3, 4, 5]) directory.remove(directoryEntry(n).objectGuid);
    await settings.clearCursor();
    const first = await synchronizeNow(nearDeadline(2));
    expect(first).toMatchObject({ status: 'running', counts: { suspended: 2 } });
    const { report } = await untilEnded(nearDeadline(2), first.runId);
    expect(report).toMatchObject({ status: 'succeeded', counts: { suspended: 5, deleted: 0 } });
    expect(report.changes.filter((c) => c.action === 'suspend')).toHaveLength(5);
    const suspended = (await store.listUsers()).filter((u) => u.suspendedAt);
    expect(suspended.map((u) => u.userName).sort()).toEqual(['user1', 'user2', 'user3', 'user4', 'user5']);

    // Three come back: restored over invocations too, each once; the other two still wait.
    directory.put(directoryEntry(1), directoryEntry(2), directoryEntry(3));
    await settings.clearCursor();
    const back = await synchronizeNow(nearDeadline(2));
    const { report: restored } =
      back.status === 'running' ? await untilEnded(nearDeadline(2), back.runId) : { report: back };
    expect(restored).toMatchObject({
      status: 'succeeded',
      counts: { restored: 3, suspended: 0, deleted: 0 },
    });
    expect((await store.listUsers()).filter((u) => u.suspendedAt)).toHaveLength(2);
  });

  it('closes a run whose follow-up never came once its lease expired, and starts over', async () => {
    const first = await synchronizeNow(nearDeadline(4));
    expect(first.status).toBe('running');
    // The handoff is lost: nothing continues the run. Before the lease expires, the lock holds.
    await expect(synchronizeNow(app.deps())).rejects.toBeInstanceOf(SyncRunningError);
    await clock.advance(61_000);
    const next = await synchronizeNow(app.deps());
    expect(next.status).toBe('succeeded');
    expect(next.counts).toMatchObject({ created: 6, unchanged: 4 });
    expect(await store.getRun(first.runId)).toMatchObject({
      status: 'failed',
      error: { code: 'Interrupted', message: expect.stringContaining(next.runId) },
    });
    expect(settings.checkpoint).toBeUndefined();
  });

  it('closes a run whose invocation died before its first checkpoint once its lease expired: its record fails', async () => {
    // What a run leaves when its process is killed before any write batch: its lock and a running record.
    expect(await settings.acquire('dead-run', 60)).toBe(true);
    await store.recordRun(
      startedReport('dead-run', clock.now(), { dryRun: false, trigger: 'api', configVersion: 1 }),
    );
    await expect(synchronizeNow(app.deps())).rejects.toBeInstanceOf(SyncRunningError);
    expect(await store.getRun('dead-run')).toMatchObject({ status: 'running' });
    await clock.advance(61_000);
    const next = await synchronizeNow(app.deps());
    expect(next.status).toBe('succeeded');
    expect(await store.getRun('dead-run')).toMatchObject({
      status: 'failed',
      error: { code: 'Interrupted', message: expect.stringContaining(`run ${next.runId} took over`) },
    });
    // The run that took over is not closed by the next one.
    expect(await store.getRun(next.runId)).toMatchObject({ status: 'succeeded' });
  });
});

describe('Test Settings with the in-memory ports', () => {
  it('plans the whole run and commits nothing: no user, no run record, no cursor', async () => {
    const stored = await settings.getConfig();
    if (!stored) throw new Error('no config');
    const report = await testSettings(app.deps(), { config: stored.config, password: directory.password });
    expect(report).toMatchObject({ dryRun: true, status: 'succeeded', counts: { created: 10 } });
    expect(report.changes).toHaveLength(10);
    expect(store.users.size).toBe(0);
    expect(store.runs.size).toBe(0);
    expect(settings.cursor).toBeUndefined();
  });
});
