/**
 * Test Settings and Synchronize now (docs/contract.md#test-settings-and-synchronize). Both run one pipeline:
 *
 *   resolve -> connect -> bind -> search -> filter -> plan [-> apply -> record]
 *
 * search, filter and plan run a page at a time (plan-run.ts): pages of the directory go through the scope
 * policy and the planner, and the planned writes into a spool on local disk. Test Settings stops after
 * `plan` and commits nothing, not even a run record. Synchronize applies the spool in batches, with a
 * checkpoint after each (a run nearing its Lambda deadline stops there and hands off), and records the run,
 * failed runs included. Any failure before `apply` (a directory error of any kind, an incomplete read) ends
 * the run there: nothing is written to the user database, so a failed or partial read can never delete a
 * user.
 */
import type { Config } from '../config/config-schema';
import { type BindPassword, bindCredentials } from '../domain/password-binding';
import { earliest, graceEndsAfter } from '../domain/plan-deletes';
import type { PlannedChange } from '../domain/plan-sync';
import {
  noWrites,
  type Report,
  type ReportChange,
  type ReportCounts,
  RUN_PHASES,
  type RunPhase,
  type RunProgress,
  type RunStatus,
  type RunTrigger,
  WRITE_KINDS,
  type WriteCounts,
} from '../domain/report';
import { AdSyncError } from '../errors';
import type { DirectorySession } from '../ports/directory-reader';
import type { RunCheckpoint } from '../ports/run-checkpoint';
import { describeRead, planRun, type RunPlan } from './plan-run';
import { PlanSpool } from './plan-spool';
import { APPLY_BATCH, type RunDependencies, type SyncDependencies, withDefaults } from './run-dependencies';
import { ProgressReporter } from './run-progress';
import {
  type ChangeList,
  changesIn,
  errorOf,
  isChange,
  RunTally,
  StepRecorder,
  StepTimer,
  type Tally,
  toReportChange,
} from './run-report';

export interface SyncRequest {
  readonly config: Config;
  /** Given with the request, or the saved one (used only for the connection it was saved for). */
  readonly password: BindPassword | undefined;
}

export interface SynchronizeRequest extends SyncRequest {
  /**
   * Deletes approved above the threshold, this once: applied only when the run finds exactly this many (the
   * count an earlier run withheld and the administrator saw).
   */
  readonly approvedDeletes?: number;
  /** Set when the run must apply no deletes at all (why); they are reported as withheld. */
  readonly deletesRefused?: string;
  /** The saved configuration's version the run started on (recorded; what an approval is checked against). */
  readonly configVersion?: number;
  readonly trigger?: RunTrigger;
  /** Continues a run an earlier invocation handed off. */
  readonly resume?: Resume;
  /** When the run was started (its record was written then, by the API); default now. */
  readonly startedAt?: string;
}

/**
 * Runs the whole pipeline against the directory and the user database and commits nothing (`startedAt`:
 * when its preview was started).
 */
export function testSettings(
  deps: SyncDependencies,
  request: SyncRequest & { readonly startedAt?: string },
): Promise<Report> {
  return runPipeline(deps, request, {
    dryRun: true,
    trigger: undefined,
    ...(request.startedAt ? { startedAt: request.startedAt } : {}),
  });
}

/** Synchronizes the user database with the directory and records the run. */
export function synchronize(deps: SyncDependencies, request: SynchronizeRequest): Promise<Report> {
  return runPipeline(deps, request, {
    dryRun: false,
    trigger: request.trigger ?? 'api',
    ...(request.approvedDeletes !== undefined ? { approvedDeletes: request.approvedDeletes } : {}),
    ...(request.deletesRefused !== undefined ? { deletesRefused: request.deletesRefused } : {}),
    ...(request.configVersion !== undefined ? { configVersion: request.configVersion } : {}),
    ...(request.resume ? { resume: request.resume } : {}),
    ...(request.startedAt ? { startedAt: request.startedAt } : {}),
  });
}

