import type { Config } from '../config/config-schema';
import type { PlannedChange } from '../domain/plan-sync';
import type { User } from '../domain/user';

/** What applying a plan did: the changes written, and those the store refused with the reason. */
export interface ApplyResult {
  readonly applied: readonly PlannedChange[];
  readonly conflicts: readonly { readonly change: PlannedChange; readonly reason: string }[];
  /** Writes that found their change already in place (a repeated or concurrent apply). */
  readonly alreadyApplied: number;
}

/** Who applies a batch, and with what: the run (each change is marked with it), the defaults, the time. */
export interface ApplyContext {
  readonly runId: string;
  readonly defaults: Config['defaultPrivileges'];
  readonly now: string;
}

/**
 * The application's user database as the sync sees it: the users it looks up and the changes it writes.
 * Writes are conditional: repeating or racing an apply loses nothing.
 */
export interface UserStore {
  /** Every user, a page at a time (a run's sweep holds one page, not the database). */
  userPages(): AsyncIterable<User[]>;
  /**
   * How many directory users (`authentication: directoryServices`) the database holds: the population a
   * one-user sync's deletion threshold is measured against, counted without reading the users.
   */
  countDirectoryUsers(): Promise<number>;
  /**
   * The users with any of these objectGUIDs or names (case-insensitive), for a run that read few users. By
   * name the read is strongly consistent (it sees every committed write); by objectGUID it may go through an
   * index that lags the latest writes (DynamoDB's guid GSI is eventually consistent on AWS: a user written
   * moments ago may come back as it was, or not at all). A reader that must see the run's own writes reads
   * by name (member-ledger.ts).
   */
  findUsers(guids: readonly string[], userNames: readonly string[]): Promise<User[]>;
  /**
   * Applies creates, updates and deletes that are not withheld; unchanged and conflicts are skipped. A
   * deleted or renamed user's archive folders follow the archive-folder rule (domain/archive-folder.ts).
   */
  applyChanges(changes: readonly PlannedChange[], context: ApplyContext): Promise<ApplyResult>;
}

/** What a user found by objectGUID tells the change watch: whether it is a synchronized one, nothing more. */
export type UserSyncState = Pick<User, 'authentication' | 'objectGuid' | 'suspendedAt'>;

/**
 * The user database asked by objectGUID, for the change watch: of each user with the GUID, its sync state only
 * (the watcher's role may read no other attribute: cdk/watcher.ts). Through an eventually consistent index, as
 * findUsers by objectGUID.
 */
export interface UserGuidIndex {
  syncStatesByGuid(objectGuid: string): Promise<UserSyncState[]>;
}
