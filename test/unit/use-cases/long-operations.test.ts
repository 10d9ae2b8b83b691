/**
 * Long operations (docs/contract.md#long-operations) with the in-memory fakes: a sync or a preview started
 * by the API and run by its worker, its progress while it runs, and how a run whose invocation died is
 * shown. The same paths run against the real Samba DC and DynamoDB Local in test/integration/operations/.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/config-schema';
import { type Report, RUN_PHASES, type RunProgress } from '../../../shared/domain/report';
import { StartFailedError, SyncRunningError, ValidationError } from '../../../shared/errors';
import { continueRun } from '../../../shared/use-cases/continue-run';
import { awaitEnd, previewAsSeen, runAsSeen, runsAsSeen } from '../../../shared/use-cases/operation-status';
import { runPreview, startPreview } from '../../../shared/use-cases/previews';
import { HANDOFF_RESERVE_MS } from '../../../shared/use-cases/run-dependencies';
import { runStartedSync, startSync } from '../../../shared/use-cases/start-sync';
import {
  directoryEntry,
  type InMemoryDirectory,
  type InMemoryPreviewStore,
  type InMemorySettings,
  type InMemoryUserStore,
  type RecordingStarter,
} from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { TestClock } from '../../support/test-clock';

const config = inMemoryConfig();

let app: InMemoryApp;
let directory: InMemoryDirectory;
let store: InMemoryUserStore;
let settings: InMemorySettings;
let previews: InMemoryPreviewStore;
let starter: RecordingStarter;
let clock: TestClock;

beforeEach(async () => {
  app = inMemoryApp({
    clock: new TestClock(Date.parse('2026-11-25T12:00:00Z')),
    entries: Array.from({ length: 9 }, (_, i) => directoryEntry(i + 1)),
  });
  ({ directory, store, settings, previews, starter, clock } = app);
  await settings.saveConfig(config);
});

describe('a sync started by the API', () => {
  it('is recorded running at once, holds the lock, and is handed to the worker, which runs it once', async () => {
    const runId = await startSync(app.worker());
    expect(await store.getRun(runId)).toMatchObject({
      status: 'running',
      trigger: 'api',
      configVersion: 1,
      progress: { phase: 'connect', read: 0, applied: 0 },
    });
    expect(await settings.holder()).toBe(runId);
    expect(starter.syncs).toEqual([{ runId, configVersion: 1 }]);

    const [start] = starter.syncs;
    await clock.advance(5000);
    const outcome = await runStartedSync(app.worker(), start as (typeof starter.syncs)[number]);
    expect(outcome).toMatchObject({ outcome: 'ran', report: { runId, status: 'succeeded' } });
    const run = (await store.getRun(runId)) as Report;
    expect(run).toMatchObject({ status: 'succeeded', startedAt: '2026-11-25T12:00:00.000Z' });
    expect(run.counts.created).toBe(9);
    expect(run.progress).toBeUndefined();
    expect(await settings.holder()).toBeUndefined();
    // Lambda may deliver an asynchronous event twice: the second does nothing.
    expect(await runStartedSync(app.worker(), start as (typeof starter.syncs)[number])).toEqual({
      outcome: 'duplicate',
    });
  });

  it('refuses a second start while one runs, naming the running run', async () => {
    const runId = await startSync(app.worker());
    const second = startSync(app.worker());
    await expect(second).rejects.toBeInstanceOf(SyncRunningError);
    await expect(second).rejects.toMatchObject({ details: [{ path: 'runId', message: runId }] });
    expect(starter.syncs).toHaveLength(1);
  });

  it('records a start that cannot be handed over as failed, and releases the lock', async () => {
    starter.fail = new Error('Lambda is throttling');
    const logged: unknown[] = [];
    await expect(startSync(app.worker({ onUnexpectedError: (e) => logged.push(e) }))).rejects.toBeInstanceOf(
      StartFailedError,
    );
    // The caller learns only that it failed; the log learns why.
    expect(logged).toEqual([starter.fail]);
    const [run] = await store.listRuns(10);
    expect(run).toMatchObject({ status: 'failed', error: { code: 'StartFailed' } });
    expect(run?.progress).toBeUndefined();
    expect(await settings.holder()).toBeUndefined();
    starter.fail = undefined;
    await expect(startSync(app.worker())).resolves.toEqual(expect.any(String));
  });

  it('is not run when its event comes after its lease expired, and its record then says so', async () => {
    const runId = await startSync(app.worker());
    await clock.advance(61_000);
    expect(await runStartedSync(app.worker(), { runId, configVersion: 1 })).toEqual({ outcome: 'stale' });
    expect(await store.getRun(runId)).toMatchObject({ status: 'failed', error: { code: 'Interrupted' } });
    expect(store.writes).toBe(0);
    expect(await settings.holder()).toBeUndefined();
  });

  it('is not run by a worker once its lease went to another run', async () => {
    const runId = await startSync(app.worker());
    await clock.advance(61_000);
    expect(await settings.acquire('another-run', 60)).toBe(true);
    expect(await runStartedSync(app.worker(), { runId, configVersion: 1 })).toEqual({ outcome: 'stale' });
    expect(store.writes).toBe(0);
  });

  it('applies no deletes when the configuration changed between the start and the run', async () => {
    const deleting = parseConfig({
      ...config,
      options: { deleteUsers: true, deletionThreshold: { maxCount: 100, maxPercent: 100 } },
    });
    const { version } = await settings.saveConfig(deleting);
    await startSync(app.worker()).then((runId) =>
      runStartedSync(app.worker(), { runId, configVersion: version }),
    );
    directory.remove(directoryEntry(1).objectGuid);
    const runId = await startSync(app.worker());
    await settings.saveConfig(deleting);
    const refused = await runStartedSync(app.worker(), { runId, configVersion: version });
    expect(refused).toMatchObject({ outcome: 'ran', report: { counts: { deleted: 0 } } });
    expect(refused).toMatchObject({
      report: {
        status: 'deletionThresholdExceeded',
        deletesWithheldBecause: {
          reason: 'configurationChanged',
          startedOn: version,
          savedSince: version + 1,
        },
      },
    });
    expect(JSON.stringify(refused)).toMatch(/configuration changed during the run/);
    // The refused delete is listed held back, marked as the threshold's are.
    expect(refused).toMatchObject({
      report: { changes: [{ action: 'delete', userName: 'user1', withheld: true }] },
    });
    expect(await store.getUser('user1')).toBeDefined();
    // Started on the configuration it runs on, the same delete goes through.
    const next = await startSync(app.worker());
    expect(await runStartedSync(app.worker(), { runId: next, configVersion: version + 1 })).toMatchObject({
      report: { counts: { deleted: 1 } },
    });
  });
});

describe('progress', () => {
  it('is written while the run goes, moving forward only, and gone from the record when it ends', async () => {
    directory.pageSize = 1;
    directory.pageDelayMs = 30;
    const runId = await startSync(app.worker());
    await clock.runUntil(
      runStartedSync(app.worker({ progressIntervalMs: 5, applyBatchSize: 2 }), { runId, configVersion: 1 }),
    );
    const seen = store.progressWrites.map((write) => write.progress as RunProgress);
    expect(seen.length).toBeGreaterThan(3);
    expect(store.progressWrites.every((write) => write.status === 'running')).toBe(true);
    for (const [earlier, later] of seen.slice(1).map((p, i) => [seen[i] as RunProgress, p] as const)) {
      expect(RUN_PHASES.indexOf(later.phase)).toBeGreaterThanOrEqual(RUN_PHASES.indexOf(earlier.phase));
      for (const count of ['read', 'inScope', 'planned', 'applied'] as const) {
        expect(later[count]).toBeGreaterThanOrEqual(earlier[count]);
      }
    }
    expect(seen.some((p) => p.phase === 'search' && p.read > 0 && p.read < 9)).toBe(true);
    // (The last write need not show the whole read: the run may end between two ticks; its end replaces it.)
    expect((await store.getRun(runId))?.counts.directoryUsers).toBe(9);
    // No two writes say the same: nothing is written while nothing moves.
    const keys = store.progressWrites.map((write) => JSON.stringify([write.progress, write.counts]));
    expect(new Set(keys).size).toBe(keys.length);
    expect((await store.getRun(runId))?.progress).toBeUndefined();
  });

  it('goes on from where the previous invocation left it when a run continues in another', async () => {
    directory.pageDelayMs = 3;
    const handingOff = app.worker({
      continuations: settings,
      applyBatchSize: 2,
      remainingMs: () => HANDOFF_RESERVE_MS - 1,
      progressIntervalMs: 1,
    });
    const runId = await startSync(handingOff);
    let outcome = await clock.runUntil(runStartedSync(handingOff, { runId, configVersion: 1 }));
    for (let invocation = 2; outcome.outcome === 'ran' && outcome.report.status === 'running'; invocation++) {
      outcome = await clock.runUntil(continueRun(handingOff, { runId, invocation }));
    }
    expect(outcome).toMatchObject({ report: { status: 'succeeded', counts: { created: 9 } } });
    expect(settings.handoffs.length).toBeGreaterThan(1);
    const seen = store.progressWrites.map((write) => write.progress as RunProgress);
    for (const [earlier, later] of seen.slice(1).map((p, i) => [seen[i] as RunProgress, p] as const)) {
      expect(RUN_PHASES.indexOf(later.phase)).toBeGreaterThanOrEqual(RUN_PHASES.indexOf(earlier.phase));
      expect(later.read).toBeGreaterThanOrEqual(earlier.read);
      expect(later.applied).toBeGreaterThanOrEqual(earlier.applied);
    }
  });

  it('never lands after the end of the run', async () => {
    directory.pageDelayMs = 5;
    const runId = await startSync(app.worker());
    await clock.runUntil(runStartedSync(app.worker({ progressIntervalMs: 1 }), { runId, configVersion: 1 }));
    const writes = store.progressWrites.length;
    expect(writes).toBeGreaterThan(0);
    // Nothing is left ticking: time may pass, and nothing more is written.
    expect(clock.pending).toBe(0);
    await clock.advance(1_000);
    expect(store.progressWrites.length).toBe(writes);
    expect((await store.getRun(runId))?.status).toBe('succeeded');
  });
});

describe('a run as its callers see it', () => {
  it('is running while its lease is its own, and failed (Interrupted) once it is not', async () => {
    const runId = await startSync(app.worker());
    expect(await runAsSeen(app.worker(), runId)).toMatchObject({ status: 'running' });
    // The worker never came: the lease expires.
    await clock.advance(61_000);
    const seen = await runAsSeen(app.worker(), runId);
    expect(seen).toMatchObject({ status: 'failed', error: { code: 'Interrupted' } });
    expect(seen?.progress).toBeUndefined();
    expect((await runsAsSeen(app.worker(), 10))[0]).toMatchObject({ runId, status: 'failed' });
    expect(await runAsSeen(app.worker(), 'no-such-run')).toBeUndefined();
  });
});

describe('a preview', () => {
  it('is recorded running, handed over with the password given, and ends with its Report', async () => {
    const previewId = await startPreview(app.worker(), { config, password: directory.password });
    expect(await previews.getReport(previewId)).toMatchObject({ dryRun: true, status: 'running' });
    expect(starter.previews).toEqual([{ previewId, config, password: directory.password }]);
    const outcome = await runPreview(app.worker(), starter.previews[0] as (typeof starter.previews)[number]);
    expect(outcome).toMatchObject({ outcome: 'ran', report: { runId: previewId, status: 'succeeded' } });
    const preview = (await previews.getReport(previewId)) as Report;
    // What a sync would do, and nothing done.
    expect(preview.counts.created).toBe(9);
    expect(preview.changes).toHaveLength(9);
    expect(JSON.stringify([...previews.previews.values()])).not.toContain(directory.password);
    expect(store.writes).toBe(0);
    expect(await store.listRuns(10)).toEqual([]);
  });

  it('of another connection without a password is refused before it starts', async () => {
    const elsewhere = parseConfig({
      ...config,
      connection: { ...config.connection, servers: ['evil.example'] },
    });
    await expect(startPreview(app.worker(), { config: elsewhere })).rejects.toBeInstanceOf(ValidationError);
    expect(previews.previews.size).toBe(0);
    expect(starter.previews).toEqual([]);
  });

  it('that could not be started is recorded as failed', async () => {
    starter.fail = new Error('no capacity');
    await expect(startPreview(app.worker(), {})).rejects.toBeInstanceOf(StartFailedError);
    expect([...previews.previews.values()]).toEqual([
      expect.objectContaining({ status: 'failed', error: expect.objectContaining({ code: 'StartFailed' }) }),
    ]);
  });

  it('is not run when its event comes after the longest a test may take', async () => {
    const previewId = await startPreview(app.worker(), {});
    await clock.advance(901_000);
    const [start] = starter.previews;
    expect(await runPreview(app.worker(), start as (typeof starter.previews)[number])).toEqual({
      outcome: 'stale',
    });
    expect(await previews.getReport(previewId)).toMatchObject({
      status: 'failed',
      error: { code: 'Interrupted' },
    });
    expect(directory.binds).toEqual([]);
  });

  it('still running after the longest a test may take is shown failed', async () => {
    const previewId = await startPreview(app.worker(), {});
    await clock.advance(899_000);
    expect(await previewAsSeen(app.worker(), previewId)).toMatchObject({ status: 'running' });
    await clock.advance(2000);
    expect(await previewAsSeen(app.worker(), previewId)).toMatchObject({
      status: 'failed',
      error: { code: 'Interrupted' },
    });
  });
});

describe('waiting for the end', () => {
  it('answers the final report when it comes in time, and nothing when it does not', async () => {
    let reads = 0;
    const ending = async () => {
      reads += 1;
      return { status: reads < 3 ? 'running' : 'succeeded' } as Report;
    };
    // Polled at once, then 50 ms and 100 ms later: the third read ends it.
    const ended = awaitEnd(ending, 5, clock);
    await clock.advance(150);
    expect(await ended).toEqual({ status: 'succeeded' });
    expect(reads).toBe(3);

    const never = async () => ({ status: 'running' }) as Report;
    let answer: Report | undefined | 'waiting' = 'waiting';
    const gaveUp = awaitEnd(never, 5, clock).then((report) => {
      answer = report;
    });
    await clock.advance(4_999);
    expect(answer).toBe('waiting');
    await clock.advance(1);
    await gaveUp;
    expect(answer).toBeUndefined();
  });
});
