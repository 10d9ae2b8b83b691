/**
 * Synchronize now (API) and the scheduled sync: the saved configuration and password, one sync at a time.
 *
 * The lock is a lease (a crashed run cannot hold it forever). A second API sync while one runs gets
 * SyncRunningError (409); a scheduled sync that finds the lock held records a skipped run and ends cleanly.
 * A duplicated scheduled event (same occurrence) does nothing.
 *
 * A run that nears its invocation's deadline (the sync Lambda) stops between apply batches, keeps the lock
 * (renewing the lease), and asks for a follow-up invocation, which re-plans against the user database (what
 * was applied plans as unchanged) and applies the rest: continueRun. A lost handoff is picked up by the next
 * scheduled run once the lease has expired.
 */
import { emptyCounts, type Report, type RunTrigger } from '../domain/report';
import { ApprovalMismatchError, StartFailedError, SyncRunningError } from '../errors';
import type { ConfigStore, StoredConfig } from '../ports/config-store';
import type { OperationStarter, SyncStart } from '../ports/operation-starter';
import type { ContinuationTrigger, RunCheckpointStore } from '../ports/run-checkpoint';
import type { RunLock } from '../ports/run-lock';
import type { SecretStore } from '../ports/secret-store';
import { requireSavedConfiguration } from './configuration';
import { ended, interrupted, startedReport } from './operation-status';
import { type RunDependencies, type SyncDependencies, withDefaults } from './run-dependencies';
import { errorOf } from './run-report';
import { type Resume, synchronize } from './sync-pipeline';
import { synchronizeUser } from './sync-user';

export interface ExclusiveSyncDependencies extends SyncDependencies {
  readonly configs: ConfigStore;
  readonly secrets: SecretStore;
  readonly lock: RunLock;
  /** How long the lock holds without release; longer than any run (the sync Lambda's timeout). */
  readonly leaseSeconds: number;
  readonly checkpoints?: RunCheckpointStore;
  /** With checkpoints and remainingMs: runs nearing the deadline continue in a follow-up invocation. */
  readonly continuations?: ContinuationTrigger;
}

async function runLocked(
  deps: RunDependencies<ExclusiveSyncDependencies>,
  stored: StoredConfig,
  runId: string,
  options: {
    trigger: RunTrigger;
    /** A run of this one user (`POST /sync/users/{name}`) instead of the whole directory. */
    user?: string;
    approvedDeletes?: number;
    deletesRefused?: string;
    configVersion: number;
    /** When the API started the run (its record says so). */
    startedAt?: string;
  },
  resume?: Resume,
): Promise<Report> {
  const { continuations, checkpoints, remainingMs } = deps;
  const canHandOff = continuations !== undefined && checkpoints !== undefined && remainingMs !== undefined;
  if (!resume) await closeAbandonedRun(deps, runId);
  // Without a way to continue, a run never stops early: a Lambda timeout is safe, only slower to finish.
  const { remainingMs: _deadline, ...withoutDeadline } = deps;
  let report: Report | undefined;
  const stopRenewing = new AbortController();
  const renewing = renewLease(deps, runId, stopRenewing.signal);
  try {
    const password = await deps.secrets.getPassword(stored.version);
    const { user, ...mode } = options;
    report =
      user !== undefined
        ? await synchronizeUser(
            { ...withoutDeadline, newRunId: () => runId },
            { config: stored.config, password, name: user, ...mode },
          )
        : await synchronize(
            { ...(canHandOff ? deps : withoutDeadline), newRunId: () => runId },
            { config: stored.config, password, ...mode, ...(resume ? { resume } : {}) },
          );
    if (report.status === 'running' && continuations) {
      // The follow-up invocation holds the same lock: the lease is renewed for it, not released.
      await deps.lock.acquire(runId, deps.leaseSeconds);
      await continuations.requestContinuation(runId);
    }
    return report;
  } finally {
    stopRenewing.abort();
    // A renewal already sent must land before the release, or it would take the lock again.
    await renewing;
    if (report?.status !== 'running') await deps.lock.release(runId);
  }
}

/**
 * Renews the run's lease every third of it until `signal` aborts, so a run longer than the lease (a large
 * directory on the local stack, whose lease is not tied to a function timeout) never overlaps the next one.
 * Resolves once stopped and any renewal on its way has landed.
 */
async function renewLease(
  deps: Pick<RunDependencies<ExclusiveSyncDependencies>, 'lock' | 'leaseSeconds' | 'clock'>,
  runId: string,
  signal: AbortSignal,
): Promise<void> {
  for (;;) {
    try {
      await deps.clock.sleep((deps.leaseSeconds * 1000) / 3, signal);
    } catch {
      return;
    }
    await deps.lock.acquire(runId, deps.leaseSeconds).catch(() => {});
  }
}

