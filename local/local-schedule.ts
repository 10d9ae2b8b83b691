/**
 * The local stack's schedule: every `checkMs` it reads the saved configuration and, when the schedule is on,
 * runs the sync function with the occurrence of the current period, as EventBridge Scheduler does in AWS.
 */
import type { Clock } from '../shared/ports/clock';
import type { ConfigStore } from '../shared/ports/config-store';
import { systemClock } from '../shared/use-cases/system-clock';

export interface LocalScheduleOptions {
  readonly settings: Pick<ConfigStore, 'getConfig'>;
  /** Runs the sync function on a scheduled event. */
  readonly runSync: (event: { source: 'ad-sync.schedule'; scheduledAt: string }) => Promise<unknown>;
  readonly log: (line: string) => void;
  readonly checkMs: number;
  /** The checks' time and the waits between them; the system's clock by default. */
  readonly clock?: Clock;
}

/** Starts checking; the function it returns stops it (a check under way runs to its end). */
export function startLocalSchedule({
  settings,
  runSync,
  log,
  checkMs,
  clock = systemClock,
}: LocalScheduleOptions): () => void {
  const check = async (): Promise<void> => {
    try {
      const stored = await settings.getConfig();
      if (!stored?.config.schedule.enabled) return;
      // Each occurrence is a multiple of the interval, so a second check in the same period is a duplicate that
      // the sync function ignores.
      const period = stored.config.schedule.intervalMinutes * 60_000;
      const scheduledAt = new Date(Math.floor(clock.now().getTime() / period) * period).toISOString();
      await runSync({ source: 'ad-sync.schedule', scheduledAt });
    } catch (error) {
      log(`scheduled sync failed: ${(error as Error).message}`);
    }
  };
  const stopped = new AbortController();
  const startedAt = clock.now().getTime();
  void (async () => {
    // Checks fall every `checkMs` from the start; the ones that fall while a check (a sync) is under way are
    // skipped, and the next is the first one after it ends.
    for (let elapsed = 0; ; ) {
      const wait = checkMs - (elapsed % checkMs);
      try {
        await clock.sleep(wait, stopped.signal);
      } catch {
        return;
      }
      await check();
      elapsed = clock.now().getTime() - startedAt;
    }
  })();
  return () => stopped.abort();
}
