/**
 * Building a run's Report (docs/contract.md#http-api) as the run goes: its steps and timings, and the lists
 * of changes and exclusions, bounded so that a run of any size fits in memory and in a response.
 */
import type { CreateChange, PlannedChange, RestoreChange, UpdateChange } from '../domain/plan-sync';
import {
  emptyCounts,
  REPORT_LIST_LIMIT,
  type Report,
  type ReportChange,
  type ReportCounts,
  type ReportExclusion,
  type ReportStep,
  type StepName,
} from '../domain/report';
import { AdSyncError, INTERNAL_ERROR } from '../errors';
import type { RunCheckpoint } from '../ports/run-checkpoint';

/** Our errors say what went wrong; anything else is reported without its details (they go to the log). */
export const errorOf = (error: unknown): { code: string; message: string } =>
  error instanceof AdSyncError ? { code: error.code, message: error.message } : { ...INTERNAL_ERROR };

/** The steps of a run, in order, each passed to `onStep` (structured logging) as it ends. */
export class StepRecorder {
  readonly steps: ReportStep[] = [];
  constructor(private readonly onStep: ((step: ReportStep) => void) | undefined) {}

  /**
   * Runs one step, timing it; a failure is recorded with its message and rethrown. Durations are measured on
   * `performance.now()`, not the run's clock: they measure and never wait, and a clock a test moves would
   * make them mean nothing (STYLE.md 13 is about waits and the time a run records).
   */
  async run<T>(name: StepName, work: () => Promise<T>, describe: (result: T) => string): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      this.add({ name, ok: true, ms: Math.round(performance.now() - started), message: describe(result) });
      return result;
    } catch (error) {
      this.add({
        name,
        ok: false,
        ms: Math.round(performance.now() - started),
        message: errorOf(error).message,
      });
      throw error;
    }
  }

  add(step: ReportStep): void {
    this.steps.push(step);
    this.onStep?.(step);
  }
}

/** Time per step across the interleaved pages of a streamed read, and the step under way. */
export class StepTimer {
  private readonly totals = new Map<StepName, number>();
  current: StepName = 'search';

  async time<T>(name: StepName, work: () => Promise<T> | T): Promise<T> {
    this.current = name;
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.totals.set(name, (this.totals.get(name) ?? 0) + performance.now() - started);
    }
  }

  /**
   * Work inside the step under way whose time is not the step's: the read waiting for the writes to catch up
   * (back-pressure) is neither search nor plan.
   */
  async excluding<T>(work: () => Promise<T>): Promise<T> {
    const step = this.current;
    const started = performance.now();
    try {
      return await work();
    } finally {
      const waited = performance.now() - started;
      this.totals.set(step, (this.totals.get(step) ?? 0) - waited);
      this.waitedMs += waited;
    }
  }

  /** Time spent in `excluding`. */
  waitedMs = 0;

  ms(name: StepName): number {
    return Math.round(this.totals.get(name) ?? 0);
  }
}

/** The report's lists, bounded by REPORT_LIST_LIMIT: the counts say how many there are. */
export class ReportLists {
  /** Writes made (this and earlier invocations), then what the plan held back, then writes refused. */
  readonly applied: ReportChange[] = [];
  readonly planned: ReportChange[] = [];
  readonly refused: ReportChange[] = [];
  readonly excluded: ReportExclusion[] = [];
  private omittedChanges = 0;
  private omittedExcluded = 0;

  addChange(list: 'applied' | 'planned' | 'refused', change: ReportChange): void {
    if (!this.full) {
      this[list].push(change);
    } else {
      this.omittedChanges += 1;
    }
  }

  /** Whether `changes` holds REPORT_LIST_LIMIT entries: another is only counted in `omitted`. */
  get full(): boolean {
    return this.applied.length + this.planned.length + this.refused.length >= REPORT_LIST_LIMIT;
  }

  addExclusion(exclusion: ReportExclusion): void {
    if (this.excluded.length < REPORT_LIST_LIMIT) this.excluded.push(exclusion);
    else this.omittedExcluded += 1;
  }

