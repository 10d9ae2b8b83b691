/**
 * Run events (docs/contract.md#operators-are-told): what an operator is told about the runs, published where
 * the change events go (the bus on AWS, the webhook on the local stack), from the table's stream as they are.
 *
 * - `sync.failed` and `sync.deletionsWithheld` are made of the run record's write that ends the run: the
 *   write that changed its status to `failed` or `deletionThresholdExceeded`. A record only ever ends once, so
 *   a run has at most one such event; its id is `<runId>:<type>` on every redelivery.
 * - `sync.stale` is made of the alert raised when no run has succeeded for `alerts.staleAfterHours`: by the
 *   stale check on its own cadence whatever the schedule, by the schedule, and by a run that ends without
 *   success (once per stale spell: its id names the last success).
 *
 * Test Settings publishes none: previews are not run records. Nothing here reads or writes anything.
 */
import type { ChangeEvent } from './change-event';
import type { DeletionHold, ReportCounts, RunStatus, RunTrigger } from './report';
import type { ScheduleHealth, Staleness } from './schedule-health';

export const RUN_EVENT_TYPES = ['sync.failed', 'sync.deletionsWithheld', 'sync.stale'] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

/** The run as its record's summary says, as far as the events need it. */
export interface EndedRun {
  readonly runId: string;
  readonly dryRun: boolean;
  readonly status: RunStatus;
  readonly trigger?: RunTrigger;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly counts: ReportCounts;
  readonly error?: { readonly code: string; readonly message: string };
  readonly deletesWithheld?: number;
  readonly deletesWithheldBecause?: DeletionHold;
  readonly configVersion?: number;
  readonly schedule?: ScheduleHealth;
}

export interface SyncFailedEvent {
  /** `<runId>:sync.failed`. */
  readonly id: string;
  readonly type: 'sync.failed';
  /** When the run ended. */
  readonly time: string;
  readonly runId: string;
  readonly trigger?: RunTrigger;
  readonly startedAt: string;
  /** The Report's error. */
  readonly error: { readonly code: string; readonly message: string };
  /** On a scheduled run: the schedule's state after it (failing, backed off). */
  readonly schedule?: ScheduleHealth;
}

/** How an administrator applies withheld deletes: the CLI's command, or the API call it makes. */
export interface DeletionApproval {
  readonly command: string;
  readonly request: {
    readonly method: 'POST';
    readonly path: '/sync';
    readonly body: { readonly allowMassDeletion: { readonly runId: string; readonly deletes: number } };
  };
}

export interface DeletionsWithheldEvent {
  /** `<runId>:sync.deletionsWithheld`. */
  readonly id: string;
  readonly type: 'sync.deletionsWithheld';
  readonly time: string;
  readonly runId: string;
  readonly trigger?: RunTrigger;
  /** Deletes (and suspensions) the run held back. */
  readonly deletesWithheld: number;
  /** The run's counts: what it did apply, and the directory's size the threshold is measured against. */
  readonly counts: ReportCounts;
  /** The configuration version the approval holds for (a save since makes it void). */
  readonly configVersion?: number;
  /** Why the run held them back (the Report's): the threshold, or a configuration saved while it ran. */
  readonly deletesWithheldBecause?: DeletionHold;
  /** How to apply them once: absent when the configuration changed under the run (no approval can match it). */
  readonly approve?: DeletionApproval;
  /**
   * Instead of `approve`, when the configuration changed under the run: run a sync again, on the new
   * configuration (its deletes are planned and checked against the threshold afresh).
   */
  readonly rerun?: SyncAgain;
}

/** A sync to run again: the CLI's command, or the API call it makes. */
export interface SyncAgain {
  readonly command: 'adsync sync';
  readonly request: { readonly method: 'POST'; readonly path: '/sync'; readonly body: Record<string, never> };
}

export interface SyncStaleEvent extends Staleness {
  /** `sync.stale:<last succeeded runId>` (`sync.stale:never` when none has): one event per stale spell. */
  readonly id: string;
  readonly type: 'sync.stale';
  /** When the sync was found stale (by the stale check, an occurrence of the schedule, or a run that ended). */
  readonly time: string;
}

export type RunEvent = SyncFailedEvent | DeletionsWithheldEvent | SyncStaleEvent;

/** Every event ad-sync publishes: a user's change, or a run's. */
export type AdSyncEvent = ChangeEvent | RunEvent;

/** The approval of what a run withheld: exactly that run and count (a later run makes it void: 409). */
export function deletionApprovalOf(runId: string, deletes: number): DeletionApproval {
  return {
    command: `adsync sync --allow-mass-deletion --run ${runId} --deletes ${deletes}`,
    request: { method: 'POST', path: '/sync', body: { allowMassDeletion: { runId, deletes } } },
  };
}

/**
 * What to do about deletes a run withheld: approve exactly those, or, when the configuration changed under the
 * run, run a sync again. Such a run's approval could never be taken: an approval holds for the configuration
 * version its run ran on, and a newer one is saved (409 ApprovalMismatch, sync-lock.ts).
 */
function withheldActionOf(
  run: Pick<EndedRun, 'runId' | 'deletesWithheldBecause'>,
  deletes: number,
): { readonly approve: DeletionApproval } | { readonly rerun: SyncAgain } {
  if (run.deletesWithheldBecause?.reason === 'configurationChanged') {
    return {
      rerun: { command: 'adsync sync', request: { method: 'POST', path: '/sync', body: {} } },
    };
  }
  return { approve: deletionApprovalOf(run.runId, deletes) };
}

/**
 * The event of a run record's write: the record before (undefined for a first write) and after it. Only the
 * write that ends a committed run as failed or with deletes withheld is one; progress, a record rewritten
 * with the same status, skipped occurrences and previews are not.
 */
export function runEventOf(
  before: { readonly status: RunStatus } | undefined,
  after: EndedRun,
): SyncFailedEvent | DeletionsWithheldEvent | undefined {
  if (after.dryRun || before?.status === after.status) return undefined;
  const { runId, finishedAt: time } = after;
  const trigger = after.trigger ? { trigger: after.trigger } : {};
  if (after.status === 'failed') {
    return {
      id: `${runId}:sync.failed`,
      type: 'sync.failed',
      time,
      runId,
      ...trigger,
      startedAt: after.startedAt,
      error: after.error ?? { code: 'Failed', message: 'the run failed' },
      ...(after.schedule ? { schedule: after.schedule } : {}),
    };
  }
  if (after.status === 'deletionThresholdExceeded') {
    const deletesWithheld = after.deletesWithheld ?? 0;
    return {
      id: `${runId}:sync.deletionsWithheld`,
      type: 'sync.deletionsWithheld',
      time,
      runId,
      ...trigger,
      deletesWithheld,
      counts: after.counts,
      ...(after.configVersion !== undefined ? { configVersion: after.configVersion } : {}),
      ...(after.deletesWithheldBecause ? { deletesWithheldBecause: after.deletesWithheldBecause } : {}),
      ...withheldActionOf(after, deletesWithheld),
    };
  }
  return undefined;
}

/** The `sync.stale` event of a staleness found at `now`. */
export function staleEventOf(staleness: Staleness, now: Date): SyncStaleEvent {
  return {
    id: `sync.stale:${staleness.lastSucceeded?.runId ?? 'never'}`,
    type: 'sync.stale',
    time: now.toISOString(),
    ...staleness,
  };
}
