/**
 * POST /sync (API Gateway) and the schedule (EventBridge Scheduler), told apart by the event: an API
 * Gateway event has `httpMethod`; the schedule sends `{ "source": "ad-sync.schedule", "scheduledAt": ... }`.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { httpApi, parseInput } from '../shared/api/http-api';
import { syncBody } from '../shared/api/schemas';
import { createAppContext } from '../shared/runtime/app-context';
import { logger } from '../shared/runtime/logger';
import { runScheduledSync, type ScheduledOutcome, synchronizeNow } from '../shared/use-cases/run-exclusively';

const app = createAppContext();

export interface ScheduledEvent {
  readonly source: 'ad-sync.schedule';
  /** Identifies the occurrence, so that a duplicated delivery runs once. */
  readonly scheduledAt: string;
}

const api = httpApi({
  'POST /sync': async ({ body }) => {
    const { allowMassDeletion } = parseInput(syncBody, body);
    return {
      statusCode: 200,
      body: await synchronizeNow(app, allowMassDeletion === undefined ? {} : { allowMassDeletion }),
    };
  },
});

export async function handler(
  event: APIGatewayProxyEvent | ScheduledEvent,
  context: Context,
): Promise<APIGatewayProxyResult | ScheduledOutcome> {
  if ('httpMethod' in event) return api(event, context);
  const result = await runScheduledSync(app, event.scheduledAt);
  logger.info('scheduled sync', {
    outcome: result.outcome,
    ...('report' in result
      ? { runId: result.report.runId, status: result.report.status, counts: result.report.counts }
      : {}),
  });
  return result;
}
