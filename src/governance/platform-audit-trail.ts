import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Acknowledgements } from '../core/acknowledgements';
import { TrainyardValidationError } from '../core/errors';
import { AcknowledgementCatalogue } from '../core/private/acknowledgement-catalogue';
import { acknowledgeCrossStackAccessLogs, enableEventBridgeNotifications, secureBucketProps } from '../core/secure-bucket';
import { TrainyardKey } from '../core/trainyard-key';
import { requireIntegerInRange, requireRemovalPolicy, requireRetentionDays, requireWholeDays } from '../core/validate';
import { IMlPlatform } from '../platform/ml-platform';

/**
 * Properties of `PlatformAuditTrail`.
 */
export interface PlatformAuditTrailProps {
  /**
   * The platform whose datasets and artifacts buckets get data events, and whose access-logs
   * bucket receives the trail bucket's server access logs.
   *
   * @default - give `accessLogsBucket` (and `dataEventBuckets`) instead
   */
  readonly platform?: IMlPlatform;

  /**
   * Where the trail bucket's S3 server access logs go. Cannot be combined with `platform`.
   *
   * @default - the platform's access-logs bucket
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * Buckets whose object-level operations (reads and writes) are recorded as data events.
   * Cannot be combined with `platform`.
   *
   * @default - the platform's datasets and artifacts buckets, or none without `platform`
   */
  readonly dataEventBuckets?: s3.IBucket[];

  /**
   * How long each log file version is locked by the bucket's default Object Lock retention, in
   * GOVERNANCE mode: no one without `s3:BypassGovernanceRetention` can delete or overwrite it.
   *
   * @default Duration.days(365)
   */
  readonly objectLockRetention?: Duration;

  /**
   * How long the CloudWatch Logs copy of the trail is kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly cloudWatchLogsRetention?: logs.RetentionDays;

  /**
   * Record events of every region, not just the stack's.
   *
   * @default true
   */
  readonly multiRegion?: boolean;

  /**
   * What happens to the trail bucket, its logs and the key when the construct is removed.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The platform's audit trail: an AWS CloudTrail trail with log-file integrity validation,
 * encrypted with its own customer-managed key (rotation on), that records management events and
 * the data events (object reads and writes) of the datasets and artifacts buckets.
 *
 * Log files go to a retained, versioned, SSL-only bucket with Object Lock (default GOVERNANCE
 * retention) whose server access logs go to the platform's access-logs bucket; a copy goes to an
 * encrypted CloudWatch Logs group for alarms and queries.
 *
 * Optional: add it to the platform stack when the account has no organization trail that already
 * records these buckets' data events.
 */
export class PlatformAuditTrail extends Construct {
  /** The trail. */
  public readonly trail: cloudtrail.Trail;

  /** The Object-Locked bucket the log files are delivered to. */
  public readonly bucket: s3.IBucket;

  /** The key that encrypts the log files, the bucket and the CloudWatch Logs group. */
  public readonly key: kms.IKey;

  /** The CloudWatch Logs group that receives a copy of the trail. */
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: PlatformAuditTrailProps = {}) {
    super(scope, id);
    if (props.platform && props.accessLogsBucket) {
      throw new TrainyardValidationError('PlatformAuditTrail.accessLogsBucket', 'cannot be combined with PlatformAuditTrail.platform, which supplies its access-logs bucket. Drop one of the two props.');
    }
    if (props.platform && props.dataEventBuckets) {
      throw new TrainyardValidationError('PlatformAuditTrail.dataEventBuckets', 'cannot be combined with PlatformAuditTrail.platform, which supplies its datasets and artifacts buckets. Drop one of the two props.');
    }
    const accessLogsBucket = props.platform?.accessLogsBucket ?? props.accessLogsBucket;
    if (!accessLogsBucket) {
      throw new TrainyardValidationError('PlatformAuditTrail.accessLogsBucket', 'is required without PlatformAuditTrail.platform: the trail bucket must log its own access.');
    }
    const dataEventBuckets = props.platform ? [props.platform.datasetsBucket, props.platform.artifactsBucket] : props.dataEventBuckets ?? [];
    const retention = props.objectLockRetention ?? Duration.days(365);
    const retentionDays = requireWholeDays('PlatformAuditTrail.objectLockRetention', retention, 1, 36500);
    requireIntegerInRange('PlatformAuditTrail.dataEventBuckets (count)', dataEventBuckets.length, 0, 250);
    const removalPolicy = requireRemovalPolicy('PlatformAuditTrail.removalPolicy', props.removalPolicy);
    requireRetentionDays('PlatformAuditTrail.cloudWatchLogsRetention', props.cloudWatchLogsRetention);
    const stack = Stack.of(this);

    const key = new TrainyardKey(this, 'Key', { description: `Trainyard audit trail key (${this.node.path})`, removalPolicy });
    // CloudWatch Logs encrypts the trail's log group with the key.
    // No kms:DescribeKey here: its request never carries kms:EncryptionContext:aws:logs:arn (Service
    // Authorization Reference), so under this condition it would never be allowed.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForTheTrailLogGroup',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      // No kms:DescribeKey: it carries no encryption context (SAR), so this condition would never let it through.
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
    }));
    // CloudTrail encrypts the log files with the key, for trails of this account only.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailToEncryptLogs',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*` },
        StringEquals: { 'aws:SourceAccount': stack.account },
      },
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailToDescribeKey',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
    }));
    this.key = key;

    const bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      ...secureBucketProps(removalPolicy),
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(retentionDays)),
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'audit-trail/',
      lifecycleRules: [{ id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    });
    Acknowledgements.acknowledge(bucket, AcknowledgementCatalogue.noCrossRegionReplication());
    acknowledgeCrossStackAccessLogs(bucket, accessLogsBucket);
    enableEventBridgeNotifications(bucket);
    this.bucket = bucket;

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: key,
      retention: props.cloudWatchLogsRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy,
    });
    this.logGroup = logGroup;

    // CloudTrail's role for CloudWatch Logs, with a managed policy: the L2's own role would carry an
    // inline policy (NIST/HIPAA IAMNoInlinePolicy).
    const logsRole = new iam.Role(this, 'LogsRole', {
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com'),
      description: 'Lets CloudTrail deliver the platform audit trail to its CloudWatch Logs group',
    });
    const logsPolicy = new iam.ManagedPolicy(this, 'LogsPolicy', {
      description: 'CloudTrail delivery to the platform audit trail log group',
      statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] })],
      roles: [logsRole],
    });

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      bucket,
      encryptionKey: key,
      enableFileValidation: true,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: props.multiRegion ?? true,
    });
    const cfnTrail = this.trail.node.defaultChild as cloudtrail.CfnTrail;
    cfnTrail.cloudWatchLogsLogGroupArn = logGroup.logGroupArn;
    cfnTrail.cloudWatchLogsRoleArn = logsRole.roleArn;
    cfnTrail.node.addDependency(logsPolicy);
    // Management events are recorded by default; the data event selector keeps them on.
    if (dataEventBuckets.length > 0) {
      this.trail.addS3EventSelector(dataEventBuckets.map((b) => ({ bucket: b })), {
        readWriteType: cloudtrail.ReadWriteType.ALL,
        includeManagementEvents: true,
      });
    }
  }
}
