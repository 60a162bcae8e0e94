import { Aws, Duration, Fn, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct, IConstruct } from 'constructs';
import { PlatformExperimentTrackingMode } from './platform-experiment-tracking-mode';
import { PlatformReplication } from './platform-replication';
import { PlatformReplicationRole } from './private/replication-role';
import { Acknowledgements } from '../core/acknowledgements';
import { TrainyardValidationError } from '../core/errors';
import { AcknowledgementCatalogue } from '../core/private/acknowledgement-catalogue';
import { enableEventBridgeNotifications, secureBucketProps } from '../core/secure-bucket';
import { TrainyardKey } from '../core/trainyard-key';
import { requireIntegerInRange, requireRemovalPolicy, requireWholeDays } from '../core/validate';
import { ExperimentTracking, IExperimentTracking } from '../registry/experiment-tracking';

/** Marks `MlPlatform` instances (`MlPlatform.isMlPlatform`); `Symbol.for`, so two copies of the package agree. */
const ML_PLATFORM_SYMBOL = Symbol.for('trainyard.MlPlatform');

/** The rule for platform names: they name the SSM parameters (`/trainyard/<platformName>/...`). */
const PLATFORM_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,47}$/;

/** The default `platformName`, and the name the `platform` template publishes under. */
const DEFAULT_PLATFORM_NAME = 'Trainyard';

/**
 * The shared ML platform as team constructs see it: the network training runs in, the key and the
 * buckets, and the shared experiment tracking. Implemented by `MlPlatform`, by
 * `MlPlatform.fromPlatformName` (another app, through SSM parameters) and by
 * `MlPlatform.fromMlPlatformAttributes` (explicit values).
 */
export interface IMlPlatform extends IConstruct {
  /** The platform's name; its SSM parameters live under `/trainyard/<platformName>/`. */
  readonly platformName: string;

  /** The VPC training runs in. */
  readonly vpc: ec2.IVpc;

  /** The isolated subnets training jobs and endpoints use. */
  readonly trainingSubnets: ec2.SubnetSelection;

  /** The platform's customer-managed key. Encrypts data, artifacts, volumes and logs. */
  readonly encryptionKey: kms.IKey;

  /** Versioned, KMS-encrypted bucket for training data. Teams get a prefix each: `<team>/`. */
  readonly datasetsBucket: s3.IBucket;

  /** Versioned, KMS-encrypted bucket for model artifacts, checkpoints and reports. */
  readonly artifactsBucket: s3.IBucket;

  /** Receives S3 server access logs of the other buckets and the VPC flow logs. */
  readonly accessLogsBucket: s3.IBucket;

  /** The security group of the interface endpoints; it admits HTTPS from the training subnets. */
  readonly endpointSecurityGroup: ec2.ISecurityGroup;

  /**
   * Whether the platform has the SageMaker MLflow interface endpoint
   * (`aws.sagemaker.<region>.experiments`) through which clients in the isolated VPC reach MLflow
   * Apps. Teams get their own serverless MLflow App by default only when it has
   * (`ExperimentTrackingMode.TEAM`).
   */
  readonly hasExperimentTrackingEndpoint: boolean;

  /**
   * The shared, organisation-wide experiment tracking (serverless MLflow App), for teams that choose
   * `ExperimentTrackingMode.SHARED`.
   *
   * @default - none: the platform has no shared MLflow App (teams track experiments in their own)
   */
  readonly experimentTracking?: IExperimentTracking;

  /**
   * Lets a workload in the training subnets reach the platform's interface endpoints on HTTPS: an
   * egress rule on the workload's security groups, in the workload's stack. Nothing is added to the
   * platform's stack.
   */
  allowEndpointAccessFrom(workload: ec2.IConnectable): void;
}

/**
 * Explicit attributes of a platform defined elsewhere (`MlPlatform.fromMlPlatformAttributes`).
 */
export interface MlPlatformAttributes {
  /** The platform's name. */
  readonly platformName: string;

  /** The VPC training runs in; it must have the training subnets. */
  readonly vpc: ec2.IVpc;

  /**
   * The subnets training runs in.
   *
   * @default - the VPC's private isolated subnets
   */
  readonly trainingSubnets?: ec2.SubnetSelection;

  /** The platform key. */
  readonly encryptionKey: kms.IKey;

  /** The datasets bucket. */
  readonly datasetsBucket: s3.IBucket;

  /** The artifacts bucket. */
  readonly artifactsBucket: s3.IBucket;

  /** The access-logs bucket. */
  readonly accessLogsBucket: s3.IBucket;

  /** The security group of the platform's interface endpoints. */
  readonly endpointSecurityGroup: ec2.ISecurityGroup;

  /**
   * Whether the platform's VPC has the SageMaker MLflow interface endpoint
   * (`aws.sagemaker.<region>.experiments`, `MlPlatform` `experimentTrackingMode` other than `NONE`). With it, each team gets
   * its own serverless MLflow App by default; without it, teams get no experiment tracking unless
   * they are given one.
   *
   * @default true (the default of `MlPlatform`)
   */
  readonly hasExperimentTrackingEndpoint?: boolean;

  /**
   * The shared, organisation-wide experiment tracking (`PlatformExperimentTrackingMode.TEAM_AND_SHARED`), for
   * teams that choose `ExperimentTrackingMode.SHARED`. Needs `hasExperimentTrackingEndpoint`.
   *
   * @default - none
   */
  readonly experimentTracking?: IExperimentTracking;
}