/**
 * A run whose follow-up invocation never came (its handoff was lost) leaves its checkpoint, and its record
 * says running. The run that takes the lock after the lease expired closes that record as failed: it starts
 * over from the database's state, which holds everything the abandoned run applied.
 */
async function closeAbandonedRun(
  deps: RunDependencies<ExclusiveSyncDependencies>,
  runId: string,
): Promise<void> {
  const stale = await deps.checkpoints?.getCheckpoint();
  if (!stale || stale.runId === runId) return;
  const abandoned = await deps.runs.getRun(stale.runId);
  if (abandoned?.status === 'running') {
    await deps.runs.recordRun({
      ...abandoned,
      status: 'failed',
      finishedAt: deps.clock.now().toISOString(),
      error: {
        code: 'Interrupted',
        message: `the run stopped before it finished (its continuation did not start); run ${runId} took over`,
      },
    });
  }
  await deps.checkpoints?.clearCheckpoint(stale.runId);
}

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
  const report = await runLocked(
    deps,
    stored,
    handoff.runId,
    {
      trigger: checkpoint.trigger,
      configVersion: started,
      ...(checkpoint.approvedDeletes !== undefined ? { approvedDeletes: checkpoint.approvedDeletes } : {}),
      // What the first invocation planned and was approved was for its configuration, not for this one.
      ...(stored.version !== started
        ? {
            deletesRefused: `the configuration changed during the run (version ${started} to ${stored.version}); its deletes are not applied`,
          }
        : {}),
    },
    { checkpoint, ...(previous ? { previous } : {}) },
  );
  return { outcome: 'ran', report };
}

/**
 * An administrator's approval of the deletes a run withheld: `true` for the last run's, or that run and the
 * count it withheld, named.
 */
export type MassDeletionApproval = boolean | { readonly runId: string; readonly deletes: number };

/** The lock taken for a new run: its id, the configuration it runs on, the deletes approved for it. */
interface ClaimedRun {
  readonly runId: string;
  readonly stored: StoredConfig;
  readonly approvedDeletes?: number;
}

/**
 * Takes the sync lock for a new run of the saved configuration, with the approval checked: SyncRunningError
 * (naming the run that holds it) while another sync runs, ApprovalMismatchError for an approval of anything
 * but what the last run withheld.
 */
async function claimRun(
  deps: RunDependencies<
    Pick<ExclusiveSyncDependencies, 'configs' | 'lock' | 'leaseSeconds' | 'runs' | 'clock' | 'newRunId'>
  >,
  request: { allowMassDeletion?: MassDeletionApproval },
): Promise<ClaimedRun> {
  const stored = await requireSavedConfiguration(deps);
  const runId = deps.newRunId();
  const lock = await takeLock(deps, runId);
  if (!lock.taken) {
    const { running } = lock;
    throw new SyncRunningError(
      `A sync is already running${running ? ` (run ${running})` : ''}; try again when it has finished`,
      running,
    );
  }
  try {
    if (!request.allowMassDeletion) return { runId, stored };
    return { runId, stored, approvedDeletes: await approvedCount(deps, stored, request.allowMassDeletion) };
  } catch (error) {
    await deps.lock.release(runId);
    throw error;
  }
}

/** How long a new run waits for a run whose record has ended to release the lock, at most. */
const ENDED_RUN_RELEASE_MS = 2_000;
const ENDED_RUN_POLL_MS = 50;

/**
 * Takes the sync lock for a new run. A run records its end just before it releases the lock, so a caller that
 * saw a run end and starts the next one at once can find the lock still held: when the holder's record says it
 * has ended, the lock is asked for again for a moment instead of refused. A holder that is still running (or
 * has no record yet) is reported at once.
 */
async function takeLock(
  deps: Pick<RunDependencies<ExclusiveSyncDependencies>, 'lock' | 'leaseSeconds' | 'runs' | 'clock'>,
  runId: string,
): Promise<{ readonly taken: true } | { readonly taken: false; readonly running?: string }> {
  const giveUpAt = deps.clock.now().getTime() + ENDED_RUN_RELEASE_MS;
  for (;;) {
    if (await deps.lock.acquire(runId, deps.leaseSeconds)) return { taken: true };
    const running = await deps.lock.holder();
    const record = running === undefined ? undefined : await deps.runs.getRun(running);
    // No holder: the lease expired or was released since; asked for again.
    const releasing = running === undefined || (record !== undefined && record.status !== 'running');
    if (!releasing || deps.clock.now().getTime() >= giveUpAt) {
      return { taken: false, ...(running ? { running } : {}) };
    }
    await deps.clock.sleep(ENDED_RUN_POLL_MS);
  }
}

