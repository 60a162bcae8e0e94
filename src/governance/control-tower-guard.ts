import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { controlTowerRules } from '../core/control-tower-rules';

/**
 * Options of the Control Tower proactive-controls check.
 */
export interface ControlTowerGuardProps {
  /**
   * Control Tower rule files to skip, by file name without extension (for example `ct-s3-pr-1`).
   *
   * @default - none
   */
  readonly disabledRules?: string[];

  /**
   * Extra cfn-guard rule files or directories to evaluate alongside the Control Tower rules.
   *
   * @default - none
   */
  readonly additionalRules?: string[];
}

/**
 * The Control Tower proactive controls, evaluated with cfn-guard through
 * `@cdklabs/cdk-validator-cfnguard`, but only the rule files that can apply.
 *
 * Each bundled rule file declares the resource types it reports on. This plugin reads the
 * synthesized templates, keeps the rule files whose resource types occur in them, and hands just
 * those to the cfn-guard validator. The verdicts are identical (a rule file whose types are absent
 * only ever SKIPs) but cfn-guard parses a fraction of the 200+ rule files, which is most of its cost.
 */
export class ControlTowerGuard implements IPolicyValidationPlugin {
  public readonly name = 'cdk-validator-cfnguard';
  public readonly version?: string;
  public readonly ruleIds?: string[];
  private readonly disabledRules: string[];
  private readonly additionalRules: string[];

  constructor(props: ControlTowerGuardProps = {}) {
    this.disabledRules = props.disabledRules ?? [];
    this.additionalRules = props.additionalRules ?? [];
    const all = new CfnGuardValidator({ disabledRules: this.disabledRules });
    this.version = all.version;
    this.ruleIds = all.ruleIds;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const types = new Set<string>();
    for (const templatePath of context.templatePaths) {
      const template = JSON.parse(fs.readFileSync(templatePath, 'utf8'));
      for (const resource of Object.values<any>(template.Resources ?? {})) {
        if (typeof resource?.Type === 'string') types.add(resource.Type);
      }
    }
    const rules = controlTowerRules()
      .filter((rule) => !this.disabledRules.includes(path.parse(rule.file).name))
      .filter((rule) => rule.resourceTypes.size === 0 || [...rule.resourceTypes].some((t) => types.has(t)))
      .map((rule) => rule.file);
    if (rules.length === 0 && this.additionalRules.length === 0) {
      return { success: true, violations: [] };
    }
    const validator = new CfnGuardValidator({
      controlTowerRulesEnabled: false,
      rules: [...rules, ...this.additionalRules],
      // Large multi-team templates produce more cfn-guard output than Node's 1 MB default.
      maxBuffer: 64 * 1024 * 1024,
    });
    return validator.validate(context);
  }
}
