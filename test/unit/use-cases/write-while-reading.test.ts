/**
 * A sync writes its creates and updates while it reads the directory (apply-writes.ts, write-queue.ts), with
 * the in-memory fakes: the read waits for the writes, a read cut short deletes nothing and the next run goes
 * on from what was written, a name is taken only once the whole read has shown its holder gone, and a run
 * handed off before its read ended keeps the population of its start for the deletion threshold.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../../shared/domain/user';
import type { DirectoryReader, DirectorySession } from '../../../shared/ports/directory-reader';
import { continueRun } from '../../../shared/use-cases/continue-run';
import { HANDOFF_RESERVE_MS } from '../../../shared/use-cases/run-dependencies';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { directoryEntry } from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { TestClock } from '../../support/test-clock';

let app: InMemoryApp;

/** A directory user of the database that the directory no longer has. */
const gone = (n: number): User => ({
  userName: `gone${n}`,
  fullName: `Gone ${n}`,
  emailAddresses: [],
  authentication: 'directoryServices',
  distinguishedName: `CN=Gone ${n},OU=Staff,DC=company,DC=local`,
  objectGuid: `0badc0de-0000-4000-8000-${String(n).padStart(12, '0')}`,
  privileges: ['login'],
  ownArchiveAccess: ['read'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

/** Lets every pending promise callback run. */
const settle = async (times = 20) => {
  for (let i = 0; i < times; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** The in-memory directory, counting the pages of users its sessions have handed out. */
function countingPages(directory: DirectoryReader): { reader: DirectoryReader; pages: () => number } {
  let pages = 0;
  const counted = (session: DirectorySession): DirectorySession =>
    Object.assign(Object.create(session) as DirectorySession, {
      async *userPages(baseDn: string, since?: number) {
        for await (const page of session.userPages(baseDn, since)) {
          pages += 1;
          yield page;
        }
      },
    });
  const reader: DirectoryReader = {
    resolveServers: (connection) => directory.resolveServers(connection),
    connect: async (servers, connection) => counted(await directory.connect(servers, connection)),
  };
  return { reader, pages: () => pages };
}

beforeEach(async () => {
  app = inMemoryApp({
    clock: new TestClock(Date.parse('2026-11-25T12:00:00Z'), 1),
    entries: Array.from({ length: 40 }, (_, i) => directoryEntry(i + 1)),
  });
  const options = { deleteUsers: true, deletionThreshold: { maxCount: 100, maxPercent: 100 } };
  await app.settings.saveConfig(inMemoryConfig({ options }));
});

describe('a sync writing while it reads', () => {
  it('reads no further ahead of the writes than its queue holds', async () => {
    const { reader, pages } = countingPages(app.directory);
    const { store } = app;
    const apply = store.applyChanges.bind(store);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    store.applyChanges = async (changes, context) => {
      await gate;
      return apply(changes, context);
    };
    const running = synchronizeNow(app.deps({ directory: reader, applyBatchSize: 2 }));
    await settle();
    // 20 pages of 2. One batch being written, two waiting, one filling, the planner's page, one page ahead.
    expect(pages()).toBeGreaterThan(1);
    expect(pages()).toBeLessThanOrEqual(5);
    release();
    const report = await running;
    expect(report).toMatchObject({ status: 'succeeded', counts: { created: 40 } });
    expect(pages()).toBe(20);
    expect(report.steps.map((step) => step.name)).toEqual([
      ...['resolve', 'connect', 'bind', 'search', 'filter', 'plan', 'apply', 'record'],
    ]);
    expect(report.steps.find((step) => step.name === 'apply')?.readOverlapMs).toBeGreaterThanOrEqual(0);
  });

  it('deletes nothing when the read is cut short after some creates, and the next run goes on from them', async () => {
    await app.store.createUser(gone(1));
    app.directory.failAfterPages = 5;
    const failed = await synchronizeNow(app.deps({ applyBatchSize: 2 }));
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'PartialRead' } });
    expect(failed.counts.created).toBeGreaterThan(0);
    expect(failed.counts).toMatchObject({ deleted: 0, suspended: 0 });
    expect(failed.steps.find((step) => !step.ok)?.name).toBe('search');
    expect(failed.steps.find((step) => step.name === 'apply')).toMatchObject({
      ok: true,
      message: expect.stringContaining('nothing deleted or suspended'),
    });
    const written = (await app.store.listUsers()).map((user) => user.userName);
    expect(written).toContain('gone1');
    expect(written).toHaveLength(failed.counts.created + 1);
    // The run wrote: it leaves no cursor, so the next run reads everything.
    expect(app.settings.cursor).toBeUndefined();

    app.directory.failAfterPages = undefined;
    const next = await synchronizeNow(app.deps({ applyBatchSize: 2 }));
    expect(next).toMatchObject({
      status: 'succeeded',
      counts: { created: 40 - failed.counts.created, unchanged: failed.counts.created, deleted: 1 },
    });
    expect((await app.store.listUsers()).map((user) => user.userName).sort()).toEqual(
      Array.from({ length: 40 }, (_, i) => `user${i + 1}`).sort(),
    );
  });

  it('stops reading when a write fails, and fails at apply having deleted nothing', async () => {
    await app.store.createUser(gone(1));
    const { store } = app;
    const apply = store.applyChanges.bind(store);
    let batches = 0;
    store.applyChanges = async (changes, context) => {
      batches += 1;
      if (batches === 2) throw new Error('throttled past the retries');
      return apply(changes, context);
    };
    const { reader, pages } = countingPages(app.directory);
    const report = await synchronizeNow(app.deps({ directory: reader, applyBatchSize: 2 }));
    expect(report).toMatchObject({ status: 'failed', error: { code: 'InternalError' } });
    expect(report.steps.find((step) => !step.ok)?.name).toBe('apply');
    expect(report.steps.find((step) => step.name === 'search')?.message).toContain('the read stopped');
    expect(pages()).toBeLessThan(20);
    expect(report.counts).toMatchObject({ created: 2, deleted: 0 });
    expect(await app.store.getUser('gone1')).toBeDefined();
    expect(await app.store.listUsers()).toHaveLength(3);
  });

  it('takes a name only once the whole read has shown its holder renamed, never before', async () => {
    await synchronizeNow(app.deps());
    // user40 becomes user40-renamed, and a new account takes the name user40; the new one is read first.
    app.directory.remove(directoryEntry(40).objectGuid);
    app.directory.put(directoryEntry(99, { sAMAccountName: 'user40' }));
    app.directory.put(directoryEntry(40, { sAMAccountName: 'user40-renamed' }));
    await app.settings.clearCursor();
    const report = await synchronizeNow(app.deps({ applyBatchSize: 2 }));
    expect(report).toMatchObject({ status: 'succeeded', counts: { created: 1, updated: 1, conflicts: 0 } });
    expect((await app.store.getUser('user40'))?.objectGuid).toBe(directoryEntry(99).objectGuid);
    expect((await app.store.getUser('user40-renamed'))?.objectGuid).toBe(directoryEntry(40).objectGuid);
  });

  it('counts the deletes against the population before the run when it hands off before its read ends', async () => {
    for (const n of [1, 2, 3, 4]) await app.store.createUser(gone(n));
    const options = { deleteUsers: true, deletionThreshold: { maxCount: 100, maxPercent: 50 } };
    await app.settings.saveConfig(inMemoryConfig({ options }));
    const nearDeadline = app.deps({
      continuations: app.settings,
      applyBatchSize: 4,
      remainingMs: () => HANDOFF_RESERVE_MS - 1,
    });
    let report = await synchronizeNow(nearDeadline);
    // One batch, and the read stopped with the writes.
    expect(report).toMatchObject({ status: 'running', counts: { created: 4 } });
    expect(report.steps.find((step) => step.name === 'search')?.message).toContain('the read stopped');
    expect(app.settings.checkpoint).toMatchObject({ population: 4 });
    for (let invocation = 2; report.status === 'running'; invocation += 1) {
      const outcome = await continueRun(nearDeadline, { runId: report.runId, invocation });
      if (outcome.outcome !== 'ran') throw new Error(outcome.outcome);
      report = outcome.report;
    }
    // 4 of the 4 directory users before the run, not of the 44 the last invocation found.
    expect(report).toMatchObject({
      status: 'deletionThresholdExceeded',
      deletesWithheld: 4,
      deletesWithheldBecause: { reason: 'threshold', directoryUsers: 4 },
      counts: { created: 40, deleted: 0 },
    });
    expect(await app.store.getUser('gone1')).toBeDefined();
  });
});
