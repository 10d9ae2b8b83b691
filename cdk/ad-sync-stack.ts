/**
 * ad-sync on AWS (docs/contract.md#on-aws), in parts: the network of the functions that talk to Active
 * Directory (network.ts), the table and the bind password (data.ts), the functions and their permissions
 * (functions.ts), the API (api.ts), the schedule (schedule.ts) and the alarms (alarms.ts). The parts keep
 * the logical ids the stack had as one construct (stack-part.ts).
 */
import { CfnOutput, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AdSyncSettings } from './ad-sync-settings';
import { AdSyncAlarms } from './alarms';
import { AdSyncApi } from './api';
import { AdSyncData } from './data';
import { AdSyncFunctions } from './functions';
import { AdSyncNetwork } from './network';
import { AdSyncSchedule } from './schedule';
import { StackOfParts } from './stack-part';

export class AdSyncStack extends StackOfParts {
  constructor(scope: Construct, id: string, settings: AdSyncSettings, props?: StackProps) {
    super(scope, id, props);
    const scheduleName = `${this.stackName}-sync`;
    const network = new AdSyncNetwork(this, 'Network', settings);
    const { table, secret } = new AdSyncData(this, 'Data');
    const { functions, failures } = new AdSyncFunctions(this, 'Functions', {
      table,
      secret,
      network: network.functionNetwork,
      scheduleName,
    });
    const { api } = new AdSyncApi(this, 'HttpApi', { functions, adminPrincipals: settings.adminPrincipals });
    const { schedule } = new AdSyncSchedule(this, 'Schedule', {
      scheduleName,
      scheduleMinutes: settings.scheduleMinutes,
      scheduleEnabled: settings.scheduleEnabled,
      sync: functions.sync,
      config: functions.config,
    });
    new AdSyncAlarms(this, 'Alarms', { functions, alarmTopicArn: settings.alarmTopicArn });

    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'adsync --api <this url>' });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'SecretArn', { value: secret.secretArn });
    new CfnOutput(this, 'ScheduleName', { value: schedule.ref });
    new CfnOutput(this, 'SyncFailureQueueUrl', { value: failures.queueUrl });
  }
}
