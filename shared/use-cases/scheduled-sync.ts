/**
 * The scheduled sync: one occurrence of the schedule runs the saved configuration under the sync lock
 * (docs/contract.md#operators-are-told).
 *
 * 1. Load: the configuration and the run history.
 * 2. Decide: the schedule's state (scheduleHealthOf): while backed off, an occurrence before the next run's
 *    time does nothing. A duplicated event (same occurrence) does nothing; one that finds the lock held
 *    records a skipped run.
 * 3. Run under the lock; a failed run's record carries the schedule's state after it (its back-off, and why).
 * 4. Tell: when no run has succeeded for `alerts.staleAfterHours`, raise the stale alert (once per stale spell;
 *    its record is the `sync.stale` event).
 */
import type { Config } from '../config/config-schema';
import { emptyCounts, type Report, type RunSummary } from '../domain/report';
import { staleEventOf } from '../domain/run-event';
import {
  type BackoffSettings,
  isOccurrenceDue,
  type ScheduleHealth,
  type Staleness,
  scheduleHealthOf,
  stalenessOf,
} from '../domain/schedule-health';
import type { AlertStore } from '../ports/alert-store';
import type { RunStore } from '../ports/run-store';
import { ended, startedReport } from './operation-status';
import { type RunDependencies, withDefaults } from './run-dependencies';
import { errorOf } from './run-report';
import { type ExclusiveSyncDependencies, runLocked, takeLock } from './sync-lock';

export interface ScheduledSyncDependencies extends ExclusiveSyncDependencies {
  /** Where the stale alert is raised; without it, staleness is only reported. */
  readonly alerts?: AlertStore;
}

/** What the schedule found besides its outcome: the sync is stale (no run succeeded for the configured hours). */
interface Told {
  readonly stale?: Staleness;
}

export type ScheduledOutcome =
  | ({ readonly outcome: 'disabled' | 'unconfigured' | 'duplicate' } & Told)
  | ({ readonly outcome: 'backedOff'; readonly schedule: ScheduleHealth } & Told)
  | ({ readonly outcome: 'ran' | 'skipped'; readonly report: Report } & Told);

/** The runs the schedule's rules read: enough to see a streak of failures and the last success. */
export const HISTORY = 100;

export const backoffSettingsOf = (config: Config): BackoffSettings => ({
  intervalMinutes: config.schedule.intervalMinutes,
  failuresBeforeBackoff: config.alerts.failuresBeforeBackoff,
});

/** One occurrence of the schedule (`occurrence` identifies it, e.g. the scheduled time). */
export async function runScheduledSync(
  given: ScheduledSyncDependencies,
  occurrence: string,
): Promise<ScheduledOutcome> {
  const deps = withDefaults(given);
  const stored = await deps.configs.getConfig();
  if (!stored) return { outcome: 'unconfigured' };
  if (!stored.config.schedule.enabled) return { outcome: 'disabled' };
  const settings = backoffSettingsOf(stored.config);
  const history = await deps.runs.listRuns(HISTORY);
  const health = scheduleHealthOf(history, settings);
  if (!isOccurrenceDue(health, deps.clock.now())) {
    return { outcome: 'backedOff', schedule: health, ...(await tell(deps, stored.config, history)) };
  }
  if (!(await deps.lock.claimOccurrence(occurrence))) return { outcome: 'duplicate' };

  const runId = deps.newRunId();
  if (!(await takeLock(deps, runId)).taken) {
    const now = deps.clock.now().toISOString();
    const report: Report = {
      runId,
      dryRun: false,
      status: 'skipped',
      trigger: 'schedule',
      startedAt: now,
      finishedAt: now,
      steps: [],
      counts: emptyCounts(),
      changes: [],
      excluded: [],
      error: { code: 'SyncRunning', message: 'another sync was running; this scheduled run was skipped' },
    };
    await deps.runs.recordRun(report);
    return { outcome: 'skipped', report };
  }
  const { runs, withState } = withScheduleState(deps.runs, runId, history, settings);
  let report: Report;
  try {
    report = withState(
      await runLocked({ ...deps, runs }, stored, runId, {
        trigger: 'schedule',
        configVersion: stored.version,
      }),
    );
  } catch (error) {
    // A failure before the pipeline could record one (the secret store, say): recorded as a failed scheduled
    // run all the same, so that it counts toward the back-off, publishes sync.failed and keeps stale in sight.
    const now = deps.clock.now();
    const started = startedReport(runId, now, {
      dryRun: false,
      trigger: 'schedule',
      configVersion: stored.version,
    });
    report = withState(ended(started, now, errorOf(error)));
    await deps.runs.recordRun(report);
  }
  return { outcome: 'ran', report, ...(await tell(deps, stored.config, await deps.runs.listRuns(HISTORY))) };
}

/**
 * The run store of a scheduled run (in its first invocation, or continued in another): its failed record is
 * written with the schedule's state after it, decided from the history before it. `withState` does the same to
 * the report the run returns.
 */
export function withScheduleState(
  runs: RunStore,
  runId: string,
  history: readonly RunSummary[],
  settings: BackoffSettings,
): { readonly runs: RunStore; readonly withState: (report: Report) => Report } {
  const withState = (report: Report): Report =>
    report.runId === runId && report.status === 'failed'
      ? { ...report, schedule: scheduleHealthOf([report, ...history], settings) }
      : report;
  return {
    withState,
    runs: {
      recordRun: (report) => runs.recordRun(withState(report)),
      recordProgress: (report) => runs.recordProgress(report),
      getRun: (id) => runs.getRun(id),
      listRuns: (limit) => runs.listRuns(limit),
    },
  };
}

/**
 * The staleness of the sync at this occurrence, with its alert raised (once per spell: a raise of the same
 * id does nothing). The alert never fails the occurrence: an error raising it goes to onUnexpectedError, and
 * the next occurrence raises it again.
 */
async function tell(
  deps: RunDependencies<ScheduledSyncDependencies>,
  config: Config,
  history: readonly RunSummary[],
): Promise<Told> {
  const now = deps.clock.now();
  const stale = stalenessOf(history, now, config.alerts.staleAfterHours);
  if (!stale) return {};
  try {
    await deps.alerts?.raise(staleEventOf(stale, now));
  } catch (error) {
    deps.onUnexpectedError?.(error);
  }
  return { stale };
}
