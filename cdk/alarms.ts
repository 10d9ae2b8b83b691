/**
 * The alarms of ad-sync, to an SNS topic (a given one, or one of this stack's): a failed sync run, a burst of
 * refused logons, any error of any function, and change events the pipe could not deliver.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionName } from '../shared/api/routes';
import type { AdSyncFunction } from './ad-sync-function';
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
}

export class AdSyncAlarms extends StackPart {
  constructor(
    scope: Construct,
    id: string,
    { functions, alarmTopicArn, changeEventFailures, key }: AdSyncAlarmsProps,
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
          "aws/sns (its policy admits no CloudWatch), and a key of the stack's own costs $1 a month for messages that " +
          'hold alarm names and states, no user data.',
      });
    }
    const alarm = new SnsAction(topic);
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