/** A run stops and hands off to a follow-up invocation when its invocation has less time left than this. */
export const HANDOFF_RESERVE_MS = 60_000;

/** A follow-up invocation of a run: its checkpoint and the record the previous invocation left. */
export interface Resume {
  readonly checkpoint: RunCheckpoint;
  readonly previous?: Report;
}

interface PipelineMode {
  readonly dryRun: boolean;
  readonly approvedDeletes?: number;
  readonly deletesRefused?: string;
  readonly configVersion?: number;
  readonly trigger: RunTrigger | undefined;
  readonly resume?: Resume;
  readonly startedAt?: string;
}

async function runPipeline(
  given: SyncDependencies,
  { config, password }: SyncRequest,
  mode: PipelineMode,
): Promise<Report> {
  const deps = withDefaults(given);
  const { clock } = deps;
  const { resume } = mode;
  const startedAt = resume?.checkpoint.startedAt ?? mode.startedAt ?? clock.now().toISOString();
  const runId = resume?.checkpoint.runId ?? deps.newRunId();
  const recorder = new StepRecorder(deps.onStep);
  const tally = new RunTally();
  if (resume) tally.add(earlierInvocations(resume));
  let session: DirectorySession | undefined;
  let spool: PlanSpool | undefined;
  let baseDn: string | undefined;
  let server: string | undefined;
  let status: RunStatus = 'succeeded';
  let failure: { code: string; message: string } | undefined;
  let withheld: number | undefined;
  // Where the run stands, for its progress: the phase, the changes planned, and what apply has to write.
  let phase: RunPhase = 'connect';
  // Changes are planned as a page's users are; they are shown with the page's counts, once it is done.
  let plannedSoFar = 0;
  let plannedShown = 0;
  let toApply: number | undefined;
  const written = () =>
    mode.dryRun ? 0 : tally.counts.created + tally.counts.updated + tally.counts.deleted;
  // A follow-up invocation reads the directory again to carry on applying: to a reader, the run goes on
  // from where the previous invocation's record left it, never back.
  const floor = resume?.previous?.progress;
  const progress = (): RunProgress => {
    const now: RunProgress = {
      phase,
      read: tally.counts.directoryUsers,
      inScope: tally.counts.inScope,
      planned: plannedShown,
      applied: written(),
      ...(toApply !== undefined ? { toApply } : {}),
    };
    return floor ? notBehind(now, floor) : now;
  };

  const report = (): Report => {
    const { lists } = tally;
    const omitted = lists.omitted;
    return {
      runId,
      dryRun: mode.dryRun,
      status,
      ...(mode.trigger ? { trigger: mode.trigger } : {}),
      startedAt,
      finishedAt: clock.now().toISOString(),
      ...(server ? { server } : {}),
      ...(baseDn ? { baseDn } : {}),
      steps: recorder.steps,
      counts: tally.counts,
      // A run handing off records only its writes: the follow-up re-plans the rest.
      changes: status === 'running' ? lists.applied : lists.changes,
      excluded: status === 'running' ? [] : lists.excluded,
      ...(failure ? { error: failure } : {}),
      ...(status === 'deletionThresholdExceeded' && withheld !== undefined
        ? { deletesWithheld: withheld }
        : {}),
      ...(mode.configVersion !== undefined ? { configVersion: mode.configVersion } : {}),
      ...(omitted ? { omitted } : {}),
      ...(status === 'running' ? { progress: progress() } : {}),
    };
  };

  const reporter =
    deps.progress &&
    new ProgressReporter(
      deps.progress,
      // The report so far, as a running record: its lists are left to the end (a progress write keeps none).
      () => ({ ...report(), status: 'running', changes: [], excluded: [], progress: progress() }),
      clock,
      deps.onUnexpectedError,
      deps.progressIntervalMs,
    );
  // A run the API started, or one continuing, has its running record already; another is listed at once.
  reporter?.start({ writeNow: !mode.startedAt && !resume });

  try {
    const open = await connectSession(deps, config.connection, password, recorder);
    session = open;
    server = open.server;
    await bindSession(open, config.connection, password, recorder);

    phase = 'search';
    // Writes go to the spool (Test Settings: to the report), not the database.
    if (!mode.dryRun) spool = await PlanSpool.create();
    const out = spool;
    const timer = new StepTimer();
    let plan: RunPlan;
    try {
      const planning = planRun({
        deps,
        config,
        session: open,
        dryRun: mode.dryRun,
        now: clock.now(),
        ...(mode.approvedDeletes !== undefined ? { approvedDeletes: mode.approvedDeletes } : {}),
        ...(mode.deletesRefused !== undefined ? { deletesRefused: mode.deletesRefused } : {}),
        ...(resume ? { checkpoint: resume.checkpoint } : {}),
        timer,
        emit: async (change: PlannedChange) => {
          plannedSoFar += 1;
          await out?.write(change);
        },
        // Pages are planned as they arrive: the run is in its search phase until the read is complete.
        onReadEnd: () => {
          phase = 'plan';
        },
      });
      for (let step = await planning.next(); ; step = await planning.next()) {
        if (step.done) {
          plan = step.value;
          break;
        }
        tally.add(step.value);
        plannedShown = plannedSoFar;
      }
    } catch (error) {
      recorder.add({
        name: timer.current,
        ok: false,
        ms: timer.ms(timer.current),
        message: errorOf(error).message,
      });
      throw error;
    }
    baseDn = plan.scope.baseDn;
    if (plan.deletesWithheld) status = 'deletionThresholdExceeded';
    withheld = plan.withheldCount;
    const { planned } = plan;
    const read = tally.counts;
    recorder.add({
      name: 'search',
      ok: true,
      ms: timer.ms('search'),
      message: describeRead(plan.scope, read.directoryUsers),
      leavers: plan.scope.leavers,
    });
    recorder.add({
      name: 'filter',
      ok: true,
      ms: timer.ms('filter'),
      message: `${read.inScope} in scope, ${read.excluded} excluded`,
    });
    recorder.add({
      name: 'plan',
      ok: true,
      ms: timer.ms('plan'),
      message:
        `${planned.created} to create, ${planned.updated} to update, ${planned.deleted} to delete, ` +
        (planned.suspended ? `${planned.suspended} to suspend, ` : '') +
        (planned.restored ? `${planned.restored} to restore, ` : '') +
        `${read.unchanged} unchanged, ${read.conflicts} conflicts${plan.deletionNote}`,
    });
    await open.close();
    session = undefined;

    if (!spool) {
      tally.add({ counts: planned });
    } else {
      phase = 'apply';
      toApply = written() + spool.size;
      const { handedOff, refused } = await applySpool(deps, config, spool, plan, {
        runId,
        startedAt,
        mode,
        tally,
        recorder,
      });
      if (handedOff) {
        status = 'running';
      } else if (deps.cursors && plan.scope.syncState) {
        // Only a clean run moves the cursor. Withheld deletes, refused writes or conflicts that a later read
        // may resolve make the next run read everything again, so nothing held back is forgotten. (A local
        // user holding a directory user's name is a lasting state, not a reason to read everything forever.)
        if (status === 'succeeded' && !plan.unsettled && refused === 0) {
          const { scope } = plan;
          const suspensionsDueAt = earliest([
            // Those this read found waiting: every one on a full read, those it touched on an incremental one.
            plan.suspensionsWaitUntil,
            // An incremental read did not see the others: the last cursor's time stands.
            scope.incremental ? scope.cursor?.suspensionsDueAt : undefined,
            // Those suspended by this run: each suspendedAt is later than the run's start, so this is not late.
            tally.counts.suspended > 0 ? graceEndsAfter(new Date(startedAt), config.options) : undefined,
          ]);
          await deps.cursors.saveCursor({
            ...plan.scope.syncState,
            fingerprint: scope.fingerprint,
            lastFullAt: scope.incremental && scope.cursor ? scope.cursor.lastFullAt : startedAt,
            directoryUsers: plan.population + tally.counts.created - tally.counts.deleted,
            dirSync: scope.dirSync,
            ...(scope.groupMembersHash !== undefined ? { groupMembersHash: scope.groupMembersHash } : {}),
            scopeDigest: scope.scopeDigest.toString(),
            ...(suspensionsDueAt !== undefined ? { suspensionsDueAt } : {}),
          });
        } else {
          await deps.cursors.clearCursor();
        }
      }
    }
  } catch (error) {
    status = 'failed';
    failure = errorOf(error);
    if (!(error instanceof AdSyncError)) deps.onUnexpectedError?.(error);
  } finally {
    await session?.close();
    await spool?.dispose();
  }

  phase = 'record';
  // The last progress write lands before the end is recorded: a reader never sees the end, then progress.
  await reporter?.stop();
  if (mode.dryRun) return report();
  try {
    await recorder.run(
      'record',
      () => deps.runs.recordRun(report()),
      () =>
        status === 'running'
          ? 'run recorded as running; a follow-up invocation continues it'
          : 'run recorded',
    );
    if (status !== 'running') await deps.checkpoints?.clearCheckpoint(runId);
  } catch (error) {
    status = 'failed';
    failure ??= errorOf(error);
    if (!(error instanceof AdSyncError)) deps.onUnexpectedError?.(error);
  }
  return report();
}

