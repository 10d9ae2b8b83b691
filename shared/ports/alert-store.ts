import type { SyncStaleEvent } from '../domain/run-event';

/**
 * Where the stale alert is recorded (raised by the stale check, the schedule, a run's end): once per event id. The record's write is
 * what publishes the event (the table's stream, as for the other events), so a second raise of the same id
 * publishes nothing.
 */
export interface AlertStore {
  /** Records the alert; false when one of the same id was already recorded. */
  raise(event: SyncStaleEvent): Promise<boolean>;
}
