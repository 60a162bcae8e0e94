import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Acknowledgements } from '../../src/core/acknowledgements';
import { TrainyardValidationError } from '../../src/core/errors';
import { CompliancePack, TrainyardCompliance } from '../../src/governance/trainyard-compliance';
import { newApp, synthWithCompliance } from '../helpers/synth';

/** Keep the report instead of throwing, so a test can look at the findings of a non-compliant app. */
const REPORT_ONLY = { '@aws-cdk/core:failSynthOnValidationErrors': false };

describe('TrainyardCompliance on a deliberately non-compliant bucket', () => {
  // GIVEN a bare bucket (no logging, no KMS, no SSL-only policy, no versioning), synthesized once
  const result = synthWithCompliance((app) => {
    const stack = new Stack(app, 'Bad');
    new s3.Bucket(stack, 'Plain');
  }, { context: REPORT_ONLY });
  const rules = new Set(result.report.findings.map((f) => f.rule));

  test('every pack reports it', () => {
    const plugins = new Set(result.report.findings.map((f) => f.plugin));
    expect([...plugins].sort()).toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'cdk-validator-cfnguard']);
    expect(result.report.passed).toBe(false);
  });

  test('AwsSolutions reports the missing access logs and SSL-only policy', () => {
    expect(rules).toContain('AwsSolutions-S1');
    expect(rules).toContain('AwsSolutions-S10');
  });

  test('NIST 800-53 R5 and HIPAA report the missing versioning and KMS encryption', () => {
    expect(rules).toContain('NIST.800.53.R5-S3BucketVersioningEnabled');
    expect(rules).toContain('NIST.800.53.R5-S3DefaultEncryptionKMS');
    expect(rules).toContain('HIPAA.Security-S3BucketVersioningEnabled');
  });

  test('the Control Tower rules report the missing logging, named by cfn-guard rule', () => {
    expect(rules).toContain('s3_bucket_logging_enabled_check');
    const ct = result.report.findings.find((f) => f.rule === 's3_bucket_logging_enabled_check')!;
    expect(ct.description).toMatch(/CT\.S3\.PR\.2/);
    expect(ct.constructPath).toBe('Bad/Plain/Resource');
    expect(ct.templatePath).toMatch(/Bad\.template\.json$/);
  });

  test('the summary names each finding and the verdict', () => {
    expect(result.report.summary()).toMatch(/AwsSolutions-S1 \(AwsSolutions\) at Bad\/Plain\/Resource/);
    expect(result.report.summary()).toMatch(/^FAILED: \d+ unacknowledged finding\(s\)/m);
  });
});

describe('acknowledgements', () => {
  // GIVEN the same bucket, with two findings acknowledged through the one helper, and only two packs
  const result = synthWithCompliance((app) => {
    const stack = new Stack(app, 'Acked');
    const bucket = new s3.Bucket(stack, 'Plain');
    Acknowledgements.acknowledge(bucket, [
      { id: 'AwsSolutions-S1', reason: 'Test fixture: access logging is out of scope here.' },
      { id: 'CT.S3.PR.2', reason: 'Test fixture: access logging is out of scope here.' },
    ]);
  }, { context: REPORT_ONLY, compliance: { packs: [CompliancePack.AWS_SOLUTIONS, CompliancePack.CONTROL_TOWER] } });
  const rules = result.report.findings.map((f) => f.rule);

  test('an acknowledged cdk-nag finding is no longer reported, others remain', () => {
    expect(rules).not.toContain('AwsSolutions-S1');
    expect(rules).toContain('AwsSolutions-S10');
  });

  test('a Control Tower control is acknowledged by its CT id and listed with its reason', () => {
    expect(rules).not.toContain('s3_bucket_logging_enabled_check');
    expect(result.report.acknowledged).toEqual(expect.arrayContaining([
      expect.objectContaining({ rule: 's3_bucket_logging_enabled_check', acknowledgedReason: 'Test fixture: access logging is out of scope here.' }),
    ]));
  });

  test('only the selected packs run', () => {
    const plugins = new Set(result.report.findings.map((f) => f.plugin));
    expect([...plugins].sort()).toEqual(['AwsSolutions', 'cdk-validator-cfnguard']);
  });

  test('a reason under 10 characters is rejected', () => {
    const stack = new Stack(newApp(), 'S');
    expect(() => Acknowledgements.acknowledge(stack, [{ id: 'AwsSolutions-S1', reason: 'because' }]))
      .toThrow(/ComplianceAcknowledgement\.reason: acknowledging AwsSolutions-S1 at S needs a reason of at least 10 characters/);
  });

  test('an empty id and an unknown Control Tower control are rejected', () => {
    const stack = new Stack(newApp(), 'S');
    expect(() => Acknowledgements.acknowledge(stack, [{ id: ' ', reason: 'a long enough reason' }])).toThrow(TrainyardValidationError);
    expect(() => Acknowledgements.acknowledge(stack, [{ id: 'CT.S3.PR.99', reason: 'a long enough reason' }]))
      .toThrow(/CT\.S3\.PR\.99 is not a Control Tower control/);
  });
});

describe('TrainyardCompliance options', () => {
  test('excludePacks drops a pack from the default set', () => {
    const packs = TrainyardCompliance.apply(newApp(), { excludePacks: [CompliancePack.HIPAA_SECURITY] });
    expect(packs).toEqual([CompliancePack.AWS_SOLUTIONS, CompliancePack.NIST_800_53_R5, CompliancePack.CONTROL_TOWER, CompliancePack.MLOPS]);
  });

  test('an unknown pack is rejected, listing the allowed ones', () => {
    expect(() => TrainyardCompliance.apply(newApp(), { packs: ['PCI' as any] }))
      .toThrow(/TrainyardComplianceOptions\.packs: unknown pack 'PCI'\. Allowed: AwsSolutions, NIST\.800\.53\.R5, HIPAA\.Security, ControlTower, MlOps\./);
  });
});
