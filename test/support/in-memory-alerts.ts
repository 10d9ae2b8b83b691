/** The alert store in memory: alerts kept by id, each raised once, as the table's conditional write keeps them. */
import type { SyncStaleEvent } from '../../shared/domain/run-event';
import type { AlertStore } from '../../shared/ports/alert-store';

export class InMemoryAlerts implements AlertStore {
  /** The alerts recorded (each one published), by id. */
  readonly raised = new Map<string, SyncStaleEvent>();
  /** Every raise asked for, recorded or not. */
  readonly asked: SyncStaleEvent[] = [];

  async raise(event: SyncStaleEvent): Promise<boolean> {
    this.asked.push(event);
    if (this.raised.has(event.id)) return false;
    this.raised.set(event.id, event);
    return true;
  }
}
