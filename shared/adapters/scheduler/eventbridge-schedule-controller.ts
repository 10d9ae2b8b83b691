/**
 * ScheduleController on EventBridge Scheduler: the stack creates the schedule; saving the configuration
 * turns it on or off and sets its rate. UpdateSchedule replaces the whole definition, so the current one is
 * read first and only the expression and the state change.
 */
import { GetScheduleCommand, type SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import type { Config } from '../../config/config-schema';
import type { ScheduleController } from '../../ports/schedule-controller';

export const rateExpression = (minutes: number): string =>
  `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`;

export class EventBridgeScheduleController implements ScheduleController {
  constructor(
    private readonly client: SchedulerClient,
    private readonly name: string,
    private readonly groupName = 'default',
  ) {}

  async apply(schedule: Pick<Config['schedule'], 'enabled' | 'intervalMinutes'>): Promise<void> {
    const current = await this.client.send(
      new GetScheduleCommand({ Name: this.name, GroupName: this.groupName }),
    );
    const expression = rateExpression(schedule.intervalMinutes);
    const state = schedule.enabled ? 'ENABLED' : 'DISABLED';
    if (current.ScheduleExpression === expression && current.State === state) return;
    await this.client.send(
      new UpdateScheduleCommand({
        Name: this.name,
        GroupName: this.groupName,
        ScheduleExpression: expression,
        State: state,
        FlexibleTimeWindow: current.FlexibleTimeWindow ?? { Mode: 'OFF' },
        Target: current.Target,
        ...(current.Description ? { Description: current.Description } : {}),
        ...(current.ScheduleExpressionTimezone
          ? { ScheduleExpressionTimezone: current.ScheduleExpressionTimezone }
          : {}),
        ...(current.KmsKeyArn ? { KmsKeyArn: current.KmsKeyArn } : {}),
      }),
    );
  }
}
