/**
 * The scheduled sync: one occurrence of the schedule runs the saved configuration under the sync lock. One
 * that finds the lock held records a skipped run and ends cleanly; a duplicated event (same occurrence) does
 * nothing.
 */
import { emptyCounts, type Report } from '../domain/report';
import { withDefaults } from './run-dependencies';
import { type ExclusiveSyncDependencies, runLocked, takeLock } from './sync-lock';

export type ScheduledOutcome =
  | { readonly outcome: 'disabled' | 'duplicate' | 'unconfigured' }
  | { readonly outcome: 'ran' | 'skipped'; readonly report: Report };

/** One occurrence of the schedule (`occurrence` identifies it, e.g. the scheduled time). */
export async function runScheduledSync(
  given: ExclusiveSyncDependencies,
  occurrence: string,
): Promise<ScheduledOutcome> {
  const deps = withDefaults(given);
  const stored = await deps.configs.getConfig();
  if (!stored) return { outcome: 'unconfigured' };
  if (!stored.config.schedule.enabled) return { outcome: 'disabled' };
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
  return {
    outcome: 'ran',
    report: await runLocked(deps, stored, runId, { trigger: 'schedule', configVersion: stored.version }),
  };
}