  get changes(): ReportChange[] {
    return [...this.applied, ...this.planned, ...this.refused];
  }

  get omitted(): { changes: number; excluded: number } | undefined {
    return this.omittedChanges + this.omittedExcluded > 0
      ? { changes: this.omittedChanges, excluded: this.omittedExcluded }
      : undefined;
  }
}

/** Where a change goes in the report: a write made, one the plan holds back (or Test Settings shows), one refused. */
export type ChangeList = 'applied' | 'planned' | 'refused';

/** What one step of a run found (a page read and planned, the deferred names, the sweep, an apply batch). */
export interface Tally {
  /** Added to the run's counts (a negative number takes back what an earlier step counted). */
  readonly counts?: Partial<ReportCounts>;
  readonly exclusions?: readonly ReportExclusion[];
  readonly changes?: readonly { readonly list: ChangeList; readonly change: ReportChange }[];
}

/** The run's counts and lists: the one place where the tallies of its steps are added up. */
export class RunTally {
  private readonly sums = emptyCounts();
  readonly lists = new ReportLists();

  add(tally: Tally): void {
    for (const [name, value] of Object.entries(tally.counts ?? {}) as [keyof ReportCounts, number][]) {
      this.sums[name] += value;
    }
    for (const exclusion of tally.exclusions ?? []) this.lists.addExclusion(exclusion);
    for (const { list, change } of tally.changes ?? []) this.lists.addChange(list, change);
  }

  /** The counts so far (never below zero). */
  get counts(): ReportCounts {
    const counts = emptyCounts();
    for (const name of Object.keys(counts) as (keyof ReportCounts)[]) {
      counts[name] = Math.max(0, this.sums[name]);
    }
    return counts;
  }
}

/** A tally of changes for one list of the report. */
export const changesIn = (
  list: ChangeList,
  changes: readonly ReportChange[],
): NonNullable<Tally['changes']> => changes.map((change) => ({ list, change }));

export const isChange = (change: PlannedChange): change is Exclude<PlannedChange, { action: 'unchanged' }> =>
  change.action !== 'unchanged';

export function toReportChange(change: Exclude<PlannedChange, { action: 'unchanged' }>): ReportChange {
  return {
    action: change.action,
    userName: change.userName,
    fullName: change.fullName,
    emailAddresses: change.emailAddresses,
    changedFields: change.changedFields,
    ...(change.reason ? { reason: change.reason } : {}),
    // Test Settings' creates say what their groups would give them, and why.
    ...(change.action === 'create' && change.memberships && 'rules' in change.memberships
      ? { membership: change.memberships }
      : {}),
    ...((change.action === 'delete' || change.action === 'suspend') && change.withheld
      ? { withheld: true as const }
      : {}),
  };
}

/**
 * Test Settings' listing of writes: the first `sample` of them with the mapped attributes they would write, the
 * rest without (a preview lists up to 10,000 writes, and its answer must stay within what a Lambda function may
 * return; explain shows any one user's attributes).
 */
export function previewWithAttributes(
  sample = PREVIEW_ATTRIBUTES_SAMPLE,
): (change: CreateChange | UpdateChange | RestoreChange) => ReportChange {
  let shown = 0;
  return (change) => {
    const { attributes } = change.target;
    if (!attributes || shown >= sample) return toReportChange(change);
    shown += 1;
    return { ...toReportChange(change), attributes };
  };
}

/** How many of a preview's writes show their mapped attributes. */
export const PREVIEW_ATTRIBUTES_SAMPLE = 100;

/**
 * What earlier invocations of a run wrote stays counted and listed, whatever this invocation meets; and
 * what they created or updated plans as unchanged this time, so it is taken back from `unchanged`.
 */
export function earlierInvocations(checkpoint: RunCheckpoint, previous: Report | undefined): Tally {
  const { created, updated, deleted, suspended = 0, restored = 0 } = checkpoint.applied;
  return {
    // A user suspended earlier waits out its grace period now: it plans as nothing, not as unchanged.
    counts: { created, updated, deleted, suspended, restored, unchanged: -(created + updated + restored) },
    changes: changesIn('applied', previous?.changes ?? []),
  };
}
