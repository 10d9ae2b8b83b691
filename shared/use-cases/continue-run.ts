/**
 * A run continued: the follow-up invocation of a run that handed off before its invocation's deadline (the
 * table's stream delivers its handoff item), under the lock the run still holds. A duplicated or stale handoff
 * does nothing. A run that ends without success raises the stale alert at once when it is due (stale-check.ts).
 */
import type { Report } from '../domain/report';
import { withDefaults } from './run-dependencies';
import { backoffSettingsOf, progressWithState, withScheduleState } from './scheduled-sync';
import { HISTORY, raiseIfStaleAfter } from './stale-check';
import { type ExclusiveSyncDependencies, runLocked } from './sync-lock';

export type ContinuationOutcome =
  | { readonly outcome: 'stale' | 'duplicate' | 'unconfigured' }
  | { readonly outcome: 'ran'; readonly report: Report };

/**
 * Continues a run that handed off before its invocation's deadline, as its `invocation`-th invocation. A
 * duplicated handoff, or one for a run that has ended or lost its lease to another run, does nothing.
 */
export async function continueRun(
  given: ExclusiveSyncDependencies,
  handoff: { readonly runId: string; readonly invocation: number },
): Promise<ContinuationOutcome> {
  const deps = withDefaults(given);
  const checkpoint = await deps.checkpoints?.getCheckpoint();
  if (checkpoint?.runId !== handoff.runId) return { outcome: 'stale' };
  if (!(await deps.lock.claimOccurrence(`continuation:${handoff.runId}:${handoff.invocation}`))) {
    return { outcome: 'duplicate' };
  }
  if (!(await deps.lock.acquire(handoff.runId, deps.leaseSeconds))) return { outcome: 'stale' };
  const stored = await deps.configs.getConfig();
  if (!stored) {
    await deps.lock.release(handoff.runId);
    return { outcome: 'unconfigured' };
  }
  const previous = await deps.runs.getRun(handoff.runId);
  // A checkpoint that does not say which version its run started on cannot show it is still the same.
  const started = checkpoint.configVersion ?? 0;
  // A scheduled run's failed record says the schedule's state after it, as its first invocation's would.
  const { runs, withState } =
    checkpoint.trigger === 'schedule'
      ? withScheduleState(
          deps.runs,
          // The occurrence the first invocation ran for, as its records say.
          { runId: handoff.runId, scheduledAt: previous?.scheduledAt },
          await deps.runs.listRuns(HISTORY),
          backoffSettingsOf(stored.config),
        )
      : { runs: deps.runs, withState: (report: Report) => report };
  const report = await runLocked(
    { ...deps, runs, ...progressWithState(deps.progress, withState) },
    stored,
    handoff.runId,
    {
      trigger: checkpoint.trigger,
      configVersion: started,
      ...(checkpoint.approvedDeletes !== undefined ? { approvedDeletes: checkpoint.approvedDeletes } : {}),
      // What the first invocation planned and was approved was for its configuration, not for this one.
      ...(stored.version !== started
        ? {
            deletesRefused: {
              reason: 'configurationChanged',
              startedOn: started,
              savedSince: stored.version,
            },
          }
        : {}),
    },
    { checkpoint, ...(previous ? { previous } : {}) },
  );
  // A run that ended without success past alerts.staleAfterHours tells at once (stale-check.ts).
  await raiseIfStaleAfter(deps, stored.config, report);
  return { outcome: 'ran', report: withState(report) };
}
