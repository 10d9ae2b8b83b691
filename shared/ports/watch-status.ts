import type { WatchStatus } from '../domain/change-watch';

/** Where the change watch keeps its state, for the API and the console to show (a failing watch is never silent). */
export interface WatchStatusStore {
  saveWatchStatus(status: WatchStatus): Promise<void>;
  getWatchStatus(): Promise<WatchStatus | undefined>;
}
