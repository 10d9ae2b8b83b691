/**
 * The CloudWatch dashboard of ad-sync: the runs (ended, failed, withheld deletes), how long they take, the
 * users they changed, what failed (runs, functions, the failure queues), and refused logons; then each
 * function's errors and durations. The run and logon figures are the metrics the functions emit with
 * Powertools Metrics (shared/runtime/metrics.ts: namespace AdSync, dimension service), one data point per
 * ended run (functions/sync.ts) and per refused logon (shared/runtime/logon-context.ts).
 */
import { Duration } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  PeriodOverride,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionName } from '../shared/api/routes';
import type { AdSyncFunction } from './ad-sync-function';
import { StackPart } from './stack-part';

/** Where the functions' own metrics are (shared/runtime/metrics.ts). */
export const METRIC_NAMESPACE = 'AdSync';
const METRIC_DIMENSIONS = { service: 'ad-sync' };
const PERIOD = Duration.minutes(5);
const WIDE = 12;
const HEIGHT = 6;

/** A metric the functions emit (Powertools Metrics, EMF). */
export const adSyncMetric = (metricName: string, label: string, statistic: string = Stats.SUM): Metric =>
  new Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    dimensionsMap: METRIC_DIMENSIONS,
    statistic,
    period: PERIOD,
    label,
  });

export interface AdSyncDashboardProps {
  readonly functions: Record<FunctionName, AdSyncFunction>;
  /** Failed sync invocations (functions.ts). */
  readonly syncFailures: IQueue;
  /** Change events the pipe could not deliver (events.ts). */
  readonly changeEventFailures: IQueue;
}

export class AdSyncDashboard extends StackPart {
  readonly dashboard: Dashboard;

  constructor(
    scope: Construct,
    id: string,
    { functions, syncFailures, changeEventFailures }: AdSyncDashboardProps,
  ) {
    super(scope, id);
    const { sync } = functions;
    const graph = (title: string, left: IMetric[], options: { right?: IMetric[]; width?: number } = {}) =>
      new GraphWidget({
        title,
        left,
        ...(options.right ? { right: options.right } : {}),
        width: options.width ?? WIDE,
        height: HEIGHT,
        period: PERIOD,
      });
    const each = (metric: (fn: AdSyncFunction, name: string) => IMetric) =>
      Object.entries(functions).map(([name, fn]) => metric(fn, name));

    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      periodOverride: PeriodOverride.AUTO,
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# ad-sync\nRuns are counted when they end (a run that continues in another invocation once). ' +
          "A run's report (`GET /sync/runs/{runId}`) says why it failed; its trace in X-Ray shows where it was slow.",
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('Sync runs', [
        // Every ended run emits SyncRunFailed (0 or 1): its sample count is the number of runs.
        adSyncMetric('SyncRunFailed', 'runs ended', Stats.SAMPLE_COUNT),
        adSyncMetric('SyncRunFailed', 'runs failed'),
        adSyncMetric('SyncThresholdExceeded', 'deletes withheld (threshold)'),
        // 1 at each stale check (and occurrence of the schedule) while no run has succeeded for alerts.staleAfterHours.
        adSyncMetric('SyncStale', 'stale (no success for alerts.staleAfterHours)', Stats.MAXIMUM),
      ]),
      graph('Sync duration (ms, per invocation)', [
        sync.metricDuration({ statistic: Stats.p(50), period: PERIOD, label: 'p50' }),
        sync.metricDuration({ statistic: Stats.p(95), period: PERIOD, label: 'p95' }),
        sync.metricDuration({ statistic: Stats.MAXIMUM, period: PERIOD, label: 'max' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Users changed by syncs', [
        adSyncMetric('UsersCreated', 'created'),
        adSyncMetric('UsersUpdated', 'updated'),
        adSyncMetric('UsersDeleted', 'deleted'),
      ]),
      graph(
        'Failures',
        [
          adSyncMetric('SyncRunFailed', 'runs failed'),
          new MathExpression({
            expression: `SUM([${Object.keys(functions)
              .map((_, i) => `e${i}`)
              .join(', ')}])`,
            usingMetrics: Object.fromEntries(
              each((fn) => fn.metricErrors({ period: PERIOD })).map((metric, i) => [`e${i}`, metric]),
            ),
            label: 'function errors',
            period: PERIOD,
          }),
        ],
        {
          right: [
            syncFailures.metricApproximateNumberOfMessagesVisible({
              period: PERIOD,
              statistic: Stats.MAXIMUM,
              label: 'failed sync invocations (queue)',
            }),
            changeEventFailures.metricApproximateNumberOfMessagesVisible({
              period: PERIOD,
              statistic: Stats.MAXIMUM,
              label: 'undelivered change events (queue)',
            }),
          ],
        },
      ),
    );
    this.dashboard.addWidgets(
      graph('Refused logons', [
        adSyncMetric('LogonFailed', 'refused'),
        adSyncMetric('LogonLockedOut', 'locked out'),
      ]),
      graph('Logon duration (ms)', [
        functions.logon.metricDuration({ statistic: Stats.p(50), period: PERIOD, label: 'p50' }),
        functions.logon.metricDuration({ statistic: Stats.p(95), period: PERIOD, label: 'p95' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Function errors',
        each((fn, name) => fn.metricErrors({ period: PERIOD, label: name })),
      ),
      graph(
        'Function duration (ms, p95)',
        each((fn, name) => fn.metricDuration({ statistic: Stats.p(95), period: PERIOD, label: name })),
      ),
    );
  }
}
