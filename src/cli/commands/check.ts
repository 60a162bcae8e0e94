import * as fs from 'fs';
import * as path from 'path';
import type * as sarif from 'sarif';
import { TrainyardValidationError } from '../../core/errors';
import { ComplianceFinding, ComplianceReport } from '../../governance/compliance-report';
import { oneOf, parseCommandArgs } from '../args';
import { CloudAssemblyView, findLogicalIdLine, readJson } from '../cloud-assembly';
import { CliCommand } from '../io';

/** Output formats of `trainyard check`. */
export const CHECK_FORMATS = ['table', 'markdown', 'sarif'] as const;
/** Which findings make `trainyard check` exit 1. */
export const FAIL_ON = ['error', 'warning', 'none'] as const;

/** A finding's level, as SARIF names it. */
export type FindingLevel = 'error' | 'warning' | 'note';

/** A finding located in the repository, with the rule's help. */
export interface LocatedFinding {
  readonly finding: ComplianceFinding;
  readonly level: FindingLevel;
  /** The template path relative to the repository root (forward slashes), when known. */
  readonly uri?: string;
  /** The logical id, from the report or the assembly's metadata. */
  readonly logicalId?: string;
  /** The template line where the logical id is declared. */
  readonly startLine?: number;
  /** Where the construct was created in the repository's source, from the report's stack trace. */
  readonly source?: { readonly uri: string; readonly line: number; readonly column?: number };
}

/** What a rule says beyond its description: how to fix it and where it is documented. */
interface RuleHelp {
  readonly suggestedFix?: string;
  readonly helpUri?: string;
}

const HELP = `Usage: trainyard check [--cdk-out DIR] [--format table|markdown|sarif] [--fail-on error|warning|none]

Reads the compliance report of a synthesized cloud assembly (cdk.out/validation-report.json, written
when the app uses TrainyardCompliance.apply and @aws-cdk/core:validationReportJson is on) and prints
the unacknowledged findings grouped by rule and construct path, then the acknowledged ones.

Options:
  --cdk-out DIR     the cloud assembly (default: ./cdk.out)
  --format FORMAT   table (default), markdown (a pull-request comment body) or sarif (SARIF 2.1.0 for
                    GitHub code scanning; acknowledged findings become suppressions)
  --fail-on LEVEL   exit 1 when a finding at this level or above remains: warning (default, like the
                    synth gate: any unacknowledged finding), error, or none (always exit 0)
  -h, --help        this help

Template locations are relative to the working directory (run it from the repository root).
`;

