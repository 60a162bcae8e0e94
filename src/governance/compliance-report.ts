import * as fs from 'fs';
import * as path from 'path';
import { TrainyardValidationError } from '../core/errors';

/**
 * One compliance finding on one resource, read from the cloud assembly's validation report.
 */
export interface ComplianceFinding {
  /** The plugin that reported it, for example `AwsSolutions` or `cdk-validator-cfnguard`. */
  readonly plugin: string;
  /** The rule id, for example `AwsSolutions-S1`. */
  readonly rule: string;
  /** The severity the plugin gave, `error` or `warning` (an empty string when it gave none). */
  readonly severity: string;
  /** What the rule checks. */
  readonly description: string;
  /** The construct path of the violating resource. */
  readonly constructPath: string;
  /** The template the resource is in, relative to the cloud assembly. */
  readonly templatePath: string;
  /** The logical id of the resource. */
  readonly logicalId: string;
  /** For an acknowledged finding, the reason given. */
  readonly acknowledgedReason?: string;
}

/**
 * The compliance outcome of one synthesized cloud assembly.
 *
 * It counts the violations listed in `validation-report.json` rather than trusting each plugin's
 * `success` flag: CDK can mark a plugin successful, and synth exit 0, while an unacknowledged
 * violation without a severity (cfn-guard reports none) remains.
 */
export class ComplianceReport {
  /** The file CDK writes when `@aws-cdk/core:validationReportJson` is on. */
  public static readonly REPORT_FILES = ['validation-report.json', 'policy-validation-report.json'];

  /**
   * Reads the validation report of the cloud assembly in `cloudAssemblyDir` (`cdk.out`).
   * A missing report means no plugin found anything: CDK writes one only when there is something to report
   * or a plugin ran, so pass `requireReport` to insist on it.
   */
  public static fromCloudAssembly(cloudAssemblyDir: string, requireReport: boolean = false): ComplianceReport {
    if (!fs.existsSync(cloudAssemblyDir) || !fs.statSync(cloudAssemblyDir).isDirectory()) {
      throw new TrainyardValidationError('cloudAssemblyDir', `${cloudAssemblyDir} is not a directory: run 'npx cdk synth' first.`);
    }
    const file = ComplianceReport.REPORT_FILES.map((f) => path.join(cloudAssemblyDir, f)).find((f) => fs.existsSync(f));
    if (!file) {
      if (requireReport) {
        throw new TrainyardValidationError(
          'cloudAssemblyDir',
          `${cloudAssemblyDir} has no validation report. Synthesize with TrainyardCompliance.apply(app) and the context flag @aws-cdk/core:validationReportJson=true.`,
        );
      }
      return new ComplianceReport([], []);
    }
    let json: any;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new TrainyardValidationError(file, `is not valid JSON (${(e as Error).message}). Was the synth interrupted? Run it again.`);
    }
    return ComplianceReport.fromJson(json, file);
  }

  /** Parses a validation report that was already loaded. `source` names it in errors. */
  public static fromJson(json: any, source: string = 'validation report'): ComplianceReport {
    if (!json || typeof json !== 'object' || !Array.isArray(json.pluginReports)) {
      throw new TrainyardValidationError(source, 'is not a CDK validation report: it has no pluginReports list.');
    }
    const findings: ComplianceFinding[] = [];
    const acknowledged: ComplianceFinding[] = [];
    for (const report of json.pluginReports) {
      const plugin = String(report?.pluginName ?? 'unknown');
      const collect = (violations: any, into: ComplianceFinding[], isAck: boolean) => {
        for (const v of Array.isArray(violations) ? violations : []) {
          for (const c of Array.isArray(v?.violatingConstructs) ? v.violatingConstructs : []) {
            into.push({
              plugin,
              rule: String(v.ruleName ?? 'unknown'),
              severity: String(v.severity ?? ''),
              description: String(v.description ?? ''),
              constructPath: String(c?.constructPath ?? ''),
              templatePath: String(c?.cloudFormationResource?.templatePath ?? ''),
              logicalId: String(c?.cloudFormationResource?.logicalId ?? ''),
              acknowledgedReason: isAck ? String(v.reason ?? v.acknowledgement?.reason ?? '') : undefined,
            });
          }
        }
      };
      collect(report.violations, findings, false);
      collect(report.suppressedViolations, acknowledged, true);
    }
    return new ComplianceReport(findings, acknowledged);
  }

  /**
   * @param findings unacknowledged findings
   * @param acknowledged acknowledged findings, with their reasons
   */
  constructor(public readonly findings: ComplianceFinding[], public readonly acknowledged: ComplianceFinding[]) {}

  /** True when no finding is left unacknowledged, whatever severity the plugin gave it. */
  public get passed(): boolean {
    return this.findings.length === 0;
  }

  /** A short human summary: one line per unacknowledged finding, then the totals. */
  public summary(): string {
    const lines = this.findings.map((f) => `  ${f.rule} (${f.plugin}) at ${f.constructPath || f.logicalId}: ${firstLine(f.description)}`);
    lines.push(
      `${this.passed ? 'PASSED' : 'FAILED'}: ${this.findings.length} unacknowledged finding(s), ${this.acknowledged.length} acknowledged.`,
    );
    return lines.join('\n');
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 160 ? line.slice(0, 157) + '...' : line;
}
