import type { Config } from '../config/config-schema';
import type { SavedPassword } from '../domain/password-binding';

/**
 * The bind password, write-only from the API's point of view: it is set and used, never returned. It is kept
 * with the fingerprint of the connection it was saved for (domain/password-binding.ts).
 */
export interface SecretStore {
  /**
   * The saved password. With `configVersion` (the configuration about to be used), a value cached while
   * another configuration version was current is fetched again: a save is seen at once.
   */
  getPassword(configVersion?: number): Promise<SavedPassword | undefined>;
  /** Saves the password; `undefined` removes it (putting back the state before a failed save). */
  setPassword(saved: SavedPassword | undefined): Promise<void>;
}

export interface StoredConfig {
  readonly config: Config;
  /** Grows by one with every save; 0 before the first. */
  readonly version: number;
}

export interface ConfigStore {
  getConfig(): Promise<StoredConfig | undefined>;
  /**
   * Saves the configuration as the next version. With `expectedVersion`, only if that is still the current
   * one (throws VersionConflictError otherwise); two saves can never both win.
   */
  saveConfig(config: Config, expectedVersion?: number): Promise<StoredConfig>;
}

/** A lease: held until released or until it expires, so a crashed run cannot hold it forever. */
export interface RunLock {
  /** Takes the lease, or renews it for the owner that holds it. */
  acquire(owner: string, leaseSeconds: number): Promise<boolean>;
  release(owner: string): Promise<void>;
  /** Records that a scheduled occurrence was handled; false when it already was (a duplicated event). */
  claimOccurrence(occurrence: string): Promise<boolean>;
}

/** Whatever triggers scheduled syncs: told when the configuration's schedule changes. */
export interface ScheduleController {
  apply(schedule: Config['schedule']): Promise<void>;
}

/** Where the last complete run left the directory: the next run reads only what changed since. */
export interface SyncCursor {
  readonly dsServiceName: string;
  readonly invocationId: string;
  readonly highestCommittedUsn: number;
  /** Connection, base DN and filters the cursor was made with; any change forces a full run. */
  readonly fingerprint: string;
  /** When the last full read (reconciliation) ran. */
  readonly lastFullAt: string;
  /** Directory users in the user database after that run (the deletion threshold's base). */
  readonly directoryUsers?: number;
}

export interface SyncCursorStore {
  getCursor(): Promise<SyncCursor | undefined>;
  saveCursor(cursor: SyncCursor): Promise<void>;
  /** Forgets the cursor: the next run reads everything. */
  clearCursor(): Promise<void>;
}

/**
 * Where a run that spans Lambda invocations stands, saved after each applied batch. The user database is
 * the real checkpoint (a follow-up invocation re-plans, and what was applied plans as unchanged); this
 * keeps what the report needs: the run's identity and what earlier invocations wrote.
 */
export interface RunCheckpoint {
  readonly runId: string;
  readonly startedAt: string;
  readonly trigger: 'api' | 'schedule';
  /** The deletes approved above the threshold (an approval names the count it was shown). */
  readonly approvedDeletes?: number;
  /** The configuration version the run started on: a follow-up on another one applies no deletes. */
  readonly configVersion?: number;
  /** Invocations that have worked on the run so far. */
  readonly invocations: number;
  /** Directory users in the database before the run: the deletion threshold's base for every invocation. */
  readonly population: number;
  /** Set when the first invocation withheld the deletes (the threshold): follow-ups withhold them too. */
  readonly deletesWithheld?: string;
  /** Writes made by the invocations so far. */
  readonly applied: { readonly created: number; readonly updated: number; readonly deleted: number };
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