/** `trainyard check`: compliance findings of a cloud assembly as a table, Markdown or SARIF. */
export const checkCommand: CliCommand = async (argv, io) => {
  const { values } = parseCommandArgs('check', argv, {
    'cdk-out': { type: 'string' },
    'format': { type: 'string' },
    'fail-on': { type: 'string' },
    'help': { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const format = oneOf('--format', String(values.format ?? 'table'), CHECK_FORMATS);
  const failOn = oneOf('--fail-on', String(values['fail-on'] ?? 'warning'), FAIL_ON);
  const cdkOut = path.resolve(io.cwd, String(values['cdk-out'] ?? 'cdk.out'));

  const view = CloudAssemblyView.open(cdkOut);
  const report = readReport(cdkOut);
  const { help, stackTraces } = readReportExtras(cdkOut);
  const locate = (f: ComplianceFinding) => ({ ...locateFinding(f, view, io.cwd), source: sourceFrame(stackTraces.get(f.constructPath), io.cwd) });
  // A validation plugin that failed to run checked nothing: it is an error finding of its own, so every
  // format shows it and the gate fails on it.
  const pluginFailures: ComplianceFinding[] = report.pluginFailures.map((error) => ({
    plugin: /plugin '([^']+)'/.exec(error)?.[1] ?? 'validation plugin',
    rule: 'ValidationPluginFailed',
    severity: 'error',
    description: error,
    constructPath: '',
    templatePath: '',
    logicalId: '',
  }));
  const findings = [...report.findings, ...pluginFailures].map(locate);
  const acknowledged = report.acknowledged.map(locate);

  switch (format) {
    case 'sarif':
      io.out(JSON.stringify(toSarif(findings, acknowledged, help), undefined, 2) + '\n');
      break;
    case 'markdown':
      io.out(toMarkdown(findings, acknowledged, path.relative(io.cwd, cdkOut) || '.'));
      break;
    default:
      io.out(toTable(findings, acknowledged));
  }
  return failingCount(findings, failOn) > 0 ? 1 : 0;
};

/** How many findings fail the check at `failOn`. */
export function failingCount(findings: LocatedFinding[], failOn: (typeof FAIL_ON)[number]): number {
  if (failOn === 'none') return 0;
  const failing: FindingLevel[] = failOn === 'error' ? ['error'] : ['error', 'warning'];
  return findings.filter((f) => failing.includes(f.level)).length;
}

/**
 * The SARIF level of a plugin's severity. A violation without a severity (cfn-guard gives none)
 * still fails the synth gate, so it is an error.
 */
export function levelOf(severity: string): FindingLevel {
  const s = severity.toLowerCase();
  if (s === 'warning' || s === 'warn') return 'warning';
  if (s === 'info' || s === 'informational' || s === 'note') return 'note';
  return 'error';
}

function readReport(cdkOut: string): ComplianceReport {
  try {
    return ComplianceReport.fromCloudAssembly(cdkOut, true);
  } catch (e) {
    if (e instanceof TrainyardValidationError && e.prop === 'cloudAssemblyDir') {
      throw new TrainyardValidationError('--cdk-out', e.message.replace(/^cloudAssemblyDir: /, ''));
    }
    throw e;
  }
}

/** What the report says beyond ComplianceReport's findings. */
interface ReportExtras {
  /** Suggested fixes and documentation links per rule. */
  readonly help: Map<string, RuleHelp>;
  /** The construct's creation stack trace per construct path. */
  readonly stackTraces: Map<string, string>;
}

/** Suggested fixes, documentation links and stack traces, from the report ComplianceReport read. */
function readReportExtras(cdkOut: string): ReportExtras {
  const help = new Map<string, RuleHelp>();
  const stackTraces = new Map<string, string>();
  const file = ComplianceReport.REPORT_FILES.map((f) => path.join(cdkOut, f)).find((f) => fs.existsSync(f));
  const json = file ? readJson(file) : undefined;
  for (const report of Array.isArray(json?.pluginReports) ? json.pluginReports : []) {
    for (const v of [...asArray(report?.violations), ...asArray(report?.suppressedViolations)]) {
      for (const c of asArray(v?.violatingConstructs)) {
        const trace = asArray(c?.stackTraces).find((t) => typeof t === 'string');
        if (typeof c?.constructPath === 'string' && trace && !stackTraces.has(c.constructPath)) {
          stackTraces.set(c.constructPath, trace);
        }
      }
      const rule = String(v?.ruleName ?? '');
      if (!rule || help.has(rule)) continue;
      const helpUri = v?.ruleMetadata?.DocumentationUrl ?? v?.ruleMetadata?.documentationUrl;
      help.set(rule, {
        suggestedFix: typeof v?.suggestedFix === 'string' ? v.suggestedFix : undefined,
        helpUri: typeof helpUri === 'string' && /^https?:\/\//.test(helpUri) ? helpUri : undefined,
      });
    }
  }
  return { help, stackTraces };
}

/**
 * The first frame of a creation stack trace that is a file under `root` (not a dependency):
 * `name (/repo/src/x.ts:12:7)` -> `{ uri: 'src/x.ts', line: 12, column: 7 }`.
 */
export function sourceFrame(trace: string | undefined, root: string): LocatedFinding['source'] {
  for (const frame of (trace ?? '').split('\n')) {
    const m = /\(?((?:[A-Za-z]:)?[^\s():]+):(\d+):(\d+)\)?\s*$/.exec(frame.trim());
    if (!m || !path.isAbsolute(m[1])) continue;
    const rel = path.relative(root, m[1]);
    if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split(path.sep).includes('node_modules')) continue;
    return { uri: rel.split(path.sep).join('/'), line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

function asArray(x: unknown): any[] {
  return Array.isArray(x) ? x : [];
}

/** Finds a finding's template (relative to `root`), logical id and line. */
export function locateFinding(finding: ComplianceFinding, view: CloudAssemblyView, root: string): LocatedFinding {
  const level = levelOf(finding.severity);
  let file: string | undefined;
  let logicalId: string | undefined = finding.logicalId || undefined;
  if (finding.templatePath) {
    file = path.resolve(view.dir, finding.templatePath);
  }
  // cdk-nag reports only the construct path: the assembly's metadata gives the template and logical id.
  const located = finding.constructPath ? view.locate(finding.constructPath) : undefined;
  if (located && (!file || !logicalId)) {
    file = file ?? located.file;
    logicalId = logicalId ?? located.logicalId;
  }
  // Code scanning shows a result only with a file: fall back to the template of the construct's stack.
  if (!file && finding.constructPath) {
    file = view.templates.find((t) => finding.constructPath.split('/')[0] === t.stackId)?.file;
  }
  if (!file) {
    return { finding, level, logicalId };
  }
  let startLine: number | undefined;
  if (logicalId && fs.existsSync(file)) {
    startLine = findLogicalIdLine(fs.readFileSync(file, 'utf8'), logicalId);
  }
  const uri = path.relative(root, file).split(path.sep).join('/');
  return { finding, level, uri, logicalId, startLine };
}

// ----------------------------------------------------------------------------------------------
// table

function toTable(findings: LocatedFinding[], acknowledged: LocatedFinding[]): string {
  const lines: string[] = [];
  const groups = groupByRule(findings);
  for (const [rule, group] of groups) {
    const f = group[0].finding;
    lines.push(`${rule} (${f.plugin}, ${group[0].level}): ${firstLine(f.description)}`);
    for (const at of uniqueSorted(group.map(where))) {
      lines.push(`  ${at}`);
    }
  }
  if (acknowledged.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push('Acknowledged:');
    for (const [rule, group] of groupByRule(acknowledged)) {
      for (const a of group) {
        lines.push(`  ${rule} at ${a.finding.constructPath || a.logicalId}: ${a.finding.acknowledgedReason || '(no reason given)'}`);
      }
    }
  }
  if (lines.length > 0) lines.push('');
  lines.push(verdict(findings, acknowledged, groups.size));
  return lines.join('\n') + '\n';
}

/** `Stack/Construct/Resource  cdk.out/Stack.template.json:12 (LogicalId)`. */
function where(f: LocatedFinding): string {
  const file = f.uri ? `${f.uri}${f.startLine ? `:${f.startLine}` : ''}` : '';
  const id = f.logicalId ? `(${f.logicalId})` : '';
  const created = f.source ? `, created at ${f.source.uri}:${f.source.line}` : '';
  const at = [file, id].filter(Boolean).join(' ') + created;
  return `${f.finding.constructPath || f.logicalId || '(unknown construct)'}${at ? `  ${at}` : ''}`;
}

function verdict(findings: LocatedFinding[], acknowledged: LocatedFinding[], rules: number): string {
  const failed = findings.length > 0;
  return `${failed ? 'FAILED' : 'PASSED'}: ${findings.length} unacknowledged finding(s)${failed ? ` of ${rules} rule(s)` : ''}, ${acknowledged.length} acknowledged.`;
}

// ----------------------------------------------------------------------------------------------
// markdown

function toMarkdown(findings: LocatedFinding[], acknowledged: LocatedFinding[], assembly: string): string {
  const groups = groupByRule(findings);
  const lines = [
    '## Trainyard compliance check',
    '',
    `${findings.length > 0 ? ':x:' : ':white_check_mark:'} **${verdict(findings, acknowledged, groups.size)}** (\`${assembly}\`)`,
    '',
  ];
  if (findings.length > 0) {
    lines.push('| rule | level | pack | what | where |', '| --- | --- | --- | --- | --- |');
    for (const [rule, group] of groups) {
      const f = group[0].finding;
      const paths = uniqueSorted(group.map((g) => g.finding.constructPath || g.logicalId || '?')).map((p) => `\`${mdCell(p)}\``);
      lines.push(`| \`${mdCell(rule)}\` | ${group[0].level} | ${mdCell(f.plugin)} | ${mdCell(firstLine(f.description))} | ${paths.join('<br>')} |`);
    }
    lines.push('');
    lines.push('Fix the resource, or acknowledge the finding with `Acknowledgements.acknowledge(scope, [{ id, reason }])` where the rule truly does not apply.');
    lines.push('');
  }
  if (acknowledged.length > 0) {
    lines.push(`<details><summary>${acknowledged.length} acknowledged finding(s)</summary>`, '');
    lines.push('| rule | where | reason |', '| --- | --- | --- |');
    for (const a of acknowledged) {
      lines.push(`| \`${mdCell(a.finding.rule)}\` | \`${mdCell(a.finding.constructPath || a.logicalId || '?')}\` | ${mdCell(a.finding.acknowledgedReason || '')} |`);
    }
    lines.push('', '</details>', '');
  }
  return lines.join('\n');
}

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

// ----------------------------------------------------------------------------------------------
// SARIF 2.1.0

/** The SARIF 2.1.0 log of the findings; acknowledged findings are results with a suppression. */
export function toSarif(findings: LocatedFinding[], acknowledged: LocatedFinding[], help: Map<string, RuleHelp> = new Map()): sarif.Log {
  const rules: sarif.ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const ruleFor = (f: LocatedFinding): number => {
    const id = f.finding.rule;
    let index = ruleIndex.get(id);
    if (index === undefined) {
      const h = help.get(id) ?? {};
      const description = f.finding.description.trim() || id;
      const helpText = [description, h.suggestedFix ? `Fix: ${h.suggestedFix}` : undefined,
        'Fix the resource, or acknowledge the finding with Acknowledgements.acknowledge(scope, [{ id, reason }]) where the rule truly does not apply.']
        .filter(Boolean).join('\n\n');
      const rule: sarif.ReportingDescriptor = {
        id,
        shortDescription: { text: firstLine(description) },
        fullDescription: { text: description },
        help: { text: helpText, markdown: helpText },
        defaultConfiguration: { level: f.level },
        properties: { tags: ['compliance', f.finding.plugin] },
      };
      if (h.helpUri) rule.helpUri = h.helpUri;
      index = rules.push(rule) - 1;
      ruleIndex.set(id, index);
    }
    return index;
  };
  const result = (f: LocatedFinding, suppressed: boolean): sarif.Result => {
    const r: sarif.Result = {
      ruleId: f.finding.rule,
      ruleIndex: ruleFor(f),
      level: f.level,
      message: { text: `${firstLine(f.finding.description) || f.finding.rule} (${f.finding.plugin}) at ${f.finding.constructPath || f.logicalId || 'an unknown construct'}` },
      locations: [location(f)],
      ...(f.source ? {
        relatedLocations: [{
          id: 1,
          message: { text: `${f.finding.constructPath} is created here` },
          physicalLocation: {
            artifactLocation: { uri: f.source.uri },
            region: { startLine: f.source.line, ...(f.source.column ? { startColumn: f.source.column } : {}) },
          },
        }],
      } : {}),
      partialFingerprints: { 'trainyard/constructPath': `${f.finding.rule}:${f.finding.constructPath || f.logicalId || ''}` },
    };
    if (suppressed) {
      r.suppressions = [{ kind: 'inSource', status: 'accepted', justification: f.finding.acknowledgedReason || 'acknowledged' }];
    }
    return r;
  };
  const results = [...findings.map((f) => result(f, false)), ...acknowledged.map((f) => result(f, true))];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'trainyard',
          informationUri: 'https://github.com/trainyard/trainyard',
          rules,
        },
      },
      results,
    }],
  };
}

function location(f: LocatedFinding): sarif.Location {
  const loc: sarif.Location = {};
  if (f.uri) {
    loc.physicalLocation = { artifactLocation: { uri: f.uri } };
    if (f.startLine) loc.physicalLocation.region = { startLine: f.startLine };
  }
  const logical: sarif.LogicalLocation[] = [];
  if (f.logicalId) logical.push({ name: f.logicalId, kind: 'resource' });
  if (f.finding.constructPath) logical.push({ fullyQualifiedName: f.finding.constructPath, kind: 'module' });
  if (logical.length > 0) loc.logicalLocations = logical;
  return loc;
}

// ----------------------------------------------------------------------------------------------

function groupByRule(findings: LocatedFinding[]): Map<string, LocatedFinding[]> {
  const groups = new Map<string, LocatedFinding[]>();
  for (const f of [...findings].sort((a, b) => a.finding.rule.localeCompare(b.finding.rule))) {
    const list = groups.get(f.finding.rule) ?? [];
    list.push(f);
    groups.set(f.finding.rule, list);
  }
  return groups;
}

function uniqueSorted(items: string[]): string[] {
  return [...new Set(items)].sort();
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0];
  return line.length > 200 ? line.slice(0, 197) + '...' : line;
}