/** Synchronize now, to the end, in this process: throws SyncRunningError when another sync holds the lock. */
export async function synchronizeNow(
  given: ExclusiveSyncDependencies,
  request: { allowMassDeletion?: MassDeletionApproval } = {},
): Promise<Report> {
  const deps = withDefaults(given);
  const { runId, stored, approvedDeletes } = await claimRun(deps, request);
  return runLocked(deps, stored, runId, {
    trigger: 'api',
    configVersion: stored.version,
    ...(approvedDeletes !== undefined ? { approvedDeletes } : {}),
  });
}

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
  request: { allowMassDeletion?: MassDeletionApproval; user?: string } = {},
): Promise<string> {
  const deps = withDefaults(given);
  const { user, ...approval } = request;
  const { runId, stored, approvedDeletes } = await claimRun(deps, approval);
  const started = startedReport(runId, deps.clock.now(), {
    dryRun: false,
    trigger: user === undefined ? 'api' : 'user',
    configVersion: stored.version,
  });
  try {
    await deps.runs.recordRun(started);
    await deps.starter.startSync({
      runId,
      configVersion: stored.version,
      ...(approvedDeletes !== undefined ? { approvedDeletes } : {}),
      ...(user !== undefined ? { user } : {}),
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

export type StartOutcome =
  | { readonly outcome: 'duplicate' | 'stale' | 'unconfigured' }
  | { readonly outcome: 'ran'; readonly report: Report };

/**
 * Runs a sync the API started (startSync), in the sync function. Only a run that is recorded as running and
 * whose lock it still holds is run, once: a duplicated delivery, or one that comes after the lease expired
 * and another run took the lock, does nothing.
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
  try {
    const report = await runLocked(deps, stored, start.runId, {
      trigger: start.user === undefined ? 'api' : 'user',
      ...(start.user !== undefined ? { user: start.user } : {}),
      configVersion: start.configVersion,
      startedAt: record.startedAt,
      ...(start.approvedDeletes !== undefined ? { approvedDeletes: start.approvedDeletes } : {}),
      // What was approved was for the configuration the run was started on.
      ...(stored.version !== start.configVersion
        ? {
            deletesRefused: `the configuration changed after the run was started (version ${start.configVersion} to ${stored.version}); its deletes are not applied`,
          }
        : {}),
    });
    return { outcome: 'ran', report };
  } catch (error) {
    // A failure before the pipeline could record one (the secret store, say): the run's record says so.
    const report = ended(record, deps.clock.now(), errorOf(error));
    await deps.runs.recordRun(report);
    return { outcome: 'ran', report };
  }
}

/**
 * The count of deletes an approval lets through: those the last run withheld, on the configuration version
 * that is still saved. An approval of anything else (an earlier run, another count, a configuration saved
 * since) is refused with ApprovalMismatchError: it would approve deletes nobody has seen.
 */
async function approvedCount(
  deps: Pick<ExclusiveSyncDependencies, 'runs'>,
  stored: StoredConfig,
  approval: true | { readonly runId: string; readonly deletes: number },
): Promise<number> {
  const last = (await deps.runs.listRuns(20)).find((run) => run.status !== 'skipped');
  if (last?.status !== 'deletionThresholdExceeded' || last.deletesWithheld === undefined) {
    throw new ApprovalMismatchError(
      'allowMassDeletion approves the deletes the last run withheld, and the last run withheld none',
    );
  }
  if (approval !== true && approval.runId !== last.runId) {
    throw new ApprovalMismatchError(
      `allowMassDeletion names run ${approval.runId}, but the last run is ${last.runId}; approve what it withheld`,
    );
  }
  if (approval !== true && approval.deletes !== last.deletesWithheld) {
    throw new ApprovalMismatchError(
      `allowMassDeletion approves ${approval.deletes} deletes, but run ${last.runId} withheld ${last.deletesWithheld}`,
    );
  }
  if (last.configVersion !== stored.version) {
    throw new ApprovalMismatchError(
      `the configuration changed since run ${last.runId} withheld its deletes (version ${last.configVersion ?? 'unknown'} then, ${stored.version} now); run a sync to see what it would delete now`,
    );
  }
  return last.deletesWithheld;
}

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
