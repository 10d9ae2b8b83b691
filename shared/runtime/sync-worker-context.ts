/**
 * The composition root: each function builds only what it uses (so its bundle carries only those adapters),
 * from the environment checked once at cold start, with the AWS clients created once. Use cases never import
 * adapters; the files of shared/runtime/ do. This one wires the sync and Test Settings: every port.
 */

import { DynamoAlertStore } from '../adapters/dynamodb/dynamo-alert-store';
import { DynamoGroupStore } from '../adapters/dynamodb/dynamo-group-store';
import { DynamoRunCheckpoints } from '../adapters/dynamodb/dynamo-run-checkpoints';
import { DynamoRunHandoffs } from '../adapters/dynamodb/dynamo-run-handoffs';
import { DynamoRunLock } from '../adapters/dynamodb/dynamo-run-lock';
import { DynamoPreviewStore, DynamoRunStore } from '../adapters/dynamodb/dynamo-run-store';
import { DynamoSyncCursorStore } from '../adapters/dynamodb/dynamo-sync-cursor-store';
import { DynamoUserStore } from '../adapters/dynamodb/dynamo-user-store';
import { LdapDirectoryReader } from '../adapters/ldap/ldap-directory-reader';
import type { AlertStore } from '../ports/alert-store';
import type { RunCheckpointStore } from '../ports/run-checkpoint';
import type { PreviewStore } from '../ports/run-store';
import type { SyncCursorStore } from '../ports/sync-cursor';
import type { UserStore } from '../ports/user-store';
import type { ScheduledSyncDependencies } from '../use-cases/scheduled-sync';
import { type Environment, loadEnvironment } from './environment';
import { logger } from './logger';
import { settingsOf } from './settings-context';
import { traceStep } from './tracer';

/** The schedule is kept in step with the configuration by the configuration function only. */
export interface SyncWorkerContext extends ScheduledSyncDependencies {
  readonly alerts: AlertStore;
  readonly users: UserStore;
  readonly cursors: SyncCursorStore;
  readonly checkpoints: RunCheckpointStore;
  readonly previews: PreviewStore;
  readonly previewTimeoutSeconds: number;
}

/** The sync (started by the API, the schedule, continuations) and Test Settings previews. */
export function syncWorkerContext(env: Environment = loadEnvironment()): SyncWorkerContext {
  const settings = settingsOf(env);
  const { dynamodb } = settings;
  const checkpoints = new DynamoRunCheckpoints(dynamodb, env.TABLE_NAME);
  const runs = new DynamoRunStore(dynamodb, env.TABLE_NAME);
  return {
    ...settings,
    directory: new LdapDirectoryReader(),
    users: new DynamoUserStore(dynamodb, env.TABLE_NAME),
    groups: new DynamoGroupStore(dynamodb, env.TABLE_NAME),
    runs,
    // A run's record shows where it stands while it runs (a preview's: see runPreview).
    progress: runs,
    progressIntervalMs: env.PROGRESS_INTERVAL_MS,
    previews: new DynamoPreviewStore(dynamodb, env.TABLE_NAME),
    previewTimeoutSeconds: env.PREVIEW_TIMEOUT_SECONDS,
    lock: new DynamoRunLock(dynamodb, env.TABLE_NAME),
    alerts: new DynamoAlertStore(dynamodb, env.TABLE_NAME),
    cursors: new DynamoSyncCursorStore(dynamodb, env.TABLE_NAME),
    checkpoints,
    applyBatchSize: env.APPLY_BATCH_SIZE,
    ...(env.CONTINUATIONS === 'stream'
      ? { continuations: new DynamoRunHandoffs(dynamodb, env.TABLE_NAME, checkpoints) }
      : {}),
    fullReadEveryHours: env.FULL_READ_EVERY_HOURS,
    leaseSeconds: env.LOCK_LEASE_SECONDS,
    // Each step to the log as it ends, and to the trace as a subsegment spanning its time.
    onStep: (step) => {
      logger.info('sync step', { step });
      traceStep(step);
    },
    onUnexpectedError: (error) => logger.error('sync failed unexpectedly', { error: error as Error }),
  };
}
