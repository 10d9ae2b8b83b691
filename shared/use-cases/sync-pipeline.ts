/**
 * Test Settings and Synchronize now (docs/contract.md#test-settings-and-synchronize). Both run one pipeline:
 *
 *   resolve -> connect -> bind -> [groups ->] search -> filter -> plan [-> apply -> record] [-> groups]
 *
 * The directory session, steps and failure are the run session's (run-session.ts); search, filter and plan run
 * a page at a time (plan-run.ts). Test Settings stops after `plan` and commits nothing, not even a run record.
 * Synchronize writes creates, updates and restores while it reads (apply-writes.ts: a bounded queue the read
 * waits for), with a checkpoint after each batch (near its Lambda deadline a run stops there and hands off),
 * and records the run, failed runs included. What needs the whole read (deletes, suspensions, a name whose
 * holder was not seen) is planned after a complete read, once its writes are committed: a failed, partial or
 * interrupted read never deletes or suspends a user. Groups (sync-groups.ts) are read before the users, so a
 * created user gets its groups, and again after them when the first read skipped unchanged groups but the
 * users' plan changes what they hold; the group pass follows the users' writes.
 */
import type { Config } from '../config/config-schema';
import type { BindPassword } from '../domain/password-binding';
import type { PlannedChange } from '../domain/plan-sync';
import type { DeletionHold, Report, RunPhase, RunProgress, RunStatus, RunTrigger } from '../domain/report';
import type { DirectorySession, DirectorySyncState } from '../ports/directory-reader';
import type { RunCheckpoint } from '../ports/run-checkpoint';
import type { SyncCursorStore } from '../ports/sync-cursor';
import { RunApplier } from './apply-writes';
import { EarlyGroups } from './early-groups';
import { runGroupPass } from './group-pass';
import { MemberLedger } from './member-ledger';
import { MembershipPreview } from './membership-preview';
import { planRun, type RunPlan } from './plan-run';
import { cursorAfterRun, describeRead } from './read-scope';
import { type RunDependencies, type SyncDependencies, withDefaults } from './run-dependencies';
import { notBehind, ProgressReporter } from './run-progress';
import { earlierInvocations, errorOf, RunTally, StepTimer } from './run-report';
import { RunSession } from './run-session';
import { affectsGroups, type GroupRead, readGroupsOfRun, withMemberships } from './sync-groups';

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
  private readonly preview = new MembershipPreview(this.tally.lists); // a dry run's users the group pass changes
  /** How the run ends, unless it fails (the session knows that). */
  private outcome: RunStatus = 'succeeded';
  private withheld: number | undefined;
  private withheldBecause: DeletionHold | undefined;
  private baseDn: string | undefined;
  private groupRead: GroupRead | undefined;
  /** What the group pass needs of the database, from its listing and the run's writes (member-ledger.ts). */
  private members: MemberLedger | undefined;
  private early: EarlyGroups | undefined; // groups written during the apply (early-groups.ts)
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
    if (resume) this.tally.add(earlierInvocations(resume.checkpoint, resume.previous));
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

    try {
      await session.run(this.request.config.connection, this.request.password, async (directory) => {
        this.phase = 'search';
        // A sync writes while it reads (Test Settings lists the writes in its report, and the group pass's).
        const writes = mode.dryRun ? undefined : this.startWrites();
        try {
          const plan = await this.plan(directory, writes);
          const groups = plan && (await this.readGroups(directory, plan));
          await session.close();
          if (writes) await this.apply(writes, plan);
          else if (plan) this.tally.add({ counts: plan.planned });
          if (groups) await this.groupPass(groups);
        } finally {
          // A run that failed stops writing: the batch under way ends, nothing more is written.
          await this.endWrites(writes);
          await this.early?.finish().catch(() => {}); // ended by the pass, unless the run failed or hands off
        }
      });
    } finally {
      this.phase = 'record';
      // Stopped whatever happened (its loop waits on the clock: the process would live on, the record "running"),
      // its last write landing before the end is recorded: a reader never sees the end, then progress.
      await reporter?.stop();
    }

    if (mode.dryRun) return this.report();
    await session.attempt(async () => {
      // A failed run that wrote (while it read) leaves no cursor: nothing it wrote escapes the next run's read.
      if (this.status === 'failed' && this.written() > 0) await deps.cursors?.clearCursor();
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

  /** The search, filter and plan steps: the directory read and planned a page at a time, written meanwhile. */
  private async plan(
    directory: DirectorySession,
    writes: RunApplier | undefined,
  ): Promise<RunPlan | undefined> {
    const { deps, mode } = this;
    const timer = new StepTimer();
    let plan: RunPlan | undefined;
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
          const written = withMemberships(change, this.groupRead, mode.dryRun);
          this.members?.planned(written);
          if (mode.dryRun && this.groupRead?.inUse) this.preview.plan(written);
          if (writes) await timer.excluding(() => writes.push(written));
          return written;
        },
        withheld: (change) => mode.dryRun && this.groupRead?.inUse && this.preview.plan(change),
        // Groups first (a failed read fails the run unwritten; creates get their groups); the listing is the pass's too.
        onScope: async () => {
          const read = await timer.time('groups', () => this.readGroups(directory));
          this.groupRead = read;
          if (read?.inUse && !read.unchanged) this.members = new MemberLedger(read.index);
          const context = { runId: this.runId, now: deps.clock.now().toISOString() };
          if (writes && this.members && deps.groups)
            this.early = new EarlyGroups(deps.groups, this.members, context);
          return this.members;
        },
        onReadStart: async (scope, population) => {
          this.baseDn = scope.baseDn;
          writes?.readStarted(population);
        },
        // Pages are planned as they arrive: the run is in its search phase until the read is complete.
        onReadEnd: async () => {
          this.phase = 'plan';
          await writes?.readEnded();
        },
        ...(writes ? { signal: writes.signal } : {}),
      });
      for (let step = await planning.next(); ; step = await planning.next()) {
        if (step.done) {
          plan = step.value;
          break;
        }
        this.tally.add(step.value);
        this.plannedShown = this.plannedSoFar;
        writes?.pagePlanned();
      }
    } catch (error) {
      // The group read records its own failure (sync-groups.ts).
      if (timer.current !== 'groups') {
        this.session.steps.add({
          name: timer.current,
          ok: false,
          ms: timer.ms(timer.current),
          message: errorOf(error).message,
        });
      }
      throw error;
    }
    if (!plan) {
      // Writing stopped (the deadline, a failed write), and the read with it: a follow-up reads again.
      const message = `${this.tally.counts.directoryUsers} users read; the read stopped with the writes`;
      this.session.steps.add({ name: 'search', ok: true, ms: timer.ms('search'), message });
      return undefined;
    }
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
  private readGroups(session: DirectorySession, plan?: RunPlan): Promise<GroupRead | undefined> {
    const { groups, cursors, clock, fullReadEveryHours } = this.deps;
    if (!groups) return Promise.resolve(undefined);
    const run = { session, groups, cursors, config: this.request.config, steps: this.session.steps };
    const when = { dryRun: this.mode.dryRun, now: clock.now(), fullReadEveryHours };
    const after = plan && { scope: plan.scope, affected: this.groupsAffected, early: this.groupRead };
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
      ledger: this.members,
      early: this.early,
      preview: this.mode.dryRun ? (changes) => this.preview.add(changes, read.index) : undefined,
    });
    this.members = undefined; // the pass was its one reader
  }

  /** The writes of a sync, taken from the planner's first one on (apply-writes.ts). */
  private startWrites(): RunApplier {
    const { mode } = this;
    return new RunApplier(this.deps, this.request.config, {
      runId: this.runId,
      startedAt: this.startedAt,
      trigger: mode.trigger ?? 'api',
      ...(mode.approvedDeletes !== undefined ? { approvedDeletes: mode.approvedDeletes } : {}),
      ...(mode.configVersion !== undefined ? { configVersion: mode.configVersion } : {}),
      ...(mode.resume ? { earlier: mode.resume.checkpoint } : {}),
      tally: this.tally,
      onWritten: (batch, committed) => this.members?.written(batch, committed),
    });
  }

  /** Ends the writes (with the plan of a complete read, applying what waits) and lists the apply step, once. */
  private async endWrites(writes: RunApplier | undefined, plan?: RunPlan): Promise<void> {
    const step = await writes?.finish(plan);
    if (step) this.session.steps.add(step);
  }

  /**
   * The rest of the apply step once the read is complete (the writes planned after it: adopted names, deletes,
   * suspensions), then the cursor: moved by a clean run, cleared by one that held something back.
   */
  private async apply(writes: RunApplier, plan: RunPlan | undefined): Promise<void> {
    const { deps } = this;
    this.phase = 'apply';
    this.toApply = this.written() + writes.remaining;
    await this.endWrites(writes, plan);
    if (writes.failure !== undefined) throw writes.failure;
    const { refused } = writes;
    if (writes.handedOff) {
      this.outcome = 'running';
    } else if (plan && deps.cursors && plan.scope.syncState) {
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
    const { options } = this.request.config;
    const { counts } = this.tally;
    await cursors.saveCursor(cursorAfterRun({ plan, syncState, startedAt: this.startedAt, counts, options }));
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
    // A follow-up invocation reads again: to a reader, the run goes on from where the last record left it.
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
