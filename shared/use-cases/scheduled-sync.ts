/**
 * The scheduled sync: one occurrence of the schedule runs the saved configuration under the sync lock
 * (docs/contract.md#operators-are-told).
 *
 * 1. Load: the configuration and the run history.
 * 2. Decide: the schedule's state (scheduleHealthOf): while backed off, an occurrence whose scheduled time is
 *    before the next run's time does nothing. A duplicated event (same occurrence) does nothing; one that finds the lock held
 *    records a skipped run.
 * 3. Run under the lock; a failed run's record carries the schedule's state after it (its back-off, and why).
 * 4. Tell: when no run has succeeded for `alerts.staleAfterHours`, raise the stale alert (once per stale spell;
 *    its record is the `sync.stale` event). The stale check (stale-check.ts) does the same on its own cadence,
 *    whether the schedule is on or off; the alert store publishes a spell's alert once, whoever raises it.
 */
import type { Config } from '../config/config-schema';
import { emptyCounts, type Report, type RunSummary } from '../domain/report';
import {
  type BackoffSettings,
  isOccurrenceDue,
  type ScheduleHealth,
  scheduleHealthOf,
} from '../domain/schedule-health';
import type { RunStore } from '../ports/run-store';
import { ended, startedReport } from './operation-status';
import { withDefaults } from './run-dependencies';
import type { ProgressSink } from './run-progress';
import { errorOf } from './run-report';
import { HISTORY, raiseIfStale, type Told } from './stale-check';
import { type ExclusiveSyncDependencies, runLocked, takeLock } from './sync-lock';

/** The sync's dependencies, the alert store among them (where the stale alert is raised). */
export type ScheduledSyncDependencies = ExclusiveSyncDependencies;

export type ScheduledOutcome =
  | ({ readonly outcome: 'disabled' | 'unconfigured' | 'duplicate' } & Told)
  | ({ readonly outcome: 'backedOff'; readonly schedule: ScheduleHealth } & Told)
  | ({ readonly outcome: 'ran' | 'skipped'; readonly report: Report } & Told);

export const backoffSettingsOf = (config: Config): BackoffSettings => ({
  intervalMinutes: config.schedule.intervalMinutes,
  failuresBeforeBackoff: config.alerts.failuresBeforeBackoff,
});

/**
 * One occurrence of the schedule: `occurrence` is its scheduled time (EventBridge Scheduler's scheduled-time,
 * the local schedule's period), which identifies it and which the back-off compares with the next run's time.
 */
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
  // The occurrence's own time, not the clock's: it is delivered a little after it (seconds on AWS, up to a
  // check's period locally), and the time of the next run is one of these occurrences.
  const scheduledAt = scheduledTimeOf(occurrence, deps.clock.now());
  if (!isOccurrenceDue(health, new Date(scheduledAt))) {
    return { outcome: 'backedOff', schedule: health, ...(await raiseIfStale(deps, stored.config, history)) };
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
      scheduledAt,
      steps: [],
      counts: emptyCounts(),
      changes: [],
      excluded: [],
      error: { code: 'SyncRunning', message: 'another sync was running; this scheduled run was skipped' },
    };
    await deps.runs.recordRun(report);
    return { outcome: 'skipped', report };
  }
  const { runs, withState } = withScheduleState(deps.runs, { runId, scheduledAt }, history, settings);
  let report: Report;
  try {
    report = withState(
      await runLocked({ ...deps, runs, ...progressWithState(deps.progress, withState) }, stored, runId, {
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
  return {
    outcome: 'ran',
    report,
    ...(await raiseIfStale(deps, stored.config, await deps.runs.listRuns(HISTORY))),
  };
}

/** The time of an occurrence named by its scheduled time; `now` for one that names no time. */
function scheduledTimeOf(occurrence: string, now: Date): string {
  const time = Date.parse(occurrence);
  return Number.isNaN(time) ? now.toISOString() : new Date(time).toISOString();
}

/**
 * The run store of a scheduled run (in its first invocation, or continued in another): each of its records
 * says the occurrence it ran for (`scheduledAt`, when known), and its failed record the schedule's state after
 * it, decided from the history before it. `withState` does the same to the report the run returns.
 */
export function withScheduleState(
  runs: RunStore,
  run: { readonly runId: string; readonly scheduledAt?: string | undefined },
  history: readonly RunSummary[],
  settings: BackoffSettings,
): { readonly runs: RunStore; readonly withState: (report: Report) => Report } {
  const { runId, scheduledAt } = run;
  const withState = (report: Report): Report => {
    if (report.runId !== runId) return report;
    const scheduled = scheduledAt !== undefined ? { ...report, scheduledAt } : report;
    return scheduled.status === 'failed'
      ? { ...scheduled, schedule: scheduleHealthOf([scheduled, ...history], settings) }
      : scheduled;
  };
  return {
    withState,
    runs: {
      recordRun: (report) => runs.recordRun(withState(report)),
      recordProgress: (report) => runs.recordProgress(withState(report)),
      getRun: (id) => runs.getRun(id),
      listRuns: (limit) => runs.listRuns(limit),
      lastSuccess: () => runs.lastSuccess(),
      oldestRun: () => runs.oldestRun(),
    },
  };
}

/**
 * The progress records of a scheduled run, saying its occurrence as its other records do: a run that dies
 * mid-way is closed from its last progress record (sync-lock.ts), and its back-off counts from that occurrence.
 */
export function progressWithState(
  progress: ProgressSink | undefined,
  withState: (report: Report) => Report,
): { readonly progress?: ProgressSink } {
  return progress
    ? { progress: { recordProgress: (report) => progress.recordProgress(withState(report)) } }
    : {};
}
