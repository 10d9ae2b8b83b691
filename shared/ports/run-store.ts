import type { Report, ReportChange, RunSummary } from '../domain/report';

/** Where the reports of one kind of operation (sync runs, previews) are kept. */
export interface ReportStore {
  /** Records a report, replacing the record of the same id while it says `running`. */
  recordReport(report: Report): Promise<void>;
  /**
   * Brings the record of an operation under way up to date (its summary: progress, counts, steps), its lists
   * untouched; a record that no longer says `running` is left as it is.
   */
  recordProgress(report: Report): Promise<void>;
  getReport(id: string): Promise<Report | undefined>;
}

/** The history of sync runs. */
export interface RunStore {
  recordRun(report: Report): Promise<void>;
  /** As ReportStore.recordProgress, for a run. */
  recordProgress(report: Report): Promise<void>;
  /**
   * The changes a run under way has applied so far (its record's list begins with them, and they only grow):
   * a store may write what of them is final now, so that `recordRun` at the run's end has less to write. The
   * record `recordRun` writes is the same either way; nothing is awaited or reported (what did not get
   * written, `recordRun` writes).
   */
  recordChangesSoFar?(run: Pick<Report, 'runId' | 'startedAt'>, changes: readonly ReportChange[]): void;
  getRun(runId: string): Promise<Report | undefined>;
  /** Newest first. */
  listRuns(limit: number): Promise<RunSummary[]>;
}

/** Test Settings previews: kept a day (PREVIEW_RETAIN_SECONDS), apart from the run history. */
export interface PreviewStore extends ReportStore {}

export const PREVIEW_RETAIN_SECONDS = 24 * 3600;
