/**
 * The watch's runs against SPEC 8.4's "a change starts a run within 2 seconds": the gap a storm widens never
 * holds back changes that are not a storm (NotificationRuns on the test clock).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WATCH_TIMING } from '../../../shared/domain/change-watch';
import { NotificationRuns } from '../../../shared/use-cases/notification-runs';
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
