/**
 * The sync lock, one sync at a time: taking it for a new run (with an approval of withheld deletes checked),
 * and running a sync under it (runLocked), the whole directory or one user, with the lease renewed while the
 * run goes and released when it ends.
 *
 * The lock is a lease (a crashed run cannot hold it forever). A run that nears its invocation's deadline (the
 * sync Lambda) stops between apply batches, keeps the lock (renewing the lease), and asks for a follow-up
 * invocation, which re-plans against the user database (what was applied plans as unchanged) and applies the
 * rest (continue-run.ts). A lost handoff is picked up by the next run once the lease has expired: it closes
 * the abandoned run's record.
 */
import type { DeletionHold, Report, RunTrigger } from '../domain/report';
import { ApprovalMismatchError, SyncRunningError } from '../errors';
import type { AlertStore } from '../ports/alert-store';
import type { ConfigStore, StoredConfig } from '../ports/config-store';
import type { ContinuationTrigger, RunCheckpointStore } from '../ports/run-checkpoint';
import type { RunLock } from '../ports/run-lock';
import type { SecretStore } from '../ports/secret-store';
import { requireSavedConfiguration } from './configuration';
import { ended } from './operation-status';
import type { RunDependencies, SyncDependencies } from './run-dependencies';
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
  /**
   * Where the stale alert is raised (stale-check.ts): by the schedule, and by a run that ends without success
   * past `alerts.staleAfterHours`. Without it, staleness is only reported.
   */
  readonly alerts?: AlertStore;
}

export async function runLocked(
  deps: RunDependencies<ExclusiveSyncDependencies>,
  stored: StoredConfig,
  runId: string,
  options: {
    trigger: RunTrigger;
    /** A run of this one user (`POST /sync/users/{name}`) instead of the whole directory. */
    user?: string;
    approvedDeletes?: number;
    deletesRefused?: DeletionHold;
    configVersion: number;
    /** When the API started the run (its record says so). */
    startedAt?: string;
  },
  resume?: Resume,
): Promise<Report> {
  const { continuations, checkpoints, remainingMs } = deps;
  const canHandOff = continuations !== undefined && checkpoints !== undefined && remainingMs !== undefined;
  // Without a way to continue, a run never stops early: a Lambda timeout is safe, only slower to finish.
  const { remainingMs: _deadline, ...withoutDeadline } = deps;
  let report: Report | undefined;
  const stopRenewing = new AbortController();
  const renewing = renewLease(deps, runId, stopRenewing.signal);
  try {
    if (!resume) await closeAbandonedRun(deps, runId);
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

/** Runs of the history looked at for records left running: more than the skipped runs a lease can hold. */
const ABANDONED_LOOKBACK = 50;

/**
 * A run whose follow-up invocation never came (its handoff was lost) leaves its checkpoint, and its record
 * says running; so does a run whose invocation or process died before its first checkpoint (no checkpoint).
 * The run that takes the lock after the lease expired closes each such record as failed (so its sync.failed is
 * published, and the back-off and the stale check count it, as GET /sync/runs shows it): a record of another
 * run that says running while this one holds the lock can only be one nobody runs any more. This run starts
 * over from the database's state, which holds everything the abandoned run applied.
 */
async function closeAbandonedRun(
  deps: RunDependencies<ExclusiveSyncDependencies>,
  runId: string,
): Promise<void> {
  const stale = await deps.checkpoints?.getCheckpoint();
  const recent = await deps.runs.listRuns(ABANDONED_LOOKBACK);
  const abandoned = new Set(recent.filter((run) => run.status === 'running').map((run) => run.runId));
  if (stale && stale.runId !== runId) abandoned.add(stale.runId);
  abandoned.delete(runId);
  for (const id of abandoned) {
    // Each closed as best it can be: a record that cannot be closed now stays shown Interrupted (runAsSeen), and
    // this run goes on; the next one tries again.
    await closeRecord(deps, id, {
      code: 'Interrupted',
      message:
        stale?.runId === id
          ? `the run stopped before it finished (its continuation did not start); run ${runId} took over`
          : `the run stopped before it finished (the invocation running it ended without recording its end); run ${runId} took over`,
    }).catch((error: unknown) => deps.onUnexpectedError?.(error));
  }
  if (stale && stale.runId !== runId) await deps.checkpoints?.clearCheckpoint(stale.runId);
}

/** Records a run that says running as failed with `error` (its progress dropped); nothing for one that ended. */
async function closeRecord(
  deps: RunDependencies<ExclusiveSyncDependencies>,
  id: string,
  error: { readonly code: string; readonly message: string },
): Promise<void> {
  const record = await deps.runs.getRun(id);
  if (record?.status === 'running') await deps.runs.recordRun(ended(record, deps.clock.now(), error));
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
export async function claimRun(
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
export async function takeLock(
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
