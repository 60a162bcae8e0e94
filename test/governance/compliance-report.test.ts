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
    expect(report.summary()).toBe('Acknowledged:\n  AwsSolutions-S1 (AwsSolutions) at S/R/Resource: access-logs bucket\nPASSED: 0 unacknowledged finding(s), 1 acknowledged.');
  });

  test('fails when a plugin failed to run, even with no violation: it checked nothing', () => {
    // GIVEN the shape CDK writes when a validation plugin throws (success false, no violations, the error in metadata)
    const json = {
      pluginReports: [
        { pluginName: 'AwsSolutions', success: true, violations: [] },
        { pluginName: 'cdk-validator-cfnguard', success: false, violations: [], metadata: { error: "Validation plugin 'cdk-validator-cfnguard' failed: Cannot read properties of undefined (reading 'to')" } },
      ],
    };
    // WHEN
    const report = ComplianceReport.fromJson(json);
    // THEN
    expect(report.findings).toEqual([]);
    expect(report.passed).toBe(false);
    expect(report.pluginFailures).toEqual(["Validation plugin 'cdk-validator-cfnguard' failed: Cannot read properties of undefined (reading 'to')"]);
    expect(report.summary()).toBe(
      "  Validation plugin 'cdk-validator-cfnguard' failed: Cannot read properties of undefined (reading 'to')\n" +
        'FAILED: 0 unacknowledged finding(s), 1 plugin(s) failed to run, 0 acknowledged.',
    );
    // A plugin that reports success: false WITH violations is judged by its violations, as before.
    const failedWithViolations = ComplianceReport.fromJson({ pluginReports: [{ pluginName: 'x', success: false, violations: [violation('r')] }] });
    expect(failedWithViolations.pluginFailures).toEqual([]);
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

  describe('acknowledgements recorded in the construct tree (where cdk-nag keeps them)', () => {
    // GIVEN an assembly whose report shows one cfn-guard suppression, and whose stack metadata (and a
    // stage's nested assembly) records three cdk-nag acknowledgements, a cfn-lint one and the cfn-guard one
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-report-'));
    const ack = (data: Record<string, string>) => ({ type: 'aws:cdk:acknowledged-rules', data });
    fs.writeFileSync(path.join(dir, 'validation-report.json'), JSON.stringify({
      pluginReports: [{
        pluginName: 'cdk-validator-cfnguard',
        violations: [],
        suppressedViolations: [{ ...violation('lambda_inside_vpc_check', 'error'), violatingConstructs: [{ constructPath: 'S/Provider/Handler' }], reason: 'deploy-time handler' }],
      }],
    }));
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      artifacts: {
        S: { type: 'aws:cloudformation:stack', properties: { templateFile: 'S.template.json' }, additionalMetadataFile: 'S.metadata.json' },
        Dev: { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Dev' } },
      },
    }));
    fs.writeFileSync(path.join(dir, 'S.metadata.json'), JSON.stringify({
      '/S': [ack({ 'CloudFormation-Validate::W3010': 'literal AZs are expected' })],
      '/S/Provider': [ack({ 'cdk-validator-cfnguard::lambda_inside_vpc_check': 'deploy-time handler' })],
      '/S/Bucket/Resource': [
        { type: 'aws:cdk:logicalId', data: 'Bucket1' },
        ack({ 'Annotation::AwsSolutions-S1': 'access-logs bucket', 'Annotation::NIST.800.53.R5-S3BucketLoggingEnabled': 'access-logs bucket' }),
      ],
    }));
    fs.mkdirSync(path.join(dir, 'assembly-Dev'));
    fs.writeFileSync(path.join(dir, 'assembly-Dev', 'manifest.json'), JSON.stringify({
      artifacts: { 'Dev-S': { type: 'aws:cloudformation:stack', properties: { templateFile: 'Dev-S.template.json' }, metadata: { '/Dev/S/Role': [ack({ 'Annotation::AwsSolutions-IAM5[Resource::*]': 'no resource-level permissions' })] } } },
    }));
    const report = ComplianceReport.fromCloudAssembly(dir, true);

    test('lists every one with rule, resource and reason, stage assemblies included', () => {
      expect(report.acknowledged.map((a) => [a.plugin, a.rule, a.constructPath, a.acknowledgedReason])).toEqual(expect.arrayContaining([
        ['cdk-validator-cfnguard', 'lambda_inside_vpc_check', 'S/Provider/Handler', 'deploy-time handler'],
        ['CloudFormation-Validate', 'W3010', 'S', 'literal AZs are expected'],
        ['AwsSolutions', 'AwsSolutions-S1', 'S/Bucket/Resource', 'access-logs bucket'],
        ['NIST.800.53.R5', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'S/Bucket/Resource', 'access-logs bucket'],
        ['AwsSolutions', 'AwsSolutions-IAM5[Resource::*]', 'Dev/S/Role', 'no resource-level permissions'],
      ]));
      expect(report.acknowledged.find((a) => a.rule === 'AwsSolutions-S1')).toMatchObject({ logicalId: 'Bucket1', templatePath: 'S.template.json' });
    });

    test('counts the cfn-guard acknowledgement the report already shows once', () => {
      expect(report.acknowledged).toHaveLength(5);
      expect(report.summary()).toMatch(/\nPASSED: 0 unacknowledged finding\(s\), 5 acknowledged\.$/);
      expect(report.summary()).toContain('\n  AwsSolutions-IAM5[Resource::*] (AwsSolutions) at Dev/S/Role: no resource-level permissions\n');
    });
  });
});
