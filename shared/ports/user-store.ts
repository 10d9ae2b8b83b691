import type { Config } from '../config/config-schema';
import type { PlannedChange } from '../domain/plan-sync';
import type { Report, RunSummary } from '../domain/report';
import type { User } from '../domain/user';

/** What applying a plan did: the changes written, and those the store refused with the reason. */
export interface ApplyResult {
  readonly applied: readonly PlannedChange[];
  readonly conflicts: readonly { readonly change: PlannedChange; readonly reason: string }[];
  /** Writes that found their change already in place (a repeated or concurrent apply). */
  readonly alreadyApplied: number;
}

export interface ArchiveFolder {
  readonly folderId: string;
  readonly ownerUserName: string;
  readonly messageCount: number;
  /** Set when the owner was deleted and the folder kept because it holds messages. */
  readonly ownerDeletedAt?: string;
}

/** The application's user database. Writes are conditional: repeating or racing an apply loses nothing. */
export interface UserStore {
  listUsers(): Promise<User[]>;
  /** Every user, a page at a time (a run's sweep holds one page, not the database). */
  userPages(): AsyncIterable<User[]>;
  /** The users with any of these objectGUIDs or names (case-insensitive), for a run that read few users. */
  findUsers(guids: readonly string[], userNames: readonly string[]): Promise<User[]>;
  getUser(userName: string): Promise<User | undefined>;
  /** One page of users in user-name order; `cursor` continues where the previous page ended. */
  listUsersPage(limit: number, cursor?: string): Promise<{ users: User[]; cursor?: string }>;
  /** Deletes a local user and its password hash; throws NotFoundError, or UserKindError for a directory user. */
  deleteLocalUser(userName: string): Promise<void>;
  /**
   * Adds a user, with the password hash of a local user (kept apart from the user: never read back by the
   * store); throws ConcurrentModificationError when the name (case-insensitive) is taken.
   */
  createUser(user: User, passwordHash?: string): Promise<void>;
  /** Applies creates, updates and deletes that are not withheld; unchanged and conflicts are skipped. */
  applyChanges(
    changes: readonly PlannedChange[],
    defaults: Config['defaultPrivileges'],
    now: string,
  ): Promise<ApplyResult>;
  getArchiveFolder(userName: string): Promise<ArchiveFolder | undefined>;
}

/** The history of sync runs. */
export interface RunStore {
  recordRun(report: Report): Promise<void>;
  getRun(runId: string): Promise<Report | undefined>;
  /** Newest first. */
  listRuns(limit: number): Promise<RunSummary[]>;
}
