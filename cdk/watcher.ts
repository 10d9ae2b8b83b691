/**
 * The watcher function of changes in seconds (docs/contract.md#changes-in-seconds); its schedule is in
 * schedule.ts, its grants with the others' in functions.ts.
 */
import { Duration } from 'aws-cdk-lib';
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
