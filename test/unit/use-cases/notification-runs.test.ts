/**
 * The watch's runs against SPEC 8.4's "a change starts a run within 2 seconds": the gap a storm widens never
 * holds back changes that are not a storm (NotificationRuns on the test clock).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WATCH_TIMING } from '../../../shared/domain/change-watch';
import type { RunSummary } from '../../../shared/domain/report';
import { SyncRunningError } from '../../../shared/errors';
import { NotificationRuns, runReadsChangesOf } from '../../../shared/use-cases/notification-runs';
import { reportCounts } from '../../support/builders';
import { TestClock } from '../../support/test-clock';

/** Notices changes at these times (ms), and answers how long each waited for the first run started after it. */
async function delaysOf(changeTimes: readonly number[]): Promise<number[]> {
  const clock = new TestClock(0);
  const starts: number[] = [];
  const runs = new NotificationRuns(
    {
      clock,
      startRun: async () => {
        starts.push(clock.nowMs);
        return `run-${starts.length}`;
      },
      onStarted: () => {},
      onStartFailed: () => {},
    },
    DEFAULT_WATCH_TIMING,
    new AbortController().signal,
  );
  let next = 0;
  for (let t = 0; t <= Math.max(...changeTimes) + 40_000; t += 100) {
    for (; next < changeTimes.length && (changeTimes[next] ?? 0) <= t; next += 1) runs.notice();
    await clock.advance(100);
  }
  return changeTimes.map((at) => (starts.find((start) => start >= at) ?? Number.POSITIVE_INFINITY) - at);
}

describe('NotificationRuns: the gap between runs', () => {
  it('starts the run of each edit of an administrator at work (1.5 to 25 s apart) within 2 s', async () => {
    const delays = await delaysOf([0, 1_500, 5_000, 10_000, 20_000, 45_000, 70_000]);
    expect(delays).toEqual([500, 1_000, 500, 500, 500, 500, 500]);
  });

  it('comes back to the 0.5 s of a lone change once a storm is over, for changes 20 s apart', async () => {
    const storm = Array.from({ length: 50 }, (_, k) => k * 200);
    const after = Array.from({ length: 6 }, (_, k) => 30_000 + k * 20_000);
    const delays = await delaysOf([...storm, ...after]);
    expect(delays.slice(storm.length)).toEqual([500, 500, 500, 500, 500, 500]);
    // The storm itself was spaced out: its last changes waited for a widened gap, more than 2 s.
    expect(Math.max(...delays.slice(0, storm.length))).toBeGreaterThan(2_000);
  });
});

describe('NotificationRuns: the lock held by another run', () => {
  /**
   * Changes at `changes` (ms) while another run, started at 2 s, holds the lock until `heldUntil`; it reads those
   * notified by 1 s while it runs when `reads`, and ends `ended` ('read': it succeeded). Answers the starts tried
   * and those that started.
   */
  async function startsWhileHeld(options: {
    reads: boolean | undefined;
    ended?: 'read' | 'no';
    changes?: readonly number[];
    heldUntil?: number;
  }) {
    const { reads, ended = 'read', changes = [0], heldUntil = 10_000 } = options;
    const clock = new TestClock(0);
    const tried: number[] = [];
    const started: number[] = [];
    const asked: { runId: string; at: number }[] = [];
    const runs = new NotificationRuns(
      {
        clock,
        startRun: async () => {
          tried.push(clock.nowMs);
          if (clock.nowMs < heldUntil) throw new SyncRunningError('A sync is already running', 'run-held');
          started.push(clock.nowMs);
          return `run-${started.length}`;
        },
        onStarted: () => {},
        onStartFailed: () => {},
        ...(reads === undefined
          ? {}
          : {
              readsChangesOf: async (runId: string, at: number) => {
                asked.push({ runId, at });
                // The holder started at 2 s: it reads the changes notified a second or more before.
                if (!reads || at + 1_000 > 2_000) return 'no' as const;
                return clock.nowMs < heldUntil ? ('reading' as const) : ended;
              },
            }),
      },
      DEFAULT_WATCH_TIMING,
      new AbortController().signal,
    );
    let next = 0;
    for (let t = 0; t <= 40_000; t += 100) {
      for (; next < changes.length && (changes[next] ?? 0) <= t; next += 1) runs.notice();
      await clock.advance(100);
    }
    await runs.settled();
    return { tried, started, asked };
  }

  it('starts no run for changes the run holding the lock reads, once it has read them (a hand-over, a later run)', async () => {
    const { tried, started, asked } = await startsWhileHeld({ reads: true });
    expect(tried).toHaveLength(1);
    expect(started).toEqual([]);
    expect(asked.every((question) => question.runId === 'run-held' && question.at === 0)).toBe(true);
  });

  it('starts their run once the lock is free when the holder ended without reading them (failed)', async () => {
    const { tried, started } = await startsWhileHeld({ reads: true, ended: 'no' });
    expect(tried).toHaveLength(2);
    expect(started).toHaveLength(1);
    expect(started[0]).toBeGreaterThanOrEqual(10_000);
  });

  it('starts a run for a change notified after the holder started reading', async () => {
    const { started } = await startsWhileHeld({ reads: true, changes: [0, 5_000] });
    expect(started).toHaveLength(1);
    expect(started[0]).toBeGreaterThanOrEqual(10_000);
  });

  it('tries again until it starts when the holder does not read them, or nobody can say', async () => {
    for (const reads of [false, undefined]) {
      const { tried, started } = await startsWhileHeld({ reads });
      expect(tried.length, String(reads)).toBeGreaterThan(1);
      expect(started, String(reads)).toHaveLength(1);
      expect(started[0], String(reads)).toBeGreaterThanOrEqual(10_000);
    }
  });
});

describe('runReadsChangesOf', () => {
  const summary = (runId: string, startedAt: string, more: Partial<RunSummary> = {}): RunSummary => ({
    runId,
    dryRun: false,
    status: 'running',
    trigger: 'notification',
    startedAt,
    finishedAt: startedAt,
    counts: reportCounts(),
    ...more,
  });
  const at = Date.parse('2026-12-07T10:00:00.000Z');
  const store = (runs: RunSummary[]) => ({ listRuns: async () => runs });

  it('is reading for a whole-directory run still running that started a second or more after the changes, read once it ended well', async () => {
    for (const trigger of ['notification', 'schedule', 'api'] as const) {
      expect(
        await runReadsChangesOf(store([summary('r', '2026-12-07T10:00:01.000Z', { trigger })]), 'r', at),
        trigger,
      ).toBe('reading');
    }
    for (const status of ['succeeded', 'deletionThresholdExceeded'] as const) {
      expect(
        await runReadsChangesOf(store([summary('r', '2026-12-07T10:00:01.000Z', { status })]), 'r', at),
        status,
      ).toBe('read');
    }
  });

  it('is no for a run started before or with them, one user, a run that failed, or a run not in the history', async () => {
    const cases: [string, RunSummary][] = [
      ['before', summary('r', '2026-12-07T09:59:59.000Z')],
      ['within the margin', summary('r', '2026-12-07T10:00:00.999Z')],
      ['one user', summary('r', '2026-12-07T10:00:05.000Z', { trigger: 'user' })],
      ['failed', summary('r', '2026-12-07T10:00:05.000Z', { status: 'failed' })],
      ['another run', summary('other', '2026-12-07T10:00:05.000Z')],
    ];
    for (const [name, run] of cases) expect(await runReadsChangesOf(store([run]), 'r', at), name).toBe('no');
  });
});
