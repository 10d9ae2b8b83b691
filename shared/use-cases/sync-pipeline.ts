/**
 * Test Settings and Synchronize now (docs/contract.md#test-settings-and-synchronize). Both run one pipeline:
 *
 *   resolve -> connect -> bind -> search -> filter -> plan [-> apply -> record]
 *
 * The directory session and the run's steps and failure are the run session's (run-session.ts); search,
 * filter and plan run a page at a time (plan-run.ts): pages of the directory go through the scope
 * policy and the planner, and the planned writes into a spool on local disk. Test Settings stops after
 * `plan` and commits nothing, not even a run record. Synchronize applies the spool in batches (apply-spool.ts),
 * with a checkpoint after each (a run nearing its Lambda deadline stops there and hands off), and records the run,
 * failed runs included. Any failure before `apply` (a directory error of any kind, an incomplete read) ends
 * the run there: nothing is written to the user database, so a failed or partial read can never delete a
 * user.
 */
import type { Config } from '../config/config-schema';
import type { BindPassword } from '../domain/password-binding';
import { earliest, graceEndsAfter } from '../domain/plan-deletes';
import type { PlannedChange } from '../domain/plan-sync';
import {
  type DeletionHold,
  type Report,
  RUN_PHASES,
  type RunPhase,
  type RunProgress,
  type RunStatus,
  type RunTrigger,
} from '../domain/report';
import type { DirectorySession, DirectorySyncState } from '../ports/directory-reader';
import type { RunCheckpoint } from '../ports/run-checkpoint';
import type { SyncCursorStore } from '../ports/sync-cursor';
import { applySpool } from './apply-spool';
import { planRun, type RunPlan } from './plan-run';
import { PlanSpool } from './plan-spool';
import { describeRead } from './read-scope';
import { type RunDependencies, type SyncDependencies, withDefaults } from './run-dependencies';
import { ProgressReporter } from './run-progress';
import { changesIn, errorOf, RunTally, StepTimer, type Tally } from './run-report';
import { RunSession } from './run-session';
import { affectsGroups, type GroupRead, readGroupsOfRun, runGroupPass, withMemberships } from './sync-groups';

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
  readonly deletesRefused?: DeletionHold;
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

/** A follow-up invocation of a run: its checkpoint and the record the previous invocation left. */
export interface Resume {
  readonly checkpoint: RunCheckpoint;
  readonly previous?: Report;
}

interface PipelineMode {
  readonly dryRun: boolean;
  readonly approvedDeletes?: number;
  readonly deletesRefused?: DeletionHold;
  readonly configVersion?: number;
  readonly trigger: RunTrigger | undefined;
  readonly resume?: Resume;
  readonly startedAt?: string;
}

function runPipeline(given: SyncDependencies, request: SyncRequest, mode: PipelineMode): Promise<Report> {
  return new PipelineRun(withDefaults(given), request, mode).run();
}

/** One run of the pipeline: what it has found so far, its progress, and its report. */
class PipelineRun {
  private readonly startedAt: string;
  private readonly runId: string;
  private readonly session: RunSession;
  private readonly tally = new RunTally();
  /** How the run ends, unless it fails (the session knows that). */
  private outcome: RunStatus = 'succeeded';
  private withheld: number | undefined;
  private withheldBecause: DeletionHold | undefined;
  private baseDn: string | undefined;
  // Where the run stands, for its progress: the phase, the changes planned, and what apply has to write.
  private phase: RunPhase = 'connect';
  // Changes are planned as a page's users are; they are shown with the page's counts, once it is done.
  private plannedSoFar = 0;
  private plannedShown = 0;
  private toApply: number | undefined;
  private groupsAffected = false; // a planned write changes what the groups hold (affectsGroups)

