/**
 * POST /sync (API Gateway) and the schedule (EventBridge Scheduler), told apart by the event: an API
 * Gateway event has `httpMethod`; the schedule sends `{ "source": "ad-sync.schedule", "scheduledAt": ... }`.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { httpApi, parseInput } from '../shared/api/http-api';
import { syncBody } from '../shared/api/schemas';
import type { Report } from '../shared/domain/report';
import { createAppContext } from '../shared/runtime/app-context';
import { logger } from '../shared/runtime/logger';
import { MetricUnit, metrics } from '../shared/runtime/metrics';
import { runScheduledSync, type ScheduledOutcome, synchronizeNow } from '../shared/use-cases/run-exclusively';

const app = createAppContext();

/** One data point per run: the failed-run alarm watches SyncRunFailed. */
function recordMetrics(report: Report): void {
  metrics.addMetric('SyncRunFailed', MetricUnit.Count, report.status === 'failed' ? 1 : 0);
  metrics.addMetric(
    'SyncThresholdExceeded',
    MetricUnit.Count,
    report.status === 'deletionThresholdExceeded' ? 1 : 0,
  );
  metrics.addMetric('UsersCreated', MetricUnit.Count, report.counts.created);
  metrics.addMetric('UsersUpdated', MetricUnit.Count, report.counts.updated);
  metrics.addMetric('UsersDeleted', MetricUnit.Count, report.counts.deleted);
  metrics.publishStoredMetrics();
}

export interface ScheduledEvent {
  readonly source: 'ad-sync.schedule';
  /** Identifies the occurrence, so that a duplicated delivery runs once. */
  readonly scheduledAt: string;
}

const api = httpApi({
  'POST /sync': async ({ body }) => {
    const { allowMassDeletion } = parseInput(syncBody, body);
    const report = await synchronizeNow(app, allowMassDeletion === undefined ? {} : { allowMassDeletion });
    recordMetrics(report);
    return { statusCode: 200, body: report };
  },
});

export async function handler(
  event: APIGatewayProxyEvent | ScheduledEvent,
  context: Context,
): Promise<APIGatewayProxyResult | ScheduledOutcome> {
  if ('httpMethod' in event) return api(event, context);
  const result = await runScheduledSync(app, event.scheduledAt);
  if ('report' in result) recordMetrics(result.report);
  logger.info('scheduled sync', {
    outcome: result.outcome,
    ...('report' in result
      ? { runId: result.report.runId, status: result.report.status, counts: result.report.counts }
      : {}),
  });
  return result;
}
