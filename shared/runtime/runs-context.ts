/**
 * The runs function's dependencies, built from only the adapters it uses (one module per function, so
 * that its bundle carries nothing else). See sync-worker-context.ts for the sync's.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { withoutSdkLogging } from '../adapters/dynamodb/documents';
import { DynamoConfigStore } from '../adapters/dynamodb/dynamo-config-store';
import { DynamoRunLock } from '../adapters/dynamodb/dynamo-run-lock';
import { DynamoPreviewStore, DynamoRunStore } from '../adapters/dynamodb/dynamo-run-store';
import { DynamoWatchStatusStore } from '../adapters/dynamodb/dynamo-watch-status';
import type { ConfigStore } from '../ports/config-store';
import type { RunLock } from '../ports/run-lock';
import type { PreviewStore, RunStore } from '../ports/run-store';
import type { WatchStatusStore } from '../ports/watch-status';
import { type Environment, loadEnvironment } from './environment';
import { tracedClient } from './tracer';

/**
 * The run history, the previews, the sync lock (whose lease tells a run under way from a dead one), the change
 * watch's state, and the configuration (its schedule and alert settings decide the back-off and staleness the history shows).
 */
export function runsContext(env: Environment = loadEnvironment()): {
  readonly runs: RunStore;
  readonly configs: ConfigStore;
  readonly previews: PreviewStore;
  readonly lock: RunLock;
  readonly watches: WatchStatusStore;
  readonly previewTimeoutSeconds: number;
} {
  const dynamodb = tracedClient(withoutSdkLogging(new DynamoDBClient({})));
  return {
    runs: new DynamoRunStore(dynamodb, env.TABLE_NAME),
    configs: new DynamoConfigStore(dynamodb, env.TABLE_NAME),
    previews: new DynamoPreviewStore(dynamodb, env.TABLE_NAME),
    lock: new DynamoRunLock(dynamodb, env.TABLE_NAME),
    watches: new DynamoWatchStatusStore(dynamodb, env.TABLE_NAME),
    previewTimeoutSeconds: env.PREVIEW_TIMEOUT_SECONDS,
  };
}
