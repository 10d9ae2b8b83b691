/**
 * The local stack's schedule: every `checkMs` it reads the saved configuration and, when the schedule is on,
 * runs the sync function with the occurrence of the current period, as EventBridge Scheduler does in AWS.
 */
import type { DynamoConfigStore } from '../shared/adapters/dynamodb/dynamo-config-store';

export interface LocalScheduleOptions {
  readonly settings: DynamoConfigStore;
  /** Runs the sync function on a scheduled event. */
  readonly runSync: (event: { source: 'ad-sync.schedule'; scheduledAt: string }) => Promise<unknown>;
  readonly log: (line: string) => void;
  readonly checkMs: number;
}

/** Starts checking; the function it returns stops it. */
export function startLocalSchedule({ settings, runSync, log, checkMs }: LocalScheduleOptions): () => void {
  // Each occurrence is a multiple of the interval, so a second check in the same period is a duplicate that
  // the sync function ignores.
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const stored = await settings.getConfig();
      if (!stored?.config.schedule.enabled) return;
      const period = stored.config.schedule.intervalMinutes * 60_000;
      const scheduledAt = new Date(Math.floor(Date.now() / period) * period).toISOString();
      await runSync({ source: 'ad-sync.schedule', scheduledAt });
    } catch (error) {
      log(`scheduled sync failed: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  }, checkMs);
  return () => clearInterval(timer);
}
