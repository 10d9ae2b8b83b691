/**
 * Where a run that spans Lambda invocations stands, saved after each applied batch. The user database is
 * the real checkpoint (a follow-up invocation re-plans, and what was applied plans as unchanged); this
 * keeps what the report needs: the run's identity and what earlier invocations wrote.
 */
import type { DeletionHold, RunTrigger } from '../domain/report';

export interface RunCheckpoint {
  readonly runId: string;
  readonly startedAt: string;
  readonly trigger: RunTrigger;
  /** The deletes approved above the threshold (an approval names the count it was shown). */
  readonly approvedDeletes?: number;
  /** The configuration version the run started on: a follow-up on another one applies no deletes. */
  readonly configVersion?: number;
  /** Invocations that have worked on the run so far. */
  readonly invocations: number;
  /** Directory users in the database before the run: the deletion threshold's base for every invocation. */
  readonly population: number;
  /** Set when the first invocation withheld the deletes (the threshold): follow-ups withhold them too. */
  readonly deletionHold?: DeletionHold;
  /** Writes made by the invocations so far (a checkpoint from before suspensions existed has no counts of them). */
  readonly applied: {
    readonly created: number;
    readonly updated: number;
    readonly deleted: number;
    readonly suspended?: number;
    readonly restored?: number;
  };
}

export interface RunCheckpointStore {
  getCheckpoint(): Promise<RunCheckpoint | undefined>;
  saveCheckpoint(checkpoint: RunCheckpoint): Promise<void>;
  clearCheckpoint(runId: string): Promise<void>;
}

/** Starts the follow-up invocation of a run that stopped before its invocation's deadline. */
export interface ContinuationTrigger {
  requestContinuation(runId: string): Promise<void>;
}
