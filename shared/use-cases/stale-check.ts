/**
 * The stale check (docs/contract.md#operators-are-told): when no run has succeeded for
 * `alerts.staleAfterHours`, the stale alert is raised (its record is the `sync.stale` event), whatever the
 * schedule's state. It runs on a cadence of its own (the stale-check schedule on AWS, every few minutes; the
 * local stack's, every minute), at each occurrence of the schedule, and as soon as a run ends without success.
 *
 * 1. Load: the configuration (none saved: nothing is checked) and the run history, a window of it (HISTORY
 *    runs), with what may lie beyond: the last success the run store keeps apart, and, when none has ever
 *    succeeded and the window is full, the first run (staleOriginOf). Previews are not in it: Test Settings
 *    never makes the sync stale, nor raises anything.
 * 2. Decide: stalenessOf.
 * 3. Tell: raise the alert. The alert store keeps one per id (`sync.stale:<last success>`): however many checks,
 *    occurrences and runs find the same stale spell, it is published once.
 */
import type { Config } from '../config/config-schema';
import type { Report, RunSummary } from '../domain/report';
import { staleEventOf } from '../domain/run-event';
import { isSuccessOfTheSync, type Staleness, type StaleOrigin, stalenessOf } from '../domain/schedule-health';
import type { AlertStore } from '../ports/alert-store';
import type { Clock } from '../ports/clock';
import type { ConfigStore } from '../ports/config-store';
import type { RunStore } from '../ports/run-store';
import { systemClock } from './system-clock';

/** The runs the schedule's rules and the stale check read: enough to see a streak of failures and the last success. */
export const HISTORY = 100;

export interface StaleCheckDependencies {
  readonly configs: Pick<ConfigStore, 'getConfig'>;
  readonly runs: Pick<RunStore, 'listRuns' | 'lastSuccess' | 'oldestRun'>;
  /** Where the stale alert is raised; without it, staleness is only reported. */
  readonly alerts?: AlertStore;
  readonly clock?: Clock;
  /** Told of an error raising the alert (the next check raises it again). */
  readonly onUnexpectedError?: (error: unknown) => void;
}

/** What a check found: the sync is stale (no run succeeded for the configured hours). */
export interface Told {
  readonly stale?: Staleness;
}

export type StaleCheckOutcome =
  | { readonly outcome: 'unconfigured' }
  | ({
      readonly outcome: 'checked';
      /** This check recorded the spell's alert (its `sync.stale`): false for every later check of the spell. */
      readonly raised?: boolean;
    } & Told);

/** How far a stale check's scheduled time may be from the checker's clock and still be the check's time. */
const CHECKED_AT_SLACK_MS = 10 * 60_000;

/**
 * The time a stale check is for: the one it was scheduled at (`checkedAt`: the scheduler's, or the local
 * stack's clock) when it is within CHECKED_AT_SLACK_MS of `now`; else (a late retry, an invocation naming a far
 * time, no readable time) `now`. A time named ahead can raise a spell's one alert minutes early at most.
 */
export function checkTimeOf(checkedAt: string, now: Date): Date {
  const at = Date.parse(checkedAt);
  return Math.abs(at - now.getTime()) <= CHECKED_AT_SLACK_MS ? new Date(at) : now;
}

/**
 * What the stale rules need beyond `history`, a window of `window` runs (newest first): the last success, kept
 * apart by the run store, and, when none has ever succeeded and the window is full (older runs are beyond it),
 * the first run's start. A long spell of runs that do not succeed (withheld deletes, say, which do not back
 * off) would otherwise slide its `since` with the window, never stale, or lose its last success and be raised
 * again as another spell.
 */
export async function staleOriginOf(
  runs: Pick<RunStore, 'lastSuccess' | 'oldestRun'>,
  history: readonly RunSummary[],
  window: number,
): Promise<StaleOrigin> {
  const lastSucceeded = await runs.lastSuccess();
  if (lastSucceeded) return { lastSucceeded };
  if (history.length < window || history.some(isSuccessOfTheSync)) return {};
  const first = await runs.oldestRun();
  return first ? { firstStartedAt: first.startedAt } : {};
}

/** One check on the stale check's own cadence: nothing before a configuration is saved. */
export async function checkStaleness(deps: StaleCheckDependencies): Promise<StaleCheckOutcome> {
  const stored = await deps.configs.getConfig();
  if (!stored) return { outcome: 'unconfigured' };
  return { outcome: 'checked', ...(await raise(deps, stored.config, await deps.runs.listRuns(HISTORY))) };
}

/**
 * The staleness of the sync now, from `history` (newest first), with its alert raised (once per spell: a raise
 * of the same id does nothing). The alert never fails its caller: an error raising it goes to
 * onUnexpectedError, and the next check raises it again.
 */
export async function raiseIfStale(
  deps: Pick<StaleCheckDependencies, 'runs' | 'alerts' | 'clock' | 'onUnexpectedError'>,
  config: Config,
  history: readonly RunSummary[],
): Promise<Told> {
  const { stale } = await raise(deps, config, history);
  return stale ? { stale } : {};
}

/** raiseIfStale, and whether this raise recorded the alert. */
async function raise(
  deps: Pick<StaleCheckDependencies, 'runs' | 'alerts' | 'clock' | 'onUnexpectedError'>,
  config: Config,
  history: readonly RunSummary[],
): Promise<Told & { readonly raised?: boolean }> {
  const now = (deps.clock ?? systemClock).now();
  const origin = await staleOriginOf(deps.runs, history, HISTORY);
  const stale = stalenessOf(history, now, config.alerts.staleAfterHours, origin);
  if (!stale) return {};
  try {
    return { stale, raised: (await deps.alerts?.raise(staleEventOf(stale, now))) ?? false };
  } catch (error) {
    deps.onUnexpectedError?.(error);
    return { stale, raised: false };
  }
}

/**
 * After a run (Synchronize now, one user, a continuation) that ended without success: the check at once, so a
 * failure past the threshold tells the operator now, not at the next check. Never fails the run, which has
 * ended and been recorded: an error goes to onUnexpectedError, and the next check tells.
 */
export async function raiseIfStaleAfter(
  deps: StaleCheckDependencies,
  config: Config,
  report: Report,
): Promise<void> {
  if (!deps.alerts || report.dryRun || report.status === 'succeeded' || report.status === 'running') return;
  try {
    await raiseIfStale(deps, config, await deps.runs.listRuns(HISTORY));
  } catch (error) {
    deps.onUnexpectedError?.(error);
  }
}