/**
 * What `MlPlatform.fromPlatformName` must know at synth time, because it shapes the template
 * rather than a value resolved at deploy time.
 */
export interface MlPlatformLookupOptions {
  /**
   * How many training subnets (one per Availability Zone) the platform has: its `maxAzs`.
   * The subnet and zone lists are split into this many items at deploy time; a platform with
   * fewer fails the team's deploy (`Fn::Select` out of range), a platform with more has its
   * extra subnets unused.
   *
   * @default 2 (the default `maxAzs` of `MlPlatform`)
   */
  readonly maxAzs?: number;

  /**
   * The platform's `experimentTrackingMode`. With `TEAM_AND_SHARED`, the platform's
   * `experimentTracking` is the shared App, read from `/trainyard/<platformName>/experiment-tracking-arn`,
   * and the team's deploy fails if the platform did not publish it.
   *
   * @default PlatformExperimentTrackingMode.TEAM (the default of `MlPlatform`)
   */
  readonly experimentTrackingMode?: PlatformExperimentTrackingMode;
}

/**
 * Properties of the shared ML platform.
 */
export interface MlPlatformProps {
  /**
   * The platform's name. The platform publishes its attributes (VPC, subnets, endpoint security
   * group, key, buckets, MLflow App) as SSM String parameters under `/trainyard/<platformName>/`,
   * which team apps read with `MlPlatform.fromPlatformName`. One platform per name, account and
   * region: a second platform with the same name fails to deploy (the parameters exist).
   * 1 to 48 characters: letters, digits, `_`, `.` and `-`, starting with a letter.
   *
   * @default 'Trainyard'
   */
  readonly platformName?: string;

  /**
   * Prepare the platform for `GpuBatchCompute` teams: interface endpoints for ECS (API, agent,
   * telemetry), and key-policy statements that let EC2 encrypt the EBS volumes of this account's
   * instances with the platform key (through EC2 only, as the AWS-managed `aws/ebs` key does) and
   * CloudWatch Logs encrypt Trainyard's log groups (`/trainyard/*`). Granted once by the platform for
   * every team, so a team's deploy never changes the platform stack.
   *
   * @default false
   */
  readonly batchCompute?: boolean;

  /**
   * How many Availability Zones the new VPC spans. Each zone adds one ENI per interface endpoint,
   * which is the platform's main idle cost. Cannot be combined with `vpc`.
   *
   * Environment-agnostic stacks (no `env.account`/`env.region`) know only two zones at synth time;
   * give the stack an `env` and list the zones in `cdk.json` context to use more.
   *
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * Reuse an existing VPC instead of creating one. It must have at least one private isolated
   * subnet; training runs there and the interface endpoints are added to it.
   *
   * @default - a new isolated VPC with no NAT gateway and no internet gateway
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The IPv4 range of the new VPC. Ignored when `vpc` is given.
   *
   * @default '10.64.0.0/16'
   */
  readonly vpcCidr?: string;

  /**
   * The AWS services that get an interface endpoint in the isolated subnets.
   * Drop services your workloads do not call to cut the idle cost (about 7.30 USD per endpoint
   * per zone per month in us-east-1).
   *
   * @default MlPlatform.TRAINING_ENDPOINTS (SageMaker API and runtime, ECR API and DKR, CloudWatch Logs and monitoring, STS)
   */
  readonly interfaceEndpoints?: ec2.InterfaceVpcEndpointAwsService[];

  /**
   * How long noncurrent (overwritten or deleted) object versions are kept in the datasets and
   * artifacts buckets before they expire.
   *
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * How long S3 server access logs and VPC flow logs are kept in the access-logs bucket.
   *
   * @default Duration.days(365)
   */
  readonly accessLogsRetention?: Duration;

  /**
   * What happens to the key, the buckets and their data when the platform is removed from the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The experiment tracking the platform offers its teams: the MLflow endpoint through which each
   * team reaches its own serverless MLflow App (`TEAM`), that plus one shared, organisation-wide
   * App (`TEAM_AND_SHARED`, the platform's `experimentTracking` attribute), or nothing (`NONE`).
   *
   * @default PlatformExperimentTrackingMode.TEAM
   */
  readonly experimentTrackingMode?: PlatformExperimentTrackingMode;

  /**
   * Replicate the buckets to a second region for disaster recovery (NIST 800-53 CP-9, HIPAA
   * 164.308(a)(7)). Without it the buckets are protected in-region by versioning and Object Lock, and
   * the replication findings are acknowledged.
   *
   * @default - no cross-region replication
   */
  readonly replication?: PlatformReplication;
}

/**
 * The shared ML platform: one per account and region, shared by every team.
 *
 * It provisions an isolated network (no NAT, no internet gateway) with the endpoints training needs,
 * a customer-managed KMS key with rotation, and versioned, encrypted, access-logged datasets and
 * artifacts buckets. Team environments, registries and pipelines build on its attributes.
 */
export class MlPlatform extends Construct implements IMlPlatform {
  /** The default platform name (`'Trainyard'`). */
  public static readonly DEFAULT_PLATFORM_NAME = DEFAULT_PLATFORM_NAME;

  /**
   * The interface endpoints AWS Batch GPU compute needs in the isolated subnets (created with
   * `batchCompute: true`): ECS (API, agent, telemetry); ECR and CloudWatch Logs are training endpoints.
   */
  public static readonly BATCH_ENDPOINTS: ec2.InterfaceVpcEndpointAwsService[] = [
    ec2.InterfaceVpcEndpointAwsService.ECS,
    ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
    ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
  ];

