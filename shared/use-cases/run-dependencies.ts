/**
 * What a run needs from the outside (the ports, the clock, the run's identity, its deadline), in a module of
 * its own: the run (sync-pipeline.ts) and its planning half (plan-run.ts) both take it, neither imports the other
 * for it. `withDefaults` fills in the clock and the run id, once, where a run starts.
 */
import { randomUUID } from 'node:crypto';
import type { ReportStep } from '../domain/report';
import type { Clock } from '../ports/clock';
import type { DirectoryReader } from '../ports/directory-reader';
import type { GroupStore } from '../ports/group-store';
import type { RunCheckpointStore } from '../ports/run-checkpoint';
import type { RunStore } from '../ports/run-store';
import type { SyncCursorStore } from '../ports/sync-cursor';
import type { UserStore } from '../ports/user-store';
import type { ProgressSink } from './run-progress';
import { systemClock } from './system-clock';

export interface SyncDependencies {
  readonly directory: DirectoryReader;
  readonly users: UserStore;
  readonly runs: RunStore;
  /** Where synchronized groups are kept; without it a run reads no group (docs/contract.md#groups). */
  readonly groups?: GroupStore;
  /** With a cursor store, runs read only what changed since the last clean run (Test Settings always reads all). */
  readonly cursors?: SyncCursorStore;
  /** A full read (reconciliation: deletes seen without tombstones) at least this often; default 24. */
  readonly fullReadEveryHours?: number;
  /** What time it is, and the waits of a run (the lock's, its progress, its lease); the system's by default. */
  readonly clock?: Clock;
  readonly newRunId?: () => string;
  /** Called once per finished step (structured logging); never given the password. */
  readonly onStep?: (step: ReportStep) => void;
  /** Called with an error that is not one of ours, whose details the report leaves out. */
  readonly onUnexpectedError?: (error: unknown) => void;
  /** Where a run spanning invocations saves its progress after each applied batch. */
  readonly checkpoints?: RunCheckpointStore;
  /**
   * Milliseconds the invocation has left. With it, a run stops between apply batches when less than
   * HANDOFF_RESERVE_MS remain and reports status `running`; the caller arranges the follow-up invocation.
   */
  readonly remainingMs?: () => number;
  /**
   * Where the run records its progress while it runs (its run record, or its preview's); without it, a run's
   * record is written only when it ends.
   */
  readonly progress?: ProgressSink;
  /** How often progress is written (default PROGRESS_INTERVAL_MS). */
  readonly progressIntervalMs?: number;
  /** Changes per apply batch (default APPLY_BATCH): each batch ends with a checkpoint. */
  readonly applyBatchSize?: number;
}

/** The dependencies with the clock and the run id filled in. */
export type RunDependencies<D extends Defaulted = SyncDependencies> = D & {
  readonly clock: Clock;
  readonly newRunId: () => string;
};

/** What withDefaults fills in. */
type Defaulted = Pick<SyncDependencies, 'clock' | 'newRunId'>;

/** Fills in the defaults: the system clock, random run ids. */
export function withDefaults<D extends Defaulted>(deps: D): RunDependencies<D> {
  return {
    ...deps,
    clock: deps.clock ?? systemClock,
    newRunId: deps.newRunId ?? (() => randomUUID()),
  };
}

/**
 * Changes per apply batch: a checkpoint follows each, and a run may stop for its deadline between them.
 * Large enough that the store's parallel transactions rarely wait on a batch's last one.
 */
export const APPLY_BATCH = 2500;

/** A run stops and hands off to a follow-up invocation when its invocation has less time left than this. */
export const HANDOFF_RESERVE_MS = 60_000;
