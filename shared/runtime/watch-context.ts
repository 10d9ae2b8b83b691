/**
 * The change watch's dependencies (docs/contract.md#changes-in-seconds): the configuration and its password
 * (to bind as every run binds), the directory, where its state is kept, and the start of a run as POST /sync
 * starts it (startContext: the lock, the record, the hand-over to the sync function). In AWS the watcher
 * function holds it; on the local stack, the `adsync serve` process.
 */
import { DynamoWatchStatusStore } from '../adapters/dynamodb/dynamo-watch-status';
import { LdapDirectoryReader } from '../adapters/ldap/ldap-directory-reader';
import type { Clock } from '../ports/clock';
import type { WatchStatusStore } from '../ports/watch-status';
import { startSync } from '../use-cases/start-sync';
import { systemClock } from '../use-cases/system-clock';
import type { WatchDependencies, WatchLogEntry } from '../use-cases/watch-changes';
import { type Environment, loadEnvironment } from './environment';
import { logger } from './logger';
import { settingsOf } from './settings-context';
import { startContext } from './start-context';

export interface WatchContext extends WatchDependencies {
  readonly status: WatchStatusStore;
}

/** Each entry as a structured log line (the level as the entry says; failures are warnings or errors). */
export const logWatch = (entry: WatchLogEntry): void => {
  const { level, message, ...fields } = entry;
  logger[level](message, fields);
};

export function watchContext(
  env: Environment = loadEnvironment(),
  options: { clock?: Clock; log?: (entry: WatchLogEntry) => void } = {},
): WatchContext {
  const settings = settingsOf(env);
  const clock = options.clock ?? systemClock;
  const start = { ...startContext(env), clock };
  return {
    configs: settings.configs,
    secrets: settings.secrets,
    directory: new LdapDirectoryReader(),
    clock,
    startRun: () => startSync(start, { trigger: 'notification' }),
    status: new DynamoWatchStatusStore(settings.dynamodb, env.TABLE_NAME),
    log: options.log ?? logWatch,
  };
}
