/**
 * Runs a Test Settings preview the start function started (POST /test-settings): the saved settings, or
 * unsaved ones from the request, through the whole pipeline, committing nothing; the preview's record holds
 * its progress and its end. The event may carry the password given with unsaved settings: it is used for
 * this test only, and neither logged nor recorded.
 */
import { previewStartEvent, previewStartOf } from '../shared/adapters/lambda/operation-events';
import { logger } from '../shared/runtime/logger';
import { syncWorkerContext } from '../shared/runtime/sync-worker-context';
import { annotateInvocation, tracedHandler } from '../shared/runtime/tracer';
import { type PreviewOutcome, runPreview } from '../shared/use-cases/previews';

const app = syncWorkerContext();

/** Traced (X-Ray): annotated with the preview's id, each step a subsegment (sync-worker-context.ts). */
export const handler = tracedHandler(async function testSettings(
  event: unknown,
): Promise<PreviewOutcome | { outcome: 'invalid' }> {
  const start = previewStartEvent.safeParse(event);
  if (!start.success) {
    // Not the event itself: it may hold a password.
    logger.error('ignored an event that is not a preview start', { issues: start.error.issues.length });
    return { outcome: 'invalid' };
  }
  annotateInvocation({ previewId: start.data.previewId });
  const outcome = await runPreview(app, previewStartOf(start.data));
  logger.info('preview', {
    previewId: start.data.previewId,
    outcome: outcome.outcome,
    ...('report' in outcome ? { status: outcome.report.status, counts: outcome.report.counts } : {}),
  });
  return outcome;
});
