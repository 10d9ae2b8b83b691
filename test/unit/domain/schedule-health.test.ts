import { describe, expect, it } from 'vitest';
import {
  backoffDelayMinutes,
  isOccurrenceDue,
  MAX_BACKOFF_MINUTES,
  type RunOutcome,
  scheduleHealthOf,
  stalenessOf,
} from '../../../shared/domain/schedule-health';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

/** A run that started `hours` after T0 and took a minute; scheduled and failed unless told otherwise. */
function run(hours: number, overrides: Partial<RunOutcome> = {}): RunOutcome {
  return {
    runId: `run-${hours}`,
    status: 'failed',
    trigger: 'schedule',
    startedAt: at(hours),
    finishedAt: new Date(T0 + hours * HOUR + 60_000).toISOString(),
    error: { code: 'DirectoryUnavailable', message: 'no domain controller answered' },
    ...overrides,
  };
}
/** Newest first, as the history lists them. */
const history = (...runs: RunOutcome[]) => [...runs].reverse();
const hourly = { intervalMinutes: 60, failuresBeforeBackoff: 3 };

describe('backoffDelayMinutes', () => {
  it('keeps the interval below the threshold, then doubles for each failure, up to 24 hours', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelayMinutes(n, hourly));
    expect(delays).toEqual([60, 60, 60, 120, 240, 480, 960, 1440, 1440]);
    expect(backoffDelayMinutes(1000, hourly)).toBe(MAX_BACKOFF_MINUTES);
  });

  it('honours another threshold and a short interval', () => {
    expect(
      [0, 1, 2, 3].map((n) => backoffDelayMinutes(n, { intervalMinutes: 5, failuresBeforeBackoff: 1 })),
    ).toEqual([5, 10, 20, 40]);
  });

  it('never waits less than an interval that is already longer than a day', () => {
    expect(backoffDelayMinutes(5, { intervalMinutes: 2880, failuresBeforeBackoff: 3 })).toBe(2880);
  });

  it('waits whole intervals: at most the intervals that fit in a day, so that the wait ends on an occurrence', () => {
    const every25 = { intervalMinutes: 25, failuresBeforeBackoff: 1 };
    expect([5, 6, 100].map((n) => backoffDelayMinutes(n, every25))).toEqual([800, 1425, 1425]);
    expect(backoffDelayMinutes(10, { intervalMinutes: 1000, failuresBeforeBackoff: 1 })).toBe(1000);
  });
});

describe('scheduleHealthOf', () => {
  it('is ok with no history, and after a success', () => {
    expect(scheduleHealthOf([], hourly)).toEqual({
      state: 'ok',
      failedRuns: 0,
      failuresBeforeBackoff: 3,
      intervalMinutes: 60,
      delayMinutes: 60,
    });
    expect(
      scheduleHealthOf(history(run(0), run(1), run(2), run(3, { status: 'succeeded' })), hourly).state,
    ).toBe('ok');
  });

  it('is failing below the threshold, and says why', () => {
    const health = scheduleHealthOf(history(run(0, { status: 'succeeded' }), run(1), run(2)), hourly);
    expect(health).toMatchObject({
      state: 'failing',
      failedRuns: 2,
      delayMinutes: 60,
      lastFailure: { runId: 'run-2', error: { code: 'DirectoryUnavailable' } },
    });
    expect(health.nextRunAt).toBeUndefined();
  });

  it('backs off at the threshold: the next run twice the interval after the last failure', () => {
    expect(scheduleHealthOf(history(run(0), run(1), run(2)), hourly)).toMatchObject({
      state: 'backedOff',
      failedRuns: 3,
      delayMinutes: 120,
      nextRunAt: at(4),
      lastFailure: { runId: 'run-2' },
    });
    expect(scheduleHealthOf(history(run(0), run(1), run(2), run(4)), hourly)).toMatchObject({
      failedRuns: 4,
      delayMinutes: 240,
      nextRunAt: at(8),
    });
  });

  it("counts the next run's time from the failed run's occurrence, not from its later start", () => {
    const late = (hours: number) => run(hours + 0.01, { scheduledAt: at(hours) });
    expect(scheduleHealthOf(history(late(0), late(1), late(2)), hourly)).toMatchObject({
      state: 'backedOff',
      nextRunAt: at(4),
    });
    // A run recorded without its occurrence counts from its start.
    expect(scheduleHealthOf(history(run(0), run(1), run(2.01)), hourly).nextRunAt).toBe(at(4.01));
  });

  it("counts neither manual runs' failures nor skipped or running runs; a withheld run ends the streak", () => {
    const runs = history(
      run(0),
      run(0.5, { trigger: 'api' }),
      run(1, { status: 'skipped' }),
      run(2),
      run(2.5, { trigger: 'user' }),
      run(3),
      run(3.5, { status: 'running', trigger: 'api' }),
    );
    expect(scheduleHealthOf(runs, hourly)).toMatchObject({ state: 'backedOff', failedRuns: 3 });
    const withheld = history(run(0), run(1), run(2, { status: 'deletionThresholdExceeded' }), run(3));
    expect(scheduleHealthOf(withheld, hourly)).toMatchObject({ state: 'failing', failedRuns: 1 });
  });

  it('is not ended by a one-user sync that succeeded: it read one user, not the directory', () => {
    const runs = history(run(0), run(1), run(1.5, { trigger: 'user', status: 'succeeded' }), run(2));
    expect(scheduleHealthOf(runs, hourly)).toMatchObject({ state: 'backedOff', failedRuns: 3 });
  });
});

