/**
 * The schedule of ad-sync: an EventBridge Scheduler schedule that invokes the sync function, whose state
 * and rate the config function keeps in step with the saved configuration (PUT /config).
 */
import { Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { rateExpression } from '../shared/adapters/scheduler/eventbridge-schedule-controller';
import type { AdSyncFunction } from './ad-sync-function';
import { StackPart } from './stack-part';

export interface AdSyncScheduleProps {
  readonly scheduleName: string;
  readonly scheduleMinutes: number;
  readonly scheduleEnabled: boolean;
  /** The function the schedule invokes. */
  readonly sync: AdSyncFunction;
  /** The function that updates the schedule. */
  readonly config: AdSyncFunction;
  /** The watcher, started every `watcherMinutes` (it ends at once while changeNotifications is off). */
  readonly watch: AdSyncFunction;
  readonly watcherMinutes: number;
}

export class AdSyncSchedule extends StackPart {
  readonly schedule: CfnSchedule;
  readonly watcherSchedule: CfnSchedule;

  constructor(scope: Construct, id: string, props: AdSyncScheduleProps) {
    super(scope, id);
    const { scheduleName, sync, config, watch } = props;
    const { account, partition, region } = Stack.of(this);
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      description: 'EventBridge Scheduler: invoke the ad-sync sync and watch functions',
    });
    // The function itself, not `function:*` (its versions and aliases), which grantInvoke would add.
    schedulerRole.addToPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [sync.functionArn, watch.functionArn],
      }),
    );
    this.schedule = new CfnSchedule(this, 'Schedule', {
      name: scheduleName,
      description: 'ad-sync scheduled sync; PUT /config keeps state and rate in step with the configuration',
      // The expression PUT /config sets, too (EventBridge Scheduler wants `rate(1 minute)`, singular).
      scheduleExpression: rateExpression(props.scheduleMinutes),
      state: props.scheduleEnabled ? 'ENABLED' : 'DISABLED',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: sync.functionArn,
        roleArn: schedulerRole.roleArn,
        input: JSON.stringify({ source: 'ad-sync.schedule', scheduledAt: '<aws.scheduler.scheduled-time>' }),
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      },
    });
    // Always on: a watcher that finds changeNotifications off ends at once (one short invocation a period).
    this.watcherSchedule = new CfnSchedule(this, 'WatcherSchedule', {
      description: 'ad-sync watcher: holds the AD change notification search, each one past the next start',
      scheduleExpression: rateExpression(props.watcherMinutes),
      state: 'ENABLED',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: watch.functionArn,
        roleArn: schedulerRole.roleArn,
        input: JSON.stringify({ source: 'ad-sync.watch', scheduledAt: '<aws.scheduler.scheduled-time>' }),
        // A late start is still a watch (it takes over or catches up); one older than a period is not needed.
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 300 },
      },
    });
    const scheduleArn = `arn:${partition}:scheduler:${region}:${account}:schedule/default/${scheduleName}`;
    config.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:GetSchedule', 'scheduler:UpdateSchedule'],
        resources: [scheduleArn],
      }),
    );
    config.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['iam:PassRole'],
        resources: [schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
  }
}
