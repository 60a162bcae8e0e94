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
 *
 * Read from a cloud assembly, its acknowledged findings are every acknowledgement the assembly
 * holds: the suppressed violations of the report, and the acknowledgements recorded in the
 * construct tree (`aws:cdk:acknowledged-rules` metadata of every stack, stage assemblies included),
 * where cdk-nag's acknowledgements live and which never reach the report. A tree acknowledgement
 * that a suppressed violation of the report already shows (same rule, on the resource or an
 * ancestor) is listed once, as that violation.
 */
export class ComplianceReport {
  /** The file CDK writes when `@aws-cdk/core:validationReportJson` is on. */
  public static readonly REPORT_FILES = ['validation-report.json', 'policy-validation-report.json'];

  /** The construct metadata type under which CDK records acknowledged rules (`Validations.of(scope).acknowledge`). */
  public static readonly ACKNOWLEDGED_RULES_METADATA = 'aws:cdk:acknowledged-rules';

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
    if (!file && requireReport) {
      throw new TrainyardValidationError(
        'cloudAssemblyDir',
        `${cloudAssemblyDir} has no validation report. Synthesize with TrainyardCompliance.apply(app) and the context flag @aws-cdk/core:validationReportJson=true.`,
      );
    }
    const report = file ? ComplianceReport.fromJson(readJsonFile(file), file) : new ComplianceReport([], []);
    const tree = treeAcknowledgements(cloudAssemblyDir, cloudAssemblyDir, 0);
    // A tree acknowledgement that a suppressed violation of the report shows is listed once, as that violation.
    // (The tree spells the plugin's name with dashes for spaces: `CloudFormation-Validate::W3010`.)
    const shown = (t: ComplianceFinding) => report.acknowledged.some((r) => r.rule === t.rule
      && (t.plugin === r.plugin.replace(/\s+/g, '-') || t.plugin === cdkNagPackOf(t.rule))
      && (r.constructPath === t.constructPath || r.constructPath.startsWith(`${t.constructPath}/`)));
    return new ComplianceReport(report.findings, [...report.acknowledged, ...tree.filter((t) => !shown(t))], report.pluginFailures);
  }

  /** Parses a validation report that was already loaded. `source` names it in errors. */
  public static fromJson(json: any, source: string = 'validation report'): ComplianceReport {
    if (!json || typeof json !== 'object' || !Array.isArray(json.pluginReports)) {
      throw new TrainyardValidationError(source, 'is not a CDK validation report: it has no pluginReports list.');
    }
    const findings: ComplianceFinding[] = [];
    const acknowledged: ComplianceFinding[] = [];
    const pluginFailures: string[] = [];
    for (const report of json.pluginReports) {
      const plugin = String(report?.pluginName ?? 'unknown');
      // A plugin that threw is reported by CDK as `success: false` with no violations and the error in
      // `metadata.error`; CDK may still print "success" elsewhere and exit 0. It checked nothing, so the
      // verdict cannot pass.
      const noViolations = !Array.isArray(report?.violations) || report.violations.length === 0;
      if (report?.success === false && noViolations) {
        pluginFailures.push(String(report?.metadata?.error ?? `Validation plugin '${plugin}' failed without saying why.`));
      }
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
    return new ComplianceReport(findings, acknowledged, pluginFailures);
  }

  /**
   * @param findings unacknowledged findings
   * @param acknowledged acknowledged findings, with their reasons
   * @param pluginFailures the errors of validation plugins that failed to run (and so checked nothing)
   */
  constructor(
    public readonly findings: ComplianceFinding[],
    public readonly acknowledged: ComplianceFinding[],
    public readonly pluginFailures: string[] = [],
  ) {}

  /**
   * True when no finding is left unacknowledged, whatever severity the plugin gave it, and every
   * plugin ran: a plugin that failed checked nothing.
   */
  public get passed(): boolean {
    return this.findings.length === 0 && this.pluginFailures.length === 0;
  }

  /**
   * A short human summary: one line per unacknowledged finding, then every acknowledgement (rule,
   * resource and reason), then the totals.
   */
  public summary(): string {
    const lines = this.findings.map((f) => `  ${f.rule} (${f.plugin}) at ${f.constructPath || f.logicalId}: ${firstLine(f.description)}`);
    if (this.acknowledged.length > 0) {
      lines.push('Acknowledged:');
      const sorted = [...this.acknowledged].sort((a, b) => a.rule.localeCompare(b.rule) || a.constructPath.localeCompare(b.constructPath));
      lines.push(...sorted.map((a) => `  ${a.rule} (${a.plugin}) at ${a.constructPath || a.logicalId}: ${firstLine(a.acknowledgedReason ?? '')}`));
    }
    lines.push(...this.pluginFailures.map((error) => `  ${firstLine(error)}`));
    const failures = this.pluginFailures.length > 0 ? `, ${this.pluginFailures.length} plugin(s) failed to run` : '';
    lines.push(
      `${this.passed ? 'PASSED' : 'FAILED'}: ${this.findings.length} unacknowledged finding(s)${failures}, ${this.acknowledged.length} acknowledged.`,
    );
    return lines.join('\n');
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 160 ? line.slice(0, 157) + '...' : line;
}

function readJsonFile(file: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TrainyardValidationError(file, `is not valid JSON (${(e as Error).message}). Was the synth interrupted? Run it again.`);
  }
}

