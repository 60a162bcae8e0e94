import { Annotations, ArnFormat, Duration, RemovalPolicy, Size, Stack, Tags, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GpuProfile } from './gpu-profile';
import { Acknowledgements } from '../core/acknowledgements';
import { foreignKeyArn } from '../core/cfn-guard-key-reference';
import { TrainyardValidationError } from '../core/errors';
import { boundedName } from '../core/physical-name';
import { AcknowledgementCatalogue } from '../core/private/acknowledgement-catalogue';
import { TAG_KEYS } from '../core/tag-keys';
import { validateTeamName } from '../core/team-name';
import { requireIntegerInRange, requireName, requireRemovalPolicy, requireWholeGibibytes, requireWholeSeconds, TAG_VALUE_RULE } from '../core/validate';
import { IMlPlatform, MlPlatform } from '../platform/ml-platform';
import { createBatchRoles } from './private/batch-roles';
import { allowPlatformEndpoints, requireS3PrefixListId } from './private/network';
import { requirePlatform, requirePlatformEndpoints } from '../platform/private/platform-checks';

/** The largest compute environment Trainyard creates (AWS Batch accepts more; this catches typos). */
const MAX_VCPUS_LIMIT = 100_000;
/** CloudWatch Logs `logGroupName`: at most 512 characters. */
const LOG_GROUP_NAME_LIMIT = { maxLength: 512 };
/** Multi-node parallel jobs: the node count AWS Batch allows per job. */
const MAX_NODES = 1000;
/** The least memory Trainyard gives a job container (AWS Batch's minimum is 4 MiB; a GPU job needs far more). */
const MIN_CONTAINER_MEMORY_MIB = 256;
/** ECS_AL2023_NVIDIA does not support these families (CloudFormation `Ec2Configuration.ImageType`). */
const AL2023_UNSUPPORTED_FAMILIES = ['p3', 'p3dn', 'g3', 'g3s'];

/**
 * Properties of a team's AWS Batch GPU compute.
 */
export interface GpuBatchComputeProps {
  /**
   * The platform whose isolated subnets, endpoints and key the compute uses, created with
   * `batchCompute: true` (or imported with `MlPlatform.fromPlatformName`).
   */
  readonly platform: IMlPlatform;

  /**
   * The team's name: lowercase letters, digits and single hyphens, starting with a letter and ending
   * with a letter or digit, 2 to 32 characters (the same rule as `TrainingEnvironment.teamName`).
   */
  readonly teamName: string;

  /**
   * The cost centre every resource is tagged with (`trainyard:cost-center`); MlOps-GpuResourceCostTagged
   * requires it on GPU compute. A tag value: letters, digits, spaces and `_ . : / = + - @`, at most 256 characters.
   *
   * @default - the team name
   */
  readonly costCenter?: string;

  /**
   * The GPU profile; its `ec2InstanceType` is the instance type Batch launches. It must have
   * NVIDIA GPUs (Batch's GPU AMIs are NVIDIA AMIs).
   */
  readonly gpu: GpuProfile;

  /**
   * The most vCPUs the compute environment of single-node jobs may run at once. At least the
   * instance type's vCPUs.
   *
   * @default - the vCPUs of `maxInstanceCount` instances
   */
  readonly maxvCpus?: number;

  /**
   * How many instances one job may span. More than 1 adds a multi-node parallel job definition,
   * and its own on-demand compute environment and queue (AWS Batch runs multi-node jobs on
   * neither Spot nor across zones).
   *
   * @default 1
   */
  readonly maxInstanceCount?: number;

  /**
   * Run single-node jobs on Spot capacity, with the SPOT_PRICE_CAPACITY_OPTIMIZED strategy.
   *
   * @default true
   */
  readonly useSpot?: boolean;

  /**
   * The ECR repository of the team's training image. The execution role may pull from this
   * repository only.
   *
   * @default - the repository named after the team, in this account and region
   */
  readonly imageRepository?: ecr.IRepository;

  /**
   * The image tag the job definitions run.
   *
   * @default 'latest'
   */
  readonly imageTag?: string;

  /**
   * The command the container runs.
   *
   * @default - the image's CMD
   */
  readonly command?: string[];

  /**
   * The longest a job attempt may run before Batch stops it (the job definition's timeout), 1 minute
   * to 14 days.
   *
   * @default Duration.hours(24)
   */
  readonly maxRuntime?: Duration;

