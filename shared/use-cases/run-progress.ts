/**
 * Progress of a run under way (docs/contract.md#long-operations): the pipeline keeps its counts as it goes (a
 * page read, an apply batch), and the clock's ticks write the record of the run (or preview) with them every
 * PROGRESS_INTERVAL_MS while they change. A write is skipped while nothing moved and while the previous one
 * is still on its way, so a run of any size adds a few writes per minute at most; the last one is awaited
 * before the run records its end, so progress can never land after it.
 */
import { type Report, RUN_PHASES, type RunProgress } from '../domain/report';
import type { Clock } from '../ports/clock';

/** How often a run's record is brought up to date while it runs (the contract asks for at least every 5 s). */
export const PROGRESS_INTERVAL_MS = 2000;

/** Where a run's progress is recorded: the run history, or the previews. */
export interface ProgressSink {
  recordProgress(report: Report): Promise<void>;
}

export class ProgressReporter {
  private stopTicking: AbortController | undefined;
  private ticking: Promise<void> | undefined;
  private writing: Promise<void> | undefined;
  private lastWritten = '';
  /** Writes made (the benchmark counts them). */
  writes = 0;

  /** `snapshot`: the report so far, `status: "running"` with its `progress`. */
  constructor(
    private readonly sink: ProgressSink,
    private readonly snapshot: () => Report & { readonly progress: RunProgress },
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {}

  /**
   * Writes the record on every tick while the run moves; with `writeNow`, first at once (a run nobody has
   * recorded yet is listed as running from its start).
   */
  start({ writeNow }: { readonly writeNow: boolean }): void {
    if (writeNow) this.flush();
    this.stopTicking = new AbortController();
    this.ticking = this.tick(this.stopTicking.signal);
  }

  /** Stops the ticks and waits for a write on its way. */
  async stop(): Promise<void> {
    this.stopTicking?.abort();
    await this.ticking;
    this.stopTicking = undefined;
    this.ticking = undefined;
    await this.writing;
  }

  /** A flush every `intervalMs` on the clock, until stopped. */
  private async tick(signal: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await this.clock.sleep(this.intervalMs, signal);
      } catch {
        return;
      }
      this.flush();
    }
  }

  private flush(): void {
    if (this.writing !== undefined) return;
    const report = this.snapshot();
    // Only what a reader sees move: the progress and the counts (not the clock).
    const key = JSON.stringify([report.progress, report.counts]);
    if (key === this.lastWritten) return;
    this.lastWritten = key;
    this.writes += 1;
    this.writing = this.sink
      .recordProgress(report)
      // Progress is for people watching; a write that fails must not fail the run.
      .catch(this.onError)
      .finally(() => {
        this.writing = undefined;
      });
  }
}

/** Progress that does not go back behind an earlier invocation's: the later phase, the larger counts. */
export function notBehind(now: RunProgress, floor: RunProgress): RunProgress {
  const later = RUN_PHASES.indexOf(now.phase) >= RUN_PHASES.indexOf(floor.phase) ? now.phase : floor.phase;
  const toApply = Math.max(now.toApply ?? 0, floor.toApply ?? 0);
  return {
    phase: later,
    read: Math.max(now.read, floor.read),
    inScope: Math.max(now.inScope, floor.inScope),
    planned: Math.max(now.planned, floor.planned),
    applied: Math.max(now.applied, floor.applied),
    ...(toApply > 0 ? { toApply } : {}),
  };
}
