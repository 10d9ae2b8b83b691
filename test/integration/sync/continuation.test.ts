/**
 * A run past one invocation: with a deadline that is always near, every invocation applies one batch (at most
 * BATCH: the read's small first page is a batch of its own),
 * checkpoints, keeps the lock and hands off; follow-up invocations re-plan against the user database and
 * apply the rest. The end state must equal one uninterrupted run's, with no item written twice.
 */

import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { SYSTEM_WALL_CLOCK, type WallClock } from '../../../shared/adapters/dynamodb/documents';
import type { Config } from '../../../shared/config/config-schema';
import type { Report } from '../../../shared/domain/report';
import type { User } from '../../../shared/domain/user';
import { SyncRunningError } from '../../../shared/errors';
import type { ContinuationTrigger } from '../../../shared/ports/run-checkpoint';
import { continueRun } from '../../../shared/use-cases/continue-run';
import { HANDOFF_RESERVE_MS } from '../../../shared/use-cases/run-dependencies';
import type { ExclusiveSyncDependencies } from '../../../shared/use-cases/sync-lock';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { FixtureDirectory } from '../../support/fixture-directory';
import { savedWithConfiguration } from '../../support/saved-password';
import {
  createSyncHarness,
  fixtureConfig,
  type SyncHarness,
  servicePassword,
} from '../../support/sync-harness';

const BATCH = 200;

/** What a user is, without the times of the writes (they differ between two runs by construction). */
const comparable = (users: readonly User[]) =>
  users
    .map(({ createdAt: _c, updatedAt: _u, ...user }) => user)
    .sort((a, b) => a.userName.localeCompare(b.userName));

let uninterrupted: SyncHarness;
let continued: SyncHarness;
let abandoned: SyncHarness;
let reference: Report;
let config: Config;

/** The sync Lambda's dependencies with a deadline that is always near and handoffs collected in a list. */
function lambdaLikeDependencies(
  harness: SyncHarness,
  handoffs: string[],
  clock: WallClock = SYSTEM_WALL_CLOCK,
): ExclusiveSyncDependencies {
  const settings = harness.settings(clock);
  const continuations: ContinuationTrigger = {
    requestContinuation: async (runId) => {
      await settings.continuations.requestContinuation(runId);
      handoffs.push(runId);
    },
  };
  return {
    ...harness.exclusive({ clock, leaseSeconds: 900 }),
    checkpoints: settings.checkpoints,
    cursors: settings.cursors,
    continuations,
    applyBatchSize: BATCH,
    remainingMs: () => HANDOFF_RESERVE_MS - 1,
  };
}

beforeAll(async () => {
  config = fixtureConfig({ options: { deleteUsers: true } });
  uninterrupted = await createSyncHarness();
  continued = await createSyncHarness();
  abandoned = await createSyncHarness();
  reference = await synchronize(uninterrupted.deps, { config, password: servicePassword() });
  expect(reference.status).toBe('succeeded');
});

afterAll(() => {
  uninterrupted?.close();
  continued?.close();
  abandoned?.close();
});