describe('isOccurrenceDue', () => {
  const backedOff = scheduleHealthOf(history(run(0), run(1), run(2)), hourly);

  it('runs every occurrence unless backed off', () => {
    expect(isOccurrenceDue(scheduleHealthOf(history(run(0), run(1)), hourly), new Date(at(1.1)))).toBe(true);
  });

  it('skips every occurrence before the next run, and runs the one at its time', () => {
    expect(isOccurrenceDue(backedOff, new Date(at(3)))).toBe(false);
    // Half an interval early, or a millisecond early, is early.
    expect(isOccurrenceDue(backedOff, new Date(at(3.5)))).toBe(false);
    expect(isOccurrenceDue(backedOff, new Date(Date.parse(at(4)) - 1))).toBe(false);
    expect(isOccurrenceDue(backedOff, new Date(at(4)))).toBe(true);
    expect(isOccurrenceDue(backedOff, new Date(at(5)))).toBe(true);
  });
});

describe('stalenessOf', () => {
  it('is not stale within the hours, nor with no run at all', () => {
    const runs = history(run(0, { status: 'succeeded' }), run(1));
    expect(stalenessOf(runs, new Date(at(25)), 26)).toBeUndefined();
    expect(stalenessOf([], new Date(at(100)), 26)).toBeUndefined();
  });

  it('is stale once no run has succeeded for the hours: since the last success, naming the last run', () => {
    const runs = history(run(0, { status: 'succeeded' }), run(1), run(2, { status: 'skipped' }));
    expect(stalenessOf(runs, new Date(at(26.1)), 26)).toEqual({
      since: run(0).finishedAt,
      staleAfterHours: 26,
      lastSucceeded: { runId: 'run-0', finishedAt: run(0).finishedAt },
      lastRun: { runId: 'run-1', status: 'failed', finishedAt: run(1).finishedAt },
    });
  });

  it('takes no one-user sync for a success of the sync', () => {
    const runs = history(run(0, { status: 'succeeded' }), run(25, { trigger: 'user', status: 'succeeded' }));
    expect(stalenessOf(runs, new Date(at(26.1)), 26)).toMatchObject({ since: run(0).finishedAt });
  });

  it('counts from the first run when none has succeeded; a withheld run is no success', () => {
    const runs = history(run(0), run(5, { status: 'deletionThresholdExceeded' }));
    const stale = stalenessOf(runs, new Date(at(26)), 26);
    expect(stale).toMatchObject({ since: at(0), lastRun: { runId: 'run-5' } });
    expect(stale?.lastSucceeded).toBeUndefined();
    expect(stalenessOf(runs, new Date(at(25.9)), 26)).toBeUndefined();
  });

  it('counts from the last success kept beyond the window, or the newer one in it', () => {
    const window = history(run(30, { status: 'deletionThresholdExceeded' }), run(31));
    const kept = { runId: 'run-0', finishedAt: at(0) };
    expect(stalenessOf(window, new Date(at(31)), 26, { lastSucceeded: kept })).toMatchObject({
      since: at(0),
      lastSucceeded: kept,
      lastRun: { runId: 'run-31' },
    });
    expect(stalenessOf(window, new Date(at(25.9)), 26, { lastSucceeded: kept })).toBeUndefined();
    const newer = history(run(10, { status: 'succeeded' }), run(30));
    expect(stalenessOf(newer, new Date(at(36.5)), 26, { lastSucceeded: kept })).toMatchObject({
      since: run(10).finishedAt,
      lastSucceeded: { runId: 'run-10' },
    });
  });

  it('counts from the first run beyond the window when none has succeeded', () => {
    const window = history(run(30), run(31));
    expect(stalenessOf(window, new Date(at(26)), 26, { firstStartedAt: at(0) })).toMatchObject({
      since: at(0),
    });
    expect(stalenessOf(window, new Date(at(26)), 26)).toBeUndefined();
  });
});
