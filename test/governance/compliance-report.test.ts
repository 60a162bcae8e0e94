import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ComplianceReport } from '../../src/governance/compliance-report';

function assemblyWith(file: string, content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-report-'));
  fs.writeFileSync(path.join(dir, file), content);
  return dir;
}

const violation = (rule: string, severity?: string) => ({
  ruleName: rule,
  description: `${rule} description`,
  severity,
  violatingConstructs: [{ constructPath: 'S/R/Resource', cloudFormationResource: { templatePath: 'S.template.json', logicalId: 'R1' } }],
});

describe('ComplianceReport', () => {
  test('counts a violation as a failure even when the plugin says success and gives no severity', () => {
    // GIVEN the shape CDK writes when cfn-guard reports success with a remaining violation
    const json = {
      pluginReports: [{ pluginName: 'cdk-validator-cfnguard', conclusion: 'success', violations: [violation('s3_check')] }],
    };
    // WHEN
    const report = ComplianceReport.fromJson(json);
    // THEN
    expect(report.passed).toBe(false);
    expect(report.findings).toEqual([expect.objectContaining({ rule: 's3_check', severity: '', logicalId: 'R1', constructPath: 'S/R/Resource' })]);
  });

  test('lists acknowledged findings with their reasons and passes when nothing else remains', () => {
    const json = {
      pluginReports: [{
        pluginName: 'AwsSolutions',
        conclusion: 'success',
        violations: [],
        suppressedViolations: [{ ...violation('AwsSolutions-S1', 'error'), reason: 'access-logs bucket' }],
      }],
    };
    const report = ComplianceReport.fromJson(json);
    expect(report.passed).toBe(true);
    expect(report.acknowledged[0].acknowledgedReason).toBe('access-logs bucket');
    expect(report.summary()).toBe('PASSED: 0 unacknowledged finding(s), 1 acknowledged.');
  });

  test('reads validation-report.json from a cloud assembly', () => {
    const dir = assemblyWith('validation-report.json', JSON.stringify({ pluginReports: [{ pluginName: 'X', violations: [violation('r', 'warning')] }] }));
    expect(ComplianceReport.fromCloudAssembly(dir).findings).toHaveLength(1);
  });

  test('rejects a missing cloud assembly with a one-line hint', () => {
    expect(() => ComplianceReport.fromCloudAssembly('/nonexistent/cdk.out')).toThrow(/cloudAssemblyDir: \/nonexistent\/cdk.out is not a directory: run 'npx cdk synth' first/);
  });

  test('rejects an assembly without a report when one is required', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-report-'));
    expect(ComplianceReport.fromCloudAssembly(dir).passed).toBe(true);
    expect(() => ComplianceReport.fromCloudAssembly(dir, true)).toThrow(/has no validation report/);
  });

  test('rejects truncated JSON and a report from another tool', () => {
    const truncated = assemblyWith('validation-report.json', '{"pluginReports": [{"pluginName"');
    expect(() => ComplianceReport.fromCloudAssembly(truncated)).toThrow(/is not valid JSON/);
    const foreign = assemblyWith('validation-report.json', JSON.stringify({ runs: [] }));
    expect(() => ComplianceReport.fromCloudAssembly(foreign)).toThrow(/is not a CDK validation report/);
  });
});