  constructor(
    private readonly deps: RunDependencies,
    private readonly request: SyncRequest,
    private readonly mode: PipelineMode,
  ) {
    const { resume } = mode;
    this.startedAt = resume?.checkpoint.startedAt ?? mode.startedAt ?? deps.clock.now().toISOString();
    this.runId = resume?.checkpoint.runId ?? deps.newRunId();
    this.session = new RunSession(deps);
    if (resume) this.tally.add(earlierInvocations(resume));
  }

  private get status(): RunStatus {
    return this.session.failure ? 'failed' : this.outcome;
  }

  async run(): Promise<Report> {
    const { deps, mode, session } = this;
    const reporter =
      deps.progress &&
      new ProgressReporter(
        deps.progress,
        // The report so far, as a running record: its lists are left to the end (a progress write keeps none).
        () => ({ ...this.report(), status: 'running', changes: [], excluded: [], progress: this.progress() }),
        deps.clock,
        deps.onUnexpectedError,
        deps.progressIntervalMs,
      );
    // A run the API started, or one continuing, has its running record already; another is listed at once.
    reporter?.start({ writeNow: !mode.startedAt && !mode.resume });

    let spool: PlanSpool | undefined;
    try {
      await session.run(this.request.config.connection, this.request.password, async (directory) => {
        this.phase = 'search';
        // Writes go to the spool (Test Settings: to the report), not the database.
        if (!mode.dryRun) spool = await PlanSpool.create();
        const early = await this.readGroups(directory);
        const plan = await this.plan(directory, spool, early);
        const groups = await this.readGroups(directory, plan, early);
        await session.close();
        if (spool) await this.apply(spool, plan);
        else this.tally.add({ counts: plan.planned });
        if (groups) await this.groupPass(groups);
      });
    } finally {
      this.phase = 'record';
      // The last progress write lands before the end is recorded: a reader never sees the end, then progress.
      // Stopped whatever happened (a failed spool cleanup too): its loop waits on the clock, and would keep the
      // process alive and the record "running".
      try {
        await spool?.dispose();
      } finally {
        await reporter?.stop();
      }
    }

    if (mode.dryRun) return this.report();
    await session.attempt(async () => {
      await session.steps.run(
        'record',
        () => deps.runs.recordRun(this.report()),
        () =>
          this.status === 'running'
            ? 'run recorded as running; a follow-up invocation continues it'
            : 'run recorded',
      );
      if (this.status !== 'running') await deps.checkpoints?.clearCheckpoint(this.runId);
    });
    return this.report();
  }

  /** The search, filter and plan steps: the directory read and planned a page at a time, into the spool. */
  private async plan(directory: DirectorySession, spool?: PlanSpool, groups?: GroupRead): Promise<RunPlan> {
    const { deps, mode } = this;
    const timer = new StepTimer();
    let plan: RunPlan;
    try {
      const planning = planRun({
        deps,
        config: this.request.config,
        session: directory,
        dryRun: mode.dryRun,
        now: deps.clock.now(),
        ...(mode.approvedDeletes !== undefined ? { approvedDeletes: mode.approvedDeletes } : {}),
        ...(mode.deletesRefused !== undefined ? { deletesRefused: mode.deletesRefused } : {}),
        ...(mode.resume ? { checkpoint: mode.resume.checkpoint } : {}),
        timer,
        emit: async (change: PlannedChange) => {
          this.plannedSoFar += 1;
          this.groupsAffected ||= affectsGroups(change);
          const written = withMemberships(change, groups, mode.dryRun);
          await spool?.write(written);
          return written;
        },
        // Pages are planned as they arrive: the run is in its search phase until the read is complete.
        onReadEnd: () => {
          this.phase = 'plan';
        },
      });
      for (let step = await planning.next(); ; step = await planning.next()) {
        if (step.done) {
          plan = step.value;
          break;
        }
        this.tally.add(step.value);
        this.plannedShown = this.plannedSoFar;
      }
    } catch (error) {
      this.session.steps.add({
        name: timer.current,
        ok: false,
        ms: timer.ms(timer.current),
        message: errorOf(error).message,
      });
      throw error;
    }
    this.baseDn = plan.scope.baseDn;
    if (plan.deletionHold) this.outcome = 'deletionThresholdExceeded';
    this.withheld = plan.withheldCount;
    this.withheldBecause = plan.deletionHold;
    this.recordPlanSteps(plan, timer);
    return plan;
  }

