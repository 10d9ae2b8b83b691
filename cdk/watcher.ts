/**
 * The watcher function of changes in seconds (docs/contract.md#changes-in-seconds); its schedule is in
 * schedule.ts, its grants with the others' in functions.ts.
 */
import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { tableKeys } from '../shared/adapters/dynamodb/table';
import { USER_SYNC_STATE_ATTRIBUTES } from '../shared/adapters/dynamodb/user-items';
import type { FunctionName } from '../shared/api/routes';
import type { AdSyncFunction } from './ad-sync-function';
import type { FunctionNetwork } from './network';

/**
 * The watcher (docs/contract.md#changes-in-seconds): started every WATCHER_PERIOD (schedule.ts), it holds the
 * watch for WATCH_HOLD, a minute past the next start (no gap), and ends within its timeout.
 */
export const WATCHER_PERIOD = Duration.minutes(10);
const WATCH_HOLD = Duration.minutes(11);
const WATCHER_TIMEOUT = Duration.minutes(12);

/**
 * The watcher (docs/contract.md#changes-in-seconds): in the VPC, 256 MB (it mostly waits on a socket: the cost
 * model's, tools/cost-model.ts WATCHER), holding the watch WATCH_HOLD within its timeout; two at a time, the one
 * letting go and the one taking over.
 */
export function watcher(
  fn: (
    name: FunctionName,
    description: string,
    options: Partial<ConstructorParameters<typeof AdSyncFunction>[2]>,
  ) => AdSyncFunction,
  network: FunctionNetwork,
  sync: AdSyncFunction,
): AdSyncFunction {
  const watch = fn('watch', 'Changes in seconds: holds the AD change notification search and starts syncs', {
    network,
    timeout: WATCHER_TIMEOUT,
    memorySize: 256,
    environment: {
      SYNC_FUNCTION_NAME: sync.functionName,
      WATCH_HOLD_SECONDS: String(WATCH_HOLD.toSeconds()),
    },
  });
  (watch.node.defaultChild as { reservedConcurrentExecutions?: number }).reservedConcurrentExecutions = 2;
  return watch;
}

/**
 * The watcher's query of the objectGUID index (DynamoUserStore.syncStatesByGuid): whether a user notified outside
 * the scope is a synchronized one, nothing else of the user. AWS's fine-grained access control
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html), docs/security.md:
 * - `dynamodb:Attributes` is the list of top-level attributes a request names (projection, key condition),
 *   weighed on the request, not on what it returns: each must be one of the sync state's, or a key attribute of
 *   the table or the index, which AWS requires such a policy to list (else DynamoDB cannot use them).
 * - `dynamodb:Select`: a query that names no projection returns whole items, so it must be SPECIFIC_ATTRIBUTES
 *   (a read request's Select is ALL_ATTRIBUTES unless it says otherwise: the query says it).
 * No `dynamodb:ReturnValues` (no read action takes it), and no `dynamodb:LeadingKeys`: AWS defines it as the
 * table's partition key, and does not say what it holds for a query of a global index (docs/security.md).
 */
export function syncStateQuery(table: { readonly tableArn: string }): PolicyStatement {
  const { partitionKey, sortKey, byGuid } = tableKeys;
  return new PolicyStatement({
    actions: ['dynamodb:Query'],
    resources: [`${table.tableArn}/index/${byGuid.indexName}`],
    conditions: {
      'ForAllValues:StringEquals': {
        'dynamodb:Attributes': [
          partitionKey,
          sortKey,
          byGuid.partitionKey,
          byGuid.sortKey,
          ...USER_SYNC_STATE_ATTRIBUTES,
        ],
      },
      StringEquals: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
    },
  });
}
