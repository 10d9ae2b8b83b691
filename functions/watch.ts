/**
 * The watcher (docs/contract.md#changes-in-seconds): EventBridge Scheduler starts it every 10 minutes
 * (`{ "source": "ad-sync.watch", "scheduledAt": ... }`); it holds the change watch for WATCH_HOLD_SECONDS
 * (11 minutes; at the latest 30 s before its timeout), so the next one watches before this one lets go: no gap.
 * The next one takes over without a catch-up run. It starts runs as POST /sync does (the lock, the record, an
 * asynchronous invocation of the sync function). With changeNotifications off it ends at once.
 */
import type { Context } from 'aws-lambda';
import { logger } from '../shared/runtime/logger';
import { annotateInvocation, tracedHandler } from '../shared/runtime/tracer';
import { watchContext } from '../shared/runtime/watch-context';
import { watchChanges } from '../shared/use-cases/watch-changes';

const app = watchContext();
/** What a watcher leaves itself to close the search and end before its timeout. */
const END_MARGIN_MS = 30_000;

export const handler = tracedHandler(async function watch(
  _event: unknown,
  context: Context,
): Promise<{ heldMs: number }> {
  annotateInvocation({ trigger: 'watch' });
  const startedAt = app.clock.now().getTime();
  const holdMs = Math.max(0, Math.min(app.holdMs, context.getRemainingTimeInMillis() - END_MARGIN_MS));
  const stop = new AbortController();
  const deadline = app.clock.sleep(holdMs, stop.signal).then(
    () => stop.abort(),
    () => {},
  );
  await watchChanges({ ...app, exitWhenOff: true, takeOver: true }, stop.signal);
  stop.abort();
  await deadline;
  const heldMs = app.clock.now().getTime() - startedAt;
  logger.info('watcher ended', { heldMs });
  return { heldMs };
});