describe('a run continued past its invocation', () => {
  it('hands off batch by batch, holds the lock throughout, and ends as one uninterrupted run', async () => {
    const handoffs: string[] = [];
    const deps = lambdaLikeDependencies(continued, handoffs);
    await deps.configs.saveConfig(config);

    let report = await synchronizeNow(deps);
    expect(report.status).toBe('running');
    // One batch: at most BATCH (the read's small first page goes as a batch of its own once it is planned).
    const firstBatch = report.counts.created;
    expect(firstBatch).toBeGreaterThan(0);
    expect(firstBatch).toBeLessThanOrEqual(BATCH);
    expect(report.steps.find((s) => s.name === 'apply')?.message).toContain(
      'left for a follow-up invocation',
    );
    const runId = report.runId;
    expect(handoffs).toEqual([runId]);

    // The run is visible as running, with what it has written so far; a second sync gets 409.
    const running = await continued.store.getRun(runId);
    expect(running).toMatchObject({ status: 'running', counts: { created: firstBatch } });
    expect(running?.changes).toHaveLength(firstBatch);
    await expect(synchronizeNow(deps)).rejects.toBeInstanceOf(SyncRunningError);

    let invocation = 1;
    while (report.status === 'running') {
      invocation += 1;
      const before = report.counts.created;
      const outcome = await continueRun(deps, { runId, invocation });
      if (outcome.outcome !== 'ran') throw new Error(`invocation ${invocation}: ${outcome.outcome}`);
      report = outcome.report;
      if (invocation === 2) {
        // The stream delivers at least once: the same handoff again does nothing.
        expect(await continueRun(deps, { runId, invocation })).toEqual({ outcome: 'duplicate' });
      }
      expect(report.runId).toBe(runId);
      // One batch each: more written, at most BATCH more.
      expect(report.counts.created).toBeGreaterThan(before);
      expect(report.counts.created - before).toBeLessThanOrEqual(BATCH);
    }
    expect(invocation).toBeGreaterThanOrEqual(Math.ceil(reference.counts.created / BATCH));
    expect(handoffs).toHaveLength(invocation - 1);

    expect(report.status).toBe('succeeded');
    expect(report.counts).toEqual(reference.counts);
    expect(comparable(await continued.store.listUsers())).toEqual(
      comparable(await uninterrupted.store.listUsers()),
    );
    // The cursor's count of directory users is the run's, not the last invocation's.
    expect((await deps.cursors?.getCursor())?.directoryUsers).toBe(reference.counts.created);
    // Nothing applied twice: every user item was written once, as in the uninterrupted run.
    expect(continued.userItemWrites()).toBe(uninterrupted.userItemWrites());
    expect(report.changes.filter((c) => c.action === 'create')).toHaveLength(reference.counts.created);

    // One run in the history, recorded as it ended; the lock is free again.
    const runs = await continued.store.listRuns(10);
    expect(runs.map((r) => [r.runId, r.status])).toEqual([[runId, 'succeeded']]);
    const recorded = await continued.store.getRun(runId);
    expect(recorded?.changes).toHaveLength(reference.counts.created);
    const again = await synchronizeNow({ ...deps, remainingMs: () => Number.POSITIVE_INFINITY });
    expect(again.status).toBe('succeeded');
    expect(again.counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
  });

  it('ignores a handoff for a run that has ended', async () => {
    const deps = lambdaLikeDependencies(continued, []);
    const runs = await continued.store.listRuns(10);
    const finished = runs.at(-1)?.runId as string;
    expect(await continueRun(deps, { runId: finished, invocation: 2 })).toEqual({ outcome: 'stale' });
  });

  it('survives a lost handoff: once the lease has expired, the next run takes over and closes the abandoned one', async () => {
    const deps = lambdaLikeDependencies(abandoned, []);
    await deps.configs.saveConfig(config);
    const first = await synchronizeNow(deps);
    expect(first.status).toBe('running');
    const firstBatch = first.counts.created;
    expect(firstBatch).toBeGreaterThan(0);
    expect(firstBatch).toBeLessThanOrEqual(BATCH);
    // No follow-up invocation comes. Before the lease expires, nobody else may sync.
    await expect(
      synchronizeNow({ ...deps, remainingMs: () => Number.POSITIVE_INFINITY }),
    ).rejects.toBeInstanceOf(SyncRunningError);

    const anHourLater = { now: () => new Date(Date.now() + 3_600_000) };
    const later = {
      ...lambdaLikeDependencies(abandoned, [], anHourLater),
      remainingMs: () => Number.POSITIVE_INFINITY,
    };
    const takeover = await synchronizeNow(later);
    expect(takeover.status).toBe('succeeded');
    expect(takeover.counts).toMatchObject({
      created: reference.counts.created - firstBatch,
      deleted: 0,
      conflicts: 0,
    });
    expect(comparable(await abandoned.store.listUsers())).toEqual(
      comparable(await uninterrupted.store.listUsers()),
    );

    expect(await abandoned.store.getRun(first.runId)).toMatchObject({
      status: 'failed',
      counts: { created: firstBatch },
      error: { code: 'Interrupted', message: expect.stringContaining(takeover.runId) },
    });
    expect(await later.checkpoints?.getCheckpoint()).toBeUndefined();
    // The lost handoff, delivered late after all, finds nothing to continue.
    expect(await continueRun(later, { runId: first.runId, invocation: 2 })).toEqual({ outcome: 'stale' });
  });

  describe('a continued run with deletes pending, or a follow-up that fails', () => {
    let stale: SyncHarness;
    const GONE = 100;
    const goneUser = (i: number): User => ({
      userName: `gone-${i}`,
      fullName: `Gone ${i}`,
      emailAddresses: [`gone-${i}@company.local`],
      authentication: 'directoryServices',
      distinguishedName: `CN=Gone ${i},OU=Left,DC=company,DC=local`,
      objectGuid: `0badc0de-0000-4000-8000-${String(i).padStart(12, '0')}`,
      privileges: ['login'],
      ownArchiveAccess: ['read'],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });

    beforeAll(async () => {
      stale = await createSyncHarness();
      for (let i = 0; i < GONE; i++) await stale.store.createUser(goneUser(i));
    });
    afterAll(() => stale?.close());

    it('applies no deletes in a follow-up that finds the configuration saved again after the approval', async () => {
      const approvals = await createSyncHarness();
      onTestFinished(() => approvals.close());
      const deps = { ...lambdaLikeDependencies(approvals, []), applyBatchSize: 10 };
      const whole = { ...deps, remainingMs: () => Number.POSITIVE_INFINITY };
      const options = { deleteUsers: true, deletionThreshold: { maxCount: 10, maxPercent: 100 } };
      await deps.configs.saveConfig(fixtureConfig({ options }));
      expect((await synchronizeNow(whole)).status).toBe('succeeded');
      for (let i = 0; i < GONE; i++) await approvals.store.createUser(goneUser(i));
      // A full read (an incremental one would not look for users that are gone without a tombstone).
      await deps.cursors?.clearCursor();
      const stopped = await synchronizeNow(whole);
      expect(stopped).toMatchObject({ status: 'deletionThresholdExceeded', deletesWithheld: GONE });

      // Approved; the first invocation deletes one batch and hands off.
      const first = await synchronizeNow(deps, { allowMassDeletion: true });
      expect(first).toMatchObject({ status: 'running', counts: { deleted: 10 } });
      // Meanwhile someone saves filters that exclude everyone: the approval was not for that.
      const emptyGroup = new FixtureDirectory().group('Empty Group').dn;
      await deps.configs.saveConfig(fixtureConfig({ filters: { groups: [emptyGroup] }, options }));
      const outcome = await continueRun(deps, { runId: first.runId, invocation: 2 });
      if (outcome.outcome !== 'ran') throw new Error(outcome.outcome);
      expect(outcome.report).toMatchObject({
        status: 'deletionThresholdExceeded',
        counts: { deleted: 10 },
        deletesWithheldBecause: { reason: 'configurationChanged' },
      });
      expect(outcome.report.steps.find((step) => step.name === 'plan')?.message).toContain(
        'the configuration changed during the run',
      );
      expect(await approvals.store.listUsers()).toHaveLength(reference.counts.created + GONE - 10);
    });

    it("keeps the first invocation's threshold decision in every follow-up, against the population before the run", async () => {
      const deps = lambdaLikeDependencies(stale, []);
      // 100 of the 100 directory users in the database are gone: above 50 %, so the deletes are withheld.
      // Counted against the database of a later invocation (100 + the users created meanwhile) they would
      // fall under 50 % and go through.
      await deps.configs.saveConfig(
        fixtureConfig({
          options: { deleteUsers: true, deletionThreshold: { maxCount: 1000, maxPercent: 50 } },
        }),
      );
      let report = await synchronizeNow(deps);
      expect(report.status).toBe('running');
      for (let invocation = 2; report.status === 'running'; invocation++) {
        const outcome = await continueRun(deps, { runId: report.runId, invocation });
        if (outcome.outcome !== 'ran') throw new Error(outcome.outcome);
        report = outcome.report;
      }
      expect(report.status).toBe('deletionThresholdExceeded');
      // The first invocation's decision, carried by the checkpoint: its population, not a later one's.
      expect(report.deletesWithheldBecause).toMatchObject({
        reason: 'threshold',
        exceeded: 'maxPercent',
        deletes: GONE,
        directoryUsers: 100,
      });
      expect(report.counts).toMatchObject({ created: reference.counts.created, deleted: 0 });
      expect(report.changes.filter((c) => c.action === 'delete')).toHaveLength(GONE);
      expect(report.changes.find((c) => c.action === 'delete')?.reason).toContain(
        '100 of 100 directory users',
      );
      expect((await stale.store.listUsers()).filter((u) => u.userName.startsWith('gone-'))).toHaveLength(
        GONE,
      );
    });

    it("keeps the earlier invocations' writes in the record of a follow-up that fails", async () => {
      const fresh = await createSyncHarness();
      onTestFinished(() => fresh.close());
      const deps = lambdaLikeDependencies(fresh, []);
      await deps.configs.saveConfig(config);
      const first = await synchronizeNow(deps);
      expect(first.status).toBe('running');
      const wrongPassword = {
        ...deps,
        secrets: savedWithConfiguration(deps.configs, 'not-the-password'),
      };
      const outcome = await continueRun(wrongPassword, { runId: first.runId, invocation: 2 });
      if (outcome.outcome !== 'ran') throw new Error(outcome.outcome);
      expect(outcome.report).toMatchObject({
        status: 'failed',
        error: { code: 'InvalidCredentials' },
        counts: { created: first.counts.created },
      });
      expect(await fresh.store.getRun(first.runId)).toMatchObject({
        status: 'failed',
        counts: { created: first.counts.created },
      });
      expect(await deps.checkpoints?.getCheckpoint()).toBeUndefined();
      // The lock is free again.
      expect((await synchronizeNow({ ...deps, remainingMs: () => Number.POSITIVE_INFINITY })).status).toBe(
        'succeeded',
      );
    });
  });
});
