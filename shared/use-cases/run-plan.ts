/**
 * What planning a run (plan-run.ts) leaves for the apply and the report, and where it sends what it plans as
 * it goes: a sync's write queue and applier (apply-writes.ts), or Test Settings' report.
 */

import type { PlannedChange } from '../domain/plan-sync';
import type { DeletionHold, WriteCounts } from '../domain/report';
import type { DirectoryEntry, User } from '../domain/user';
import type { ReadScope } from './read-scope';

/** What planning a run leaves for the apply and the report. */
export interface RunPlan {
  readonly scope: ReadScope;
  /** Writes planned (for Test Settings, the plan's counts). */
  readonly planned: WriteCounts;
  /** A conflict a later read may resolve: the cursor must not move past it. */
  readonly unsettled: boolean;
  /** Directory users in the database before the run: the threshold's and the cursor's base. */
  readonly population: number;
  /** Set when the deletes are held back (the deletion threshold, or a configuration changed mid-run): why. */
  readonly deletionHold?: DeletionHold;
  /** How many deletes the run holds back (with those earlier invocations made): what an approval names. */
  readonly withheldCount?: number;
  /** How the deletion threshold decided, for the plan step's message. */
  readonly deletionNote: string;
  /** When the first grace period of the suspended users this run found waiting ends (ISO 8601). */
  readonly suspensionsWaitUntil?: string;
}

/** Where planning sends its writes, and what it tells the run as it goes. */
export interface PlanSink {
  /**
   * Where a planned write goes: the queue of a sync (Test Settings writes nowhere; its report lists them).
   * Returns it as written (a create with its groups), or undefined when it goes as planned.
   */
  readonly emit: (change: PlannedChange) => Promise<PlannedChange | undefined>;
  /**
   * Awaited once the read is settled, before the database is listed (a sync reads its groups there): what else
   * takes each user of that listing, if anything (member-ledger.ts). A run that does not list calls no `take`.
   */
  readonly onScope?: (scope: ReadScope) => Promise<ListingReader | undefined>;
  /** Awaited once the read is settled, before the first page: where it goes, the population before the run. */
  readonly onReadStart?: (scope: ReadScope, population: number) => Promise<void>;
  /**
   * Awaited once the read is complete, before anything that depends on all of it is decided: a sync waits
   * there until the writes emitted so far are committed. A run's progress moves from search to plan.
   */
  readonly onReadEnd?: () => Promise<void>;
  /** Aborted when the run stops writing (its deadline, a failed write): the read stops after the page. */
  readonly signal?: AbortSignal;
  /** Told each delete or suspension the threshold withholds (listed in the report, never emitted). */
  readonly withheld?: (change: PlannedChange) => void;
}

/** What else takes the users of a run's listing of the database, as they are listed. */
export interface ListingReader {
  take(user: User): void;
  /** The whole database was listed. */
  listingEnded(): void;
  /** A page of the read, once planned (its writes emitted); `excluded`: the objectGUIDs out of scope. */
  seen?(entries: readonly DirectoryEntry[], excluded: ReadonlyMap<string, unknown>): void;
}