/** The resolve and connect steps of a run: a session to one of the connection's servers, not bound yet. */
export async function connectSession(
  deps: Pick<SyncDependencies, 'directory'>,
  connection: Config['connection'],
  password: BindPassword | undefined,
  recorder: StepRecorder,
): Promise<DirectorySession> {
  const servers = await recorder.run(
    'resolve',
    async () => {
      bindCredentials(connection, password);
      return deps.directory.resolveServers(connection);
    },
    (list) => `servers to try: ${list.map((s) => `${s.host}:${s.port}`).join(', ')}`,
  );
  return recorder.run(
    'connect',
    () => deps.directory.connect(servers, connection),
    (s) => `connected to ${s.server} over ${connection.encryption === 'ldaps' ? 'LDAPS' : 'StartTLS'}`,
  );
}

/** The bind step of a run, as the service account of the password's own connection. */
export async function bindSession(
  session: DirectorySession,
  connection: Config['connection'],
  password: BindPassword | undefined,
  recorder: StepRecorder,
): Promise<void> {
  // Checked again right before the bind, against the connection the session was opened with.
  const { username, password: secret } = bindCredentials(connection, password);
  await recorder.run(
    'bind',
    () => session.bind(username, secret),
    () => `bound as ${username}`,
  );
}

/** Progress that does not go back behind an earlier invocation's: the later phase, the larger counts. */
function notBehind(now: RunProgress, floor: RunProgress): RunProgress {
  const later = RUN_PHASES.indexOf(now.phase) >= RUN_PHASES.indexOf(floor.phase) ? now.phase : floor.phase;
  const toApply = Math.max(now.toApply ?? 0, floor.toApply ?? 0);
  return {
    phase: later,
    read: Math.max(now.read, floor.read),
    inScope: Math.max(now.inScope, floor.inScope),
    planned: Math.max(now.planned, floor.planned),
    applied: Math.max(now.applied, floor.applied),
    ...(toApply > 0 ? { toApply } : {}),
  };
}

