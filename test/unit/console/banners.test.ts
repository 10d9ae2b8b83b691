/** The banners above every page of the console (console/src/banners.ts), decided from GET /sync/runs. */
import { describe, expect, it } from 'vitest';
import { bannersOf } from '../../../console/src/banners';
import type { RunHistory, RunSummary } from '../../../console/src/types';
import { reportCounts } from '../../support/builders';

const run = (runId: string, overrides: Partial<RunSummary> = {}): RunSummary => ({
  runId,
  dryRun: false,
  status: 'succeeded',
  trigger: 'schedule',
  startedAt: '2026-12-06T10:00:00.000Z',
  finishedAt: '2026-12-06T10:00:05.000Z',
  counts: reportCounts(),
  ...overrides,
});
const schedule = (overrides: Partial<NonNullable<RunHistory['schedule']>> = {}) => ({
  enabled: true,
  state: 'ok' as const,
  failedRuns: 0,
  failuresBeforeBackoff: 3,
  intervalMinutes: 60,
  delayMinutes: 60,
  ...overrides,
});
const lastFailure = {
  runId: 'run-9',
  finishedAt: '2026-12-06T09:00:05.000Z',
  error: { code: 'DirectoryUnavailable', message: 'no domain controller answered' },
};

describe('bannersOf', () => {
  it('shows nothing when all is well', () => {
    expect(bannersOf({ runs: [run('run-1')], schedule: schedule() })).toEqual([]);
    expect(bannersOf({ runs: [] })).toEqual([]);
  });

  it('tells of a failing change watch, and of one on but not running; not of one that watches', () => {
    const failing = bannersOf({
      runs: [run('run-1')],
      watch: {
        state: 'failing',
        since: '2026-12-06T09:00:00.000Z',
        failures: 1,
        error: { code: 'Unreachable', message: 'dc1:636 cannot be reached' },
      },
    });
    expect(failing).toEqual([
      {
        kind: 'watch',
        tone: 'warn',
        title: 'Changes in seconds are failing',
        text: 'dc1:636 cannot be reached (1 in a row). The schedule still runs.',
      },
    ]);
    expect(bannersOf({ runs: [], watch: { state: 'off', since: '2026-12-06T09:00:00.000Z' } })).toHaveLength(
      1,
    );
    expect(bannersOf({ runs: [], watch: { state: 'watching', since: '2026-12-06T09:00:00.000Z' } })).toEqual(
      [],
    );
  });

  it('offers to apply the deletes the last run withheld, naming that run and count', () => {
    const runs = [
      run('run-3', { status: 'skipped' }),
      run('run-2', { status: 'deletionThresholdExceeded', deletesWithheld: 140 }),
    ];
    const [banner] = bannersOf({ runs });
    expect(banner).toMatchObject({
      kind: 'withheld',
      tone: 'warn',
      runId: 'run-2',
      approval: { runId: 'run-2', deletes: 140, label: 'Apply the 140 withheld removals once' },
    });
    expect(banner?.text).toContain('would remove 140 directory users');
    // A later run that ended otherwise: nothing withheld to approve.
    expect(bannersOf({ runs: [run('run-4'), ...runs] })).toEqual([]);
  });

  it('offers no approval for a run whose configuration changed under it, and says to synchronize again', () => {
    const runs = [
      run('run-2', {
        status: 'deletionThresholdExceeded',
        deletesWithheld: 3,
        deletesWithheldBecause: { reason: 'configurationChanged', startedOn: 4, savedSince: 5 },
      }),
    ];
    const [banner, ...others] = bannersOf({ runs });
    expect(others).toEqual([]);
    expect(banner).toMatchObject({ kind: 'withheld', runId: 'run-2' });
    expect(banner?.approval).toBeUndefined();
    expect(banner?.text).toContain('the configuration changed while it ran');
    expect(banner?.text).toContain('Synchronize now to run with the new configuration');
  });

  it('tells of a failing schedule and of a backed-off one, with why; not of a schedule turned off', () => {
    expect(
      bannersOf({ runs: [], schedule: schedule({ state: 'failing', failedRuns: 1, lastFailure }) }),
    ).toEqual([
      expect.objectContaining({
        kind: 'schedule',
        tone: 'warn',
        title: 'Scheduled syncs are failing',
        runId: 'run-9',
      }),
    ]);
    const backedOff = schedule({
      state: 'backedOff',
      failedRuns: 3,
      delayMinutes: 120,
      nextRunAt: '2026-12-06T11:00:05.000Z',
      lastFailure,
    });
    const [banner] = bannersOf({ runs: [], schedule: backedOff });
    expect(banner).toMatchObject({ kind: 'schedule', tone: 'error', title: 'The schedule is backed off' });
    expect(banner?.text).toContain('DirectoryUnavailable');
    expect(banner?.text).toContain('Synchronize now still runs at once');
    expect(bannersOf({ runs: [], schedule: { ...backedOff, enabled: false } })).toEqual([]);
  });

  it('tells of a stale sync first', () => {
    const stale = {
      since: '2026-12-04T10:00:00.000Z',
      staleAfterHours: 26,
      lastRun: { runId: 'run-9', status: 'failed' as const, finishedAt: lastFailure.finishedAt },
    };
    const banners = bannersOf({
      runs: [],
      schedule: schedule({ state: 'failing', failedRuns: 1, lastFailure }),
      stale,
    });
    expect(banners.map((b) => b.kind)).toEqual(['stale', 'schedule']);
    expect(banners[0]).toMatchObject({ tone: 'error', title: 'The sync is stale', runId: 'run-9' });
  });
});