  /**
   * The interface endpoints a SageMaker training job in an isolated VPC needs: the SageMaker API
   * and runtime, ECR (API and image layers), CloudWatch Logs and metrics, and STS. S3 is reached
   * through a gateway endpoint, which has no hourly charge.
   */
  public static readonly TRAINING_ENDPOINTS: ec2.InterfaceVpcEndpointAwsService[] = [
    ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API,
    ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME,
    ec2.InterfaceVpcEndpointAwsService.ECR,
    ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
    ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
    ec2.InterfaceVpcEndpointAwsService.STS,
  ];

  /**
   * Whether `x` is an `MlPlatform` (created in this app), even from another copy of the package.
   */
  public static isMlPlatform(x: any): x is MlPlatform {
    return x !== null && typeof x === 'object' && ML_PLATFORM_SYMBOL in x;
  }

  /**
   * The SSM parameter path prefix of a platform's attributes: `/trainyard/<platformName>/`.
   */
  public static parameterPrefix(platformName: string): string {
    validatePlatformName('MlPlatform.platformName', platformName);
    return `/trainyard/${platformName}/`;
  }

  /**
   * The platform named `platformName`, deployed by another app (or stack): its attributes are read
   * from the SSM parameters it published under `/trainyard/<platformName>/`, at DEPLOY time, through
   * CloudFormation parameters of type `AWS::SSM::Parameter::Value<String>`. No lookup, no
   * credentials: the app synthesizes offline, and no CloudFormation export ties the stacks.
   *
   * A wrong name, or a platform not deployed yet in the team stack's account and region, fails the
   * team's deploy when the change set is created, before any resource changes, with CloudFormation's
   * message naming the parameter paths: `Unable to fetch parameters [/trainyard/<platformName>/vpc-id,...]
   * from parameter store for this account.`
   */
  public static fromPlatformName(scope: Construct, id: string, platformName: string, options: MlPlatformLookupOptions = {}): IMlPlatform {
    const prefix = MlPlatform.parameterPrefix(platformName);
    const maxAzs = options.maxAzs ?? 2;
    requireIntegerInRange('MlPlatform.fromPlatformName options.maxAzs', maxAzs, 1, 6);
    const { trackingEndpoint, sharedTracking } = trackingModeOf('MlPlatform.fromPlatformName options.experimentTrackingMode', options.experimentTrackingMode);
    // Each attribute is read (its SSM parameter added to the team's template) on first use only,
    // so a team template never holds a parameter it does not reference.
    return new ImportedMlPlatform(scope, id, platformName, (imported) => {
      const value = (name: string) => ssm.StringParameter.valueForStringParameter(imported, `${prefix}${name}`);
      const key = () => kms.Key.fromKeyArn(imported, 'Key', value(PARAMETERS.keyArn));
      const bucket = (bucketId: string, name: string, encrypted: boolean) => () =>
        s3.Bucket.fromBucketAttributes(imported, bucketId, {
          bucketName: value(name),
          encryptionKey: encrypted ? imported.encryptionKey : undefined,
        });
      return {
        vpc: () => {
          // One parameter for the subnets, their zones and route tables (`<subnet>:<zone>:<route table>,...`):
          // whatever of them a team uses, the parameter is referenced.
          const subnets = Fn.split(',', value(PARAMETERS.trainingSubnets), maxAzs);
          const field = (index: number) => subnets.map((subnet) => Fn.select(index, Fn.split(':', subnet, 3)));
          return ec2.Vpc.fromVpcAttributes(imported, 'Vpc', {
            vpcId: value(PARAMETERS.vpcId),
            isolatedSubnetIds: field(0),
            availabilityZones: field(1),
            isolatedSubnetRouteTableIds: field(2),
          });
        },
        encryptionKey: key,
        datasetsBucket: bucket('DatasetsBucket', PARAMETERS.datasetsBucketName, true),
        artifactsBucket: bucket('ArtifactsBucket', PARAMETERS.artifactsBucketName, true),
        accessLogsBucket: bucket('AccessLogsBucket', PARAMETERS.accessLogsBucketName, false),
        endpointSecurityGroup: () => ec2.SecurityGroup.fromSecurityGroupId(imported, 'EndpointSecurityGroup', value(PARAMETERS.endpointSecurityGroupId), {
          allowAllOutbound: false,
          mutable: false,
        }),
        hasExperimentTrackingEndpoint: trackingEndpoint,
        experimentTracking: sharedTracking
          ? () => ExperimentTracking.fromExperimentTrackingAttributes(imported, 'ExperimentTracking', {
            // What the platform's shared App is made with (below): grants are the same as the platform's own.
            trackingArn: value(PARAMETERS.experimentTrackingArn),
            dedicated: false,
            artifactsBucket: imported.artifactsBucket,
            artifactsPrefix: SHARED_TRACKING_PREFIX,
            encryptionKey: imported.encryptionKey,
          })
          : undefined,
      };
    });
  }

