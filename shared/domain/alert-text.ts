/**
 * The words of what operators are told (docs/contract.md#operators-are-told), made once from the data the API
 * carries (GET /sync/runs' `schedule`, `stale` and `watch`, a run's `deletesWithheld`): the CLI and the console say the
 * same sentences. Pure; no I/O.
 */
import type { WatchStatus } from './change-watch';
import type { RunStatus } from './run-status';
import type { ScheduleHealth, Staleness } from './schedule-health';

/** A type whose optional fields may also hold `undefined` (as the API client's parsed answers do). */
type Loose<T> = T extends object
  ? { readonly [K in Exclude<keyof T, OptionalKeys<T>>]: Loose<T[K]> } & {
      readonly [K in OptionalKeys<T>]?: Loose<T[K]> | undefined;
    }
  : T;
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/** `2 hours`, `1 day 4 hours`, `45 minutes`: a duration in minutes, as a person reads it. */
export function durationText(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = Math.round(minutes % 60);
  const part = (n: number, unit: string) => (n === 0 ? [] : [`${n} ${unit}${n === 1 ? '' : 's'}`]);
  const parts = [...part(days, 'day'), ...part(hours, 'hour'), ...(days === 0 ? part(rest, 'minute') : [])];
  return parts.length > 0 ? parts.join(' ') : '0 minutes';
}

/** A time as the sentences show it: ISO 8601 to the minute, in UTC. */
const shown = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** Something to tell: a headline (the console's banner title), and the sentences after it. */
export interface AlertText {
  readonly title: string;
  readonly detail: string;
}

/** Both as one line (the CLI's): `<title>: <detail>`. */
export const alertLine = (text: AlertText): string => `${text.title}: ${text.detail}`;

/**
 * What the schedule's state says, or undefined when there is nothing to tell (the schedule is ok): the state,
 * why (the last failure's error), and what happens next.
 */
export function scheduleHealthText(health: Loose<ScheduleHealth>): AlertText | undefined {
  if (health.state === 'ok') return undefined;
  const runs = `${health.failedRuns} scheduled run${health.failedRuns === 1 ? '' : 's'} in a row`;
  const error = health.lastFailure?.error;
  const why = error ? ` Last error: ${error.code}: ${error.message.replace(/\.$/, '')}.` : '';
  if (health.state === 'failing') {
    const left = health.failuresBeforeBackoff - health.failedRuns;
    return {
      title: 'Scheduled syncs are failing',
      detail: `${runs} failed.${why} After ${left} more failure${left === 1 ? '' : 's'} the schedule backs off.`,
    };
  }
  const next = health.nextRunAt ? ` It runs again at ${shown(health.nextRunAt)}` : ' It runs again later';
  return {
    title: 'The schedule is backed off',
    detail:
      `${runs} failed.${why}${next} (every ${durationText(health.delayMinutes)} instead of ` +
      `${durationText(health.intervalMinutes)}, until a run succeeds). Synchronize now still runs at once.`,
  };
}

const STATUS_WORDS: Readonly<Record<RunStatus, string>> = {
  succeeded: 'succeeded',
  failed: 'failed',
  deletionThresholdExceeded: 'withheld deletes',
  skipped: 'was skipped',
  running: 'is running',
};

/** What a stale sync says: since when nothing has succeeded, and what the last run did. */
export function stalenessText(stale: Loose<Staleness>): AlertText {
  const since = stale.lastSucceeded
    ? `since ${shown(stale.lastSucceeded.finishedAt)}`
    : `since the first run (${shown(stale.since)})`;
  const last = stale.lastRun ? ` The last run ${STATUS_WORDS[stale.lastRun.status]}.` : '';
  return {
    title: 'The sync is stale',
    detail: `No run has succeeded ${since}, more than ${stale.staleAfterHours} hours.${last}`,
  };
}

/**
 * What the change watch's state says (docs/contract.md#changes-in-seconds), or undefined when it watches or
 * is connecting: a failing watch (why, how many in a row, when it tries again), or one that is on and not running.
 */
export function watchText(watch: Loose<WatchStatus>): AlertText | undefined {
  if (watch.state === 'failing') {
    const next = watch.retryAt
      ? `It tries again at ${shown(watch.retryAt)}; the schedule still runs.`
      : 'The schedule still runs.';
    return {
      title: 'Changes in seconds are failing',
      detail: `${watch.error?.message ?? 'the watch failed'} (${watch.failures ?? 1} in a row). ${next}`,
    };
  }
  if (watch.state === 'off') {
    return {
      title: 'Changes in seconds are not watched',
      detail:
        'schedule.changeNotifications is on, but no watch is running: changes reach the application on the schedule only.',
    };
  }
  return undefined;
}
