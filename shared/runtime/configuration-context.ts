/**
 * The configuration function's dependencies, built from only the adapters it uses (one module per function, so
 * that its bundle carries nothing else). See sync-worker-context.ts for the sync's.
 */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeScheduleController } from '../adapters/scheduler/eventbridge-schedule-controller';
import type { SettingsDependencies } from '../use-cases/configuration';
import { type Environment, loadEnvironment } from './environment';
import { settingsOf } from './settings-context';
import { tracedClient } from './tracer';

/** GET and PUT /config: the configuration, the password, the schedule to keep in step. */
export function configurationContext(env: Environment = loadEnvironment()): SettingsDependencies {
  const { configs, secrets } = settingsOf(env);
  return {
    configs,
    secrets,
    ...(env.SCHEDULE_NAME
      ? {
          schedule: new EventBridgeScheduleController(
            tracedClient(new SchedulerClient({})),
            env.SCHEDULE_NAME,
            env.SCHEDULE_GROUP,
          ),
        }
      : {}),
  };
}
