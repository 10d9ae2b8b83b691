import type { Config } from '../config/config-schema';

/** Whatever triggers scheduled syncs: told when the configuration's schedule changes. */
export interface ScheduleController {
  apply(schedule: Pick<Config['schedule'], 'enabled' | 'intervalMinutes'>): Promise<void>;
}
