/**
 * Synchronize now in this process, to the end: the saved configuration and password, under the sync lock
 * (the CLI's and the tests' way; the API starts a sync instead, start-sync.ts).
 */
import type { Report } from '../domain/report';
import { withDefaults } from './run-dependencies';
import { raiseIfStaleAfter } from './stale-check';
import { claimRun, type ExclusiveSyncDependencies, type MassDeletionApproval, runLocked } from './sync-lock';

/**
 * Synchronize now, to the end, in this process: throws SyncRunningError when another sync holds the lock. A
 * run that ends without success past `alerts.staleAfterHours` raises the stale alert (stale-check.ts).
 */
export async function synchronizeNow(
  given: ExclusiveSyncDependencies,
  request: { allowMassDeletion?: MassDeletionApproval } = {},
): Promise<Report> {
  const deps = withDefaults(given);
  const { runId, stored, approvedDeletes } = await claimRun(deps, request);
  const report = await runLocked(deps, stored, runId, {
    trigger: 'api',
    configVersion: stored.version,
    ...(approvedDeletes !== undefined ? { approvedDeletes } : {}),
  });
  await raiseIfStaleAfter(deps, stored.config, report);
  return report;
}