/**
 * What earlier invocations of a run wrote stays counted and listed, whatever this invocation meets; and
 * what they created or updated plans as unchanged this time, so it is taken back from `unchanged`.
 */
function earlierInvocations({ checkpoint, previous }: Resume): Tally {
  const { created, updated, deleted, suspended = 0, restored = 0 } = checkpoint.applied;
  return {
    // A user suspended earlier waits out its grace period now: it plans as nothing, not as unchanged.
    counts: { created, updated, deleted, suspended, restored, unchanged: -(created + updated + restored) },
    changes: changesIn('applied', previous?.changes ?? []),
  };
}

/**
 * The apply step: the spooled writes in batches of conditional writes, each followed by a checkpoint; with
 * a deadline, it stops after the batch that leaves less than HANDOFF_RESERVE_MS.
 */
async function applySpool(
  deps: RunDependencies,
  config: Config,
  spool: PlanSpool,
  plan: RunPlan,
  run: {
    readonly runId: string;
    readonly startedAt: string;
    readonly mode: PipelineMode;
    readonly tally: RunTally;
    readonly recorder: StepRecorder;
  },
): Promise<{ handedOff: boolean; refused: number }> {
  const { mode } = run;
  const earlier = mode.resume?.checkpoint.applied;
  const before: WriteCounts = { ...noWrites(), ...earlier };
  const applied = noWrites();
  let handedOff = false;
  let refused = 0;
  await run.recorder.run(
    'apply',
    async () => {
      let done = 0;
      for await (const batch of spool.batches(deps.applyBatchSize ?? APPLY_BATCH)) {
        const batchTally = await applyBatch(deps, config, run.runId, batch);
        run.tally.add(batchTally);
        for (const kind of WRITE_KINDS) applied[kind] += batchTally.counts[kind];
        refused += batchTally.counts.conflicts;
        done += batch.length;
        await deps.checkpoints?.saveCheckpoint({
          runId: run.runId,
          startedAt: run.startedAt,
          trigger: mode.trigger ?? 'api',
          ...(mode.approvedDeletes !== undefined ? { approvedDeletes: mode.approvedDeletes } : {}),
          ...(mode.configVersion !== undefined ? { configVersion: mode.configVersion } : {}),
          invocations: (mode.resume?.checkpoint.invocations ?? 0) + 1,
          population: plan.population,
          ...(plan.deletesWithheld ? { deletesWithheld: plan.deletesWithheld } : {}),
          applied: Object.fromEntries(
            WRITE_KINDS.map((kind) => [kind, before[kind] + applied[kind]]),
          ) as WriteCounts,
        });
        if (done < spool.size && deps.remainingMs && deps.remainingMs() < HANDOFF_RESERVE_MS) {
          handedOff = true;
          return done;
        }
      }
      return done;
    },
    (done) =>
      `${WRITE_KINDS.reduce((sum, kind) => sum + applied[kind], 0)} changes written` +
      (refused ? `, ${refused} refused` : '') +
      (handedOff ? `; ${spool.size - done} left for a follow-up invocation (the deadline is near)` : ''),
  );
  return { handedOff, refused };
}

