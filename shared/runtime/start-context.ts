/**
 * The start function's dependencies (POST /sync, POST /test-settings): the configuration, the sync lock, the
 * run history and the previews, and the starter that hands an operation to its worker function: an
 * asynchronous Lambda invocation in AWS, a call in this process on the local stack. It holds no LDAP client
 * and no secret store: it starts operations, it does not run them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { withoutSdkLogging } from '../adapters/dynamodb/documents';
import { DynamoConfigStore } from '../adapters/dynamodb/dynamo-config-store';
import { DynamoRunLock } from '../adapters/dynamodb/dynamo-run-lock';
import { DynamoPreviewStore, DynamoRunStore } from '../adapters/dynamodb/dynamo-run-store';
import { InProcessOperationStarter } from '../adapters/lambda/in-process-starter';
import { LambdaOperationStarter } from '../adapters/lambda/lambda-operation-starter';
import type { OperationStarter } from '../ports/operation-starter';
import type { PreviewStore } from '../ports/run-store';
import type { StartSyncDependencies } from '../use-cases/start-sync';
import { type Environment, loadEnvironment } from './environment';
import { logger } from './logger';
import { tracedClient } from './tracer';

export interface StartContext extends StartSyncDependencies {
  readonly previews: PreviewStore;
  readonly starter: OperationStarter;
  /** The longest `Prefer: wait=N` honoured. */
  readonly maxWaitSeconds: number;
}

export function startContext(env: Environment = loadEnvironment()): StartContext {
  const dynamodb = tracedClient(withoutSdkLogging(new DynamoDBClient({})));
  const starter =
    env.SYNC_FUNCTION_NAME && env.TEST_SETTINGS_FUNCTION_NAME
      ? new LambdaOperationStarter(tracedClient(new LambdaClient({})), {
          sync: env.SYNC_FUNCTION_NAME,
          testSettings: env.TEST_SETTINGS_FUNCTION_NAME,
        })
      : new InProcessOperationStarter((error) =>
          logger.error('an operation started in process failed', { error: error as Error }),
        );
  return {
    configs: new DynamoConfigStore(dynamodb, env.TABLE_NAME),
    lock: new DynamoRunLock(dynamodb, env.TABLE_NAME),
    leaseSeconds: env.LOCK_LEASE_SECONDS,
    runs: new DynamoRunStore(dynamodb, env.TABLE_NAME),
    previews: new DynamoPreviewStore(dynamodb, env.TABLE_NAME),
    starter,
    maxWaitSeconds: env.MAX_WAIT_SECONDS,
    onUnexpectedError: (error) =>
      logger.error('an operation could not be started', { error: error as Error }),
  };
}
