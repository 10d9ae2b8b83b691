/**
 * The runs the watch starts (docs/contract.md#changes-in-seconds): changes notified in a burst are one run,
 * started once the burst has settled and at least a gap after the start of the previous one (runDueAt: 2 s,
 * widened by a storm, nextRunGap; a change after a quiet gap waits only for its burst); a start that finds
 * another run holding the lock is tried
 * again every `busyRetryMs` until it starts, so a change notified during a run leads to one more run after
 * it, never to two at once (the lock decides) and never to a lost change.
 *
 * A start is what `POST /sync` does (startSync): the lock taken, the run recorded running, handed to the
 * sync function; that run is recorded and publishes its events as every run does.
 */
import {
  type LastRun,
  nextRunGap,
  type PendingChanges,
  runDueAt,
  type WatchTiming,
  withChangeAt,
} from '../domain/change-watch';
import { SyncRunningError } from '../errors';
import type { Clock } from '../ports/clock';
import { errorOf } from './run-report';

export interface NotificationRunsDependencies {
  readonly clock: Clock;
  /** Starts an incremental run with trigger `notification`; SyncRunningError while another run holds the lock. */
  readonly startRun: () => Promise<string>;
  /** Told of each run started, and of each start that failed otherwise than on the lock. */
  readonly onStarted: (runId: string) => void;
  readonly onStartFailed: (error: { code: string; message: string }) => void;
}

export class NotificationRuns {
  private pending: PendingChanges | undefined;
  private draining: Promise<void> | undefined;
  /** The last run this watch started (on the clock) and the gap the next keeps, if it started one. */
  private lastRun: LastRun | undefined;

  constructor(
    private readonly deps: NotificationRunsDependencies,
    private readonly timing: WatchTiming,
    private readonly signal: AbortSignal,
  ) {}

  /** A change to run for: starts the wait for its burst to settle, or extends the one under way. */
  notice(): void {
    if (this.signal.aborted) return;
    this.pending = withChangeAt(this.pending, this.deps.clock.now().getTime());
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Resolves once no run is pending nor being started (for tests and a clean stop). */
  async settled(): Promise<void> {
    await this.draining;
  }

  /** Waits for each burst to settle, then starts its run; ends when nothing is pending, or on stop. */
  private async drain(): Promise<void> {
    while (this.pending) {
      const wait = runDueAt(this.pending, this.timing, this.lastRun) - this.deps.clock.now().getTime();
      if (wait > 0) {
        try {
          await this.deps.clock.sleep(wait, this.signal);
        } catch {
          return;
        }
        // Changes may have come meanwhile: the due time is worked out again.
        continue;
      }
      const gapMs = nextRunGap(this.pending, this.timing, this.lastRun);
      this.pending = undefined;
      await this.start(gapMs);
    }
  }

  /** Starts the run; on a held lock or a failure, the changes stay pending until `notBefore`. */
  private async start(gapMs: number): Promise<void> {
    try {
      const runId = await this.deps.startRun();
      this.lastRun = { startedAt: this.deps.clock.now().getTime(), gapMs };
      this.deps.onStarted(runId);
    } catch (error) {
      const busy = error instanceof SyncRunningError;
      if (!busy) this.deps.onStartFailed(errorOf(error));
      const now = this.deps.clock.now().getTime();
      const retry = now + (busy ? this.timing.busyRetryMs : this.timing.startRetryMs);
      // Changes notified while the start was under way keep their times; the run waits for the lock either way.
      this.pending = { ...withChangeAt(this.pending, now), notBefore: retry };
    }
  }
}