  /**
   * A platform defined elsewhere, from explicit attributes (for example a VPC and key the platform
   * team hands over by other means).
   */
  public static fromMlPlatformAttributes(scope: Construct, id: string, attrs: MlPlatformAttributes): IMlPlatform {
    if (!attrs || typeof attrs !== 'object') {
      throw new TrainyardValidationError('MlPlatformAttributes', 'needs the attributes of the platform to import.');
    }
    for (const name of ['vpc', 'encryptionKey', 'datasetsBucket', 'artifactsBucket', 'accessLogsBucket', 'endpointSecurityGroup'] as const) {
      if (!attrs[name]) {
        throw new TrainyardValidationError(`MlPlatformAttributes.${name}`, 'is required to import a platform.');
      }
    }
    const hasExperimentTrackingEndpoint = attrs.hasExperimentTrackingEndpoint ?? true;
    if (typeof hasExperimentTrackingEndpoint !== 'boolean') {
      throw new TrainyardValidationError('MlPlatformAttributes.hasExperimentTrackingEndpoint', `must be true or false, got ${String(hasExperimentTrackingEndpoint)}.`);
    }
    if (attrs.experimentTracking && !hasExperimentTrackingEndpoint) {
      throw new TrainyardValidationError(
        'MlPlatformAttributes.experimentTracking',
        'needs MlPlatformAttributes.hasExperimentTrackingEndpoint: clients in the VPC reach the shared App through the MLflow endpoint. Drop one of the two attributes.',
      );
    }
    const platform = new ImportedMlPlatform(scope, id, attrs.platformName, () => ({
      vpc: () => attrs.vpc,
      encryptionKey: () => attrs.encryptionKey,
      datasetsBucket: () => attrs.datasetsBucket,
      artifactsBucket: () => attrs.artifactsBucket,
      accessLogsBucket: () => attrs.accessLogsBucket,
      endpointSecurityGroup: () => attrs.endpointSecurityGroup,
      hasExperimentTrackingEndpoint,
      experimentTracking: attrs.experimentTracking ? () => attrs.experimentTracking! : undefined,
    }), attrs.trainingSubnets);
    if (platform.vpc.selectSubnets(platform.trainingSubnets).subnetIds.length === 0) {
      throw new TrainyardValidationError('MlPlatformAttributes.trainingSubnets', `select no subnet of VPC ${platform.vpc.node.path}: training needs private isolated subnets.`);
    }
    return platform;
  }


  /** The platform's name; its SSM parameters live under `/trainyard/<platformName>/`. */
  public readonly platformName: string;

  /** Whether the platform was prepared for `GpuBatchCompute` teams (`batchCompute`). */
  public readonly batchCompute: boolean;

  /** The VPC training runs in. */
  public readonly vpc: ec2.IVpc;

  /** The isolated subnets training jobs and endpoints use. */
  public readonly trainingSubnets: ec2.SubnetSelection;

  /** The platform's customer-managed key (rotation on). Encrypts data, artifacts, volumes and logs. */
  public readonly encryptionKey: kms.IKey;

  /** Versioned, KMS-encrypted bucket for training data. Teams get a prefix each: `<team>/`. */
  public readonly datasetsBucket: s3.IBucket;

  /** Versioned, KMS-encrypted bucket for model artifacts, checkpoints and reports. */
  public readonly artifactsBucket: s3.IBucket;

  /** Receives S3 server access logs of the other buckets and the VPC flow logs. */
  public readonly accessLogsBucket: s3.IBucket;

  /**
   * The security group of the interface endpoints. Admits HTTPS from the training subnets only;
   * workloads there reach it through their own egress rule (`allowEndpointAccessFrom`).
   */
  public readonly endpointSecurityGroup: ec2.ISecurityGroup;

  /**
   * The shared, organisation-wide experiment tracking (serverless MLflow App), for teams that choose
   * `ExperimentTrackingMode.SHARED`. Undefined unless the platform was created with `PlatformExperimentTrackingMode.TEAM_AND_SHARED`.
   */
  public readonly experimentTracking?: IExperimentTracking;

  /**
   * Whether the platform has the SageMaker MLflow interface endpoint through which clients in the
   * VPC reach MLflow Apps: false when it was created with `PlatformExperimentTrackingMode.NONE`.
   */
  public readonly hasExperimentTrackingEndpoint: boolean;

  private readonly endpoints = new Map<string, ec2.InterfaceVpcEndpoint>();
  private readonly gatewayEndpoints = new Map<string, ec2.GatewayVpcEndpoint>();
  private readonly removalPolicy: RemovalPolicy;
  private readonly replication?: PlatformReplicationRole;

