/**
 * The apply step of a sync: the writes the planner queues (write-queue.ts), taken a batch at a time while the
 * directory is still being read, each batch a set of conditional writes followed by a checkpoint (so that a
 * follow-up invocation knows what was applied). With a deadline, it stops before a batch once this invocation
 * has written one and less than HANDOFF_RESERVE_MS is left, and hands off. `applyBatch` is the one way a run
 * writes users: the pipeline's batches and a one-user sync's one change.
 *
 * What reaches the queue during the read is creates, updates and restores, each planned against the user
 * database as it is committed (so each is right on its own, whatever the rest of the read brings); deletes
 * and suspensions are planned, and queued, only after a complete read (plan-run.ts).
 */
import type { Config } from '../config/config-schema';
import type { PlannedChange } from '../domain/plan-sync';
import {
  type DeletionHold,
  noWrites,
  type ReportChange,
  type ReportCounts,
  type ReportStep,
  type RunTrigger,
  WRITE_KINDS,
  type WriteCounts,
} from '../domain/report';
import type { RunCheckpoint } from '../ports/run-checkpoint';
import { APPLY_BATCH, HANDOFF_RESERVE_MS, type RunDependencies } from './run-dependencies';
import { type ChangeList, errorOf, isChange, type RunTally, type Tally, toReportChange } from './run-report';
import { WriteQueue } from './write-queue';

/** The run the writes are applied for: what its checkpoints say, and where its counts go. */
export interface ApplyRun {
  readonly runId: string;
  readonly startedAt: string;
  readonly trigger: RunTrigger;
  readonly approvedDeletes?: number;
  readonly configVersion?: number;
  /** The checkpoint of the run's earlier invocations, when this one continues it. */
  readonly earlier?: RunCheckpoint;
  readonly tally: RunTally;
  /** Told of each batch once applied, with the changes it committed (member-ledger.ts). */
  readonly onWritten?: (batch: readonly PlannedChange[], committed: ReadonlySet<PlannedChange>) => void;
}

/** Sealed batches that may wait in the queue: the applier always has the next one at hand. */
const QUEUED_BATCHES = 2;
/**
 * The smallest batch an idle applier takes rather than wait for a full one: four transactions of 100, what
 * the user store writes at once. The writes start with the read's first page.
 */
const IDLE_BATCH = 400;
/**
 * The smallest batch an idle applier takes once a page of the read is planned: one transaction. The read's
 * first page is small (FIRST_PAGE_SIZE in the LDAP adapter), so that the first writes start sooner; they do not wait for the next.
 */
const PAGE_END_BATCH = 100;

/**
 * A sync's writes, from the planner's first to the last: a queue, and the applier that empties it while the
 * directory is read; see the module comment. Durations are measured on `performance.now()`, as the run's
 * steps are (run-report.ts: they measure and never wait).
 */
export class RunApplier {
  readonly applied: WriteCounts = noWrites();
  refused = 0;
  /** Set when it stopped for the deadline: the run hands off. */
  handedOff = false;
  /** Set when a write failed: the run fails with it. */
  failure: unknown;
  private readonly queue: WriteQueue<PlannedChange>;
  /** Writes planned after the read (adopted names, deletes, suspensions): held until the run applies them. */
  private afterRead: PlannedChange[] | undefined;
  private readonly applying: Promise<void>;
  /** What the checkpoints carry that planning settles: the population before the run, the deletes' hold. */
  private population: number | undefined;
  private deletionHold: DeletionHold | undefined;
  private batches = 0;
  private leftInHand = 0;
  private finished = false;
  private firstWriteAt: number | undefined;
  private lastWriteAt: number | undefined;
  private readEndedAt: number | undefined;
  private readonly stoppedBy = new AbortController();

  /** Starts the applier: it waits for the planner's first batch. */
  constructor(
    private readonly deps: RunDependencies,
    private readonly config: Config,
    private readonly run: ApplyRun,
  ) {
    const batchSize = deps.applyBatchSize ?? APPLY_BATCH;
    const idle = Math.min(batchSize, IDLE_BATCH);
    this.queue = new WriteQueue(batchSize, QUEUED_BATCHES, idle, Math.min(idle, PAGE_END_BATCH));
    this.applying = this.applyQueued();
  }

  /** Aborted when it stops taking writes (the deadline, a failure): the planner stops reading. */
  get signal(): AbortSignal {
    return this.stoppedBy.signal;
  }

  /** Writes made by this invocation. */
  get written(): number {
    return WRITE_KINDS.reduce((sum, kind) => sum + this.applied[kind], 0);
  }

  /** Writes planned and not yet made. */
  get remaining(): number {
    return this.queue.pending + (this.afterRead?.length ?? 0);
  }

  /** The population before the run, told before the first write is planned: every checkpoint carries it. */
  readStarted(population: number): void {
    this.population = population;
  }

  /**
   * A planned write: during the read, queued (waiting while the queue is full); after it, held until the run
   * applies it (`finish`).
   */
  async push(change: PlannedChange): Promise<void> {
    if (this.afterRead) this.afterRead.push(change);
    else await this.queue.push(change);
  }

