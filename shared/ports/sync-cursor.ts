import type { DirSyncAccess } from './directory-reader';

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
  /** DirSync as the last full read found it: incremental runs report it without asking again. */
  readonly dirSync?: DirSyncAccess;
  /**
   * A hash of the groups nested in the selected groups (their objectGUIDs): a run that finds another set
   * reads the selected groups' members again (a deleted nested group changes no group on every DC).
   */
  readonly nestedGroups?: string;
}

export interface SyncCursorStore {
  getCursor(): Promise<SyncCursor | undefined>;
  saveCursor(cursor: SyncCursor): Promise<void>;
  /** Forgets the cursor: the next run reads everything. */
  clearCursor(): Promise<void>;
}
