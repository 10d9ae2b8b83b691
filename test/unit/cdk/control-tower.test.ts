/**
 * AWS Control Tower's proactive controls: the stack synthesized with cfn-guard and the Control Tower rules of
 * @cdklabs/cdk-validator-cfnguard (context controlTowerRules, as `cdk synth -c controlTowerRules=true`), for the
 * default context and a landing zone's. A violation fails the synth; the controls the stack does not meet are
 * acknowledged on their resources in cdk/nag-suppressions.ts (CONTROL_TOWER_ACKNOWLEDGMENTS).
 *
 * One synthesis does it all (each one takes 10 to 20 s here): one app with a stage for each context, the
 * default one holding a queue nobody acknowledged. The synth must fail on that queue, and on nothing else;
 * cfn-guard's report, written before CDK throws, must list every acknowledgment of both stacks as used.
 *
 * Nothing here is skipped: without the package the import fails, on a platform it has no cfn-guard binary for
 * the validator's constructor throws, and a binary that does not run makes the plugin fail and the synth with it.
 * That the rules ran at all is checked by the acknowledged violations the report must list.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Environment, type Stack, Stage, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStack } from '../../../cdk/app';
import { settingsFromContext } from '../../../cdk/context';
import { ControlTowerRules } from '../../../cdk/control-tower';
import { CFN_GUARD_PLUGIN, controlTowerAcknowledgments } from '../../../cdk/nag-suppressions';
import { ACCOUNT, EXISTING_NETWORK, LANDING_ZONE, REGION } from '../../support/landing-zone-context';

/** The one synth takes 20 to 40 s here (two whole stacks and cfn-guard). */
const SYNTH_TIMEOUT = 180_000;

/** The feature flags of cdk.json, so that the templates are the ones `cdk synth` makes. */
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
interface Violation {
  readonly ruleName: string;
  readonly description: string;
  readonly violatingConstructs?: readonly { readonly constructPath?: string }[];
}
interface PluginReport {
  readonly pluginName: string;
  readonly conclusion: string;
  readonly violations: readonly Violation[];
  readonly suppressedViolations?: readonly SuppressedViolation[];
}

interface Deployment {
  /** The stage it is synthesized in. */
  readonly stage: string;
  readonly context: Record<string, unknown>;
  readonly env: Environment;
}

const DEFAULT: Deployment = { stage: 'Default', context: {}, env: {} };
/** A landing zone's context: existing VPC and endpoints, boundary, role names, customer key, tags. */
const LANDING_ZONE_DEPLOYMENT: Deployment = {
  stage: 'LandingZone',
  context: {
    ...EXISTING_NETWORK,
    ...LANDING_ZONE,
    adminPrincipals: `arn:aws:iam::${ACCOUNT}:role/AdSyncAdmin`,
  },
  env: { account: ACCOUNT, region: REGION },
};
const DEPLOYMENTS = [DEFAULT, LANDING_ZONE_DEPLOYMENT];

/** Where the queue nobody acknowledged is: beside the sync function's failures queue (acknowledged for CT.SQS.PR.1). */
const UNACKNOWLEDGED = `${DEFAULT.stage}/AdSync/Functions/Unacknowledged`;

/**
 * Synthesizes one app with a stage for each deployment, and the queue nobody acknowledged, with the Control
 * Tower rules: what the synth threw, and cfn-guard's report (written before CDK throws).
 */
