/**
 * Building a run's Report (docs/contract.md#http-api) as the run goes: its steps and timings, and the lists
 * of changes and exclusions, bounded so that a run of any size fits in memory and in a response.
 */
import type { PlannedChange } from '../domain/plan-sync';
import {
  REPORT_LIST_LIMIT,
  type ReportChange,
  type ReportExclusion,
  type ReportStep,
  type StepName,
} from '../domain/report';
import { AdSyncError, INTERNAL_ERROR } from '../errors';

/** Our errors say what went wrong; anything else is reported without its details (they go to the log). */
export const errorOf = (error: unknown): { code: string; message: string } =>
  error instanceof AdSyncError ? { code: error.code, message: error.message } : { ...INTERNAL_ERROR };

/** The steps of a run, in order, each passed to `onStep` (structured logging) as it ends. */
export class StepRecorder {
  readonly steps: ReportStep[] = [];
  constructor(private readonly onStep: ((step: ReportStep) => void) | undefined) {}

  /** Runs one step, timing it; a failure is recorded with its message and rethrown. */
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
    if (this.applied.length + this.planned.length + this.refused.length < REPORT_LIST_LIMIT) {
      this[list].push(change);
    } else {
      this.omittedChanges += 1;
    }
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
  };
}
