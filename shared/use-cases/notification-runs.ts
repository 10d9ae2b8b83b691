/**
 * The runs the watch starts (docs/contract.md#changes-in-seconds): changes notified in a burst are one run,
 * started once the burst has settled and at least a gap after the start of the previous one (runDueAt: 2 s,
 * widened by a storm, nextRunGap; a change after a quiet gap waits only for its burst); a start that finds
 * another run holding the lock is tried
 * again every `busyRetryMs` until it starts, so a change notified during a run leads to one more run after
 * it, never to two at once (the lock decides) and never to a lost change.
 *
 * A start that finds the lock held by a whole-directory run that started after the changes (`readsChangesOf`:
 * another watcher's run at a hand-over, a scheduled or an administrator's run) starts nothing for them: that run
 * reads them already. Changes notified since still get their run.
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
import type { RunStore } from '../ports/run-store';
import { errorOf } from './run-report';

export interface NotificationRunsDependencies {
  readonly clock: Clock;
  /** Starts an incremental run with trigger `notification`; SyncRunningError while another run holds the lock. */
  readonly startRun: () => Promise<string>;
  /** Told of each run started, and of each start that failed otherwise than on the lock. */
  readonly onStarted: (runId: string) => void;
  readonly onStartFailed: (error: { code: string; message: string }) => void;
  /**
   * Whether the run holding the lock reads every change made before `at` (ms on the clock): a run of the whole
   * directory that started after it. Without it, a held lock always means trying again.
   */
  readonly readsChangesOf?: (runId: string, at: number) => Promise<boolean>;
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
      const changes = this.pending;
      this.pending = undefined;
      await this.start(gapMs, changes);
    }
  }

  /**
   * Starts the run for `changes`; on a held lock or a failure, they stay pending until `notBefore`, unless the
   * run holding the lock reads them.
   */
  private async start(gapMs: number, changes: PendingChanges): Promise<void> {
    try {
      const runId = await this.deps.startRun();
      this.lastRun = { startedAt: this.deps.clock.now().getTime(), gapMs };
      this.deps.onStarted(runId);
    } catch (error) {
      const busy = error instanceof SyncRunningError;
      if (!busy) this.deps.onStartFailed(errorOf(error));
      if (busy && (await this.heldByARunReading(error, changes))) return;
      const now = this.deps.clock.now().getTime();
      const retry = now + (busy ? this.timing.busyRetryMs : this.timing.startRetryMs);
      // Changes notified while the start was under way keep their times; the run waits for the lock either way.
      this.pending = { ...withChangeAt(this.pending, now), notBefore: retry };
    }
  }

  /** Whether the run that holds the lock (named by the refusal) reads these changes; no when that is unknown. */
  private async heldByARunReading(refusal: SyncRunningError, changes: PendingChanges): Promise<boolean> {
    const holder = refusal.details.find((detail) => detail.path === 'runId')?.message;
    if (!holder || !this.deps.readsChangesOf) return false;
    return this.deps.readsChangesOf(holder, changes.lastAt).catch(() => false);
  }
}

/** Runs of the history the holder of the lock is looked for in: it is the newest run, or nearly. */
const HOLDER_LOOKUP = 5;
/** How much later than the changes' notice a run must have started to read them for sure (two machines' clocks). */
const START_MARGIN_MS = 1_000;

/**
 * Whether the run `runId` reads the changes notified before `at`: a run of the whole directory (not one user's,
 * not a preview) still running, that started at least START_MARGIN_MS after them, so its read began after they
 * were made on the DC.
 */
export async function runReadsChangesOf(
  runs: Pick<RunStore, 'listRuns'>,
  runId: string,
  at: number,
): Promise<boolean> {
  const run = (await runs.listRuns(HOLDER_LOOKUP)).find((candidate) => candidate.runId === runId);
  return (
    run !== undefined &&
    !run.dryRun &&
    run.status === 'running' &&
    run.trigger !== 'user' &&
    Date.parse(run.startedAt) >= at + START_MARGIN_MS
  );
}
