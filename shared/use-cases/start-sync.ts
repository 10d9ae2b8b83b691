/**
 * Synchronize now (API), started (docs/contract.md#long-operations): the start function takes the sync lock,
 * records the run as running and hands it to the sync function (startSync); the sync function runs it
 * (runStartedSync), once, while the run is recorded running and its lock is still its own. A second sync
 * while one runs gets SyncRunningError (409).
 */
import type { Report, RunTrigger } from '../domain/report';
import { StartFailedError } from '../errors';
import type { OperationStarter, SyncStart } from '../ports/operation-starter';
import { ended, interrupted, startedReport } from './operation-status';
import { withDefaults } from './run-dependencies';
import { errorOf } from './run-report';
import { raiseIfStaleAfter } from './stale-check';
import { claimRun, type ExclusiveSyncDependencies, type MassDeletionApproval, runLocked } from './sync-lock';

/** What the API needs to start a sync in the worker: the lock, the run history, and the worker. */
export interface StartSyncDependencies
  extends Pick<
    ExclusiveSyncDependencies,
    'configs' | 'lock' | 'leaseSeconds' | 'runs' | 'clock' | 'newRunId' | 'onUnexpectedError'
  > {
  readonly starter: OperationStarter;
}

/**
 * Synchronize now, started (docs/contract.md#long-operations): takes the lock, records the run as running
 * (so that it can be followed at once) and hands it to the sync function, which runs it
 * (runStartedSync). A hand-over that fails is recorded as the run's failure and releases the lock.
 */
export async function startSync(
  given: StartSyncDependencies,
  request: { allowMassDeletion?: MassDeletionApproval; user?: string; trigger?: 'notification' } = {},
): Promise<string> {
  const deps = withDefaults(given);
  const { user, trigger, ...approval } = request;
  const { runId, stored, approvedDeletes } = await claimRun(deps, approval);
  const started = startedReport(runId, deps.clock.now(), {
    dryRun: false,
    trigger: triggerOf({ user, trigger }),
    configVersion: stored.version,
  });
  try {
    await deps.runs.recordRun(started);
    await deps.starter.startSync({
      runId,
      configVersion: stored.version,
      ...(approvedDeletes !== undefined ? { approvedDeletes } : {}),
      ...(user !== undefined ? { user } : {}),
      ...(trigger !== undefined ? { trigger } : {}),
    });
  } catch (error) {
    const failure = new StartFailedError(`the sync could not be started: ${errorOf(error).message}`, {
      cause: error,
    });
    // The caller is told only that; why Lambda (or the table) refused goes to the log.
    deps.onUnexpectedError?.(error);
    await deps.runs
      .recordRun(ended(started, deps.clock.now(), failure))
      .finally(() => deps.lock.release(runId));
    throw failure;
  }
  return runId;
}

/** What a started run's record names as its trigger: the watch's notification, one user, or the API. */
export const triggerOf = (start: {
  readonly user?: string | undefined;
  readonly trigger?: 'notification' | undefined;
}): RunTrigger => start.trigger ?? (start.user === undefined ? 'api' : 'user');

export type StartOutcome =
  | { readonly outcome: 'duplicate' | 'stale' | 'unconfigured' }
  | { readonly outcome: 'ran'; readonly report: Report };

/**
 * Runs a sync the API started (startSync), in the sync function. Only a run that is recorded as running and
 * whose lock it still holds is run, once: a duplicated delivery, or one that comes after the lease expired
 * and another run took the lock, does nothing. A run that ends without success raises the stale alert at once
 * when nothing has succeeded for `alerts.staleAfterHours` (stale-check.ts).
 */
export async function runStartedSync(
  given: ExclusiveSyncDependencies,
  start: SyncStart,
): Promise<StartOutcome> {
  const deps = withDefaults(given);
  if (!(await deps.lock.claimOccurrence(`start:${start.runId}`))) return { outcome: 'duplicate' };
  const record = await deps.runs.getRun(start.runId);
  if (record?.status !== 'running') return { outcome: 'stale' };
  // Delivered after its lease expired (Lambda holds back events it cannot run yet): readers have been
  // shown the run as interrupted since, and its record now says so too; it is not run.
  if (
    (await deps.lock.holder()) !== start.runId ||
    !(await deps.lock.acquire(start.runId, deps.leaseSeconds))
  ) {
    await deps.runs.recordRun(ended(record, deps.clock.now(), interrupted('run')));
    return { outcome: 'stale' };
  }
  const stored = await deps.configs.getConfig();
  if (!stored) {
    await deps.runs.recordRun(
      ended(record, deps.clock.now(), {
        code: 'Unconfigured',
        message: 'the configuration was removed before the run started',
      }),
    );
    await deps.lock.release(start.runId);
    return { outcome: 'unconfigured' };
  }
  let report: Report;
  try {
    report = await runLocked(deps, stored, start.runId, {
      trigger: triggerOf(start),
      ...(start.user !== undefined ? { user: start.user } : {}),
      configVersion: start.configVersion,
      startedAt: record.startedAt,
      ...(start.approvedDeletes !== undefined ? { approvedDeletes: start.approvedDeletes } : {}),
      // What was approved was for the configuration the run was started on.
      ...(stored.version !== start.configVersion
        ? {
            deletesRefused: {
              reason: 'configurationChanged',
              startedOn: start.configVersion,
              savedSince: stored.version,
            },
          }
        : {}),
    });
  } catch (error) {
    // A failure before the pipeline could record one (the secret store, say): the run's record says so.
    report = ended(record, deps.clock.now(), errorOf(error));
    await deps.runs.recordRun(report);
  }
  await raiseIfStaleAfter(deps, stored.config, report);
  return { outcome: 'ran', report };
}
