/**
 * The apply step of a sync: the spooled writes in batches of conditional writes, each followed by a checkpoint
 * (so that a follow-up invocation knows what was applied); with a deadline, it stops after the batch that
 * leaves less than HANDOFF_RESERVE_MS and hands off. `applyBatch` is the one way a run writes users: the
 * pipeline's batches and a one-user sync's one change.
 */
import type { Config } from '../config/config-schema';
import type { PlannedChange } from '../domain/plan-sync';
import {
  noWrites,
  type ReportChange,
  type ReportCounts,
  type RunTrigger,
  WRITE_KINDS,
  type WriteCounts,
} from '../domain/report';
import type { RunCheckpoint } from '../ports/run-checkpoint';
import type { RunPlan } from './plan-run';
import type { PlanSpool } from './plan-spool';
import { APPLY_BATCH, HANDOFF_RESERVE_MS, type RunDependencies } from './run-dependencies';
import {
  type ChangeList,
  isChange,
  type RunTally,
  type StepRecorder,
  type Tally,
  toReportChange,
} from './run-report';

/** The run the spool is applied for: what its checkpoints say, and where its counts and steps go. */
export interface ApplyRun {
  readonly runId: string;
  readonly startedAt: string;
  readonly trigger: RunTrigger;
  readonly approvedDeletes?: number;
  readonly configVersion?: number;
  /** The checkpoint of the run's earlier invocations, when this one continues it. */
  readonly earlier?: RunCheckpoint;
  readonly tally: RunTally;
  readonly recorder: StepRecorder;
}

/**
 * The apply step: the spooled writes in batches of conditional writes, each followed by a checkpoint; with
 * a deadline, it stops after the batch that leaves less than HANDOFF_RESERVE_MS.
 */
export async function applySpool(
  deps: RunDependencies,
  config: Config,
  spool: PlanSpool,
  plan: RunPlan,
  run: ApplyRun,
): Promise<{ handedOff: boolean; refused: number }> {
  const before: WriteCounts = { ...noWrites(), ...run.earlier?.applied };
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
          trigger: run.trigger,
          ...(run.approvedDeletes !== undefined ? { approvedDeletes: run.approvedDeletes } : {}),
          ...(run.configVersion !== undefined ? { configVersion: run.configVersion } : {}),
          invocations: (run.earlier?.invocations ?? 0) + 1,
          population: plan.population,
          ...(plan.deletionHold ? { deletionHold: plan.deletionHold } : {}),
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