  /** The search, filter and plan steps as the report lists them, once the read is complete. */
  private recordPlanSteps(plan: RunPlan, timer: StepTimer): void {
    const { planned } = plan;
    const read = this.tally.counts;
    const { steps } = this.session;
    steps.add({
      name: 'search',
      ok: true,
      ms: timer.ms('search'),
      message: describeRead(plan.scope, read.directoryUsers),
      leavers: plan.scope.leavers,
    });
    steps.add({
      name: 'filter',
      ok: true,
      ms: timer.ms('filter'),
      message: `${read.inScope} in scope, ${read.excluded} excluded`,
    });
    steps.add({
      name: 'plan',
      ok: true,
      ms: timer.ms('plan'),
      message:
        `${planned.created} to create, ${planned.updated} to update, ${planned.deleted} to delete, ` +
        (planned.suspended ? `${planned.suspended} to suspend, ` : '') +
        (planned.restored ? `${planned.restored} to restore, ` : '') +
        `${read.unchanged} unchanged, ${read.conflicts} conflicts${plan.deletionNote}`,
    });
  }

  /** The groups the run needs: before the users are planned (no plan yet), or after; see sync-groups.ts. */
  private readGroups(session: DirectorySession, plan?: RunPlan, early?: GroupRead) {
    const { groups, cursors, clock, fullReadEveryHours } = this.deps;
    if (!groups) return Promise.resolve(undefined);
    const run = { session, groups, cursors, config: this.request.config, steps: this.session.steps };
    const when = { dryRun: this.mode.dryRun, now: clock.now(), fullReadEveryHours };
    const after = plan && { scope: plan.scope, affected: this.groupsAffected, early };
    return readGroupsOfRun({ ...run, ...when }, after);
  }

  /** The group pass once the users are written, unless the run failed or hands off (its follow-up does it). */
  private async groupPass(read: GroupRead): Promise<void> {
    const { groups, users, cursors } = this.deps;
    if (!groups || this.status === 'failed' || this.status === 'running') return;
    await runGroupPass({ users, groups, cursors }, read, this.session.steps, {
      dryRun: this.mode.dryRun,
      runId: this.runId,
      now: this.deps.clock.now().toISOString(),
    });
  }

  /** The apply step, then the cursor: moved by a clean run, cleared by one that held something back. */
  private async apply(spool: PlanSpool, plan: RunPlan): Promise<void> {
    const { deps, mode } = this;
    this.phase = 'apply';
    this.toApply = this.written() + spool.size;
    const { handedOff, refused } = await applySpool(deps, this.request.config, spool, plan, {
      runId: this.runId,
      startedAt: this.startedAt,
      trigger: mode.trigger ?? 'api',
      ...(mode.approvedDeletes !== undefined ? { approvedDeletes: mode.approvedDeletes } : {}),
      ...(mode.configVersion !== undefined ? { configVersion: mode.configVersion } : {}),
      ...(mode.resume ? { earlier: mode.resume.checkpoint } : {}),
      tally: this.tally,
      recorder: this.session.steps,
    });
    if (handedOff) {
      this.outcome = 'running';
    } else if (deps.cursors && plan.scope.syncState) {
      // Only a clean run moves the cursor. Withheld deletes, refused writes or conflicts that a later read
      // may resolve make the next run read everything again, so nothing held back is forgotten. (A local
      // user holding a directory user's name is a lasting state, not a reason to read everything forever.)
      if (this.outcome === 'succeeded' && !plan.unsettled && refused === 0) {
        await this.moveCursor(deps.cursors, plan, plan.scope.syncState);
      } else {
        await deps.cursors.clearCursor();
      }
    }
  }

