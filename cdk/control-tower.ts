/**
 * AWS Control Tower's proactive controls at synth: the cfn-guard rules bundled with
 * @cdklabs/cdk-validator-cfnguard, every control on. The controls the stack does not meet by design are
 * acknowledged on their resources (CONTROL_TOWER_ACKNOWLEDGMENTS in nag-suppressions.ts), not disabled here.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
} from 'aws-cdk-lib';

/**
 * The validator, with each violation an error. cfn-guard's violations come without a severity, and once any
 * violation of the report is acknowledged, CDK (2.276) counts the ones without a severity as no error: the
 * synth would pass with violations nobody acknowledged (checked in test/unit/cdk/control-tower.test.ts).
 */
export class ControlTowerRules implements IPolicyValidationPlugin {
  private readonly guard = new CfnGuardValidator({ controlTowerRulesEnabled: true });
  /** The validator's own name: acknowledgments are `cdk-validator-cfnguard::<rule>`. */
  readonly name = this.guard.name;
  readonly version: string = this.guard.version ?? 'unknown';
  readonly ruleIds: string[] = this.guard.ruleIds ?? [];

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.guard.validate(context);
    return {
      ...report,
      violations: report.violations.map((violation) => ({
        ...violation,
        severity: violation.severity ?? 'error',
      })),
    };
  }
}
