import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PlatformAuditTrail } from '../../src/governance/platform-audit-trail';
import { MlPlatform } from '../../src/platform/ml-platform';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

describe('PlatformAuditTrail on the platform', () => {
  // GIVEN the platform with its audit trail, synthesized once with every pack
  let stack!: Stack;
  let audit!: PlatformAuditTrail;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Audited');
    const platform = new MlPlatform(stack, 'Platform');
    audit = new PlatformAuditTrail(stack, 'Audit', { platform });
  });
  const template = result.template(stack);
  const id = (c: any) => stack.resolve(c.node.defaultChild.logicalId);

  test('synthesizes with zero unacknowledged findings from every pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('validates log files, encrypts them with its key and sends a copy to CloudWatch Logs', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      EnableLogFileValidation: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      KMSKeyId: { 'Fn::GetAtt': [id(audit.encryptionKey), 'Arn'] },
      S3BucketName: { Ref: id(audit.bucket) },
      CloudWatchLogsLogGroupArn: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [id(audit.encryptionKey), 'Arn'] }, RetentionInDays: 365 });
  });

  test('records data events of the datasets and artifacts buckets', () => {
    const trail = Object.values<any>(template.findResources('AWS::CloudTrail::Trail'))[0].Properties;
    expect(trail.EventSelectors).toHaveLength(1);
    const [selector] = trail.EventSelectors;
    const values = selector.DataResources[0].Values;
    expect([selector.ReadWriteType, selector.IncludeManagementEvents, selector.DataResources[0].Type]).toEqual(['All', true, 'AWS::S3::Object']);
    expect(values).toHaveLength(2);
    expect(JSON.stringify(values)).toMatch(/DatasetsBucket/);
    expect(JSON.stringify(values)).toMatch(/ArtifactsBucket/);
  });

  test('delivers to a retained, versioned, Object-Locked, access-logged, KMS-encrypted bucket', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'audit-trail/' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })] },
      }),
    });
  });

  test('the trail bucket accepts only TLS requests', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(audit.bucket) },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the key lets CloudTrail encrypt log files of this account\'s trails and CloudWatch Logs encrypt the log group', () => {
    const key = template.findResources('AWS::KMS::Key')[id(audit.encryptionKey)];
    const sids = key.Properties.KeyPolicy.Statement.map((s: any) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(['AllowCloudTrailToEncryptLogs', 'AllowCloudTrailToDescribeKey', 'AllowCloudWatchLogsForTheTrailLogGroup', 'DenyCreateGrantExceptForAwsServices']));
    const encrypt = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'AllowCloudTrailToEncryptLogs');
    expect([encrypt.Principal, encrypt.Action]).toEqual([{ Service: 'cloudtrail.amazonaws.com' }, 'kms:GenerateDataKey*']);
  });

  test('retains the key and the log group', () => {
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true, Description: Match.stringLikeRegexp('audit trail') }) });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
  });
});

describe('PlatformAuditTrail in its own stack, the platform in another', () => {
  // GIVEN the audit trail in a governance stack that imports the platform's access-logs bucket
  let auditStack!: Stack;
  const result = synthWithCompliance((app) => {
    const platform = new MlPlatform(new Stack(app, 'Platform'), 'Platform');
    auditStack = new Stack(app, 'Audit');
    new PlatformAuditTrail(auditStack, 'Audit', { platform });
  });

  test('synthesizes with zero unacknowledged findings: the cross-stack log destination is acknowledged, and logging is set', () => {
    expect(describeFindings(result.report)).toEqual([]);
    // Every acknowledgement on the trail: the report's (Control Tower) and the construct tree's (cdk-nag).
    expect(result.report.acknowledged.filter((f) => f.constructPath.startsWith('Audit/')).map((f) => f.rule).sort())
      .toEqual(['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 's3_bucket_logging_enabled_check']);
    result.template(auditStack).hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { 'Fn::ImportValue': Match.stringLikeRegexp('AccessLogs') }, LogFilePrefix: 'audit-trail/' },
    });
  });
});

describe('PlatformAuditTrail bad input', () => {
  test('needs an access-logs bucket without a platform, and refuses both', () => {
    const stack = new Stack(newApp(), 'S');
    expect(() => new PlatformAuditTrail(stack, 'A')).toThrow(/PlatformAuditTrail\.accessLogsBucket: is required without PlatformAuditTrail\.platform/);
    const platform = new MlPlatform(stack, 'Platform');
    const other = s3.Bucket.fromBucketName(stack, 'Logs', 'logs');
    expect(() => new PlatformAuditTrail(stack, 'B', { platform, accessLogsBucket: other })).toThrow(/accessLogsBucket: cannot be combined with PlatformAuditTrail\.platform/);
  });

  test('rejects a retention that is not whole days', () => {
    const stack = new Stack(newApp(), 'S');
    const logsBucket = s3.Bucket.fromBucketName(stack, 'Logs', 'logs');
    expect(() => new PlatformAuditTrail(stack, 'A', { accessLogsBucket: logsBucket, objectLockRetention: Duration.hours(36) }))
      .toThrow(/PlatformAuditTrail\.objectLockRetention \(days\): must be a whole number/);
  });

  test('rejects a log retention and a removal policy CDK does not know (found by the property tests)', () => {
    const stack = new Stack(newApp(), 'S');
    const logsBucket = s3.Bucket.fromBucketName(stack, 'Logs', 'logs');
    expect(() => new PlatformAuditTrail(stack, 'A', { accessLogsBucket: logsBucket, cloudWatchLogsRetention: 0 as logs.RetentionDays }))
      .toThrow(/PlatformAuditTrail\.cloudWatchLogsRetention: must be a logs\.RetentionDays/);
    expect(() => new PlatformAuditTrail(stack, 'B', { accessLogsBucket: logsBucket, removalPolicy: 'delete' as RemovalPolicy }))
      .toThrow(/PlatformAuditTrail\.removalPolicy: must be a RemovalPolicy/);
  });
});