/** The cdk-nag pack of a rule id (`NIST.800.53.R5-IAMNoInlinePolicy` -> `NIST.800.53.R5`). */
function cdkNagPackOf(rule: string): string {
  return rule.split('-')[0];
}

/**
 * Every acknowledgement recorded in the construct tree of the assembly in `dir` and its nested
 * (stage) assemblies: one finding per construct path and acknowledged id, with its reason. An id
 * is `<source>::<rule>`: `Annotation::AwsSolutions-IAM5[Resource::*]` (cdk-nag: the pack is the
 * rule's prefix), `cdk-validator-cfnguard::<rule>`, `CloudFormation-Validate::<rule>`.
 */
function treeAcknowledgements(dir: string, root: string, depth: number): ComplianceFinding[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile) || depth > 10) return [];
  const manifest = readJsonFile(manifestFile);
  const out = new Map<string, ComplianceFinding>();
  for (const artifact of Object.values<any>(manifest?.artifacts ?? {})) {
    if (artifact?.type === 'cdk:cloud-assembly' && typeof artifact.properties?.directoryName === 'string') {
      const nested = path.join(dir, artifact.properties.directoryName);
      treeAcknowledgements(nested, root, depth + 1).forEach((f) => out.set(`${f.constructPath}\0${f.plugin}::${f.rule}`, f));
      continue;
    }
    if (artifact?.type !== 'aws:cloudformation:stack') continue;
    let metadata: Record<string, any[]> = { ...(artifact.metadata ?? {}) };
    const extra = typeof artifact.additionalMetadataFile === 'string' ? path.join(dir, artifact.additionalMetadataFile) : undefined;
    if (extra && fs.existsSync(extra)) {
      const more = readJsonFile(extra) ?? {};
      for (const [p, entries] of Object.entries<any[]>(more)) metadata[p] = [...(metadata[p] ?? []), ...(Array.isArray(entries) ? entries : [])];
    }
    const templatePath = typeof artifact.properties?.templateFile === 'string'
      ? path.relative(root, path.join(dir, artifact.properties.templateFile)).split(path.sep).join('/')
      : '';
    for (const [metadataPath, entries] of Object.entries<any[]>(metadata)) {
      const list = Array.isArray(entries) ? entries : [];
      const logicalId = list.find((e) => e?.type === 'aws:cdk:logicalId' && typeof e.data === 'string')?.data ?? '';
      const constructPath = metadataPath.replace(/^\//, '');
      for (const entry of list) {
        if (entry?.type !== ComplianceReport.ACKNOWLEDGED_RULES_METADATA || !entry.data || typeof entry.data !== 'object') continue;
        for (const [id, reason] of Object.entries<unknown>(entry.data)) {
          const sep = id.indexOf('::');
          const source = sep >= 0 ? id.slice(0, sep) : '';
          const rule = sep >= 0 ? id.slice(sep + 2) : id;
          const plugin = source === 'Annotation' || source === '' ? cdkNagPackOf(rule) : source;
          out.set(`${constructPath}\0${plugin}::${rule}`, {
            plugin,
            rule,
            severity: '',
            description: '',
            constructPath,
            templatePath: logicalId ? templatePath : '',
            logicalId,
            acknowledgedReason: typeof reason === 'string' ? reason : String(reason ?? ''),
          });
        }
      }
    }
  }
  return [...out.values()];
}
