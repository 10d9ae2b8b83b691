import type { Report, RunSummary } from '../domain/report';
import type { SuccessMark } from '../domain/schedule-health';

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
  getRun(runId: string): Promise<Report | undefined>;
  /** Newest first. */
  listRuns(limit: number): Promise<RunSummary[]>;
  /**
   * The newest run that succeeded for the whole directory (isSuccessOfTheSync), kept apart from the history
   * when it is recorded: the stale rules read a window of the history, which may no longer hold it.
   */
  lastSuccess(): Promise<SuccessMark | undefined>;
  /** The first run recorded: where a sync that has never succeeded is stale since. */
  oldestRun(): Promise<RunSummary | undefined>;
}

/** Test Settings previews: kept a day (PREVIEW_RETAIN_SECONDS), apart from the run history. */
export interface PreviewStore extends ReportStore {}

export const PREVIEW_RETAIN_SECONDS = 24 * 3600;
