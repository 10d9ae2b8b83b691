/**
 * The CDK app: reads the deployment context, builds the stack, and applies cdk-nag's AwsSolutions checks
 * (every finding is an error unless suppressed with a written reason in cdk/nag-suppressions.ts).
 */
import { resolve } from 'node:path';
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { AdSyncSettings } from './ad-sync-settings';
import { AdSyncStack } from './ad-sync-stack';
import { acknowledgeAcceptedFindings } from './nag-suppressions';

/** A list from context: a JSON array, or a comma-separated string (`-c dcCidrs=10.0.0.0/24,10.0.1.0/24`). */
function list(value: unknown): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value)) return value.map(String);
  const text = String(value).trim();
  return (text.startsWith('[') ? (JSON.parse(text) as unknown[]).map(String) : text.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** An IAM principal a resource policy can name and `aws:PrincipalArn` matches: an account root, a user, a role. */
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)$/;

/** The principals allowed to call the API (context `adminPrincipals`); undefined: the account's own. */
function adminPrincipals(value: unknown): string[] | undefined {
  const principals = list(value);
  if (principals === undefined) return undefined;
  const wrong = principals.filter((arn) => !PRINCIPAL_ARN.test(arn));
  if (principals.length === 0 || wrong.length > 0) {
    throw new Error(
      `context adminPrincipals must list IAM principal ARNs (arn:aws:iam::<account>:root, :user/<name> or :role/<name>)${
        wrong.length > 0 ? `, not ${wrong.join(', ')}` : ''
      }; leave it out to let this account's IAM policies decide`,
    );
  }
  return principals;
}

function settingsFrom(app: App): AdSyncSettings {
  const context = (name: string): unknown => app.node.tryGetContext(name);
  const text = (name: string): string | undefined => {
    const value = context(name);
    return value === undefined || value === '' ? undefined : String(value);
  };
  const minutes = Number(context('scheduleMinutes') ?? 60);
  if (!Number.isInteger(minutes) || minutes < 5 || minutes > 10_080) {
    throw new Error(
      `context scheduleMinutes must be a whole number of minutes from 5 to 10080, not ${context('scheduleMinutes')}`,
    );
  }
  const optional = <K extends keyof AdSyncSettings>(key: K, value: AdSyncSettings[K] | undefined) =>
    value === undefined ? {} : { [key]: value };
  return {
    ...optional('vpcId', text('vpcId')),
    ...optional('subnetIds', list(context('subnetIds'))),
    ...optional('routeTableIds', list(context('routeTableIds'))),
    ...optional('availabilityZones', list(context('availabilityZones'))),
    ...optional('dcCidrs', list(context('dcCidrs'))),
    ...optional('alarmTopicArn', text('alarmTopicArn')),
    ...optional('adminPrincipals', adminPrincipals(context('adminPrincipals'))),
    globalCatalog: String(context('globalCatalog') ?? 'false') === 'true',
    scheduleMinutes: minutes,
    scheduleEnabled: String(context('scheduleEnabled') ?? 'false') === 'true',
  };
}

export function buildApp(app = new App()): { app: App; stack: AdSyncStack } {
  const env: Environment = {
    ...(process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}),
    ...(process.env.CDK_DEFAULT_REGION ? { region: process.env.CDK_DEFAULT_REGION } : {}),
  };
  const stack = new AdSyncStack(
    app,
    String(app.node.tryGetContext('stackName') ?? 'AdSync'),
    settingsFrom(app),
    {
      env,
      description: "ad-sync: keeps an application's user database in DynamoDB in step with Active Directory",
    },
  );
  acknowledgeAcceptedFindings(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  buildApp().app.synth();
}