  constructor(scope: Construct, id: string, props: MlPlatformProps = {}) {
    super(scope, id);
    Object.defineProperty(this, ML_PLATFORM_SYMBOL, { value: true });
    this.platformName = props.platformName ?? DEFAULT_PLATFORM_NAME;
    validatePlatformName('MlPlatform.platformName', this.platformName);
    this.batchCompute = props.batchCompute ?? false;
    if (typeof this.batchCompute !== 'boolean') {
      throw new TrainyardValidationError('MlPlatform.batchCompute', `must be true or false, got ${String(this.batchCompute)}.`);
    }
    // Server access logs are delivered through a bucket policy, not ACLs, so every bucket can keep
    // BucketOwnerEnforced object ownership. Scoped to this construct: the user's app is unaffected.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    this.removalPolicy = requireRemovalPolicy('MlPlatform.removalPolicy', props.removalPolicy);
    if (props.replication) {
      for (const field of ['datasetsDestination', 'artifactsDestination', 'destinationEncryptionKey'] as const) {
        if (!props.replication[field]) {
          throw new TrainyardValidationError(`MlPlatform.replication.${field}`, 'is required when replication is configured.');
        }
      }
      this.replication = new PlatformReplicationRole(this, 'Replication', props.replication);
    }
    const noncurrentVersionExpiration = props.noncurrentVersionExpiration ?? Duration.days(90);
    const accessLogsRetention = props.accessLogsRetention ?? Duration.days(365);
    requireWholeDays('MlPlatform.noncurrentVersionExpiration', noncurrentVersionExpiration, 1, 36500);
    requireWholeDays('MlPlatform.accessLogsRetention', accessLogsRetention, 1, 36500);

    // ---- Encryption -------------------------------------------------------------------------
    const key = new TrainyardKey(this, 'Key', { description: `Trainyard ML platform key (${this.node.path})`, removalPolicy: this.removalPolicy });
    this.encryptionKey = key;

    // ---- Storage ----------------------------------------------------------------------------
    const logsDestination = props.replication?.accessLogsDestination;
    const accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      // S3 server access logging cannot deliver to an SSE-KMS bucket: SSE-S3 is the only option.
      encryption: s3.BucketEncryption.S3_MANAGED,
      ...secureBucketProps(this.removalPolicy),
      ...this.replicationProps(logsDestination, false),
      lifecycleRules: [
        { id: 'ExpireLogs', expiration: accessLogsRetention, noncurrentVersionExpiration: Duration.days(30) },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
    Acknowledgements.acknowledge(accessLogsBucket, AcknowledgementCatalogue.accessLogsBucket());
    if (logsDestination) {
      this.replication?.allow(accessLogsBucket, logsDestination);
    } else {
      Acknowledgements.acknowledge(accessLogsBucket, AcknowledgementCatalogue.noCrossRegionReplication());
    }
    enableEventBridgeNotifications(accessLogsBucket);
    this.accessLogsBucket = accessLogsBucket;

    const replication = props.replication;
    this.datasetsBucket = this.dataBucket('DatasetsBucket', 'datasets/', noncurrentVersionExpiration, 'dataset', replication?.datasetsDestination);
    this.artifactsBucket = this.dataBucket('ArtifactsBucket', 'artifacts/', noncurrentVersionExpiration, 'artifact', replication?.artifactsDestination);

    // ---- Experiment memory ------------------------------------------------------------------
    const { trackingEndpoint, sharedTracking } = trackingModeOf('MlPlatform.experimentTrackingMode', props.experimentTrackingMode);
    this.hasExperimentTrackingEndpoint = trackingEndpoint;
    if (sharedTracking) {
      this.experimentTracking = new ExperimentTracking(this, 'ExperimentTracking', {
        artifactsBucket: this.artifactsBucket,
        artifactsPrefix: SHARED_TRACKING_PREFIX,
        encryptionKey: this.encryptionKey,
        removalPolicy: this.removalPolicy,
      });
    }

    // ---- Network ----------------------------------------------------------------------------
    if (props.vpc) {
      if (props.maxAzs !== undefined) {
        throw new TrainyardValidationError('MlPlatform.maxAzs', 'cannot be combined with MlPlatform.vpc: the zones of an existing VPC are fixed. Drop one of the two props.');
      }
      if (props.vpcCidr !== undefined) {
        throw new TrainyardValidationError('MlPlatform.vpcCidr', 'cannot be combined with MlPlatform.vpc: the range of an existing VPC is fixed. Drop one of the two props.');
      }
      if (props.vpc.isolatedSubnets.length === 0) {
        throw new TrainyardValidationError(
          'MlPlatform.vpc',
          `VPC ${props.vpc.node.path} has no private isolated subnets. Training must run without internet access: add subnets of type PRIVATE_ISOLATED, or omit 'vpc' to let the platform create one.`,
        );
      }
      this.vpc = props.vpc;
    } else {
      this.vpc = this.createVpc(props);
    }
    this.trainingSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Trainyard interface endpoints: HTTPS from training workloads only',
      allowAllOutbound: false,
    });
    // One rule per training subnet, however many teams there are: a rule per team would hit the
    // limit of 60 inbound rules per security group at about 55 teams, at deploy time. Which workloads
    // reach the endpoints is decided by their own egress rules (`allowEndpointAccessFrom`).
    for (const cidr of this.trainingSubnetCidrs()) {
      this.endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), `HTTPS from the training subnet ${cidr}`);
    }

    this.gatewayEndpoints.set(ec2.GatewayVpcEndpointAwsService.S3.name, this.vpc.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.trainingSubnets],
    }));
    // DynamoDB too (no hourly charge either): FlowMetrics' collector, in any team's stack, writes its
    // de-duplication table from the isolated subnets.
    this.addGatewayEndpoint(ec2.GatewayVpcEndpointAwsService.DYNAMODB);
    const services = props.interfaceEndpoints ?? MlPlatform.TRAINING_ENDPOINTS;
    if (!Array.isArray(services)) {
      throw new TrainyardValidationError('MlPlatform.interfaceEndpoints', 'must be a list of ec2.InterfaceVpcEndpointAwsService values.');
    }
    for (const service of services) {
      this.addInterfaceEndpoint(service);
    }
    if (trackingEndpoint) {
      // MLflow clients in the VPC (VPC-only Studio, jobs without network isolation) reach the teams'
      // apps (and the shared one) through the SageMaker MLflow endpoint (`aws.sagemaker.<region>.experiments`).
      this.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_EXPERIMENTS);
    }
    if (this.batchCompute) {
      for (const service of MlPlatform.BATCH_ENDPOINTS) {
        this.addInterfaceEndpoint(service);
      }
      this.allowLogsToUseKey();
      this.allowEc2ToUseKeyForEbs();
    }

    this.publishParameters();
  }

  /**
   * The SSM String parameters team apps read with `MlPlatform.fromPlatformName`, under
   * `/trainyard/<platformName>/`. Lists are comma-separated.
   */
  private publishParameters(): void {
    const scope = new Construct(this, 'Parameters');
    const prefix = MlPlatform.parameterPrefix(this.platformName);
    const publish = (id: string, name: string, stringValue: string, what: string) => new ssm.StringParameter(scope, id, {
      parameterName: `${prefix}${name}`,
      stringValue,
      description: `Trainyard platform ${this.platformName}: ${what} (read by MlPlatform.fromPlatformName)`,
      tier: ssm.ParameterTier.STANDARD,
    });
    const subnets = this.vpc.selectSubnets(this.trainingSubnets).subnets;
    publish('VpcId', PARAMETERS.vpcId, this.vpc.vpcId, 'VPC id');
    publish('TrainingSubnets', PARAMETERS.trainingSubnets,
      Fn.join(',', subnets.map((subnet) => Fn.join(':', [subnet.subnetId, subnet.availabilityZone, subnet.routeTable?.routeTableId ?? 'none']))),
      'training subnets as <subnet id>:<availability zone>:<route table id>, comma-separated');
    publish('EndpointSecurityGroupId', PARAMETERS.endpointSecurityGroupId, this.endpointSecurityGroup.securityGroupId, 'security group of the interface endpoints');
    publish('KeyArn', PARAMETERS.keyArn, this.encryptionKey.keyArn, 'KMS key ARN');
    publish('DatasetsBucketName', PARAMETERS.datasetsBucketName, this.datasetsBucket.bucketName, 'datasets bucket');
    publish('ArtifactsBucketName', PARAMETERS.artifactsBucketName, this.artifactsBucket.bucketName, 'artifacts bucket');
    publish('AccessLogsBucketName', PARAMETERS.accessLogsBucketName, this.accessLogsBucket.bucketName, 'access-logs bucket');
    if (this.experimentTracking) {
      publish('ExperimentTrackingArn', PARAMETERS.experimentTrackingArn, this.experimentTracking.trackingArn, 'MLflow App ARN');
    }
  }

  /**
   * Lets EC2 (and the service-linked roles of Auto Scaling, Spot and EC2 Fleet that launch Batch
   * instances) use the key for EBS volumes of this account, the way the AWS-managed `aws/ebs` key
   * policy does: any principal of the account, but only through EC2 in this region.
   */
  private allowEc2ToUseKeyForEbs(): void {
    const conditions = {
      StringEquals: { 'kms:CallerAccount': Aws.ACCOUNT_ID, 'kms:ViaService': `ec2.${Aws.REGION}.amazonaws.com` },
    };
    this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEbsThroughEc2ForThisAccount',
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
      resources: ['*'],
      conditions,
    }));
    this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEbsGrantsThroughEc2ForThisAccount',
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { ...conditions, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }));
  }

  /**
   * Lets CloudWatch Logs of this account and region encrypt Trainyard's log groups (`/trainyard/*`,
   * the Batch job logs of every team) with the key: the encryption context names the log group.
   */
  private allowLogsToUseKey(): void {
    this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowTrainyardLogGroups',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      // No kms:DescribeKey: it carries no encryption context (SAR), so this condition would never let it through.
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/trainyard/*` },
      },
    }));
  }

  /**
   * Lets a workload in the training subnets (a training job's or a Batch job's security group)
   * reach every interface endpoint of the platform on HTTPS: an egress rule on the workload's
   * security group, in the workload's stack. The endpoints admit HTTPS from the training subnets
   * only, with one rule per subnet, so any number of teams fits the security-group rule quota.
   */
  public allowEndpointAccessFrom(workload: ec2.IConnectable): void {
    allowEndpointAccess(this.endpointSecurityGroup, workload);
  }

  /** The IPv4 ranges of the training subnets (of the VPC, when an imported VPC does not give them). */
  private trainingSubnetCidrs(): string[] {
    const subnets = this.vpc.selectSubnets(this.trainingSubnets).subnets;
    try {
      return subnets.map((subnet) => subnet.ipv4CidrBlock);
    } catch {
      try {
        return [this.vpc.vpcCidrBlock];
      } catch {
        throw new TrainyardValidationError(
          'MlPlatform.vpc',
          'an imported VPC must give its CIDR block or its isolated subnets\' (ec2.Vpc.fromVpcAttributes: vpcCidrBlock or isolatedSubnetIpv4CidrBlocks): ' +
            'the interface endpoints admit HTTPS from the training subnets only.',
        );
      }
    }
  }

  /**
   * Adds an interface endpoint for `service` to the training subnets, unless it exists already.
   * Later constructs call this for the services they need (ECS for AWS Batch, for example).
   *
   * @returns the endpoint for `service`
   */
  public addInterfaceEndpoint(service: ec2.IInterfaceVpcEndpointService): ec2.InterfaceVpcEndpoint {
    if (!service || typeof service.name !== 'string') {
      throw new TrainyardValidationError('MlPlatform.interfaceEndpoints', 'each entry must be an ec2.InterfaceVpcEndpointAwsService.');
    }
    const key = (service as ec2.InterfaceVpcEndpointAwsService).shortName ?? service.name;
    const existing = this.endpoints.get(key);
    if (existing) {
      return existing;
    }
    const id = endpointId(key);
    const endpoint = new ec2.InterfaceVpcEndpoint(this, id, {
      vpc: this.vpc,
      service,
      subnets: this.trainingSubnets,
      securityGroups: [this.endpointSecurityGroup],
      privateDnsEnabled: true,
      open: false,
    });
    this.endpoints.set(key, endpoint);
    return endpoint;
  }

  /**
   * Adds a gateway endpoint (S3 or DynamoDB: no hourly charge) to the training subnets' route
   * tables, unless it exists already. The platform always has the S3 one; constructs whose
   * functions call DynamoDB from the isolated subnets (FlowMetrics) add the DynamoDB one.
   *
   * @returns the endpoint for `service`
   */
  public addGatewayEndpoint(service: ec2.GatewayVpcEndpointAwsService): ec2.GatewayVpcEndpoint {
    if (!service || typeof service.name !== 'string') {
      throw new TrainyardValidationError('MlPlatform.addGatewayEndpoint', 'service must be an ec2.GatewayVpcEndpointAwsService (S3 or DYNAMODB).');
    }
    const existing = this.gatewayEndpoints.get(service.name);
    if (existing) {
      return existing;
    }
    // `com.amazonaws.<region>.dynamodb` -> `DynamodbGatewayEndpoint`
    const short = service.name.split('.').pop() ?? service.name;
    const endpoint = this.vpc.addGatewayEndpoint(endpointId(short).replace(/Endpoint$/, 'GatewayEndpoint'), {
      service,
      subnets: [this.trainingSubnets],
    });
    this.gatewayEndpoints.set(service.name, endpoint);
    return endpoint;
  }

  /** The short names (`sagemaker.api`, ...) of the interface endpoints created so far. */
  public get interfaceEndpointServices(): string[] {
    return [...this.endpoints.keys()];
  }

  private createVpc(props: MlPlatformProps): ec2.IVpc {
    const maxAzs = props.maxAzs ?? 2;
    requireIntegerInRange('MlPlatform.maxAzs', maxAzs, 1, 6);
    const knownAzs = Stack.of(this).availabilityZones.length;
    if (maxAzs > knownAzs) {
      throw new TrainyardValidationError(
        'MlPlatform.maxAzs',
        `is ${maxAzs}, but stack ${Stack.of(this).stackName} knows only ${knownAzs} Availability Zones at synth time. ` +
          'Environment-agnostic stacks know two; give the stack an env (account and region) and list its zones in cdk.json context, or lower maxAzs.',
      );
    }
    const cidr = props.vpcCidr ?? '10.64.0.0/16';
    if (!Token.isUnresolved(cidr) && !/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/.test(cidr)) {
      throw new TrainyardValidationError('MlPlatform.vpcCidr', `must be an IPv4 CIDR block from /16 to /24, for example '10.64.0.0/16', got '${cidr}'.`);
    }
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      maxAzs,
      natGateways: 0,
      // Only isolated subnets: no internet gateway, no NAT, no route out of the VPC.
      subnetConfiguration: [{ name: 'training', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }],
      // Closes the default security group (a CDK deploy-time custom resource).
      restrictDefaultSecurityGroup: true,
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toS3(this.accessLogsBucket, 'vpc-flow-logs/'),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });
    const provider = Stack.of(this).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    if (provider) {
      Acknowledgements.acknowledge(provider, AcknowledgementCatalogue.restrictDefaultSecurityGroupProvider());
    }
    Acknowledgements.acknowledge(vpc.node.defaultChild!, AcknowledgementCatalogue.restrictedDefaultSecurityGroup());
    return vpc;
  }

  /** The replication role and rules of a bucket whose replica goes to `destination`, if any. */
  private replicationProps(destination: s3.IBucket | undefined, sourceIsKmsEncrypted: boolean): Partial<s3.BucketProps> {
    if (!this.replication || !destination) {
      return {};
    }
    return { replicationRole: this.replication.role, replicationRules: this.replication.rulesFor(destination, sourceIsKmsEncrypted) };
  }

  private dataBucket(
    id: string, logPrefix: string, noncurrentVersionExpiration: Duration, dataClass: string, replicaDestination?: s3.IBucket,
  ): s3.Bucket {
    const bucket = new s3.Bucket(this, id, {
      ...secureBucketProps(this.removalPolicy),
      ...this.replicationProps(replicaDestination, true),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      // One data key per bucket instead of one KMS call per object: far fewer KMS requests.
      bucketKeyEnabled: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: logPrefix,
      lifecycleRules: [
        { id: 'ExpireNoncurrentVersions', noncurrentVersionExpiration },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
    if (replicaDestination) {
      this.replication?.allow(bucket, replicaDestination, this.encryptionKey);
    } else {
      Acknowledgements.acknowledge(bucket, AcknowledgementCatalogue.noCrossRegionReplication());
    }
    enableEventBridgeNotifications(bucket);
    // Marks the bucket as holding training data or model artifacts: MlOps-DataBucketVersioned checks it.
    Tags.of(bucket).add('trainyard:data-class', dataClass);
    return bucket;
  }
}

/** `sagemaker.api` -> `SagemakerApiEndpoint`: a stable construct id, so logical ids never drift. */
function endpointId(shortName: string): string {
  const words = shortName.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') + 'Endpoint';
}

/** The names of the platform's SSM parameters, under `/trainyard/<platformName>/`. */
/** The key prefix of the shared MLflow App's artifact store in the platform's artifacts bucket. */
const SHARED_TRACKING_PREFIX = 'mlflow/';

const PARAMETERS = {
  vpcId: 'vpc-id',
  trainingSubnets: 'training-subnets',
  endpointSecurityGroupId: 'endpoint-security-group-id',
  keyArn: 'key-arn',
  datasetsBucketName: 'datasets-bucket-name',
  artifactsBucketName: 'artifacts-bucket-name',
  accessLogsBucketName: 'access-logs-bucket-name',
  experimentTrackingArn: 'experiment-tracking-arn',
};

function validatePlatformName(prop: string, value: string): void {
  if (typeof value !== 'string' || Token.isUnresolved(value) || !PLATFORM_NAME_PATTERN.test(value)) {
    throw new TrainyardValidationError(
      prop,
      `must be 1 to 48 letters, digits, '_', '.' or '-', starting with a letter (it names the SSM parameters /trainyard/<platformName>/...), got '${String(value)}'.`,
    );
  }
}

/**
 * Only the workload's side: the rule lives in the workload's stack, and the platform never
 * references a team. The endpoints admit HTTPS from the training subnets.
 */
function allowEndpointAccess(endpointSecurityGroup: ec2.ISecurityGroup, workload: ec2.IConnectable): void {
  for (const securityGroup of workload.connections.securityGroups) {
    securityGroup.addEgressRule(endpointSecurityGroup, ec2.Port.tcp(443), 'HTTPS to AWS service endpoints');
  }
}

/** How an imported platform builds each attribute, on first use. */
interface ImportedAttributeFactories {
  readonly vpc: () => ec2.IVpc;
  readonly encryptionKey: () => kms.IKey;
  readonly datasetsBucket: () => s3.IBucket;
  readonly artifactsBucket: () => s3.IBucket;
  readonly accessLogsBucket: () => s3.IBucket;
  readonly endpointSecurityGroup: () => ec2.ISecurityGroup;
  readonly hasExperimentTrackingEndpoint: boolean;
  readonly experimentTracking?: () => IExperimentTracking;
}

/**
 * A platform defined elsewhere (`fromPlatformName`, `fromMlPlatformAttributes`). Each attribute is
 * built on first use, so an unused one adds nothing (no SSM parameter) to the team's template.
 */
class ImportedMlPlatform extends Construct implements IMlPlatform {
  public readonly platformName: string;
  public readonly trainingSubnets: ec2.SubnetSelection;
  public readonly hasExperimentTrackingEndpoint: boolean;
  private readonly factories: ImportedAttributeFactories;
  private readonly built = new Map<string, unknown>();

  constructor(
    scope: Construct, id: string, platformName: string,
    factories: (self: ImportedMlPlatform) => ImportedAttributeFactories, trainingSubnets?: ec2.SubnetSelection,
  ) {
    super(scope, id);
    validatePlatformName('MlPlatformAttributes.platformName', platformName);
    this.platformName = platformName;
    this.trainingSubnets = trainingSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    this.factories = factories(this);
    this.hasExperimentTrackingEndpoint = this.factories.hasExperimentTrackingEndpoint;
  }

  public get vpc(): ec2.IVpc { return this.once('vpc', this.factories.vpc); }
  public get encryptionKey(): kms.IKey { return this.once('encryptionKey', this.factories.encryptionKey); }
  public get datasetsBucket(): s3.IBucket { return this.once('datasetsBucket', this.factories.datasetsBucket); }
  public get artifactsBucket(): s3.IBucket { return this.once('artifactsBucket', this.factories.artifactsBucket); }
  public get accessLogsBucket(): s3.IBucket { return this.once('accessLogsBucket', this.factories.accessLogsBucket); }
  public get endpointSecurityGroup(): ec2.ISecurityGroup { return this.once('endpointSecurityGroup', this.factories.endpointSecurityGroup); }
  public get experimentTracking(): IExperimentTracking | undefined {
    const factory = this.factories.experimentTracking;
    return factory ? this.once('experimentTracking', factory) : undefined;
  }

  public allowEndpointAccessFrom(workload: ec2.IConnectable): void {
    allowEndpointAccess(this.endpointSecurityGroup, workload);
  }

  private once<T>(name: string, factory: () => T): T {
    if (!this.built.has(name)) {
      this.built.set(name, factory());
    }
    return this.built.get(name) as T;
  }
}

/** The endpoint and shared App a platform experiment tracking mode stands for, checked. */
function trackingModeOf(prop: string, mode: PlatformExperimentTrackingMode | undefined): { trackingEndpoint: boolean; sharedTracking: boolean } {
  const value = mode ?? PlatformExperimentTrackingMode.TEAM;
  if (!Object.values(PlatformExperimentTrackingMode).includes(value)) {
    throw new TrainyardValidationError(prop, `must be a PlatformExperimentTrackingMode (${Object.values(PlatformExperimentTrackingMode).join(', ')}), got ${String(value)}.`);
  }
  return {
    trackingEndpoint: value !== PlatformExperimentTrackingMode.NONE,
    sharedTracking: value === PlatformExperimentTrackingMode.TEAM_AND_SHARED,
  };
}
