import { Duration, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { PlatformReplication } from './platform-replication';
import { PlatformReplicationRole } from './private/replication-role';
import { Acknowledgements } from '../core/acknowledgements';
import { TrainyardValidationError } from '../core/errors';
import { enableEventBridgeNotifications, secureBucketProps } from '../core/secure-bucket';
import { TrainyardKey } from '../core/trainyard-key';
import { requireIntegerInRange, requireWholeDays } from '../core/validate';
import { ExperimentTracking, IExperimentTracking } from '../registry/experiment-tracking';

/**
 * Properties of the shared ML platform.
 */
export interface MlPlatformProps {
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
   * Let teams track experiments: adds the SageMaker MLflow interface endpoint
   * (`aws.sagemaker.<region>.experiments`) through which MLflow clients in the isolated VPC (jobs
   * without network isolation, VPC-only Studio) reach MLflow Apps. Each `TrainingEnvironment` then
   * gets its own serverless MLflow App by default (`ExperimentTrackingMode.TEAM`).
   *
   * @default true
   */
  readonly experimentTracking?: boolean;

  /**
   * Also create one shared, organisation-wide serverless MLflow App (`experimentTracking`), storing
   * artifacts under `mlflow/` in the artifacts bucket, encrypted with the platform key, for teams that
   * choose `ExperimentTrackingMode.SHARED`. Trade-off: IAM cannot separate teams inside one App (its
   * REST API is one action, `sagemaker:CallMlflowAppApi`), so every team on it can read, change and
   * delete every other team's experiments, runs, registered MLflow models and run artifacts.
   *
   * Platforms deployed before Trainyard made tracking per team had this App by default: set this to
   * `true` to keep it (same logical id), or it is removed from the stack and, retained, left orphaned.
   *
   * @default false
   */
  readonly sharedExperimentTracking?: boolean;

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
export class MlPlatform extends Construct {
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

  /** The VPC training runs in. */
  public readonly vpc: ec2.IVpc;

  /** The isolated subnets training jobs and endpoints use. */
  public readonly trainingSubnets: ec2.SubnetSelection;

  /** The platform's customer-managed key (rotation on). Encrypts data, artifacts, volumes and logs. */
  public readonly key: kms.IKey;

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
   * `ExperimentTrackingMode.SHARED`. Undefined unless the platform was created with `sharedExperimentTracking: true`.
   */
  public readonly experimentTracking?: IExperimentTracking;

  /**
   * The SageMaker MLflow interface endpoint through which clients in the VPC reach MLflow Apps.
   * Undefined when the platform was created with `experimentTracking: false`.
   */
  public readonly experimentTrackingEndpoint?: ec2.IInterfaceVpcEndpoint;

  private readonly endpoints = new Map<string, ec2.InterfaceVpcEndpoint>();
  private readonly gatewayEndpoints = new Map<string, ec2.GatewayVpcEndpoint>();
  private readonly removalPolicy: RemovalPolicy;
  private readonly replication?: PlatformReplicationRole;

  constructor(scope: Construct, id: string, props: MlPlatformProps = {}) {
    super(scope, id);
    // Server access logs are delivered through a bucket policy, not ACLs, so every bucket can keep
    // BucketOwnerEnforced object ownership. Scoped to this construct: the user's app is unaffected.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (props.replication) {
      for (const field of ['datasetsDestination', 'artifactsDestination', 'destinationKey'] as const) {
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
    this.key = key;

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
    Acknowledgements.acknowledge(accessLogsBucket, Acknowledgements.accessLogsBucket());
    if (logsDestination) {
      this.replication?.allow(accessLogsBucket, logsDestination);
    } else {
      Acknowledgements.acknowledge(accessLogsBucket, Acknowledgements.noCrossRegionReplication());
    }
    enableEventBridgeNotifications(accessLogsBucket);
    this.accessLogsBucket = accessLogsBucket;

    const replication = props.replication;
    this.datasetsBucket = this.dataBucket('DatasetsBucket', 'datasets/', noncurrentVersionExpiration, 'dataset', replication?.datasetsDestination);
    this.artifactsBucket = this.dataBucket('ArtifactsBucket', 'artifacts/', noncurrentVersionExpiration, 'artifact', replication?.artifactsDestination);

    // ---- Experiment memory ------------------------------------------------------------------
    const trackingEndpoint = props.experimentTracking ?? true;
    const sharedTracking = props.sharedExperimentTracking ?? false;
    if (sharedTracking && !trackingEndpoint) {
      throw new TrainyardValidationError(
        'MlPlatform.sharedExperimentTracking',
        'needs MlPlatform.experimentTracking (the MLflow endpoint clients in the VPC reach the App through). Drop one of the two props.',
      );
    }
    if (sharedTracking) {
      this.experimentTracking = new ExperimentTracking(this, 'ExperimentTracking', {
        artifactsBucket: this.artifactsBucket,
        artifactsPrefix: 'mlflow/',
        key: this.key,
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
      this.experimentTrackingEndpoint = this.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_EXPERIMENTS);
    }
  }

  /**
   * Lets a workload in the training subnets (a training job's or a Batch job's security group)
   * reach every interface endpoint of the platform on HTTPS: an egress rule on the workload's
   * security group, in the workload's stack. The endpoints admit HTTPS from the training subnets
   * only, with one rule per subnet, so any number of teams fits the security-group rule quota.
   */
  public allowEndpointAccessFrom(workload: ec2.IConnectable): void {
    // Only the workload's side: the rule lives in the workload's stack, which already depends on the
    // platform's, and the platform never references a team.
    for (const securityGroup of workload.connections.securityGroups) {
      securityGroup.addEgressRule(this.endpointSecurityGroup, ec2.Port.tcp(443), 'HTTPS to AWS service endpoints');
    }
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
      Acknowledgements.acknowledge(provider, Acknowledgements.restrictDefaultSecurityGroupProvider());
    }
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
      encryptionKey: this.key,
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
      this.replication?.allow(bucket, replicaDestination, this.key);
    } else {
      Acknowledgements.acknowledge(bucket, Acknowledgements.noCrossRegionReplication());
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
