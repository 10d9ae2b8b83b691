/**
 * POST /sync (API Gateway), the schedule (EventBridge Scheduler) and the continuation of a run that handed
 * off before its deadline (the table's stream, filtered to handoff inserts), told apart by the event: an
 * API Gateway event has `httpMethod`; the schedule sends `{ "source": "ad-sync.schedule", "scheduledAt": ... }`;
 * a stream event has `Records`.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, DynamoDBStreamEvent } from 'aws-lambda';
import { handoffSchema } from '../shared/adapters/dynamodb/dynamo-run-handoffs';
import { httpApi } from '../shared/api/http-api';
import type { Report } from '../shared/domain/report';
import { createAppContext } from '../shared/runtime/app-context';
import { logger } from '../shared/runtime/logger';
import { MetricUnit, metrics } from '../shared/runtime/metrics';
import {
  type ContinuationOutcome,
  continueRun,
  runScheduledSync,
  type ScheduledOutcome,
  synchronizeNow,
} from '../shared/use-cases/run-exclusively';

const app = createAppContext();

/**
 * One data point per run, when it ends: the failed-run alarm watches SyncRunFailed. A run that continues in
 * another invocation is counted by the invocation that ends it (its counts are the whole run's).
 */
function recordMetrics(report: Report): void {
  if (report.status === 'running') return;
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

/** The app with this invocation's deadline: a run nearing it hands off to a follow-up invocation. */
const withDeadline = (context: Context) => ({
  ...app,
  remainingMs: () => context.getRemainingTimeInMillis(),
});

/** Continues the runs the stream's handoff inserts name; never throws (a stream retry would repeat it). */
async function continueHandedOffRuns(
  event: DynamoDBStreamEvent,
  context: Context,
): Promise<ContinuationOutcome[]> {
  const outcomes: ContinuationOutcome[] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    const handoff = handoffSchema.safeParse(
      image ? unmarshall(image as Record<string, AttributeValue>) : undefined,
    );
    if (record.eventName !== 'INSERT' || !handoff.success) {
      logger.warn('ignored a stream record that is not a handoff', { eventName: record.eventName });
      continue;
    }
    try {
      const outcome = await continueRun(withDeadline(context), handoff.data);
      if ('report' in outcome) recordMetrics(outcome.report);
      logger.info('continued a sync run', {
        runId: handoff.data.runId,
        invocation: handoff.data.invocation,
        outcome: outcome.outcome,
        ...('report' in outcome ? { status: outcome.report.status, counts: outcome.report.counts } : {}),
      });
      outcomes.push(outcome);
    } catch (error) {
      // The lease expires and the next scheduled run picks the run up; a retry here could only repeat this.
      logger.error('could not continue a sync run', { runId: handoff.data.runId, error: error as Error });
    }
  }
  return outcomes;
}

const api = httpApi({
  'POST /sync': async ({ body: { allowMassDeletion } }, context) => {
    const report = await synchronizeNow(
      withDeadline(context),
      allowMassDeletion === undefined ? {} : { allowMassDeletion },
    );
    recordMetrics(report);
    return { body: report };
  },
});

export async function handler(
  event: APIGatewayProxyEvent | ScheduledEvent | DynamoDBStreamEvent,
  context: Context,
): Promise<APIGatewayProxyResult | ScheduledOutcome | ContinuationOutcome[]> {
  if ('httpMethod' in event) return api(event, context);
  if ('Records' in event) return continueHandedOffRuns(event, context);
  const result = await runScheduledSync(withDeadline(context), event.scheduledAt);
  if ('report' in result) recordMetrics(result.report);
  logger.info('scheduled sync', {
    outcome: result.outcome,
    ...('report' in result
      ? { runId: result.report.runId, status: result.report.status, counts: result.report.counts }
      : {}),
  });
  return result;
}
