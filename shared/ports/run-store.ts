import type { Report, RunSummary } from '../domain/report';

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
}

/** Test Settings previews: kept a day (PREVIEW_RETAIN_SECONDS), apart from the run history. */
export interface PreviewStore extends ReportStore {}

export const PREVIEW_RETAIN_SECONDS = 24 * 3600;
