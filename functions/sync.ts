/**
 * The sync runs: those the API started (the start function's asynchronous invocation,
 * `{ "source": "ad-sync.start", "runId": ... }`), the schedule (EventBridge Scheduler,
 * `{ "source": "ad-sync.schedule", "scheduledAt": ... }`) and the continuation of a run that handed off before
 * its deadline (the table's stream, filtered to handoff inserts: an event with `Records`). And the stale check
 * (a schedule of its own, always on: `{ "source": "ad-sync.stale-check", "checkedAt": ... }`), which reads the
 * run history and raises the stale alert, whether the sync's schedule is on or off.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { handoffSchema } from '../shared/adapters/dynamodb/dynamo-run-handoffs';
import { syncStartEvent, syncStartOf } from '../shared/adapters/lambda/operation-events';
import type { Report } from '../shared/domain/report';
import { logger } from '../shared/runtime/logger';
import { MetricUnit, metrics } from '../shared/runtime/metrics';
import { syncWorkerContext } from '../shared/runtime/sync-worker-context';
import { annotateInvocation, tracedHandler } from '../shared/runtime/tracer';
import { type ContinuationOutcome, continueRun } from '../shared/use-cases/continue-run';
import { runScheduledSync, type ScheduledOutcome } from '../shared/use-cases/scheduled-sync';
import { checkStaleness, checkTimeOf, type StaleCheckOutcome } from '../shared/use-cases/stale-check';
import { runStartedSync, type StartOutcome, triggerOf } from '../shared/use-cases/start-sync';
import { systemClock } from '../shared/use-cases/system-clock';

const app = syncWorkerContext();

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

export interface StaleCheckEvent {
  readonly source: 'ad-sync.stale-check';
  /** When the check was due (its schedule's time); only logged. */
  readonly checkedAt: string;
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
    annotateInvocation({ runId: handoff.data.runId, trigger: 'continuation' });
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

/** Runs a sync the API started; never throws (Lambda would retry the event, and the run is recorded). */
async function runStarted(event: unknown, context: Context): Promise<StartOutcome | { outcome: 'invalid' }> {
  const start = syncStartEvent.safeParse(event);
  if (!start.success) {
    logger.error('ignored an event that is neither a start, a schedule nor a stream batch', {
      issues: start.error.issues.map((issue) => issue.path.join('.')),
    });
    return { outcome: 'invalid' };
  }
  // The trigger as the run's report names it: `user` for a one-user run (whose name is not annotated).
  annotateInvocation({ runId: start.data.runId, trigger: triggerOf(start.data) });
  const outcome = await runStartedSync(withDeadline(context), syncStartOf(start.data));
  if ('report' in outcome) recordMetrics(outcome.report);
  logger.info('started sync', {
    runId: start.data.runId,
    outcome: outcome.outcome,
    ...('report' in outcome ? { status: outcome.report.status, counts: outcome.report.counts } : {}),
  });
  return outcome;
}

/**
 * The stale check: SyncStale (the stale alarm's metric) at each check once a configuration is saved, whatever
 * the schedule; a line in the log only when it raised a spell's alert (a check is due every few minutes).
 */
async function checkStale(event: StaleCheckEvent): Promise<StaleCheckOutcome> {
  const clock = app.clock ?? systemClock;
  const at = checkTimeOf(event.checkedAt, clock.now());
  const result = await checkStaleness({ ...app, clock: { ...clock, now: () => at } });
  if (result.outcome !== 'checked') return result;
  metrics.addMetric('SyncStale', MetricUnit.Count, result.stale ? 1 : 0);
  metrics.publishStoredMetrics();
  if (result.raised) {
    logger.info('raised the stale alert', { checkedAt: event.checkedAt, stale: result.stale });
  }
  return result;
}

/** Traced (X-Ray): annotated with the run's id and what started it, each step a subsegment (sync-worker-context.ts). */
export const handler = tracedHandler(async function sync(
  event: ScheduledEvent | StaleCheckEvent | DynamoDBStreamEvent | { readonly source: 'ad-sync.start' },
  context: Context,
): Promise<
  ScheduledOutcome | StaleCheckOutcome | ContinuationOutcome[] | StartOutcome | { outcome: 'invalid' }
> {
  if ('Records' in event) return continueHandedOffRuns(event, context);
  if (event.source === 'ad-sync.stale-check') return checkStale(event);
  if (event.source !== 'ad-sync.schedule') return runStarted(event, context);
  annotateInvocation({ trigger: 'schedule' });
  const result = await runScheduledSync(withDeadline(context), event.scheduledAt);
  if ('report' in result) recordMetrics(result.report);
  // The stale alarm watches SyncStale: one data point per occurrence that looked at the history (one that ran,
  // or that the back-off skipped); a duplicated or skipped occurrence says nothing of it.
  if (result.outcome === 'ran' || result.outcome === 'backedOff') {
    metrics.addMetric('SyncStale', MetricUnit.Count, result.stale ? 1 : 0);
    metrics.publishStoredMetrics();
  }
  // A scheduled run's id is known once it has run (none when another run held the lock).
  annotateInvocation({ runId: 'report' in result ? result.report.runId : undefined });
  logger.info('scheduled sync', {
    outcome: result.outcome,
    ...('schedule' in result ? { schedule: result.schedule } : {}),
    ...(result.stale ? { stale: result.stale } : {}),
    ...('report' in result
      ? { runId: result.report.runId, status: result.report.status, counts: result.report.counts }
      : {}),
  });
  return result;
});
