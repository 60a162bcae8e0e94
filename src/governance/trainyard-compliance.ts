import { IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { ControlTowerGuard } from './control-tower-guard';
import { MlOpsChecks } from './mlops-checks';
import { TrainyardValidationError } from '../core/errors';

/**
 * The compliance packs Trainyard can run at synth time.
 */
export enum CompliancePack {
  /** cdk-nag's AWS Solutions pack. */
  AWS_SOLUTIONS = 'AwsSolutions',
  /** cdk-nag's NIST 800-53 revision 5 pack. */
  NIST_800_53_R5 = 'NIST.800.53.R5',
  /** cdk-nag's HIPAA Security pack. */
  HIPAA_SECURITY = 'HIPAA.Security',
  /** The Control Tower proactive controls, evaluated by cfn-guard. */
  CONTROL_TOWER = 'ControlTower',
  /** Trainyard's own ML rules (`MlOpsChecks`): pipelines, training jobs, GPU compute, registries. See RULES.md. */
  MLOPS = 'MlOps',
}

/**
 * Options of `TrainyardCompliance.apply`.
 */
export interface TrainyardComplianceOptions {
  /**
   * The packs to run.
   *
   * @default - every pack in `CompliancePack`
   */
  readonly packs?: CompliancePack[];

  /**
   * Packs to leave out of the default set (ignored for packs not in `packs`).
   *
   * @default - none
   */
  readonly excludePacks?: CompliancePack[];

  /**
   * Further validation plugins to run with the packs, such as an organisation's own cdk-nag pack.
   *
   * @default - none
   */
  readonly additionalPlugins?: IPolicyValidationPlugin[];

  /**
   * Print each rule's explanation with its finding.
   *
   * @default false
   */
  readonly verbose?: boolean;

  /**
   * Control Tower rule files to skip, by file name (for example `ct-s3-pr-1`).
   *
   * @default - none
   */
  readonly disabledControlTowerRules?: string[];
}

/**
 * Compliance enforced at synth: registers the compliance packs as CDK validation plugins on an
 * app (or stage), so `cdk synth` fails on any unacknowledged finding. The default set is cdk-nag's
 * AwsSolutions, NIST 800-53 R5 and HIPAA Security packs, the Control Tower proactive controls and
 * Trainyard's own `MlOpsChecks`.
 */
export class TrainyardCompliance {
  /** Every pack, in the order they run. */
  public static readonly ALL_PACKS: CompliancePack[] = [
    CompliancePack.AWS_SOLUTIONS,
    CompliancePack.NIST_800_53_R5,
    CompliancePack.HIPAA_SECURITY,
    CompliancePack.CONTROL_TOWER,
    CompliancePack.MLOPS,
  ];

  /**
   * Registers the compliance packs on `scope` (an App or a Stage).
   *
   * @returns the packs that were registered
   */
  public static apply(scope: Construct, options: TrainyardComplianceOptions = {}): CompliancePack[] {
    const known = new Set<string>(TrainyardCompliance.ALL_PACKS);
    for (const [prop, list] of [['packs', options.packs], ['excludePacks', options.excludePacks]] as const) {
      for (const pack of list ?? []) {
        if (!known.has(pack)) {
          throw new TrainyardValidationError(
            `TrainyardComplianceOptions.${prop}`,
            `unknown pack '${String(pack)}'. Allowed: ${[...known].join(', ')}.`,
          );
        }
      }
    }
    const excluded = new Set(options.excludePacks ?? []);
    const packs = (options.packs ?? TrainyardCompliance.ALL_PACKS).filter((p) => !excluded.has(p));
    const verbose = options.verbose ?? false;

    const plugins: IPolicyValidationPlugin[] = packs.map((pack) => {
      switch (pack) {
        case CompliancePack.AWS_SOLUTIONS:
          return new AwsSolutionsChecks(scope, { verbose });
        case CompliancePack.NIST_800_53_R5:
          return new NIST80053R5Checks(scope, { verbose });
        case CompliancePack.HIPAA_SECURITY:
          return new HIPAASecurityChecks(scope, { verbose });
        case CompliancePack.CONTROL_TOWER:
          return new ControlTowerGuard({ disabledRules: options.disabledControlTowerRules });
        case CompliancePack.MLOPS:
          return new MlOpsChecks({ verbose });
      }
    });
    Validations.of(scope).addPlugins(...plugins, ...(options.additionalPlugins ?? []));
    return packs;
  }

  private constructor() {}
}