  /** A page of the read is planned: an idle applier takes its writes now, not after the next page's. */
  pagePlanned(): void {
    this.queue.pageEnded();
  }

  /** The read is complete: resolves once every write queued during it is committed. */
  async readEnded(): Promise<void> {
    this.readEndedAt = performance.now();
    this.afterRead = [];
    await this.queue.drained();
  }

  /**
   * Ends the writes. With the plan of a complete read, the held writes are applied after the queued ones (its
   * checkpoints carry the deletes' hold); without (the run failed, or stopped reading), nothing more is taken
   * and the batch under way ends. Resolves with the apply step, when the run wrote or a write failed; once.
   */
  async finish(plan?: { readonly deletionHold?: DeletionHold }): Promise<ReportStep | undefined> {
    if (this.finished) return undefined;
    this.finished = true;
    const complete = plan !== undefined;
    this.deletionHold = plan?.deletionHold;
    if (complete) {
      const held = this.afterRead ?? [];
      this.afterRead = undefined;
      for (const change of held) await this.queue.push(change);
      this.queue.end();
    } else {
      this.queue.stop();
    }
    await this.applying;
    return this.step(complete);
  }

  /** Applies the queue's batches until it ends (never throws: a failure is kept in `failure`). */
  private async applyQueued(): Promise<void> {
    try {
      for (let batch = await this.queue.take(); batch; batch = await this.queue.take()) {
        const { remainingMs } = this.deps;
        if (this.batches > 0 && remainingMs && remainingMs() < HANDOFF_RESERVE_MS) {
          this.handedOff = true;
          this.stop(batch.length);
          return;
        }
        await this.apply(batch);
      }
    } catch (error) {
      this.failure = error;
      this.stop(0);
    }
  }

  private stop(inHand: number): void {
    this.leftInHand = inHand;
    this.queue.stop();
    this.stoppedBy.abort();
  }

  /** The apply step as the report lists it. */
  private step(complete: boolean): ReportStep | undefined {
    const first = this.firstWriteAt ?? 0;
    const last = this.lastWriteAt ?? first;
    const ms = Math.round(last - first);
    // The read and the writes overlapped from the first write until the read ended (or the writes did).
    const readOverlapMs = Math.max(0, Math.round(Math.min(this.readEndedAt ?? last, last) - first));
    if (this.failure !== undefined) {
      return { name: 'apply', ok: false, ms, message: errorOf(this.failure).message, readOverlapMs };
    }
    // A sync that wrote nothing lists its apply step all the same; a run that failed, only when it wrote.
    if (this.batches === 0 && !complete) return undefined;
    const left = this.queue.droppedCount + this.leftInHand;
    const message =
      `${this.written} changes written` +
      (this.refused ? `, ${this.refused} refused` : '') +
      (this.handedOff
        ? `; ${this.readEndedAt ? left : 'the rest'} left for a follow-up invocation (the deadline is near)`
        : complete
          ? ''
          : '; the run ended before its read was complete: nothing deleted or suspended');
    return { name: 'apply', ok: true, ms, message, readOverlapMs };
  }

  private async apply(batch: readonly PlannedChange[]): Promise<void> {
    const { deps, run } = this;
    this.firstWriteAt ??= performance.now();
    try {
      const { committed, ...batchTally } = await applyBatch(deps, this.config, run.runId, batch);
      run.onWritten?.(batch, new Set(committed));
      run.tally.add(batchTally);
      for (const kind of WRITE_KINDS) this.applied[kind] += batchTally.counts[kind];
      this.refused += batchTally.counts.conflicts;
      this.batches += 1;
      await this.checkpoint();
    } finally {
      this.lastWriteAt = performance.now();
    }
  }

  private async checkpoint(): Promise<void> {
    const { deps, run, population, deletionHold } = this;
    if (!deps.checkpoints) return;
    // Planning tells the population before it emits a write (plan-run.ts, onReadStart).
    if (population === undefined) throw new Error('a batch was applied before the read started');
    const before: WriteCounts = { ...noWrites(), ...run.earlier?.applied };
    await deps.checkpoints.saveCheckpoint({
      runId: run.runId,
      startedAt: run.startedAt,
      trigger: run.trigger,
      ...(run.approvedDeletes !== undefined ? { approvedDeletes: run.approvedDeletes } : {}),
      ...(run.configVersion !== undefined ? { configVersion: run.configVersion } : {}),
      invocations: (run.earlier?.invocations ?? 0) + 1,
      population,
      ...(deletionHold ? { deletionHold } : {}),
      applied: Object.fromEntries(
        WRITE_KINDS.map((kind) => [kind, before[kind] + this.applied[kind]]),
      ) as WriteCounts,
    });
  }
}

/** One batch of writes: what was written, what an earlier invocation had written already, what was refused. */
export async function applyBatch(
  deps: RunDependencies,
  config: Config,
  runId: string,
  batch: readonly PlannedChange[],
): Promise<
  Tally & {
    counts: WriteCounts & Pick<ReportCounts, 'unchanged' | 'conflicts'>;
    /** The changes written (not those refused, or found in place). */
    committed: readonly PlannedChange[];
  }
> {
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
  return { counts, changes, committed: result.applied };
}
