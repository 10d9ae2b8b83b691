/**
 * The schedule's back-off and stale alert (docs/contract.md#operators-are-told), hour by hour on a test clock:
 * no real time passes.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { occurrenceAt } from '../../../local/local-schedule';
import type { AlertStore } from '../../../shared/ports/alert-store';
import { continueRun } from '../../../shared/use-cases/continue-run';
import { runHistory } from '../../../shared/use-cases/operation-status';
import { HANDOFF_RESERVE_MS } from '../../../shared/use-cases/run-dependencies';
import { runScheduledSync, type ScheduledOutcome } from '../../../shared/use-cases/scheduled-sync';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { directoryEntry } from '../../support/in-memory';
import { InMemoryAlerts } from '../../support/in-memory-alerts';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { TestClock } from '../../support/test-clock';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

let app: InMemoryApp;
let clock: TestClock;
let alerts: InMemoryAlerts;

beforeEach(async () => {
  clock = new TestClock(T0);
  app = inMemoryApp({ clock, entries: [directoryEntry(1), directoryEntry(2)] });
  alerts = new InMemoryAlerts();
  await app.settings.saveConfig(inMemoryConfig({ schedule: { enabled: true, intervalMinutes: 60 } }));
  // Every read of the directory is cut: each run fails.
  app.directory.failAfterPages = 0;
});

/** Runs the schedule's occurrence of each hour from the clock's time to `hours`; what each did, by hour. */
async function occurrencesUntil(hours: number): Promise<Record<number, ScheduledOutcome>> {
  const outcomes: Record<number, ScheduledOutcome> = {};
  for (;;) {
    const hour = (clock.nowMs - T0) / HOUR;
    outcomes[hour] = await runScheduledSync({ ...app.deps(), alerts }, at(hour));
    if (hour >= hours) return outcomes;
    await clock.advance(HOUR);
  }
}
const ranAt = (outcomes: Record<number, ScheduledOutcome>) =>
  Object.entries(outcomes)
    .filter(([, outcome]) => outcome.outcome === 'ran')
    .map(([hour]) => Number(hour));

