/**
 * The schedules of ad-sync (EventBridge Scheduler): the sync's, which invokes the sync function and whose state
 * and rate the config function keeps in step with the saved configuration (PUT /config); the stale check's,
 * always on, which invokes the sync function's stale check every STALE_CHECK_PERIOD whatever the sync's
 * schedule (docs/contract.md#operators-are-told); and the watcher's.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { rateExpression } from '../shared/adapters/scheduler/eventbridge-schedule-controller';
import type { AdSyncFunction } from './ad-sync-function';
import { StackPart } from './stack-part';

/**
 * How often the stale check runs: `sync.stale` comes at most this long after `alerts.staleAfterHours` has
 * passed (at once when a run ends failed past it), whether the schedule is on or off.
 */
export const STALE_CHECK_PERIOD = Duration.minutes(5);

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
  readonly staleCheckSchedule: CfnSchedule;
  readonly watcherSchedule: CfnSchedule;

  constructor(scope: Construct, id: string, props: AdSyncScheduleProps) {
    super(scope, id);
    const { scheduleName, sync, config, watch } = props;
    const { account, partition, region } = Stack.of(this);
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      description:
        'EventBridge Scheduler: invoke the ad-sync sync (its schedule, the stale check) and watch functions',
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
    /** A schedule that is always on, invoking `target` with `input` every `minutes`, retried twice. */
    const alwaysOn = (
      id: string,
      options: {
        readonly description: string;
        readonly minutes: number;
        readonly target: AdSyncFunction;
        readonly input: Record<string, string>;
        readonly maximumEventAgeInSeconds: number;
      },
    ) =>
      new CfnSchedule(this, id, {
        description: options.description,
        scheduleExpression: rateExpression(options.minutes),
        state: 'ENABLED',
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: options.target.functionArn,
          roleArn: schedulerRole.roleArn,
          input: JSON.stringify(options.input),
          retryPolicy: {
            maximumRetryAttempts: 2,
            maximumEventAgeInSeconds: options.maximumEventAgeInSeconds,
          },
        },
      });
    // Always on, and apart from the sync's schedule: a stale sync is told whether the schedule is on or off, and
    // within minutes of the threshold. The sync function reads the configuration and the run history and raises
    // the alert it already raises (no grant of its own); with no configuration saved it ends at once.
    this.staleCheckSchedule = alwaysOn('StaleCheckSchedule', {
      description:
        'ad-sync stale check: raises sync.stale once no run has succeeded for alerts.staleAfterHours',
      minutes: STALE_CHECK_PERIOD.toMinutes(),
      target: sync,
      input: { source: 'ad-sync.stale-check', checkedAt: '<aws.scheduler.scheduled-time>' },
      // A check later than its period is superseded by the next one.
      maximumEventAgeInSeconds: STALE_CHECK_PERIOD.toSeconds(),
    });
    // Always on: a watcher that finds changeNotifications off ends at once (one short invocation a period).
    this.watcherSchedule = alwaysOn('WatcherSchedule', {
      description: 'ad-sync watcher: holds the AD change notification search, each one past the next start',
      minutes: props.watcherMinutes,
      target: watch,
      input: { source: 'ad-sync.watch', scheduledAt: '<aws.scheduler.scheduled-time>' },
      // A late start is still a watch (it takes over or catches up); one older than a period is not needed.
      maximumEventAgeInSeconds: 300,
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