  /**
   * How many times a job is attempted in all; spot interruptions are retried, failing code is not.
   *
   * @default 3
   */
  readonly retryAttempts?: number;

  /**
   * The size of each instance's root volume (encrypted with the platform key): the job's storage,
   * which holds the container images and the job's container data and scratch space (Batch has no
   * separate ML storage volume, unlike `TrainingEnvironment` `volumeSize`). Whole GiB, from 30 GiB
   * (the GPU AMI's size) to 16 TiB.
   *
   * @default Size.gibibytes(200)
   */
  readonly volumeSize?: Size;

  /**
   * How long job logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The id of the region's Amazon S3 prefix list (`pl-...`), to limit the instances' HTTPS egress to
   * S3 to exactly the gateway endpoint's addresses.
   *
   * @default - HTTPS egress to any IPv4 address; the isolated subnets have no internet route, so it reaches only S3
   */
  readonly s3PrefixListId?: string;

  /**
   * What happens to the job log group when it is removed from the stack. Batch resources hold no
   * data and are always deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Scale-to-zero GPU compute on AWS Batch for teams that run containers rather than SageMaker jobs.
 *
 * A managed EC2 compute environment launches the profile's GPU instance type with Batch's NVIDIA
 * ECS AMI, in the platform's isolated subnets, on Spot (price-capacity optimized) by default, and
 * scales to zero vCPUs when the queue is empty. Instances use IMDSv2 only and a root volume
 * encrypted with the platform key. A job queue and a GPU job definition are ready to submit to;
 * with `maxInstanceCount > 1`, a multi-node parallel job definition and its on-demand queue too.
 *
 * The platform must be prepared for it: `MlPlatform` with `batchCompute: true` has the ECS, ECS agent
 * and ECS telemetry endpoints, and a key policy that lets EC2 encrypt the instances' volumes and
 * CloudWatch Logs the job log group (`/trainyard/<team>/batch`). Nothing is added to the platform's
 * stack. An imported platform (`MlPlatform.fromPlatformName`) cannot be checked at synth: its
 * platform team must have deployed it with `batchCompute: true`.
 */
export class GpuBatchCompute extends Construct implements ec2.IConnectable {
  /** The endpoints Batch's ECS container instances need in a VPC with no internet route. */
  public static readonly BATCH_ENDPOINTS: ec2.InterfaceVpcEndpointAwsService[] = [
    ec2.InterfaceVpcEndpointAwsService.ECS,
    ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
    ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
    ec2.InterfaceVpcEndpointAwsService.ECR,
    ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
    ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  ];

  /** The team this compute belongs to. */
  public readonly teamName: string;

  /** The compute environment of single-node jobs (Spot by default; scales to zero). */
  public readonly computeEnvironment: batch.IManagedEc2EcsComputeEnvironment;

  /** The queue of single-node jobs. */
  public readonly jobQueue: batch.IJobQueue;

  /** The single-node GPU job definition. */
  public readonly jobDefinition: batch.IJobDefinition;

  /**
   * The on-demand compute environment of multi-node jobs, in one zone with a cluster placement group.
   *
   * @default - none when `maxInstanceCount` is 1
   */
  public readonly multiNodeComputeEnvironment?: batch.IManagedEc2EcsComputeEnvironment;

  /**
   * The queue of multi-node parallel jobs.
   *
   * @default - none when `maxInstanceCount` is 1
   */
  public readonly multiNodeJobQueue?: batch.IJobQueue;

  /**
   * The multi-node parallel job definition (`maxInstanceCount` nodes).
   *
   * @default - none when `maxInstanceCount` is 1
   */
  public readonly multiNodeJobDefinition?: batch.IJobDefinition;

  /** The launch template: IMDSv2 only, encrypted root volume. */
  public readonly launchTemplate: ec2.LaunchTemplate;

  /** The role the instances (the ECS agent) run as. */
  public readonly instanceRole: iam.IRole;

  /**
   * The role job containers run as: reads `<team>/` in the datasets and artifacts buckets, writes
   * `<team>/artifacts/` and `<team>/checkpoints/` in the artifacts bucket.
   */
  public readonly jobRole: iam.IRole;

  /** The role ECS uses to pull the image and write logs. */
  public readonly executionRole: iam.IRole;

  /** The security group of the instances and multi-node job containers: no internet egress. */
  public readonly securityGroup: ec2.ISecurityGroup;

