/**
 * The composition root: reads and checks the environment once (cold start), creates the AWS clients once,
 * and wires the adapters into what the functions need. Use cases never import adapters; this file does.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { DynamoConfigStore } from '../adapters/dynamodb/dynamo-config-store';
import { DynamoRunCheckpoints } from '../adapters/dynamodb/dynamo-run-checkpoints';
import { DynamoRunHandoffs } from '../adapters/dynamodb/dynamo-run-handoffs';
import { DynamoRunLock } from '../adapters/dynamodb/dynamo-run-lock';
import { DynamoRunStore } from '../adapters/dynamodb/dynamo-run-store';
import { DynamoSyncCursorStore } from '../adapters/dynamodb/dynamo-sync-cursor-store';
import { DynamoUserStore } from '../adapters/dynamodb/dynamo-user-store';
import { LdapDirectoryReader } from '../adapters/ldap/ldap-directory-reader';
import { EventBridgeScheduleController } from '../adapters/scheduler/eventbridge-schedule-controller';
import { FileSecretStore } from '../adapters/secrets/file-secret-store';
import { SecretsManagerSecretStore } from '../adapters/secrets/secrets-manager-secret-store';
import type { RunCheckpointStore } from '../ports/run-checkpoint';
import type { SecretStore } from '../ports/secret-store';
import type { SyncCursorStore } from '../ports/sync-cursor';
import type { UserAdministration } from '../ports/user-administration';
import type { UserStore } from '../ports/user-store';
import type { SettingsDependencies } from '../use-cases/configuration';
import type { ExclusiveSyncDependencies } from '../use-cases/run-exclusively';
import { APPLY_BATCH } from '../use-cases/run-sync';
import { logger } from './logger';

const environmentSchema = z
  .object({
    /** The DynamoDB table of docs/data-model.md. */
    TABLE_NAME: z.string().min(1),
    /** In AWS: the Secrets Manager secret (ARN or name) holding the bind password. */
    SECRET_ID: z.string().min(1).optional(),
    /** In the local stack: the file secret store. */
    ADSYNC_SECRET_FILE: z.string().min(1).optional(),
    /** Sync lock lease; longer than the longest run (the sync function's timeout). */
    LOCK_LEASE_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    /** In AWS, the config function's EventBridge schedule to keep in step with `schedule`. */
    SCHEDULE_NAME: z.string().min(1).optional(),
    SCHEDULE_GROUP: z.string().min(1).default('default'),
    /** A full read (reconciliation) at least this often; runs in between read only what changed. */
    FULL_READ_EVERY_HOURS: z.coerce.number().min(0).max(8_760).default(24),
    /**
     * `stream` in AWS: a run nearing the sync function's deadline inserts a handoff item, and the table's
     * stream starts the follow-up invocation. `off` (the local stack): a run never stops early.
     */
    CONTINUATIONS: z.enum(['stream', 'off']).default('off'),
    /** Changes per apply batch; each ends with a checkpoint, and a handoff can only happen between two. */
    APPLY_BATCH_SIZE: z.coerce.number().int().min(100).max(100_000).default(APPLY_BATCH),
  })
  .refine((env) => (env.SECRET_ID === undefined) !== (env.ADSYNC_SECRET_FILE === undefined), {
    error: 'set exactly one of SECRET_ID (Secrets Manager) and ADSYNC_SECRET_FILE (local file)',
    path: ['SECRET_ID'],
  });

export type Environment = z.output<typeof environmentSchema>;

/** Fails fast, naming the variable, when the environment is incomplete. */
export function loadEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const result = environmentSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`ad-sync is not configured: ${problems}`);
  }
  return result.data;
}

export interface AppContext extends ExclusiveSyncDependencies, SettingsDependencies {
  /** The sync's lookups and writes, and the admin routes' user management. */
  readonly users: UserStore & UserAdministration;
  readonly cursors: SyncCursorStore;
  readonly checkpoints: RunCheckpointStore;
}

export function createAppContext(env: Environment = loadEnvironment()): AppContext {
  const dynamodb = new DynamoDBClient({});
  const checkpoints = new DynamoRunCheckpoints(dynamodb, env.TABLE_NAME);
  const secrets: SecretStore = env.SECRET_ID
    ? new SecretsManagerSecretStore(new SecretsManagerClient({}), env.SECRET_ID)
    : new FileSecretStore(env.ADSYNC_SECRET_FILE as string);
  return {
    ...(env.SCHEDULE_NAME
      ? {
          schedule: new EventBridgeScheduleController(
            new SchedulerClient({}),
            env.SCHEDULE_NAME,
            env.SCHEDULE_GROUP,
          ),
        }
      : {}),
    directory: new LdapDirectoryReader(),
    users: new DynamoUserStore(dynamodb, env.TABLE_NAME),
    runs: new DynamoRunStore(dynamodb, env.TABLE_NAME),
    configs: new DynamoConfigStore(dynamodb, env.TABLE_NAME),
    lock: new DynamoRunLock(dynamodb, env.TABLE_NAME),
    cursors: new DynamoSyncCursorStore(dynamodb, env.TABLE_NAME),
    checkpoints,
    applyBatchSize: env.APPLY_BATCH_SIZE,
    ...(env.CONTINUATIONS === 'stream'
      ? { continuations: new DynamoRunHandoffs(dynamodb, env.TABLE_NAME, checkpoints) }
      : {}),
    fullReadEveryHours: env.FULL_READ_EVERY_HOURS,
    secrets,
    leaseSeconds: env.LOCK_LEASE_SECONDS,
    onStep: (step) => logger.info('sync step', { step }),
    onUnexpectedError: (error) => logger.error('sync failed unexpectedly', { error: error as Error }),
  };
}