describe('the back-off of a failing schedule', () => {
  it('runs every interval until 3 failures in a row, then waits twice as long each time, at most a day', async () => {
    const outcomes = await occurrencesUntil(60);
    expect(ranAt(outcomes)).toEqual([0, 1, 2, 4, 8, 16, 32, 56]);
    expect(outcomes[3]).toMatchObject({
      outcome: 'backedOff',
      schedule: { failedRuns: 3, nextRunAt: at(4) },
    });
  });

  it('counts a scheduled run that fails before the pipeline (the secret store, say): recorded failed, backed off', async () => {
    app.directory.failAfterPages = undefined;
    const deps = app.deps();
    const failingDeps = {
      ...deps,
      secrets: {
        ...deps.secrets,
        getPassword: async () => {
          throw new Error('Secrets Manager is unreachable');
        },
      },
      alerts,
    };
    const outcomes: Record<number, ScheduledOutcome> = {};
    for (let hour = 0; hour <= 4; hour += 1) {
      outcomes[hour] = await runScheduledSync(failingDeps, at(hour));
      await clock.advance(HOUR);
    }
    expect(ranAt(outcomes)).toEqual([0, 1, 2, 4]);
    expect(outcomes[0]).toMatchObject({
      outcome: 'ran',
      report: { status: 'failed', trigger: 'schedule', error: { code: 'InternalError' } },
    });
    const recorded = await app.store.listRuns(10);
    expect(recorded.map((run) => run.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
  });

  it("records the state and why on the failed run's report", async () => {
    const outcomes = await occurrencesUntil(4);
    const reportOf = (hour: number) => {
      const outcome = outcomes[hour];
      return outcome && 'report' in outcome ? outcome.report : undefined;
    };
    expect(reportOf(1)?.schedule).toMatchObject({ state: 'failing', failedRuns: 2, delayMinutes: 60 });
    const fourth = reportOf(4);
    expect(fourth?.schedule).toMatchObject({
      state: 'backedOff',
      failedRuns: 4,
      delayMinutes: 240,
      nextRunAt: at(8),
      lastFailure: { runId: fourth?.runId, error: { code: fourth?.error?.code } },
    });
    // The record says what the outcome says.
    expect((await app.store.getRun(fourth?.runId ?? ''))?.schedule).toEqual(fourth?.schedule);
  });

  it('lets Synchronize now run while backed off, and returns to the interval after a success', async () => {
    await occurrencesUntil(5);
    const manual = await synchronizeNow(app.deps());
    expect(manual).toMatchObject({ status: 'failed', trigger: 'api' });
    expect(manual.schedule).toBeUndefined();
    // A manual failure does not slow the schedule further.
    const view = await runHistory({ ...app.deps(), configs: app.settings, clock }, 100);
    expect(view.schedule).toMatchObject({
      enabled: true,
      state: 'backedOff',
      failedRuns: 4,
      nextRunAt: at(8),
    });

    app.directory.failAfterPages = undefined;
    await clock.advance(HOUR);
    expect(await synchronizeNow(app.deps())).toMatchObject({ status: 'succeeded' });
    const outcomes = await occurrencesUntil(9);
    expect(ranAt(outcomes)).toEqual([6, 7, 8, 9]);
    const after = await runHistory({ ...app.deps(), configs: app.settings, clock }, 100);
    expect(after.schedule).toMatchObject({ state: 'ok', failedRuns: 0, delayMinutes: 60 });
  });

  it('records the state on a scheduled run that fails in its follow-up invocation', async () => {
    app.directory.failAfterPages = undefined;
    const deps = {
      ...app.deps({
        continuations: app.settings,
        applyBatchSize: 1,
        remainingMs: () => HANDOFF_RESERVE_MS - 1,
      }),
      alerts,
    };
    const first = await runScheduledSync(deps, at(0));
    expect(first).toMatchObject({ outcome: 'ran', report: { status: 'running' } });
    const runId = 'report' in first ? first.report.runId : '';
    app.directory.failAfterPages = 0;
    const continued = await continueRun(deps, { runId, invocation: 2 });
    expect(continued).toMatchObject({
      outcome: 'ran',
      report: { status: 'failed', scheduledAt: at(0), schedule: { state: 'failing', failedRuns: 1 } },
    });
    expect((await app.store.getRun(runId))?.schedule).toMatchObject({ state: 'failing', failedRuns: 1 });
  });

  it('backs off after alerts.failuresBeforeBackoff failures', async () => {
    await app.settings.saveConfig(
      inMemoryConfig({
        schedule: { enabled: true, intervalMinutes: 60 },
        alerts: { failuresBeforeBackoff: 1 },
      }),
    );
    expect(ranAt(await occurrencesUntil(8))).toEqual([0, 2, 6]);
  });
});

describe('the back-off of an occurrence delivered after its time', () => {
  const scheduledOf = (outcome: ScheduledOutcome | undefined) =>
    outcome && 'report' in outcome ? outcome.report.scheduledAt : undefined;

  it('runs on AWS at the nextRunAt it shows, counted from the failed occurrence, though each starts later', async () => {
    const outcomes: Record<number, ScheduledOutcome> = {};
    for (let hour = 0; hour <= 16; hour += 1) {
      // EventBridge Scheduler delivers the occurrence of `hour` seven seconds after its time.
      await clock.advance(T0 + hour * HOUR + 7_000 - clock.nowMs);
      outcomes[hour] = await runScheduledSync({ ...app.deps(), alerts }, at(hour));
    }
    expect(ranAt(outcomes)).toEqual([0, 1, 2, 4, 8, 16]);
    expect(outcomes[3]).toMatchObject({ outcome: 'backedOff', schedule: { nextRunAt: at(4) } });
    expect(outcomes[2]).toMatchObject({ report: { scheduledAt: at(2), schedule: { nextRunAt: at(4) } } });
    expect(scheduledOf(outcomes[4])).toBe(at(4));
    const view = await runHistory({ ...app.deps(), configs: app.settings, clock }, 100);
    expect(view.schedule).toMatchObject({ state: 'backedOff', nextRunAt: at(32) });
    expect(view.runs[0]).toMatchObject({
      scheduledAt: at(16),
      startedAt: new Date(T0 + 16 * HOUR + 7_000).toISOString(),
    });
  });

  it('takes an occurrence that names no time for one at the moment it is delivered', async () => {
    await clock.advance(7_000);
    expect(await runScheduledSync(app.deps(), 'not a time')).toMatchObject({
      outcome: 'ran',
      report: { scheduledAt: new Date(T0 + 7_000).toISOString() },
    });
  });

  it('runs locally (a check every 30 s, the occurrence of the period) at 4, 8, 16 h, never before nextRunAt', async () => {
    const ran: { checkedAt: number; scheduledAt: string }[] = [];
    const shown: string[] = [];
    // The checks fall 10 s after each half minute, as a local stack started at any time would have them.
    await clock.advance(10_000);
    for (let check = 1; check <= 16 * 120 + 2; check += 1) {
      await clock.advance(30_000);
      const outcome = await runScheduledSync(
        { ...app.deps(), alerts },
        occurrenceAt(new Date(clock.nowMs), 60),
      );
      if (outcome.outcome !== 'ran') continue;
      ran.push({ checkedAt: clock.nowMs, scheduledAt: outcome.report.scheduledAt ?? '' });
      const next = (await runHistory({ ...app.deps(), configs: app.settings, clock }, 100)).schedule
        ?.nextRunAt;
      if (next) shown.push(next);
    }
    expect(ran.map((run) => run.scheduledAt)).toEqual([0, 1, 2, 4, 8, 16].map(at));
    // Each ran at the first check of its period (seconds after its occurrence), not half an interval before.
    expect(ran.map((run) => (run.checkedAt - Date.parse(run.scheduledAt)) / 1000)).toEqual([
      40, 10, 10, 10, 10, 10,
    ]);
    // What GET /sync/runs showed after each backed-off failure is when the next run came.
    expect(shown).toEqual([4, 8, 16, 32].map(at));
  });
});

describe('the stale alert', () => {
  it('is raised once a stale spell, after alerts.staleAfterHours without a success', async () => {
    const outcomes = await occurrencesUntil(30);
    expect(outcomes[25]?.stale).toBeUndefined();
    expect(outcomes[26]?.stale).toMatchObject({ since: at(0), staleAfterHours: 26 });
    expect([...alerts.raised.keys()]).toEqual(['sync.stale:never']);
    expect(alerts.raised.get('sync.stale:never')).toMatchObject({ type: 'sync.stale', time: at(26) });
  });

  it('takes fractions of an hour: 1.5 hours without a success is stale at the first occurrence after them', async () => {
    await app.settings.saveConfig(
      inMemoryConfig({ schedule: { enabled: true, intervalMinutes: 60 }, alerts: { staleAfterHours: 1.5 } }),
    );
    const outcomes = await occurrencesUntil(3);
    expect(outcomes[1]?.stale).toBeUndefined();
    expect(outcomes[2]?.stale).toMatchObject({ since: at(0), staleAfterHours: 1.5 });
  });

  it('raises a new one for the next spell, and none while runs succeed', async () => {
    app.directory.failAfterPages = undefined;
    await app.settings.saveConfig(
      inMemoryConfig({ schedule: { enabled: true, intervalMinutes: 60 }, alerts: { staleAfterHours: 2 } }),
    );
    const first = await occurrencesUntil(1);
    const lastSuccess = first[1] && 'report' in first[1] ? first[1].report.runId : '';
    expect(alerts.raised.size).toBe(0);
    app.directory.failAfterPages = 0;
    await clock.advance(HOUR);
    await occurrencesUntil(6);
    expect([...alerts.raised.keys()]).toEqual([`sync.stale:${lastSuccess}`]);
    const view = await runHistory({ ...app.deps(), configs: app.settings, clock }, 100);
    expect(view.stale).toMatchObject({ staleAfterHours: 2, lastSucceeded: { runId: lastSuccess } });
  });

  it('never fails the occurrence when the alert cannot be raised', async () => {
    const errors: unknown[] = [];
    const broken: AlertStore = { raise: () => Promise.reject(new Error('table unavailable')) };
    await app.settings.saveConfig(
      inMemoryConfig({ schedule: { enabled: true, intervalMinutes: 60 }, alerts: { staleAfterHours: 1 } }),
    );
    await runScheduledSync({ ...app.deps(), alerts: broken }, at(0));
    await clock.advance(2 * HOUR);
    const outcome = await runScheduledSync(
      { ...app.deps(), alerts: broken, onUnexpectedError: (error) => errors.push(error) },
      at(2),
    );
    expect(outcome).toMatchObject({ outcome: 'ran', stale: { staleAfterHours: 1 } });
    expect(errors).toHaveLength(1);
  });
});