  /** The log group of the jobs, encrypted with the platform key. */
  public readonly logGroup: logs.ILogGroup;

  /** The connections of the instances. */
  public readonly connections: ec2.Connections;

  /** How many instances one job may span. */
  public readonly maxInstanceCount: number;

  constructor(scope: Construct, id: string, props: GpuBatchComputeProps) {
    super(scope, id);
    const platform = requirePlatform('GpuBatchCompute.platform', props?.platform);
    if (MlPlatform.isMlPlatform(platform) && !platform.batchCompute) {
      throw new TrainyardValidationError(
        'GpuBatchCompute.platform',
        `platform ${platform.node.path} was created without batchCompute: true. Batch instances need the ECS endpoints and a key policy that lets EC2 ` +
          'encrypt their volumes and CloudWatch Logs their log group; the platform grants them once, for every team: create it with batchCompute: true.',
      );
    }
    requirePlatformEndpoints('GpuBatchCompute.platform', platform, GpuBatchCompute.BATCH_ENDPOINTS,
      'Batch instances in the isolated subnets reach ECS, ECR and CloudWatch Logs through them. Keep them in MlPlatform.interfaceEndpoints.');
    validateTeamName('GpuBatchCompute.teamName', props.teamName);
    const gpu = props.gpu;
    if (!gpu || typeof gpu.ec2InstanceType !== 'string') {
      throw new TrainyardValidationError('GpuBatchCompute.gpu', 'is required: pass a GpuProfile, for example GpuProfile.G5_2XLARGE.');
    }
    if (!gpu.isNvidiaGpu) {
      throw new TrainyardValidationError(
        'GpuBatchCompute.gpu',
        `${gpu.instanceType} has ${gpu.acceleratorModel} accelerators; AWS Batch's GPU AMIs (ECS_AL2023_NVIDIA, ECS_AL2_NVIDIA) drive NVIDIA GPUs only. Pick an NVIDIA profile such as GpuProfile.G5_2XLARGE.`,
      );
    }
    const maxInstanceCount = props.maxInstanceCount ?? 1;
    requireIntegerInRange('GpuBatchCompute.maxInstanceCount', maxInstanceCount, 1, MAX_NODES);
    if (maxInstanceCount > 1 && !gpu.multiNodeSupported) {
      throw new TrainyardValidationError(
        'GpuBatchCompute.maxInstanceCount',
        `is ${maxInstanceCount}, but ${gpu.instanceType} does not support multi-node training. Use 1, or a profile with multi-node support.`,
      );
    }
    if (maxInstanceCount > 1 && gpu.vcpus * maxInstanceCount > MAX_VCPUS_LIMIT) {
      throw new TrainyardValidationError(
        'GpuBatchCompute.maxInstanceCount',
        `is ${maxInstanceCount}: ${maxInstanceCount} ${gpu.ec2InstanceType} instances have ${gpu.vcpus * maxInstanceCount} vCPUs, over the ${MAX_VCPUS_LIMIT} of the largest compute environment Trainyard creates. Use at most ${Math.floor(MAX_VCPUS_LIMIT / gpu.vcpus)}.`,
      );
    }
    const containerMemoryMib = Math.floor((gpu.memoryGib * 1024 * 0.9) / 256) * 256;
    if (containerMemoryMib < MIN_CONTAINER_MEMORY_MIB) {
      throw new TrainyardValidationError(
        'GpuBatchCompute.gpu',
        `${gpu.instanceType} has ${gpu.memoryGib} GiB of memory; the job container gets 90% of it rounded down to 256 MiB, which must be at least ${MIN_CONTAINER_MEMORY_MIB} MiB. Check the profile's memoryGib.`,
      );
    }
    const maxvCpus = props.maxvCpus ?? gpu.vcpus * maxInstanceCount;
    requireIntegerInRange('GpuBatchCompute.maxvCpus', maxvCpus, 1, MAX_VCPUS_LIMIT);
    if (!Token.isUnresolved(maxvCpus) && maxvCpus < gpu.vcpus) {
      throw new TrainyardValidationError(
        'GpuBatchCompute.maxvCpus',
        `must be at least the ${gpu.vcpus} vCPUs of one ${gpu.ec2InstanceType} instance, or Batch can never launch one; got ${maxvCpus}.`,
      );
    }
    const retryAttempts = props.retryAttempts ?? 3;
    requireIntegerInRange('GpuBatchCompute.retryAttempts', retryAttempts, 1, 10);
    const maxRuntime = props.maxRuntime ?? Duration.hours(24);
    requireWholeSeconds('GpuBatchCompute.maxRuntime', maxRuntime, 60, 14 * 24 * 3600);
    const volumeGib = requireWholeGibibytes('GpuBatchCompute.volumeSize', props.volumeSize ?? Size.gibibytes(200), 30, 16384);
    const imageTag = props.imageTag ?? 'latest';
    if (!Token.isUnresolved(imageTag) && (typeof imageTag !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(imageTag))) {
      throw new TrainyardValidationError('GpuBatchCompute.imageTag', `must be a Docker image tag (letters, digits, _ . -, up to 128 characters), got '${String(imageTag)}'.`);
    }
    if (props.command !== undefined && (!Array.isArray(props.command) || props.command.some((c) => typeof c !== 'string'))) {
      throw new TrainyardValidationError('GpuBatchCompute.command', `must be a list of strings, for example ['python3', 'train.py'], got ${JSON.stringify(props.command)}.`);
    }
    if (props.costCenter !== undefined) {
      requireName('GpuBatchCompute.costCenter', props.costCenter, TAG_VALUE_RULE);
    }
    requireS3PrefixListId('GpuBatchCompute.s3PrefixListId', props.s3PrefixListId);

    const stack = Stack.of(this);
    this.teamName = props.teamName;
    this.maxInstanceCount = maxInstanceCount;
    const useSpot = props.useSpot ?? true;
    const removalPolicy = requireRemovalPolicy('GpuBatchCompute.removalPolicy', props.removalPolicy);

    // ---- Network ----------------------------------------------------------------------------
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: platform.vpc,
      description: `Trainyard GPU Batch compute of team ${props.teamName}: HTTPS to AWS endpoints and S3 only`,
      allowAllOutbound: false,
    });
    allowPlatformEndpoints(platform, securityGroup, props.s3PrefixListId);
    if (maxInstanceCount > 1) {
      // The nodes of a multi-node job talk to each other (NCCL, MPI): every TCP port within the group.
      securityGroup.connections.allowInternally(ec2.Port.allTcp(), 'TCP between the nodes of a multi-node job');
    }
    this.securityGroup = securityGroup;
    this.connections = securityGroup.connections;

