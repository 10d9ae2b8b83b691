/**
 * The local stack's schedules, as EventBridge Scheduler runs them in AWS: every `checkMs` it reads the saved
 * configuration and, when the schedule is on, runs the sync function with the occurrence of the current
 * period; and every `staleCheckMs`, whatever the schedule, it runs the sync function's stale check (which
 * raises the `sync.stale` alert once no run has succeeded for `alerts.staleAfterHours`).
 */
import type { Clock } from '../shared/ports/clock';
import type { ConfigStore } from '../shared/ports/config-store';
import { systemClock } from '../shared/use-cases/system-clock';

/** The events the schedules send the sync function (functions/sync.ts). */
export type LocalScheduleEvent =
  | { readonly source: 'ad-sync.schedule'; readonly scheduledAt: string }
  | { readonly source: 'ad-sync.stale-check'; readonly checkedAt: string };

export interface LocalScheduleOptions {
  readonly settings: Pick<ConfigStore, 'getConfig'>;
  /** Runs the sync function on a scheduled event, or its stale check. */
  readonly runSync: (event: LocalScheduleEvent) => Promise<unknown>;
  readonly log: (line: string) => void;
  readonly checkMs: number;
  /** How often the stale check runs (the stale-check schedule's rate in AWS). */
  readonly staleCheckMs: number;
  /** The checks' time and the waits between them; the system's clock by default. */
  readonly clock?: Clock;
}

/** Starts checking; the function it returns stops it (a check under way runs to its end). */
export function startLocalSchedule({
  settings,
  runSync,
  log,
  checkMs,
  staleCheckMs,
  clock = systemClock,
}: LocalScheduleOptions): () => void {
  const runSchedule = async (): Promise<void> => {
    try {
      const stored = await settings.getConfig();
      if (!stored?.config.schedule.enabled) return;
      const scheduledAt = occurrenceAt(clock.now(), stored.config.schedule.intervalMinutes);
      await runSync({ source: 'ad-sync.schedule', scheduledAt });
    } catch (error) {
      log(`scheduled sync failed: ${(error as Error).message}`);
    }
  };
  const checkStale = async (): Promise<void> => {
    try {
      // Nothing saved, or nothing stale: the sync function does nothing (the alert store raises a spell once).
      await runSync({ source: 'ad-sync.stale-check', checkedAt: clock.now().toISOString() });
    } catch (error) {
      log(`stale check failed: ${(error as Error).message}`);
    }
  };
  const stopped = new AbortController();
  // Apart: a stale check is due while a long sync runs, and a sync while the check reads the history.
  repeat(clock, checkMs, stopped.signal, runSchedule);
  repeat(clock, staleCheckMs, stopped.signal, checkStale);
  return () => stopped.abort();
}

/**
 * The occurrence of the period that holds `now`: its start, a multiple of the interval. A second check in the
 * same period is a duplicate that the sync function ignores, and the back-off compares this time, not the
 * check's, with the next run's time (a multiple of the interval after a failed run's occurrence).
 */
export function occurrenceAt(now: Date, intervalMinutes: number): string {
  const period = intervalMinutes * 60_000;
  return new Date(Math.floor(now.getTime() / period) * period).toISOString();
}

/**
 * Runs `task` every `everyMs` from now until `signal` aborts. The times that fall while it runs are skipped,
 * and the next is the first one after it ends.
 */
function repeat(clock: Clock, everyMs: number, signal: AbortSignal, task: () => Promise<void>): void {
  const startedAt = clock.now().getTime();
  void (async () => {
    for (let elapsed = 0; ; ) {
      const wait = everyMs - (elapsed % everyMs);
      try {
        await clock.sleep(wait, signal);
      } catch {
        return;
      }
      await task();
      elapsed = clock.now().getTime() - startedAt;
    }
  })();
}
