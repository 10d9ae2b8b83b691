/**
 * The operator topic of ad-sync (an SNS topic: a given one, or one of this stack's) and what it gets: the
 * alarms (a failed sync run, a stale sync, a burst of refused logons, any error of any function, change
 * events the pipe could not deliver) and the run events of the bus (sync.failed, sync.deletionsWithheld,
 * sync.stale: docs/contract.md#operators-are-told), by a rule. Context `alertEmail` subscribes an address.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionName } from '../shared/api/routes';
import { RUN_EVENT_TYPES } from '../shared/domain/run-event';
import type { AdSyncFunction } from './ad-sync-function';
import { EVENT_SOURCE } from './events';
import { StackPart } from './stack-part';

/** Refused logons in 5 minutes that raise the alarm. */
export const LOGON_FAILURES_BURST = 20;

export interface AdSyncAlarmsProps {
  readonly functions: Record<FunctionName, AdSyncFunction>;
  /** The alarm topic; without it, one is created. */
  readonly alarmTopicArn: string | undefined;
  /** The change-events pipe's dead-letter queue (events.ts). */
  readonly changeEventFailures: IQueue;
  /** The customer-managed key (landing-zone.ts): the key of the topic the stack creates; without it, none. */
  readonly key: IKey | undefined;
  /** The bus whose run events go to the topic (events.ts). */
  readonly bus: EventBus;
  /** An email address to subscribe to the topic (context `alertEmail`). */
  readonly alertEmail: string | undefined;
}

export class AdSyncAlarms extends StackPart {
  /** The operator topic: the alarms and the run events. */
  readonly topic: ITopic;

  constructor(
    scope: Construct,
    id: string,
    { functions, alarmTopicArn, changeEventFailures, key, bus, alertEmail }: AdSyncAlarmsProps,
  ) {
    super(scope, id);
    // CloudWatch alarms publish only to a topic whose key's policy admits cloudwatch.amazonaws.com: the
    // customer key can (docs/deploy.md gives the statement), the AWS-managed aws/sns cannot (its policy is AWS's).
    // Without kmsKeyArn the topic has no server-side encryption.
    const topic: ITopic = alarmTopicArn
      ? Topic.fromTopicArn(this, 'AlarmTopic', alarmTopicArn)
      : new Topic(this, 'AlarmTopic', {
          displayName: 'ad-sync alarms',
          enforceSSL: true,
          ...(key ? { masterKey: key } : {}),
        });
    if (!alarmTopicArn && !key) {
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Encrypted only with kmsKeyArn: CloudWatch alarms cannot publish to a topic under the AWS-managed key ' +
          "aws/sns (its policy admits no CloudWatch), and a key of the stack's own costs $1 a month. The messages hold " +
          "alarm names and states and the run events (a failed run's error, which may name DCs and DNs, the counts " +
          'of withheld deletes): give kmsKeyArn to encrypt them at rest.',
      });
    }
    this.topic = topic;
    if (alertEmail) topic.addSubscription(new EmailSubscription(alertEmail));
    // The run events, as the bus has them (the JSON of the event, `detail` the document): what failed, the
    // deletes held back and how to approve them, a stale sync. The rule publishes with a role of its own.
    new Rule(this, 'RunEventsRule', {
      description:
        'ad-sync run events (sync.failed, sync.deletionsWithheld, sync.stale) to the operator topic',
      eventBus: bus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [...RUN_EVENT_TYPES] },
      // Through a role of the rule's own: no topic policy that lets any account's EventBridge publish.
      targets: [new SnsTopic(topic, { authorizeUsingRole: true })],
    });
    const alarm = new SnsAction(topic);
    // The stale check reports SyncStale every few minutes once a configuration is saved (1 while no run has
    // succeeded for alerts.staleAfterHours), whatever the schedule, and so does each occurrence of the schedule;
    // the alarm stays on while it does, and clears with the next success.
    new Alarm(this, 'SyncStaleAlarm', {
      alarmDescription:
        'No sync run has succeeded for alerts.staleAfterHours (the sync.stale event and GET /sync/runs say since when)',
      metric: new Metric({
        namespace: 'AdSync',
        metricName: 'SyncStale',
        dimensionsMap: { service: 'ad-sync' },
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // Not reported before a configuration is saved: the alarm keeps its state (insufficient data) meanwhile.
      treatMissingData: TreatMissingData.IGNORE,
    }).addAlarmAction(alarm);
    new Alarm(this, 'SyncFailedAlarm', {
      alarmDescription: 'A sync run failed (the run report in GET /sync/runs says why)',
      metric: new Metric({
        namespace: 'AdSync',
        metricName: 'SyncRunFailed',
        dimensionsMap: { service: 'ad-sync' },
        statistic: 'Sum',
        period: Duration.minutes(15),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(alarm);
    // Password spraying or guessing: many refused logons in a short time (each name is locked out after
    // logon.maxFailures, so a burst means many names, or many attempts of the application's users at once).
    new Alarm(this, 'LogonFailuresAlarm', {
      alarmDescription: `A burst of refused logons (POST /logon): ${LOGON_FAILURES_BURST} or more in 5 minutes`,
      metric: new Metric({
        namespace: 'AdSync',
        metricName: 'LogonFailed',
        dimensionsMap: { service: 'ad-sync' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: LOGON_FAILURES_BURST,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(alarm);
    // A batch of the table's stream the pipe gave up on: its events were not published (docs/deploy.md says
    // how to find and replay them).
    new Alarm(this, 'ChangeEventFailuresAlarm', {
      alarmDescription:
        'Change events were not published: a batch of the table stream is in the change-events dead-letter queue',
      metric: changeEventFailures.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(alarm);
    for (const [name, func] of Object.entries(functions)) {
      new Alarm(this, `${func.node.id}Errors`, {
        alarmDescription: `The ${name} function failed`,
        metric: func.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(alarm);
    }
  }
}