  /** Saves the cursor where this clean run read the directory. */
  private async moveCursor(
    cursors: SyncCursorStore,
    plan: RunPlan,
    syncState: DirectorySyncState,
  ): Promise<void> {
    const { scope } = plan;
    const { counts } = this.tally;
    const suspensionsDueAt = earliest([
      // Those this read found waiting: every one on a full read, those it touched on an incremental one.
      plan.suspensionsWaitUntil,
      // An incremental read did not see the others: the last cursor's time stands.
      scope.incremental ? scope.cursor?.suspensionsDueAt : undefined,
      // Those suspended by this run: each suspendedAt is later than the run's start, so this is not late.
      counts.suspended > 0
        ? graceEndsAfter(new Date(this.startedAt), this.request.config.options)
        : undefined,
    ]);
    // An incremental run that listed the database and found another number of directory users than the last
    // run left (a listing of the index that missed a user just written, or a one-user sync's write) keeps no
    // digest: the next run lists the database again rather than trust a comparison this run may have missed.
    const listingAgrees = !scope.incremental || plan.population === scope.cursor?.directoryUsers;
    await cursors.saveCursor({
      ...syncState,
      fingerprint: scope.fingerprint,
      lastFullAt: scope.incremental && scope.cursor ? scope.cursor.lastFullAt : this.startedAt,
      directoryUsers: plan.population + counts.created - counts.deleted,
      dirSync: scope.dirSync,
      ...(scope.groupMembersHash !== undefined ? { groupMembersHash: scope.groupMembersHash } : {}),
      ...(listingAgrees ? { scopeDigest: scope.scopeDigest.toString() } : {}),
      ...(suspensionsDueAt !== undefined ? { suspensionsDueAt } : {}),
    });
  }

  private written(): number {
    const { counts } = this.tally;
    return this.mode.dryRun ? 0 : counts.created + counts.updated + counts.deleted;
  }

  private progress(): RunProgress {
    const now: RunProgress = {
      phase: this.phase,
      read: this.tally.counts.directoryUsers,
      inScope: this.tally.counts.inScope,
      planned: this.plannedShown,
      applied: this.written(),
      ...(this.toApply !== undefined ? { toApply: this.toApply } : {}),
    };
    // A follow-up invocation reads the directory again to carry on applying: to a reader, the run goes on
    // from where the previous invocation's record left it, never back.
    const floor = this.mode.resume?.previous?.progress;
    return floor ? notBehind(now, floor) : now;
  }

  private report(): Report {
    const { mode, status, session } = this;
    const { lists } = this.tally;
    const { omitted } = lists;
    const failure = session.failure;
    return {
      runId: this.runId,
      dryRun: mode.dryRun,
      status,
      ...(mode.trigger ? { trigger: mode.trigger } : {}),
      startedAt: this.startedAt,
      finishedAt: this.deps.clock.now().toISOString(),
      ...(session.server ? { server: session.server } : {}),
      ...(this.baseDn ? { baseDn: this.baseDn } : {}),
      steps: session.steps.steps,
      counts: this.tally.counts,
      // A run handing off records only its writes: the follow-up re-plans the rest.
      changes: status === 'running' ? lists.applied : lists.changes,
      excluded: status === 'running' ? [] : lists.excluded,
      ...(failure ? { error: failure } : {}),
      ...(status === 'deletionThresholdExceeded' && this.withheld !== undefined
        ? {
            deletesWithheld: this.withheld,
            ...(this.withheldBecause ? { deletesWithheldBecause: this.withheldBecause } : {}),
          }
        : {}),
      ...(mode.configVersion !== undefined ? { configVersion: mode.configVersion } : {}),
      ...(omitted ? { omitted } : {}),
      ...(status === 'running' ? { progress: this.progress() } : {}),
    };
  }
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