    // ---- Logs -------------------------------------------------------------------------------
    const logGroupName = boundedName(`/trainyard/${props.teamName}/batch`, LOG_GROUP_NAME_LIMIT);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: platform.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy,
    });
    if (!MlPlatform.isMlPlatform(platform)) {
      // The key ARN of an imported platform is a template parameter (its SSM parameter): see foreignKeyArn.
      (logGroup.node.defaultChild as logs.CfnLogGroup).kmsKeyId = foreignKeyArn(platform.encryptionKey);
    }
    Acknowledgements.acknowledge(logGroup, AcknowledgementCatalogue.crossStackKmsKey());
    this.logGroup = logGroup;
    const logStreamsArn = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${logGroupName}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    // ---- Roles ------------------------------------------------------------------------------
    const { instanceRole, executionRole, jobRole, repository } = createBatchRoles(this, {
      teamName: props.teamName,
      platform,
      imageRepository: props.imageRepository,
      logStreamsArn,
    });
    this.instanceRole = instanceRole;
    this.executionRole = executionRole;
    this.jobRole = jobRole;

    // ---- Instances --------------------------------------------------------------------------
    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      // IMDSv2 only; one hop, so job containers cannot borrow the instance role from IMDS.
      requireImdsv2: true,
      // CloudWatch detailed (1-minute) monitoring, so GPU instances that idle show up quickly (CT.EC2.PR.10).
      detailedMonitoring: true,
      httpPutResponseHopLimit: 1,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(volumeGib, {
          encrypted: true,
          kmsKey: platform.encryptionKey,
          volumeType: ec2.EbsDeviceVolumeType.GP3,
          deleteOnTermination: true,
        }),
      }],
    });

    const family = gpu.ec2InstanceType.split('.')[0];
    const imageType = AL2023_UNSUPPORTED_FAMILIES.includes(family)
      ? batch.EcsMachineImageType.ECS_AL2_NVIDIA
      : batch.EcsMachineImageType.ECS_AL2023_NVIDIA;
    if (imageType === batch.EcsMachineImageType.ECS_AL2_NVIDIA) {
      Annotations.of(this).addWarningV2('trainyard:batch-al2-gpu-ami',
        `${gpu.ec2InstanceType} is not supported by the Amazon Linux 2023 NVIDIA AMI; using ECS_AL2_NVIDIA (Amazon Linux 2). Prefer a newer GPU family.`);
    }

    const computeEnvironment = (ceId: string, spot: boolean, subnets: ec2.SubnetSelection, vcpus: number, placementGroup?: ec2.IPlacementGroup) =>
      new batch.ManagedEc2EcsComputeEnvironment(this, ceId, {
        vpc: platform.vpc,
        vpcSubnets: subnets,
        securityGroups: [securityGroup],
        instanceTypes: [gpu.toEc2InstanceType()],
        useOptimalInstanceClasses: false,
        images: [{ imageType }],
        minvCpus: 0,
        maxvCpus: vcpus,
        spot,
        allocationStrategy: spot ? batch.AllocationStrategy.SPOT_PRICE_CAPACITY_OPTIMIZED : batch.AllocationStrategy.BEST_FIT_PROGRESSIVE,
        instanceRole,
        launchTemplate: this.launchTemplate,
        placementGroup,
      });

    this.computeEnvironment = computeEnvironment('ComputeEnvironment', useSpot, platform.trainingSubnets, maxvCpus);
    this.jobQueue = new batch.JobQueue(this, 'JobQueue', {
      computeEnvironments: [{ computeEnvironment: this.computeEnvironment, order: 1 }],
      priority: 1,
    });

    const image = ecs.ContainerImage.fromEcrRepository(repository, imageTag);
    const logging = ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'job' });
    // ECS keeps some memory of each instance for the agent and the OS: ask for 90% of it.
    const memory = Size.mebibytes(containerMemoryMib);
    const container = (containerId: string) => new batch.EcsEc2ContainerDefinition(this, containerId, {
      image,
      command: props.command,
      cpu: gpu.vcpus,
      memory,
      gpu: gpu.acceleratorCount,
      jobRole,
      executionRole: executionRole.withoutPolicyUpdates(),
      logging,
      readonlyRootFilesystem: false,
      environment: { TRAINYARD_TEAM: props.teamName },
    });
    const retryStrategies = [
      batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED),
      batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.CANNOT_PULL_CONTAINER),
      batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.NON_ZERO_EXIT_CODE),
    ];

    this.jobDefinition = new batch.EcsJobDefinition(this, 'JobDefinition', {
      container: container('Container'),
      timeout: maxRuntime,
      retryAttempts,
      retryStrategies,
      propagateTags: true,
    });

    if (maxInstanceCount > 1) {
      // Multi-node parallel jobs run on neither Spot nor across zones: an on-demand environment in
      // one isolated subnet with a cluster placement group, and its own queue.
      const placementGroup = new ec2.PlacementGroup(this, 'PlacementGroup', { strategy: ec2.PlacementGroupStrategy.CLUSTER });
      const firstSubnet = platform.vpc.selectSubnets(platform.trainingSubnets).subnets[0];
      this.multiNodeComputeEnvironment = computeEnvironment(
        'MultiNodeComputeEnvironment', false, { subnets: [firstSubnet] }, gpu.vcpus * maxInstanceCount, placementGroup,
      );
      this.multiNodeJobQueue = new batch.JobQueue(this, 'MultiNodeJobQueue', {
        computeEnvironments: [{ computeEnvironment: this.multiNodeComputeEnvironment, order: 1 }],
        priority: 1,
      });
      this.multiNodeJobDefinition = new batch.MultiNodeJobDefinition(this, 'MultiNodeJobDefinition', {
        instanceType: gpu.toEc2InstanceType(),
        mainNode: 0,
        containers: [{ startNode: 0, endNode: maxInstanceCount - 1, container: container('MultiNodeContainer') }],
        timeout: maxRuntime,
        retryAttempts,
        retryStrategies: [retryStrategies[1], retryStrategies[2]],
        propagateTags: true,
      });
    }

    Tags.of(this).add(TAG_KEYS.team, props.teamName);
    Tags.of(this).add(TAG_KEYS.costCenter, props.costCenter ?? props.teamName);
    Tags.of(this).add('trainyard:component', 'gpu-batch-compute');
  }
}
