import { describe, expect, it } from 'vitest';
import {
  alertLine,
  durationText,
  scheduleHealthText,
  stalenessText,
  watchText,
} from '../../../shared/domain/alert-text';
import type { ScheduleHealth } from '../../../shared/domain/schedule-health';

const health = (overrides: Partial<ScheduleHealth>): ScheduleHealth => ({
  state: 'ok',
  failedRuns: 0,
  failuresBeforeBackoff: 3,
  intervalMinutes: 60,
  delayMinutes: 60,
  ...overrides,
});
const lastFailure = {
  runId: 'run-9',
  finishedAt: '2026-12-01T02:01:00.000Z',
  error: { code: 'DirectoryUnavailable', message: 'no domain controller answered' },
};

describe('durationText', () => {
  it('says minutes, hours and days as a person does', () => {
    expect([0, 1, 45, 60, 90, 120, 1440, 1500, 2880].map(durationText)).toEqual([
      '0 minutes',
      '1 minute',
      '45 minutes',
      '1 hour',
      '1 hour 30 minutes',
      '2 hours',
      '1 day',
      '1 day 1 hour',
      '2 days',
    ]);
  });
});

describe('scheduleHealthText', () => {
  it('says nothing of a schedule that is ok', () => {
    expect(scheduleHealthText(health({}))).toBeUndefined();
  });

  it('says a failing schedule, why, and when it backs off', () => {
    expect(scheduleHealthText(health({ state: 'failing', failedRuns: 2, lastFailure }))).toEqual({
      title: 'Scheduled syncs are failing',
      detail:
        '2 scheduled runs in a row failed. Last error: DirectoryUnavailable: no domain controller answered. ' +
        'After 1 more failure the schedule backs off.',
    });
  });

  it('says a backed-off schedule, why, when it runs again, and that Synchronize now still runs', () => {
    const text = scheduleHealthText(
      health({
        state: 'backedOff',
        failedRuns: 4,
        delayMinutes: 240,
        nextRunAt: '2026-12-01T06:00:00.000Z',
        lastFailure,
      }),
    );
    expect(text && alertLine(text)).toBe(
      'The schedule is backed off: 4 scheduled runs in a row failed. Last error: DirectoryUnavailable: no domain ' +
        'controller answered. It runs again at 2026-12-01 06:00 UTC (every 4 hours instead of 1 hour, until a run ' +
        'succeeds). Synchronize now still runs at once.',
    );
  });
});

describe('stalenessText', () => {
  it('says since when nothing succeeded, and what the last run did', () => {
    expect(
      stalenessText({
        since: '2026-11-30T01:00:00.000Z',
        staleAfterHours: 26,
        lastSucceeded: { runId: 'run-1', finishedAt: '2026-11-30T01:00:00.000Z' },
        lastRun: { runId: 'run-9', status: 'failed', finishedAt: '2026-12-01T02:01:00.000Z' },
      }),
    ).toEqual({
      title: 'The sync is stale',
      detail: 'No run has succeeded since 2026-11-30 01:00 UTC, more than 26 hours. The last run failed.',
    });
    expect(alertLine(stalenessText({ since: '2026-11-30T01:00:00.000Z', staleAfterHours: 26 }))).toBe(
      'The sync is stale: No run has succeeded since the first run (2026-11-30 01:00 UTC), more than 26 hours.',
    );
  });
});

describe('watchText', () => {
  it('says why a watch fails, how often in a row, and when it tries again', () => {
    expect(
      watchText({
        state: 'failing',
        since: '2026-12-06T12:00:00Z',
        failures: 2,
        error: { code: 'Unreachable', message: 'dc1:636 cannot be reached' },
        retryAt: '2026-12-06T12:00:02Z',
      }),
    ).toEqual({
      title: 'Changes in seconds are failing',
      detail:
        'dc1:636 cannot be reached (2 in a row). It tries again at 2026-12-06 12:00 UTC; the schedule still runs.',
    });
  });

  it('flags a watch that is on but not running, and says nothing of one that watches or connects', () => {
    expect(watchText({ state: 'off', since: '2026-12-06T12:00:00Z' })?.title).toBe(
      'Changes in seconds are not watched',
    );
    expect(watchText({ state: 'watching', since: '2026-12-06T12:00:00Z' })).toBeUndefined();
    expect(watchText({ state: 'connecting', since: '2026-12-06T12:00:00Z' })).toBeUndefined();
  });
});
