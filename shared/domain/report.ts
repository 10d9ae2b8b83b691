import type { MappedAttributes } from './attribute-rules';
import type { MembershipExplanation } from './group-membership';
import type { ChangeAction, UserField } from './plan-sync';
import type { RunStatus, RunTrigger } from './run-status';
import type { ScheduleHealth } from './schedule-health';
import type { ExclusionReason } from './scope-policy';

export { RUN_STATUSES, RUN_TRIGGERS, type RunStatus, type RunTrigger } from './run-status';
export type StepName =
  | 'resolve'
  | 'connect'
  | 'bind'
  | 'search'
  | 'filter'
  | 'plan'
  | 'apply'
  /** The group pass (use-cases/sync-groups.ts): groups read, written, and users' group privileges. */
  | 'groups'
  | 'record';

/** Where a run under way stands (docs/contract.md#long-operations): its phase and counts so far. */
export const RUN_PHASES = ['connect', 'search', 'plan', 'apply', 'record'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export interface RunProgress {
  readonly phase: RunPhase;
  /** Directory entries read. */
  readonly read: number;
  readonly inScope: number;
  /** Changes planned (create, update, delete). */
  readonly planned: number;
  /** Changes written. */
  readonly applied: number;
  /** Changes the apply phase has to write, once planning has ended. */
  readonly toApply?: number;
}

/**
 * How a run found the users that left the scope (on its search step): by reading every user (`fullRead`),
 * by enumerating the objectGUIDs of the scope and comparing them with the last run's (`enumeration`, what
 * a read-only account does), or from tombstones proven readable (`tombstones`).
 */
export const LEAVER_DETECTIONS = ['tombstones', 'enumeration', 'fullRead'] as const;
export type LeaverDetection = (typeof LEAVER_DETECTIONS)[number];

/**
 * Why a run held its deletes and suspensions back (the Report's `deletesWithheldBecause`): the deletion
 * threshold they exceed, with its numbers, or a configuration saved since the run started (a run applies no
 * deletes it planned on another configuration). Data for clients to word (report-text.ts), not a sentence.
 */
export type DeletionHold =
  | {
      readonly reason: 'threshold';
      /** The limit exceeded: `options.deletionThreshold.maxCount`, or its `maxPercent`. */
      readonly exceeded: 'maxCount' | 'maxPercent';
      /** The deletes (and suspensions) the run found, with those its earlier invocations made. */
      readonly deletes: number;
      /** Directory users in the database before the run: the percentage's base. */
      readonly directoryUsers: number;
      readonly maxCount: number;
      readonly maxPercent: number;
      /** The count an approval (`allowMassDeletion`) named, when it was not the run's. */
      readonly approvedDeletes?: number | undefined;
    }
  | {
      readonly reason: 'configurationChanged';
      /** The configuration version the run started on, and the one saved since. */
      readonly startedOn: number;
      readonly savedSince: number;
    };

export interface ReportStep {
  readonly name: StepName;
  readonly ok: boolean;
  readonly ms: number;
  readonly message?: string;
  /** On the search step of a run that read the directory: how it found the users that left. */
  readonly leavers?: LeaverDetection;
  /** On the apply step of a run that wrote while it read the directory: for how long both went on (ms). */
  readonly readOverlapMs?: number;
}

export interface ReportChange {
  readonly action: Exclude<ChangeAction, 'unchanged'>;
  readonly userName: string;
  readonly fullName: string;
  readonly emailAddresses: readonly string[];
  readonly changedFields: readonly UserField[];
  readonly reason?: string;
  /**
   * When the run reads groups, on a create, and on Test Settings' update whose changedFields name a membership
   * field (membership-preview.ts): what the user's groups give (or would give) it, and why.
   */
  readonly membership?: MembershipExplanation;
  /**
   * On a delete or suspension the run held back (the deletion threshold, or a run told to apply no deletes);
   * absent otherwise. What a client decides on: the reason only says it in words.
   */
  readonly withheld?: true;
  /** Test Settings only: the mapped attributes a create or update would write (docs/contract.md#attribute-mapping). */
  readonly attributes?: MappedAttributes;
}

export interface ReportExclusion {
  readonly userName: string;
  readonly distinguishedName: string;
  readonly reasons: readonly ExclusionReason[];
  /** With mappingFailed: the field whose rule failed, and why. */
  readonly detail?: string;
}

export interface ReportCounts {
  directoryUsers: number;
  inScope: number;
  excluded: number;
  created: number;
  updated: number;
  deleted: number;
  /** Users suspended instead of deleted (`options.deletionGraceDays`), and suspended users restored. */
  suspended: number;
  restored: number;
  unchanged: number;
  conflicts: number;
}

/** The kinds of write a run makes, and their counts. */
export const WRITE_KINDS = ['created', 'updated', 'deleted', 'suspended', 'restored'] as const;
export type WriteCounts = Pick<ReportCounts, (typeof WRITE_KINDS)[number]>;
export const noWrites = (): WriteCounts => ({
  created: 0,
  updated: 0,
  deleted: 0,
  suspended: 0,
  restored: 0,
});

/** The result of Test Settings or of a sync run (the Report of docs/contract.md#http-api). */
export interface Report {
  readonly runId: string;
  readonly dryRun: boolean;
  readonly status: RunStatus;
  /** What started a committed run. */
  readonly trigger?: RunTrigger;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** On a scheduled run: the time of the schedule's occurrence it ran for (the back-off counts from it). */
  readonly scheduledAt?: string;
  readonly server?: string;
  readonly baseDn?: string;
  readonly steps: readonly ReportStep[];
  readonly counts: ReportCounts;
  readonly changes: readonly ReportChange[];
  readonly excluded: readonly ReportExclusion[];
  readonly error?: { readonly code: string; readonly message: string };
  /**
   * With `deletionThresholdExceeded`: how many deletes the run held back, what `allowMassDeletion` then
   * approves (for this run and this configuration version only).
   */
  readonly deletesWithheld?: number;
  /** With `deletesWithheld`: why the run held them back. */
  readonly deletesWithheldBecause?: DeletionHold;
  /** The saved configuration's version a committed run started on. */
  readonly configVersion?: number;
  /**
   * Entries left out of `changes` and `excluded` beyond REPORT_LIST_LIMIT each (the counts stay exact): a
   * first sync of a large directory would otherwise not fit a response or memory.
   */
  readonly omitted?: { readonly changes: number; readonly excluded: number };
  /** While `running`: where the run stands, brought up to date as it goes. */
  readonly progress?: RunProgress;
  /**
   * On a scheduled run that failed: the schedule's state after it (failed runs in a row, the back-off, when it
   * runs again, and why).
   */
  readonly schedule?: ScheduleHealth;
}

/** The most entries a report lists in `changes` and in `excluded`. */
export const REPORT_LIST_LIMIT = 10_000;

/** A run as listed in the history: the report without its per-user lists. */
export type RunSummary = Omit<Report, 'changes' | 'excluded' | 'steps'>;

export const emptyCounts = (): ReportCounts => ({
  directoryUsers: 0,
  inScope: 0,
  excluded: 0,
  created: 0,
  updated: 0,
  deleted: 0,
  suspended: 0,
  restored: 0,
  unchanged: 0,
  conflicts: 0,
});
