/**
 * AWS Control Tower's proactive controls: the stack synthesized with cfn-guard and the Control Tower rules of
 * @cdklabs/cdk-validator-cfnguard (context controlTowerRules, as `cdk synth -c controlTowerRules=true`), for the
 * default context and a landing zone's. A violation fails the synth; the controls the stack does not meet are
 * acknowledged on their resources in cdk/nag-suppressions.ts (CONTROL_TOWER_ACKNOWLEDGMENTS).
 *
 * Nothing here is skipped: without the package the import fails, on a platform it has no cfn-guard binary for
 * the validator's constructor throws, and a binary that does not run makes the plugin fail and the synth with it.
 * That the rules ran at all is checked by the acknowledged violations the report must list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Environment, type Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../cdk/app';
import { settingsFromContext } from '../../../cdk/context';
import { CFN_GUARD_PLUGIN, controlTowerAcknowledgments } from '../../../cdk/nag-suppressions';
import { ACCOUNT, EXISTING_NETWORK, LANDING_ZONE, REGION } from '../../support/landing-zone-context';

/** A synth takes 10 to 20 s here (the whole stack, cdk-nag and cfn-guard). */
const SYNTH_TIMEOUT = 120_000;

/** The feature flags of cdk.json, so that the template is the one `cdk synth` makes. */
const cdkJsonContext = (
  JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

interface SuppressedViolation {
  readonly ruleName: string;
  readonly description: string;
  readonly acknowledgedAt: string;
}
interface PluginReport {
  readonly pluginName: string;
  readonly conclusion: string;
  readonly violations: readonly unknown[];
  readonly suppressedViolations?: readonly SuppressedViolation[];
}

/** Synthesizes the app with the Control Tower rules (a violation throws), and returns cfn-guard's report. */
function synthWithControlTower(
  context: Record<string, unknown>,
  env?: Environment,
  change: (stack: Stack) => void = () => {},
) {
  const app = new App({
    context: {
      ...cdkJsonContext,
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:disable-asset-staging': true,
      controlTowerRules: true,
      ...context,
    },
  });
  const { stack } = buildApp(app, env);
  change(stack);
  const assembly = app.synth();
  const reports = (
    JSON.parse(readFileSync(join(assembly.directory, VALIDATION_REPORT_FILE), 'utf8')) as {
      pluginReports: PluginReport[];
    }
  ).pluginReports;
  const report = reports.find((r) => r.pluginName === CFN_GUARD_PLUGIN);
  if (!report) throw new Error(`no ${CFN_GUARD_PLUGIN} report in ${VALIDATION_REPORT_FILE}`);
  return { stack, report };
}

/** `rule @ construct path` of each acknowledgment that applies to the context. */
function acknowledged(stack: Stack, context: Record<string, unknown>): string[] {
  const settings = settingsFromContext(new App({ context }));
  return controlTowerAcknowledgments(settings)
    .flatMap(({ rule, where }) =>
      where.map((path) => `${rule} @ ${path === '' ? stack.node.path : `${stack.node.path}/${path}`}`),
    )
    .sort();
}

const contexts: ReadonlyArray<[string, Record<string, unknown>, Environment | undefined]> = [
  ['the default context', {}, undefined],
  [
    "a landing zone's context (existing VPC and endpoints, boundary, role names, customer key, tags)",
    { ...EXISTING_NETWORK, ...LANDING_ZONE, adminPrincipals: `arn:aws:iam::${ACCOUNT}:role/AdSyncAdmin` },
    { account: ACCOUNT, region: REGION },
  ],
];

describe("AWS Control Tower's proactive controls (cfn-guard)", () => {
  for (const [name, context, env] of contexts) {
    it(
      `passes with ${name}: every violation is an acknowledged one, and every acknowledgment is used`,
      () => {
        const { stack, report } = synthWithControlTower(context, env);
        expect(report.conclusion).toBe('success');
        expect(report.violations).toEqual([]);
        const suppressed = [
          ...new Set((report.suppressedViolations ?? []).map((v) => `${v.ruleName} @ ${v.acknowledgedAt}`)),
        ].sort();
        expect(suppressed).toEqual(acknowledged(stack, context));
      },
      SYNTH_TIMEOUT,
    );
  }

  it('acknowledges the log groups and the console bucket without a key only: with kmsKeyArn they pass', () => {
    const rules = (kmsKeyArn?: string) =>
      controlTowerAcknowledgments(kmsKeyArn ? { kmsKeyArn } : {}).map((ack) => ack.control);
    expect(rules()).toContain('CT.CLOUDWATCH.PR.3');
    expect(rules(LANDING_ZONE.kmsKeyArn)).not.toContain('CT.CLOUDWATCH.PR.3');
    expect(rules().filter((c) => c === 'CT.S3.PR.10')).toHaveLength(2);
    expect(rules(LANDING_ZONE.kmsKeyArn).filter((c) => c === 'CT.S3.PR.10')).toHaveLength(1);
  });

  it(
    'fails the synth on a violation not acknowledged, even next to an acknowledged resource of the same kind',
    () => {
      expect(() =>
        synthWithControlTower({}, undefined, (stack) => {
          // A queue beside the sync function's failures queue, which is acknowledged for CT.SQS.PR.1.
          new Queue(stack.node.findChild('Functions'), 'Unacknowledged', { enforceSSL: true });
        }),
      ).toThrow(/CT\.SQS\.PR\.1[^\n]*\n\s*AdSync\/Functions\/Unacknowledged\//);
    },
    SYNTH_TIMEOUT,
  );
});
