/**
 * The CDK app: reads the deployment context, builds the stack, and applies cdk-nag's AwsSolutions checks
 * (every finding is an error unless suppressed with a written reason in cdk/nag-suppressions.ts). With context
 * `controlTowerRules=true`, also AWS Control Tower's proactive controls (cfn-guard; acknowledged controls in
 * cdk/nag-suppressions.ts too): a violation fails the synth.
 */
import { resolve } from 'node:path';
import { App, type Environment, type Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AdSyncStack } from './ad-sync-stack';
import { controlTowerRulesFromContext, settingsFromContext } from './context';
import { ControlTowerRules } from './control-tower';
import { tagEverything } from './landing-zone';
import { acknowledgeAcceptedFindings, acknowledgeControlTowerFindings } from './nag-suppressions';

/** The account and region the CDK CLI gives (from the credentials or the profile), as far as it knows them. */
const environmentOfCli = (): Environment => ({
  ...(process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}),
  ...(process.env.CDK_DEFAULT_REGION ? { region: process.env.CDK_DEFAULT_REGION } : {}),
});

export function buildApp(app = new App(), env = environmentOfCli()): { app: App; stack: AdSyncStack } {
  const stack = buildStack(app, env);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  if (controlTowerRulesFromContext(app)) Validations.of(app).addPlugins(new ControlTowerRules());
  return { app, stack };
}

/**
 * The stack in the app, or in a stage of it, with the settings of that scope's context, its tags and the
 * findings it acknowledges; the checks that judge it are the app's (buildApp). A test synthesizes stages of
 * different contexts in one app this way.
 */
export function buildStack(scope: App | Stage, env: Environment): AdSyncStack {
  const settings = settingsFromContext(scope);
  const stack = new AdSyncStack(scope, String(scope.node.tryGetContext('stackName') ?? 'AdSync'), settings, {
    env,
    description: "ad-sync: keeps an application's user database in DynamoDB in step with Active Directory",
  });
  tagEverything(scope, settings.tags);
  acknowledgeAcceptedFindings(stack);
  acknowledgeControlTowerFindings(stack, settings);
  return stack;
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  buildApp().app.synth();
}
