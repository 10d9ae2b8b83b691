/**
 * How the schedule is doing (docs/contract.md#operators-are-told), decided from the run history alone: failed
 * scheduled runs in a row and the back-off they cause, and whether the sync is stale (no run has succeeded for
 * `alerts.staleAfterHours`). Pure functions of the history, the settings and the time; nothing here reads or
 * waits on anything.
 */
import type { RunStatus, RunTrigger } from './run-status';

/** The longest the schedule waits between two runs while backed off. */
export const MAX_BACKOFF_MINUTES = 24 * 60;

/** What the rules read of a run: the history's summaries carry it. */
export interface RunOutcome {
  readonly runId: string;
  readonly status: RunStatus;
  readonly trigger?: RunTrigger;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** On a scheduled run: the time of the schedule's occurrence it ran for (it starts a little after it). */
  readonly scheduledAt?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface BackoffSettings {
  readonly intervalMinutes: number;
  /** Failed scheduled runs in a row after which the schedule waits longer (alerts.failuresBeforeBackoff). */
  readonly failuresBeforeBackoff: number;
}

/**
 * `ok`: the last scheduled run did not fail. `failing`: scheduled runs failed in a row, fewer than
 * `failuresBeforeBackoff`. `backedOff`: as many or more; the schedule waits `delayMinutes` after the last one.
 */
export const SCHEDULE_STATES = ['ok', 'failing', 'backedOff'] as const;
export type ScheduleState = (typeof SCHEDULE_STATES)[number];

export interface ScheduleHealth {
  readonly state: ScheduleState;
  /** Scheduled runs that failed in a row, the newest first counted; 0 when `ok`. */
  readonly failedRuns: number;
  readonly failuresBeforeBackoff: number;
  readonly intervalMinutes: number;
  /** How long the schedule waits after its last failed run: the interval, or twice as long per failure while backed off. */
  readonly delayMinutes: number;
  /** While backed off: the occurrence of the schedule that runs again (none before it does). */
  readonly nextRunAt?: string;
  /** Why: the newest failed scheduled run and its error. */
  readonly lastFailure?: {
    readonly runId: string;
    readonly finishedAt: string;
    readonly error?: RunOutcome['error'];
  };
}

/**
 * The wait after `failedRuns` failed scheduled runs in a row: the interval until `failuresBeforeBackoff`,
 * then twice as long for each further failure (2x after the threshold's run, 4x after the next...), at most
 * the whole intervals that fit in MAX_BACKOFF_MINUTES (an interval already longer than that is kept). Always a
 * whole number of intervals: the schedule only runs at its occurrences, so a wait that ended between two of
 * them would not be the wait it keeps.
 */
export function backoffDelayMinutes(failedRuns: number, settings: BackoffSettings): number {
  const { intervalMinutes, failuresBeforeBackoff } = settings;
  if (failedRuns < failuresBeforeBackoff) return intervalMinutes;
  const doublings = Math.min(failedRuns - failuresBeforeBackoff + 1, 30);
  const longest = Math.floor(MAX_BACKOFF_MINUTES / intervalMinutes) * intervalMinutes;
  return Math.max(intervalMinutes, Math.min(intervalMinutes * 2 ** doublings, longest));
}

/**
 * The schedule's state from the history (newest first). A run that succeeded, or that withheld deletes (it
 * ran: the threshold is not a failure), ends the streak, whatever started it; a failed scheduled run counts;
 * runs under way, skipped occurrences and failed runs started by hand neither count nor end it (Synchronize
 * now is always allowed, and its failure does not slow the schedule).
 */
export function scheduleHealthOf(history: readonly RunOutcome[], settings: BackoffSettings): ScheduleHealth {
  let failedRuns = 0;
  let newest: RunOutcome | undefined;
  for (const run of history) {
    // A one-user sync reads one user: it says nothing of whether the whole sync works.
    if (run.trigger === 'user') continue;
    if (run.status === 'succeeded' || run.status === 'deletionThresholdExceeded') break;
    if (run.status !== 'failed' || run.trigger !== 'schedule') continue;
    failedRuns += 1;
    newest ??= run;
  }
  const delayMinutes = backoffDelayMinutes(failedRuns, settings);
  const base = {
    failedRuns,
    failuresBeforeBackoff: settings.failuresBeforeBackoff,
    intervalMinutes: settings.intervalMinutes,
    delayMinutes,
  };
  if (!newest) return { state: 'ok', ...base };
  const lastFailure = {
    runId: newest.runId,
    finishedAt: newest.finishedAt,
    ...(newest.error ? { error: newest.error } : {}),
  };
  if (failedRuns < settings.failuresBeforeBackoff) return { state: 'failing', ...base, lastFailure };
  // Counted from the failed run's occurrence, not from its start (a little later): the occurrence `delayMinutes`
  // after it is then exactly the next run's time. A run recorded before runs said their occurrence counts from
  // its start, and the first occurrence after that time runs.
  const from = Date.parse(newest.scheduledAt ?? newest.startedAt);
  const nextRunAt = new Date(from + delayMinutes * 60_000).toISOString();
  return { state: 'backedOff', ...base, nextRunAt, lastFailure };
}

/**
 * Whether the occurrence of the schedule at `occurrenceAt` (its scheduled time, not when it was delivered)
 * runs: always, unless backed off and before `nextRunAt`. Occurrences come every interval and `nextRunAt` is
 * one of them, so the schedule runs exactly at the time it shows, never before.
 */
export function isOccurrenceDue(health: ScheduleHealth, occurrenceAt: Date): boolean {
  if (health.state !== 'backedOff' || health.nextRunAt === undefined) return true;
  return occurrenceAt.getTime() >= Date.parse(health.nextRunAt);
}

/**
 * A run that succeeded for the whole directory: what ends a stale spell. A one-user sync read one user, not
 * the directory, and a preview commits nothing.
 */
export function isSuccessOfTheSync(run: {
  readonly status: RunStatus;
  readonly trigger?: RunTrigger | undefined;
  readonly dryRun?: boolean;
}): boolean {
  return run.status === 'succeeded' && run.trigger !== 'user' && run.dryRun !== true;
}

/** A run that succeeded, as the stale rules name it. */
export interface SuccessMark {
  readonly runId: string;
  readonly finishedAt: string;
}

/**
 * What the history's window may no longer hold, kept exactly: the last success (the run store keeps it apart),
 * and, when none has ever succeeded, the start of the first run.
 */
export interface StaleOrigin {
  readonly lastSucceeded?: SuccessMark | undefined;
  readonly firstStartedAt?: string | undefined;
}

/** A stale sync: no run has succeeded for `staleAfterHours`. */
export interface Staleness {
  /** Since when nothing has succeeded: the last success's end, or the first run's start when none ever has. */
  readonly since: string;
  readonly staleAfterHours: number;
  /** The last run that succeeded, when one has. */
  readonly lastSucceeded?: { readonly runId: string; readonly finishedAt: string };
  /** The newest run that ended, whatever its status (what happened since). */
  readonly lastRun?: { readonly runId: string; readonly status: RunStatus; readonly finishedAt: string };
}

/**
 * Whether the sync is stale at `now`: undefined when a run succeeded within `staleAfterHours`, or when there
 * is no run at all (nothing was ever asked of it). The history is newest first, a window of it; `origin` says
 * what lies beyond the window (the last success, the first run), so that a long spell of runs without success
 * keeps its `since` and its id instead of sliding with the window.
 */
export function stalenessOf(
  history: readonly RunOutcome[],
  now: Date,
  staleAfterHours: number,
  origin: StaleOrigin = {},
): Staleness | undefined {
  const ended = history.filter((run) => run.status !== 'running' && run.status !== 'skipped');
  const inWindow = ended.find(isSuccessOfTheSync);
  const kept = origin.lastSucceeded;
  const succeeded =
    inWindow && (!kept || Date.parse(inWindow.finishedAt) >= Date.parse(kept.finishedAt)) ? inWindow : kept;
  const since = succeeded?.finishedAt ?? origin.firstStartedAt ?? ended.at(-1)?.startedAt;
  if (since === undefined) return undefined;
  if (now.getTime() - Date.parse(since) < staleAfterHours * 3_600_000) return undefined;
  const last = ended[0];
  return {
    since,
    staleAfterHours,
    ...(succeeded ? { lastSucceeded: { runId: succeeded.runId, finishedAt: succeeded.finishedAt } } : {}),
    ...(last ? { lastRun: { runId: last.runId, status: last.status, finishedAt: last.finishedAt } } : {}),
  };
}