/** One batch of writes: what was written, what an earlier invocation had written already, what was refused. */
export async function applyBatch(
  deps: RunDependencies,
  config: Config,
  runId: string,
  batch: readonly PlannedChange[],
): Promise<Tally & { counts: WriteCounts & Pick<ReportCounts, 'unchanged' | 'conflicts'> }> {
  const result = await deps.users.applyChanges(batch, {
    runId,
    defaults: config.defaultPrivileges,
    now: deps.clock.now().toISOString(),
  });
  const counts = { ...noWrites(), unchanged: result.alreadyApplied, conflicts: 0 };
  const changes: { list: ChangeList; change: ReportChange }[] = [];
  for (const change of result.applied) {
    if (change.action === 'create') counts.created += 1;
    else if (change.action === 'update') counts.updated += 1;
    else if (change.action === 'delete') counts.deleted += 1;
    else if (change.action === 'suspend') counts.suspended += 1;
    else if (change.action === 'restore') counts.restored += 1;
    if (isChange(change)) changes.push({ list: 'applied', change: toReportChange(change) });
  }
  for (const { change, reason } of result.conflicts) {
    counts.conflicts += 1;
    if (isChange(change)) {
      changes.push({ list: 'refused', change: { ...toReportChange(change), action: 'conflict', reason } });
    }
  }
  return { counts, changes };
}
