import type { Report, RunSummary } from '../domain/report';

/** The history of sync runs. */
export interface RunStore {
  recordRun(report: Report): Promise<void>;
  getRun(runId: string): Promise<Report | undefined>;
  /** Newest first. */
  listRuns(limit: number): Promise<RunSummary[]>;
}
