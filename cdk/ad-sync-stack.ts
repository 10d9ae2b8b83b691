/**
 * ad-sync on AWS (docs/contract.md#on-aws), in parts: the network of the functions that talk to Active
 * Directory (network.ts), the tables and the bind password (data.ts), the functions and their permissions
 * (functions.ts), the API (api.ts), the admin console with its sign-in (console.ts), the schedule
 * (schedule.ts), the change events (events.ts), the alarms (alarms.ts) and the dashboard (dashboard.ts). The parts
 * keep the logical ids the stack had as one construct (stack-part.ts). What a company's landing zone asks of
 * every resource (a permissions boundary, a customer-managed key, tags, log retention) is landing-zone.ts.
 */
import { CfnOutput, Lazy, type StackProps, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { routes } from '../shared/api/routes';
import type { AdSyncSettings } from './ad-sync-settings';
import { AdSyncAlarms } from './alarms';
import { AdSyncApi } from './api';
import { AdSyncConsole, consoleAdminRoleArn } from './console';
import { AdSyncDashboard } from './dashboard';
import { AdSyncData } from './data';
import { AdSyncEvents } from './events';
import { AdSyncFunctions } from './functions';
import { applyLandingZone, customerKey, roleNaming } from './landing-zone';
import { acknowledgeCustomerKeyGrants } from './nag-suppressions';
import { AdSyncNetwork } from './network';
import { AdSyncSchedule } from './schedule';
import { StackOfParts } from './stack-part';
import { WATCHER_PERIOD } from './watcher';

export class AdSyncStack extends StackOfParts {
  /** The AZs of context `availabilityZones`, which a new VPC takes without a lookup. */
  private readonly givenAvailabilityZones: readonly string[] | undefined;

  constructor(scope: Construct, id: string, settings: AdSyncSettings, props?: StackProps) {
    super(scope, id, props);
    this.givenAvailabilityZones = settings.availabilityZones;
    const key = customerKey(this, settings);
    const roles = roleNaming(settings);
    applyLandingZone(this, settings, key);
    if (key) acknowledgeCustomerKeyGrants(this);
    const scheduleName = `${this.stackName}-sync`;
    const network = new AdSyncNetwork(this, 'Network', settings);
    const { table, credentials, secret } = new AdSyncData(this, 'Data', { key });
    const { functions, failures } = new AdSyncFunctions(this, 'Functions', {
      table,
      credentials,
      secret,
      network: network.functionNetwork,
      scheduleName,
      key,
    });
    // The console's distribution names the API (its CSP lets the page call it), and the API names the
    // console's origin (CORS): the API takes that origin lazily, once the console exists. The distribution
    // depends on the API, never the other way round.
    let adminConsole: AdSyncConsole | undefined;
    const consoleOrigin = Lazy.string({
      produce: () => {
        if (!adminConsole) throw new Error('the admin console was not created');
        return adminConsole.origin;
      },
    });
    const { api } = new AdSyncApi(this, 'HttpApi', {
      functions,
      adminPrincipals: settings.adminPrincipals,
      adminConsole: { origin: consoleOrigin, adminRoleArn: consoleAdminRoleArn(this, roles) },
    });
    adminConsole = new AdSyncConsole(this, 'Console', { api, key, roles });
    // The functions that answer the API let the console read their answers (shared/api/http-api.ts).
    for (const name of new Set(routes.map((route) => route.function))) {
      functions[name].addEnvironment('CONSOLE_ORIGIN', adminConsole.origin);
    }
    const { schedule } = new AdSyncSchedule(this, 'Schedule', {
      scheduleName,
      scheduleMinutes: settings.scheduleMinutes,
      scheduleEnabled: settings.scheduleEnabled,
      sync: functions.sync,
      config: functions.config,
      watch: functions.watch,
      watcherMinutes: WATCHER_PERIOD.toMinutes(),
    });
    const events = new AdSyncEvents(this, 'Events', { table, enrichment: functions.events, key });
    new AdSyncAlarms(this, 'Alarms', {
      functions,
      alarmTopicArn: settings.alarmTopicArn,
      changeEventFailures: events.failures,
      key,
      bus: events.bus,
      alertEmail: settings.alertEmail,
    });
    const { dashboard } = new AdSyncDashboard(this, 'Dashboard', {
      functions,
      syncFailures: failures,
      changeEventFailures: events.failures,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'adsync --api <this url>' });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'CredentialsTableName', {
      value: credentials.tableName,
      description: "Local users' password hashes (no stream; docs/security.md)",
    });
    new CfnOutput(this, 'SecretArn', { value: secret.secretArn });
    new CfnOutput(this, 'ScheduleName', { value: schedule.ref });
    new CfnOutput(this, 'SyncFailureQueueUrl', { value: failures.queueUrl });
    new CfnOutput(this, 'EventBusName', {
      value: events.bus.eventBusName,
      description: 'Change events (docs/contract.md#change-events): source ad-sync, detail-type the type',
    });
    new CfnOutput(this, 'EventBusArn', { value: events.bus.eventBusArn });
    new CfnOutput(this, 'ChangeEventFailureQueueUrl', { value: events.failures.queueUrl });
    new CfnOutput(this, 'ConsoleUrl', {
      value: `${adminConsole.origin}/`,
      description: 'The admin console (docs/deploy.md#the-admin-console)',
    });
    new CfnOutput(this, 'ConsoleUserPoolId', {
      value: adminConsole.userPool.userPoolId,
      description: 'The console administrators: aws cognito-idp admin-create-user --user-pool-id <this id>',
    });
    new CfnOutput(this, 'ConsoleSignInUrl', { value: adminConsole.config.cognitoDomain });
    new CfnOutput(this, 'DashboardName', {
      value: dashboard.dashboardName,
      description: 'The CloudWatch dashboard: runs, durations, users changed, failures, refused logons',
    });
  }

  /**
   * The AZs of a new VPC: those of context `availabilityZones` when given, so that a synth with an account
   * and region needs no lookup (and no credentials); else CDK's (a lookup when the account is known).
   */
  override get availabilityZones(): string[] {
    if (!this.givenAvailabilityZones) return super.availabilityZones;
    // As CDK does for the AZs it looks up: literal AZs in the template are what was asked for.
    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W3010',
      reason: 'The AZs of the new VPC are given by context availabilityZones (a synth without a lookup).',
    });
    return [...this.givenAvailabilityZones];
  }
}
