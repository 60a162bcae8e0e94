import { App } from 'aws-cdk-lib';
import { buildTemplate } from './catalog';
import { ComplianceReport } from '../src/governance/compliance-report';
import { CompliancePack, TrainyardCompliance } from '../src/governance/trainyard-compliance';

/** What synthesizing a template produced. */
export interface TemplateSynthesis {
  readonly packs: CompliancePack[];
  readonly report: ComplianceReport;
  readonly assemblyDir: string;
}

/**
 * Builds the template chosen by `-c template` into `app` with every compliance pack, synthesizes it
 * and reads the compliance report. main.ts and the tests both go through here.
 */
export function synthesizeTemplate(app: App): TemplateSynthesis {
  const packs = TrainyardCompliance.apply(app);
  buildTemplate(app);
  const assembly = app.synth();
  const report = ComplianceReport.fromCloudAssembly(assembly.directory, true);
  return { packs, report, assemblyDir: assembly.directory };
}
