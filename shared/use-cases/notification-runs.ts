/**
 * The runs the watch starts (docs/contract.md#changes-in-seconds): changes notified in a burst are one run,
 * started once the burst has settled and at least a gap after the start of the previous one (runDueAt: 2 s,
 * widened by a storm, nextRunGap; a change after a quiet gap waits only for its burst); a start that finds
 * another run holding the lock is tried
 * again every `busyRetryMs` until it starts, so a change notified during a run leads to one more run after
 * it, never to two at once (the lock decides) and never to a lost change.
 *
 * A start that finds the lock held by a whole-directory run that started after the changes (`readsChangesOf`:
 * another watcher's run at a hand-over, a scheduled or an administrator's run) waits for that run instead, and
 * starts nothing for them once it has ended having read them (succeeded, or deletes withheld); one that ended
 * otherwise (failed, interrupted) leaves them their run. Changes notified since still get their run.
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
   * Whether the run holding the lock reads every change made before `at` (ms on the clock), a run of the whole
   * directory that started after it: still `reading`, ended having `read` them, or `no`. Without it, a held lock
   * always means trying again.
   */
  readonly readsChangesOf?: (runId: string, at: number) => Promise<ChangesRead>;
}

/** What a run did with changes made before it: reads them (running), read them (ended well), or neither. */
export type ChangesRead = 'reading' | 'read' | 'no';

export class NotificationRuns {
  private pending: PendingChanges | undefined;
  private draining: Promise<void> | undefined;
  /** The last run this watch started (on the clock) and the gap the next keeps, if it started one. */
  private lastRun: LastRun | undefined;
  /**
   * The run holding the lock that reads the pending changes, notified up to `upTo` (ms), if one does; a change
   * notified since ends it.
   */
  private covered: { readonly runId: string; readonly upTo: number } | undefined;

  constructor(
    private readonly deps: NotificationRunsDependencies,
    private readonly timing: WatchTiming,
    private readonly signal: AbortSignal,
  ) {}

  /** A change to run for: starts the wait for its burst to settle, or extends the one under way. */
  notice(): void {
    if (this.signal.aborted) return;
    // A change now: the run holding the lock may have started before it, so these changes need their own run.
    this.covered = undefined;
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
      if (this.covered && (await this.stillCovered(this.covered))) continue;
      const gapMs = nextRunGap(this.pending, this.timing, this.lastRun);
      const changes = this.pending;
      this.pending = undefined;
      await this.start(gapMs, changes);
    }
  }

  /**
   * With the pending changes read by the run holding the lock: true while it reads them (they wait on), or once it
   * has read them (they are done); false when they need their own run (it did not, or newer changes came).
   */
  private async stillCovered(covered: { readonly runId: string; readonly upTo: number }): Promise<boolean> {
    const verdict = await this.readingOf(covered.runId, covered.upTo);
    const pending = this.pending;
    // A change notified meanwhile ended the cover (notice).
    if (!pending || this.covered !== covered || verdict === 'no') {
      this.covered = undefined;
      return false;
    }
    if (verdict === 'read') {
      this.covered = undefined;
      this.pending = undefined;
      return true;
    }
    this.pending = { ...pending, notBefore: this.deps.clock.now().getTime() + this.timing.busyRetryMs };
    return true;
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
      const holder = busy ? error.details.find((detail) => detail.path === 'runId')?.message : undefined;
      const verdict = holder === undefined ? 'no' : await this.readingOf(holder, changes.lastAt);
      // Read already: only the changes notified since wait on (this.pending).
      if (verdict === 'read') return;
      // Read by the holder unless changes came during the start (it may have started before them).
      if (verdict === 'reading' && holder !== undefined && !this.pending)
        this.covered = { runId: holder, upTo: changes.lastAt };
      const now = this.deps.clock.now().getTime();
      const retry = now + (busy ? this.timing.busyRetryMs : this.timing.startRetryMs);
      // Changes notified while the start was under way keep their times; the run waits for the lock either way.
      this.pending = { ...withChangeAt(this.pending, now), notBefore: retry };
    }
  }

  /** What the run `runId` does with the changes notified up to `at`; no when that cannot be known. */
  private async readingOf(runId: string, at: number): Promise<ChangesRead> {
    if (!this.deps.readsChangesOf) return 'no';
    return this.deps.readsChangesOf(runId, at).catch((): ChangesRead => 'no');
  }
}

/** Runs of the history the holder of the lock is looked for in: it is the newest run, or nearly. */
const HOLDER_LOOKUP = 5;
/** How much later than the changes' notice a run must have started to read them for sure (two machines' clocks). */
const START_MARGIN_MS = 1_000;

/**
 * What the run `runId` does with the changes notified before `at`, if it is a run of the whole directory (not one
 * user's, not a preview) that started at least START_MARGIN_MS after them, so that its read began after they were
 * made on the DC: reading them while it runs, read once it succeeded (or withheld deletes); otherwise no.
 */
export async function runReadsChangesOf(
  runs: Pick<RunStore, 'listRuns'>,
  runId: string,
  at: number,
): Promise<ChangesRead> {
  const run = (await runs.listRuns(HOLDER_LOOKUP)).find((candidate) => candidate.runId === runId);
  if (!run || run.dryRun || run.trigger === 'user' || Date.parse(run.startedAt) < at + START_MARGIN_MS)
    return 'no';
  if (run.status === 'running') return 'reading';
  // Its read was complete and its writes made (deletes withheld are the threshold's, not the changes').
  return run.status === 'succeeded' || run.status === 'deletionThresholdExceeded' ? 'read' : 'no';
}
