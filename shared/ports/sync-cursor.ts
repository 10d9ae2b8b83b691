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
  /** A hash of the selected groups' members: the next run lists the database only when they differ. */
  readonly groupMembersHash?: string;
  /**
   * The digest of the objectGUIDs under the base DN as this run read them (ScopeDigest): the next run
   * enumerates them again and lists the database, to find who left, only when they differ.
   */
  readonly scopeDigest?: string;
  /**
   * When the first grace period of the database's suspended users ends (ISO 8601): the first run from then
   * reads everything, which deletes them. Never later than that (a restore since may make it early).
   */
  readonly suspensionsDueAt?: string;
  /**
   * Where the DC stood (highestCommittedUsn) before the last clean group pass read the groups, and the
   * digest of the groups' objectGUIDs it enumerated: the next run reads the groups again only when one
   * changed since (uSNChanged) or the objectGUIDs differ (a group deleted or moved out).
   */
  readonly groupsUsn?: number;
  readonly groupsDigest?: string;
  /**
   * The DNs (old and new) of users a one-user sync renamed since the last clean run: the next incremental run
   * reads again the users whose `userName` rules name them (renamed-referents.ts), as it does for a rename it
   * finds itself. A clean run's cursor starts without them.
   */
  readonly renamedDns?: readonly string[];
}

export interface SyncCursorStore {
  getCursor(): Promise<SyncCursor | undefined>;
  saveCursor(cursor: SyncCursor): Promise<void>;
  /** Forgets the cursor: the next run reads everything. */
  clearCursor(): Promise<void>;
}