function synthWithControlTower(outdir: string) {
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext,
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:disable-asset-staging': true,
      controlTowerRules: true,
    },
  });
  const stacks = DEPLOYMENTS.map(({ stage: id, context, env }) => {
    const stage = new Stage(app, id);
    for (const [key, value] of Object.entries(context)) stage.node.setContext(key, value);
    return buildStack(stage, env);
  });
  new Queue((stacks[0] as Stack).node.findChild('Functions'), 'Unacknowledged', { enforceSSL: true });
  Validations.of(app).addPlugins(new ControlTowerRules());
  let failure = '';
  try {
    app.synth();
  } catch (error) {
    failure = (error as Error).message;
  }
  const reports = (
    JSON.parse(readFileSync(join(outdir, VALIDATION_REPORT_FILE), 'utf8')) as {
      pluginReports: PluginReport[];
    }
  ).pluginReports;
  const report = reports.find((r) => r.pluginName === CFN_GUARD_PLUGIN);
  if (!report) throw new Error(`no ${CFN_GUARD_PLUGIN} report in ${VALIDATION_REPORT_FILE}`);
  return { stacks, report, failure };
}

/** `rule @ construct path` of each acknowledgment that applies to the context. */
function acknowledged(stack: Stack, context: Record<string, unknown>): string[] {
  const settings = settingsFromContext(new App({ context }));
  return controlTowerAcknowledgments(settings).flatMap(({ rule, where }) =>
    where.map((path) => `${rule} @ ${path === '' ? stack.node.path : `${stack.node.path}/${path}`}`),
  );
}

describe("AWS Control Tower's proactive controls (cfn-guard)", () => {
  const outdir = mkdtempSync(join(tmpdir(), 'ad-sync-control-tower-'));
  let synthesized: ReturnType<typeof synthWithControlTower>;
  beforeAll(() => {
    synthesized = synthWithControlTower(outdir);
  }, SYNTH_TIMEOUT);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("passes with the default context and a landing zone's: every violation is an acknowledged one, and every acknowledgment is used", () => {
    const { stacks, report } = synthesized;
    // The violations left are those of the queue put there to be one (no dead-letter queue, no encryption).
    const where = report.violations.flatMap((violation) =>
      (violation.violatingConstructs ?? []).map((construct) => construct.constructPath),
    );
    expect(new Set(where)).toEqual(new Set([`${UNACKNOWLEDGED}/Resource`]));
    expect(report.violations.map((violation) => violation.description)).toContainEqual(
      expect.stringMatching(/^\[CT\.SQS\.PR\.1\]/),
    );
    const suppressed = [
      ...new Set((report.suppressedViolations ?? []).map((v) => `${v.ruleName} @ ${v.acknowledgedAt}`)),
    ].sort();
    const expected = DEPLOYMENTS.flatMap(({ context }, i) => acknowledged(stacks[i] as Stack, context));
    expect(suppressed).toEqual([...new Set(expected)].sort());
  });

  it('fails the synth on a violation not acknowledged, even next to an acknowledged resource of the same kind', () => {
    expect(synthesized.report.conclusion).toBe('failure');
    // Beside it, the sync function's failures queue is acknowledged for the same control.
    const beside = (synthesized.report.suppressedViolations ?? []).filter(
      (v) =>
        v.description.startsWith('[CT.SQS.PR.1]') &&
        v.acknowledgedAt.startsWith(`${DEFAULT.stage}/AdSync/Functions/`),
    );
    expect(beside).not.toEqual([]);
    expect(synthesized.failure).toMatch(new RegExp(`CT\\.SQS\\.PR\\.1[^\\n]*\\n\\s*${UNACKNOWLEDGED}/`));
  });

  it('acknowledges the log groups and the console bucket without a key only: with kmsKeyArn they pass', () => {
    const rules = (kmsKeyArn?: string) =>
      controlTowerAcknowledgments(kmsKeyArn ? { kmsKeyArn } : {}).map((ack) => ack.control);
    expect(rules()).toContain('CT.CLOUDWATCH.PR.3');
    expect(rules(LANDING_ZONE.kmsKeyArn)).not.toContain('CT.CLOUDWATCH.PR.3');
    expect(rules().filter((c) => c === 'CT.S3.PR.10')).toHaveLength(2);
    expect(rules(LANDING_ZONE.kmsKeyArn).filter((c) => c === 'CT.S3.PR.10')).toHaveLength(1);
  });
});
