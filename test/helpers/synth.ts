import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ComplianceReport } from '../../src/governance/compliance-report';
import { TrainyardCompliance, TrainyardComplianceOptions } from '../../src/governance/trainyard-compliance';

const CDK_JSON = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));

/** The context of cdk.json (feature flags included), so tests synthesize exactly what `cdk synth` does. */
export function cdkJsonContext(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...CDK_JSON.context, ...extra };
}

/** A new App with cdk.json's context, writing to a fresh temporary directory. */
export function newApp(context: Record<string, unknown> = {}): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-test-'));
  return new App({ outdir, context: cdkJsonContext(context) });
}

/** The result of synthesizing an app once with every compliance pack: templates and the compliance report. */
export interface SynthResult {
  readonly app: App;
  readonly report: ComplianceReport;
  template(stack: Stack): Template;
}

/**
 * Synthesizes `app` once with the compliance packs applied (all by default) and returns the
 * compliance report read from the cloud assembly. Build the app's stacks in `build`.
 */
export function synthWithCompliance(
  build: (app: App) => void,
  options: { context?: Record<string, unknown>; compliance?: TrainyardComplianceOptions } = {},
): SynthResult {
  const app = newApp(options.context);
  TrainyardCompliance.apply(app, options.compliance);
  build(app);
  const assembly = app.synth();
  const report = ComplianceReport.fromCloudAssembly(assembly.directory, true);
  return {
    app,
    report,
    template: (stack: Stack) => Template.fromJSON(JSON.parse(fs.readFileSync(path.join(assembly.directory, stack.templateFile), 'utf8'))),
  };
}

/** Formats unacknowledged findings for a readable assertion failure. */
export function describeFindings(report: ComplianceReport): string[] {
  return report.findings.map((f) => `${f.rule} at ${f.constructPath}`);
}
