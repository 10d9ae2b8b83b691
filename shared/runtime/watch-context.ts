/**
 * The change watch's dependencies (docs/contract.md#changes-in-seconds): the configuration and its password
 * (to bind as every run binds), the directory, where its state is kept, the user database's objectGUID index
 * (whether a user notified outside the scope is a synchronized one), and the start of a run as POST /sync
 * starts it (the lock, the record, the hand-over to the sync function: an asynchronous invocation in AWS, a call
 * in this process on the local stack). In AWS the watcher function holds it; on the local stack, `adsync serve`.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoRunLock } from '../adapters/dynamodb/dynamo-run-lock';
import { DynamoRunStore } from '../adapters/dynamodb/dynamo-run-store';
import { DynamoUserStore } from '../adapters/dynamodb/dynamo-user-store';
import { DynamoWatchStatusStore } from '../adapters/dynamodb/dynamo-watch-status';
import { InProcessOperationStarter } from '../adapters/lambda/in-process-starter';
import { LambdaOperationStarter } from '../adapters/lambda/lambda-operation-starter';
import { LdapDirectoryReader } from '../adapters/ldap/ldap-directory-reader';
import type { Clock } from '../ports/clock';
import type { WatchStatusStore } from '../ports/watch-status';
import { runReadsChangesOf } from '../use-cases/notification-runs';
import { type StartSyncDependencies, startSync } from '../use-cases/start-sync';
import { synchronizedUserLookup } from '../use-cases/synchronized-user-check';
import { systemClock } from '../use-cases/system-clock';
import type { WatchDependencies, WatchLogEntry } from '../use-cases/watch-changes';
import { type Environment, loadEnvironment } from './environment';
import { logger } from './logger';
import { settingsOf } from './settings-context';
import { tracedClient } from './tracer';

export interface WatchContext extends WatchDependencies {
  readonly status: WatchStatusStore;
  /** How long one watcher invocation holds the watch (AWS). */
  readonly holdMs: number;
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
  const { dynamodb, configs } = settings;
  const clock = options.clock ?? systemClock;
  const start: StartSyncDependencies = {
    configs,
    lock: new DynamoRunLock(dynamodb, env.TABLE_NAME),
    leaseSeconds: env.LOCK_LEASE_SECONDS,
    runs: new DynamoRunStore(dynamodb, env.TABLE_NAME),
    clock,
    // The sync function only: the watcher may invoke it and nothing else (cdk/functions.ts).
    starter: env.SYNC_FUNCTION_NAME
      ? new LambdaOperationStarter(tracedClient(new LambdaClient({})), { sync: env.SYNC_FUNCTION_NAME })
      : new InProcessOperationStarter((error) =>
          logger.error('a sync started in process failed', { error: error as Error }),
        ),
    onUnexpectedError: (error) => logger.error('a sync could not be started', { error: error as Error }),
  };
  return {
    configs,
    secrets: settings.secrets,
    directory: new LdapDirectoryReader(),
    clock,
    startRun: () => startSync(start, { trigger: 'notification' }),
    readsChangesOf: (runId, at) => runReadsChangesOf(start.runs, runId, at),
    // A user notified outside the scope counts if it is a synchronized one: asked by objectGUID (the index only).
    isSynchronizedUser: synchronizedUserLookup(new DynamoUserStore(dynamodb, env.TABLE_NAME)),
    status: new DynamoWatchStatusStore(dynamodb, env.TABLE_NAME),
    log: options.log ?? logWatch,
    holdMs: env.WATCH_HOLD_SECONDS * 1000,
  };
}
