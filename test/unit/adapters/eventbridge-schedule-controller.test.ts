import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EventBridgeScheduleController,
  rateExpression,
} from '../../../shared/adapters/scheduler/eventbridge-schedule-controller';

const scheduler = mockClient(SchedulerClient);
const target = {
  Arn: 'arn:aws:lambda:eu-central-1:123456789012:function:ad-sync-sync',
  RoleArn: 'arn:aws:iam::123456789012:role/ad-sync-scheduler',
  Input: '{"source":"ad-sync.schedule","scheduledAt":"<aws.scheduler.scheduled-time>"}',
  RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
};

describe('EventBridgeScheduleController', () => {
  beforeEach(() => {
    scheduler.reset();
    scheduler.on(GetScheduleCommand).resolves({
      Name: 'ad-sync',
      GroupName: 'default',
      ScheduleExpression: 'rate(60 minutes)',
      State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: target,
    });
    scheduler.on(UpdateScheduleCommand).resolves({});
  });

  it('enables the schedule at the configured rate and keeps its target and retry policy', async () => {
    await new EventBridgeScheduleController(new SchedulerClient({ region: 'eu-central-1' }), 'ad-sync').apply(
      {
        enabled: true,
        intervalMinutes: 15,
      },
    );
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]?.args[0].input).toEqual({
      Name: 'ad-sync',
      GroupName: 'default',
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: target,
    });
  });

  it('writes a rate of one minute in the singular, as EventBridge Scheduler requires', async () => {
    expect(rateExpression(1)).toBe('rate(1 minute)');
    expect(rateExpression(2)).toBe('rate(2 minutes)');
    await new EventBridgeScheduleController(new SchedulerClient({ region: 'eu-central-1' }), 'ad-sync').apply(
      { enabled: true, intervalMinutes: 1 },
    );
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]?.args[0].input.ScheduleExpression).toBe(
      'rate(1 minute)',
    );
  });

  it('changes nothing when the schedule is already as configured', async () => {
    await new EventBridgeScheduleController(new SchedulerClient({ region: 'eu-central-1' }), 'ad-sync').apply(
      {
        enabled: false,
        intervalMinutes: 60,
      },
    );
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });
});
