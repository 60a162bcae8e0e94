import { Duration, IResource, Lazy, RemovalPolicy, Resource, Size, Stack, Tags } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ExperimentTrackingMode } from './experiment-tracking-mode';
import { GpuProfile } from './gpu-profile';
import { TrainingJobDefaults } from './training-job-defaults';
import { Acknowledgements } from '../core/acknowledgements';
import { TrainyardValidationError } from '../core/errors';
import { AcknowledgementCatalogue } from '../core/private/acknowledgement-catalogue';
import { REQUIRED_COST_TAG_KEYS, TAG_KEYS } from '../core/tag-keys';
import { validateTeamName } from '../core/team-name';
import { requireDuration, requireIntegerInRange, requireName, requireRemovalPolicy, requireWholeGibibytes, TAG_VALUE_RULE } from '../core/validate';
import { IMlPlatform } from '../platform/ml-platform';
import { guardrailAllowStatements, guardrailDenyStatements, guardrailWildcardActions } from './private/guardrail-statements';
import { shareDatasets, shareImages, shareModels } from './private/team-sharing';
import { requirePlatform } from '../platform/private/platform-checks';
import { IExperimentTracking } from '../registry/experiment-tracking';
import { ImageRegistry } from '../registry/image-registry';
import { ModelRegistry } from '../registry/model-registry';
import { createExecutionPolicies } from './private/execution-policies';
import { allowPlatformEndpoints, requireS3PrefixListId } from './private/network';
import { createTeamBudget, validateBudgetProps } from './private/team-budget';
import { teamExperimentTracking } from './private/team-tracking';

/**
 * A team's GPU training environment, as the constructs that build on it (pipelines, metrics,
 * registries) see it. Implemented by `TrainingEnvironment` and by
 * `TrainingEnvironment.fromTrainingEnvironmentAttributes`. As a grantee it is the execution role
 * (`bucket.grantRead(environment)`); its connections are the jobs' security group.
 */
export interface ITrainingEnvironment extends IResource, iam.IGrantable, ec2.IConnectable {
  /** The team's name: lowercase letters, digits and hyphens. Prefixes, tags and derived names use it. */
  readonly teamName: string;

  /** The role SageMaker jobs of this team run as. */
  readonly executionRole: iam.IRole;

  /** The security group of the team's jobs (no internet egress). */
  readonly securityGroup: ec2.ISecurityGroup;

  /** The platform's datasets bucket; the team reads `datasetsPrefix` in it. */
  readonly datasetsBucket: s3.IBucket;

  /** The platform's artifacts bucket; the team writes `artifactsPrefix` and `checkpointsPrefix` in it. */
  readonly artifactsBucket: s3.IBucket;

  /** The platform key that encrypts data, artifacts, volumes and outputs. */
  readonly encryptionKey: kms.IKey;

  /** The team's key prefix in the datasets bucket, ending in `/` (for example `fraud/`). */
  readonly datasetsPrefix: string;

  /** The team's key prefix for model artifacts in the artifacts bucket, ending in `/`. */
  readonly artifactsPrefix: string;

  /** The team's key prefix for training checkpoints in the artifacts bucket, ending in `/`. */
  readonly checkpointsPrefix: string;

  /** What every training job of the team starts from (CreateTrainingJob shape). */
  readonly trainingJobDefaults: TrainingJobDefaults;

  /**
   * The name of the team's model package group, where pipelines register models.
   *
   * @default - no model registry wired
   */
  readonly modelPackageGroupName?: string;

  /**
   * The permissions boundary of the team's roles (the training guardrails): `TrainingPipeline`
   * sets it on its execution and trigger roles, and a team's `TrainingStudio` can take it.
   *
   * @default - no boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;

  /**
   * Lets the team's jobs use these instance types under its guardrails (exact types such as
   * `ml.m5.xlarge`, or IAM `StringLike` patterns such as `ml.m5.*`). `TrainingPipeline` calls it
   * with the instance types of its steps. Does nothing for an environment without guardrails.
   */
  allowInstanceTypes(...instanceTypes: string[]): void;
}

/**
 * Properties of a team's training environment.
 */
export interface TrainingEnvironmentProps {
  /** The shared platform the team trains on: its VPC, key and buckets. */
  readonly platform: IMlPlatform;

  /**
   * The team's name: 2 to 32 lowercase letters, digits and single hyphens, starting with a letter.
   * It prefixes the team's S3 keys, tags and the SageMaker and IAM names derived from it
   * (SageMaker names allow 63 characters, IAM names 64; Trainyard keeps the rest for suffixes).
   */
  readonly teamName: string;

  /** The accelerator instance type the team's jobs run on, for example `GpuProfile.G5_2XLARGE`. */
  readonly gpu: GpuProfile;

  /**
   * The most instances one training job may use. More than 1 means multi-node distributed
   * training: the security group then admits traffic between the job's instances (all traffic
   * when the profile supports EFA) and traffic between containers is encrypted.
   *
   * @default 1
   */
  readonly maxInstanceCount?: number;

  /**
   * The team's monthly budget in USD. Creates an AWS Budgets cost budget filtered on the team's
   * cost-allocation tag (`trainyard:team`, which must be activated in the Billing console), with
   * alerts at 80% of actual and 100% of forecast spend.
   *
   * @default - no budget
   */
  readonly monthlyBudgetUsd?: number;

  /**
   * Email addresses the budget's alerts (80% of actual and 100% of forecast monthly spend) go to
   * directly, besides the SNS topic (at most 10, the AWS Budgets limit). Needs `monthlyBudgetUsd`.
   * The environment has no CloudWatch alarms of its own: the budget alerts are all that is sent.
   * Named like `FlowMetrics` `alarmEmails`, which receives the flow alarms.
   *
   * @default - alerts go to the SNS topic only
   */
  readonly alarmEmails?: string[];

  /**
   * The SNS topic budget alerts are published to. Needs `monthlyBudgetUsd`. Its access policy
   * must allow `budgets.amazonaws.com` to publish (Trainyard adds that statement to topics it can modify).
   *
   * @default - a new topic, encrypted with a new rotating KMS key and TLS-only, when `monthlyBudgetUsd` is set
   */
  readonly budgetTopic?: sns.ITopic;

  /**
   * The cost centre every resource and job of the team is tagged with (`trainyard:cost-center`).
   * MlOps-GpuResourceCostTagged requires the tag on GPU-bearing resources and pipeline steps.
   *
   * @default - the team name
   */
  readonly costCenter?: string;

  /**
   * The longest a training job may run (SageMaker `MaxRuntimeInSeconds`; with retries, for all
   * attempts together). At most 28 days, the SageMaker limit.
   *
   * @default Duration.hours(24)
   */
  readonly maxRuntime?: Duration;

  /**
   * Whether jobs run on managed spot capacity, with checkpoints to S3 and a `MaxWaitTime` of twice
   * `maxRuntime`. Spot training costs up to 90% less than on-demand.
   *
   * @default true
   */
  readonly useSpot?: boolean;

  /**
   * Keep a job's instances warm this long after it ends, so the next job starts without
   * provisioning (SageMaker managed warm pools, at most 1 hour). Warm pools do not work with
   * managed spot training: set `useSpot: false` with it.
   *
   * @default - no warm pool
   */
  readonly warmPoolKeepAlive?: Duration;

  /**
   * The size of each instance's ML storage volume (SageMaker `VolumeSizeInGB`): whole GiB, from 1 to
   * 16,384 GiB. Instance types with local NVMe storage train on that storage instead, up to its size.
   *
   * @default Size.gibibytes(100)
   */
  readonly volumeSize?: Size;

  /**
   * How often SageMaker retries a job after an internal error or insufficient capacity (1 to 30).
   *
   * @default 2
   */
  readonly retryAttempts?: number;

  /**
   * The team's image repository. The execution role may pull from it, and from no other repository.
   *
   * @default - the repository of the environment's own `ImageRegistry` (`<team>/training`); with
   * `createRegistries: false`, no ECR pull permission (use SageMaker's built-in algorithms)
   */
  readonly imageRepository?: ecr.IRepository;

  /**
   * Create the team's registries when they are not given: a `ModelRegistry` named `<team>-models`
   * (unless `modelPackageGroupName` is set) and an `ImageRegistry` named `<team>/training` (unless
   * `imageRepository` is set), both retained on delete and keyed to the platform key.
   *
   * @default true
   */
  readonly createRegistries?: boolean;

  /**
   * A shared experiment tracking (managed MLflow) the team logs to instead of its own App, for
   * example the platform's organisation-wide App (`platform.experimentTracking`). The execution role
   * gets the MLflow API on it and its artifact prefix, through a customer-managed policy. Every team
   * on a shared App can read, change and delete the others' experiments (see `ExperimentTrackingMode.SHARED`).
   *
   * @default - the team's own serverless MLflow App (see `experimentTrackingMode`)
   */
  readonly experimentTracking?: IExperimentTracking;

  /**
   * Which experiment tracking the team logs to: its own serverless MLflow App (isolated from other
   * teams), a shared App, or none.
   *
   * @default - ExperimentTrackingMode.SHARED when `experimentTracking` is given; otherwise
   * ExperimentTrackingMode.TEAM when the platform has its MLflow endpoint, ExperimentTrackingMode.NONE when not
   */
  readonly experimentTrackingMode?: ExperimentTrackingMode;

  /**
   * Cut the training and processing containers off from the network (SageMaker
   * `EnableNetworkIsolation`). SageMaker still downloads inputs and uploads outputs for them.
   *
   * Turn it off only for jobs that must call a service from inside the container, such as logging
   * to MLflow with `mlflow.log_metric`: jobs then get `MLFLOW_TRACKING_URI` and `MLFLOW_EXPERIMENT_NAME`
   * (the team name) set, and can reach the platform's interface endpoints (MLflow's among them) and
   * S3, but still nothing on the internet.
   * MlOps-SageMakerTrainingNetworkIsolated stops synth on every training step without isolation until
   * you acknowledge it with your reason, and
   * `TrainingGuardrails` denies such jobs unless `requireNetworkIsolation: false`.
   *
   * @default true
   */
  readonly networkIsolation?: boolean;

  /**
   * Give the team's roles the training guardrails as their permissions boundary: one customer-managed
   * policy per environment (`permissionsBoundary`) with the same statements as `TrainingGuardrails`,
   * set on the execution role and, through the environment, on the execution and trigger roles of
   * every `TrainingPipeline` on it. Jobs must then run in a VPC, with network isolation (unless
   * `networkIsolation` is false), with an output KMS key, with a volume KMS key except on instance
   * types with local NVMe storage, on the instance types the team declares (the GPU profile, plus
   * those of its pipelines' steps: `allowInstanceTypes`), and tagged `trainyard:team` and
   * `trainyard:cost-center`. The boundary allows everything Trainyard's team roles are granted; it
   * grants nothing by itself.
   *
   * Set false when the organization attaches its own boundary (for example `TrainingGuardrails.applyTo`
   * with an organization-wide policy) or enforces the same denies with a service control policy.
   * Imported roles (`TrainingStudio.executionRole` given as a role from elsewhere) cannot take a boundary.
   *
   * @default true
   */
  readonly guardrails?: boolean;

  /**
   * The ID of the Region's Amazon S3 managed prefix list (`com.amazonaws.<region>.s3`, for example
   * `pl-63a5400a` in us-east-1). Jobs in the isolated VPC reach S3 through the platform's gateway
   * endpoint; the security group then allows HTTPS to S3's address ranges, and nothing else outside the VPC.
   *
   * @default - HTTPS egress to any address: the isolated subnets have no route out of the VPC, so only the
   * interface endpoints and the S3 gateway endpoint answer
   */
  readonly s3PrefixListId?: string;

  /**
   * The name of an existing model package group, where pipelines register the team's models.
   *
   * @default - the group of the environment's own `ModelRegistry` (`<team>-models`); with
   * `createRegistries: false`, no model registry wired
   */
  readonly modelPackageGroupName?: string;

  /**
   * What happens to the stateful resources the environment creates (the registries and the budget
   * alerts topic's KMS key) when it is removed from the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Attributes of an existing training environment, to reference it from another stack or app.
 *
 * The job defaults are derived from them exactly as `TrainingEnvironment` derives its own, so the
 * role pipelines may pass (`executionRole`) is the role jobs run as: they cannot disagree. Give the
 * same values the environment was created with (each has the same default as the construct prop).
 */
export interface TrainingEnvironmentAttributes {
  /** The platform the environment runs on (`MlPlatform.fromPlatformName`, for another app). */
  readonly platform: IMlPlatform;

  /** The team's name. */
  readonly teamName: string;

  /** The role the team's SageMaker jobs run as. */
  readonly executionRole: iam.IRole;

  /** The security group of the team's jobs. */
  readonly securityGroup: ec2.ISecurityGroup;

  /** The accelerator instance type the team's jobs run on. */
  readonly gpu: GpuProfile;

  /**
   * The most instances one training job may use.
   *
   * @default 1
   */
  readonly maxInstanceCount?: number;

  /**
   * Whether jobs run on managed spot capacity.
   *
   * @default true
   */
  readonly useSpot?: boolean;

  /**
   * The longest a training job may run.
   *
   * @default Duration.hours(24)
   */
  readonly maxRuntime?: Duration;

  /**
   * How long a job's instances stay warm after it ends.
   *
   * @default - no warm pool
   */
  readonly warmPoolKeepAlive?: Duration;

  /**
   * The size of each instance's ML storage volume: whole GiB, from 1 to 16,384 GiB.
   *
   * @default Size.gibibytes(100)
   */
  readonly volumeSize?: Size;

  /**
   * How often SageMaker retries a job after an internal error or insufficient capacity.
   *
   * @default 2
   */
  readonly retryAttempts?: number;

  /**
   * Whether the training and processing containers are cut off from the network.
   *
   * @default true
   */
  readonly networkIsolation?: boolean;

  /**
   * The cost centre the team's jobs are tagged with.
   *
   * @default - the team name
   */
  readonly costCenter?: string;

  /**
   * The experiment tracking the environment's jobs without network isolation are pointed at
   * (`MLFLOW_TRACKING_URI`): the team's own MLflow App (`TrainingEnvironment.experimentTracking` of
   * the team's stack, imported with `ExperimentTracking.fromTrackingArn`), or the shared one it uses.
   * Not taken from the platform: teams track experiments in their own App by default, so an imported
   * environment is never silently pointed at the platform's shared App.
   *
   * @default - none: jobs get no MLflow tracking URI
   */
  readonly experimentTracking?: IExperimentTracking;

  /**
   * The team's prefix in the datasets bucket, ending in `/`.
   *
   * @default '<teamName>/'
   */
  readonly datasetsPrefix?: string;

  /**
   * The team's prefix for model artifacts in the artifacts bucket, ending in `/`.
   *
   * @default '<teamName>/artifacts/'
   */
  readonly artifactsPrefix?: string;

  /**
   * The team's prefix for checkpoints in the artifacts bucket, ending in `/`.
   *
   * @default '<teamName>/checkpoints/'
   */
  readonly checkpointsPrefix?: string;

  /**
   * The team's model package group.
   *
   * @default - no model registry wired
   */
  readonly modelPackageGroupName?: string;
}

/** SageMaker's longest training job (`MaxRuntimeInSeconds` at most 28 days). */
const MAX_RUNTIME_SECONDS = 28 * 24 * 3600;
/** SageMaker managed warm pools: `KeepAlivePeriodInSeconds` from 0 to 3600. */
const MAX_WARM_POOL_SECONDS = 3600;
/** Why the job-default Durations cannot be tokens. */
const JOB_DEFAULTS_LITERAL = 'the job defaults are rendered at synth';
/** SageMaker `RetryStrategy.MaximumRetryAttempts`: 1 to 30. */
const MAX_RETRY_ATTEMPTS = 30;
/** The largest ML storage volume of a training job, in GiB. */
const MAX_VOLUME_GIB = 16_384;

/**
 * A team's governed GPU training environment on the shared platform: a least-privilege execution
 * role, a security group with no internet egress, the defaults every training job starts from
 * (isolated VPC, network isolation, KMS, spot with checkpoints, runtime limit, retries), an optional
 * monthly budget with alerts, and tags on everything for cost allocation.
 *
 * The role reads only the team's dataset prefix, writes only its artifact and checkpoint prefixes,
 * pulls only from the team's image repository, and manages ENIs only in the platform VPC. Its
 * permissions are customer-managed policies (no inline policies, no AWS managed policies, no `*` actions).
 */
export class TrainingEnvironment extends Resource implements ITrainingEnvironment {
  /**
   * References a training environment defined elsewhere (another stack or app). Its job defaults
   * are derived from the attributes, so the role that is passed and the role jobs run as are one.
   */
  public static fromTrainingEnvironmentAttributes(scope: Construct, id: string, attrs: TrainingEnvironmentAttributes): ITrainingEnvironment {
    return new ImportedTrainingEnvironment(scope, id, attrs);
  }

  public readonly teamName: string;
  public readonly executionRole: iam.IRole;
  public readonly securityGroup: ec2.ISecurityGroup;
  public readonly datasetsBucket: s3.IBucket;
  public readonly artifactsBucket: s3.IBucket;
  public readonly encryptionKey: kms.IKey;
  public readonly datasetsPrefix: string;
  public readonly artifactsPrefix: string;
  public readonly checkpointsPrefix: string;
  public readonly trainingJobDefaults: TrainingJobDefaults;
  public readonly modelPackageGroupName?: string;

  /** The accelerator profile the team's jobs run on. */
  public readonly gpu: GpuProfile;

  /** The most instances one job may use. */
  public readonly maxInstanceCount: number;

  /** The customer-managed policies attached to the execution role, one per concern. */
  public readonly executionPolicies: iam.IManagedPolicy[];

  /**
   * The training guardrails boundary of the team's roles.
   *
   * @default - none, when `guardrails` is false
   */
  public readonly permissionsBoundary?: iam.IManagedPolicy;

  /** Instance types the guardrails let the team's jobs use. */
  private readonly allowedInstanceTypes = new Set<string>();

  /**
   * The team's model registry (`<team>-models`), where its pipelines register models.
   *
   * @default - none created (`modelPackageGroupName` given, or `createRegistries: false`)
   */
  public readonly modelRegistry?: ModelRegistry;

  /**
   * The image repository the execution role pulls from: the image registry's, or the one given.
   *
   * @default - none (`createRegistries: false` and no `imageRepository`)
   */
  public readonly imageRepository?: ecr.IRepository;

  /**
   * The team's image registry (`<team>/training`), which the execution role pulls from.
   *
   * @default - none created (`imageRepository` given, or `createRegistries: false`)
   */
  public readonly imageRegistry?: ImageRegistry;

  /**
   * The experiment tracking the team's roles may use: the team's own MLflow App by default, or the
   * shared one it was given.
   *
   * @default - none (ExperimentTrackingMode.NONE, or a platform without the MLflow endpoint)
   */
  public readonly experimentTracking?: IExperimentTracking;

  /**
   * The AWS Budgets budget of the team.
   *
   * @default - no budget (no `monthlyBudgetUsd`)
   */
  public readonly budget?: budgets.CfnBudget;

  /**
   * The topic budget alerts are published to.
   *
   * @default - no budget (no `monthlyBudgetUsd`)
   */
  public readonly budgetTopic?: sns.ITopic;

  /** The tags every resource and job of the environment carries. */
  public readonly tags: { [key: string]: string };

  /** The security group connections of the team's jobs. */
  public readonly connections: ec2.Connections;

  /** The execution role, as the principal to grant more permissions to. */
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: TrainingEnvironmentProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') {
      throw new TrainyardValidationError('TrainingEnvironment', 'needs props: { platform, teamName, gpu }.');
    }
    const { gpu } = props;
    const platform = requirePlatform('TrainingEnvironment.platform', props.platform);
    if (!GpuProfile.isGpuProfile(gpu)) {
      throw new TrainyardValidationError('TrainingEnvironment.gpu', "must be a GpuProfile, for example GpuProfile.G5_2XLARGE or GpuProfile.of('ml.g5.2xlarge').");
    }
    const teamName = validateTeamName('TrainingEnvironment.teamName', props.teamName);

    // ---- Props ------------------------------------------------------------------------------
    const job = jobSettings('TrainingEnvironment', props);
    const { maxInstanceCount } = job;
    validateBudgetProps(props);
    requireS3PrefixListId('TrainingEnvironment.s3PrefixListId', props.s3PrefixListId);
    if (props.modelPackageGroupName !== undefined) {
      requireName('TrainingEnvironment.modelPackageGroupName', props.modelPackageGroupName, {
        pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/,
        minLength: 1,
        maxLength: 63,
        description: 'a SageMaker name: letters, digits and hyphens, at most 63 characters',
      });
    }

    this.teamName = teamName;
    this.gpu = gpu;
    this.maxInstanceCount = maxInstanceCount;
    this.datasetsBucket = platform.datasetsBucket;
    this.artifactsBucket = platform.artifactsBucket;
    this.encryptionKey = platform.encryptionKey;
    this.datasetsPrefix = `${teamName}/`;
    this.artifactsPrefix = `${teamName}/artifacts/`;
    this.checkpointsPrefix = `${teamName}/checkpoints/`;
    const createRegistries = props.createRegistries ?? true;
    if (typeof createRegistries !== 'boolean') {
      throw new TrainyardValidationError('TrainingEnvironment.createRegistries', `must be true or false, got ${String(createRegistries)}.`);
    }
    const removalPolicy = requireRemovalPolicy('TrainingEnvironment.removalPolicy', props.removalPolicy);
    const guardrails = props.guardrails ?? true;
    if (typeof guardrails !== 'boolean') {
      throw new TrainyardValidationError('TrainingEnvironment.guardrails', `must be true or false, got ${String(guardrails)}.`);
    }

    this.tags = environmentTags(teamName, props.costCenter);
    for (const [key, value] of Object.entries(this.tags)) {
      Tags.of(this).add(key, value);
    }

    // ---- Registries -------------------------------------------------------------------------
    if (props.modelPackageGroupName === undefined && createRegistries) {
      this.modelRegistry = new ModelRegistry(this, 'Models', {
        groupName: ModelRegistry.groupNameForTeam(teamName),
        description: `Models of team ${teamName}, registered by its training pipelines`,
        encryptionKey: platform.encryptionKey,
        removalPolicy,
      });
    }
    this.modelPackageGroupName = props.modelPackageGroupName ?? this.modelRegistry?.modelPackageGroupName;
    let repository = props.imageRepository;
    if (repository === undefined && createRegistries) {
      this.imageRegistry = new ImageRegistry(this, 'Images', {
        repositoryName: `${teamName}/training`,
        encryptionKey: platform.encryptionKey,
        removalPolicy,
      });
      repository = this.imageRegistry.repository;
    }
    this.imageRepository = repository;
    // The team's own MLflow App by default: IAM cannot separate teams inside a shared one.
    const tracking = teamExperimentTracking(this, {
      platform, teamName, mode: props.experimentTrackingMode, given: props.experimentTracking, removalPolicy,
    });
    this.experimentTracking = tracking;

    // ---- Network ----------------------------------------------------------------------------
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: platform.vpc,
      description: `Trainyard ${teamName} training jobs: no internet egress`,
      allowAllOutbound: false,
    });
    // HTTPS to the platform's interface endpoints and to S3 through the gateway endpoint.
    allowPlatformEndpoints(platform, securityGroup, props.s3PrefixListId);
    if (maxInstanceCount > 1) {
      // Instances of one job talk to each other (NCCL, MPI); EFA needs every protocol, not just TCP.
      const port = gpu.efaSupported ? ec2.Port.allTraffic() : ec2.Port.allTcp();
      const what = gpu.efaSupported ? 'EFA and distributed-training traffic' : 'distributed-training traffic';
      securityGroup.addIngressRule(securityGroup, port, `${what} between the instances of one job`);
      securityGroup.addEgressRule(securityGroup, port, `${what} between the instances of one job`);
      if (gpu.efaSupported) {
        Acknowledgements.acknowledge(securityGroup, AcknowledgementCatalogue.efaSelfTraffic());
      }
    }
    this.securityGroup = securityGroup;
    this.connections = new ec2.Connections({ securityGroups: [securityGroup] });

    // ---- Guardrails: one permissions boundary for the team's roles ------------------------------
    if (guardrails) {
      this.allowedInstanceTypes.add(gpu.instanceType);
      const boundary = new iam.ManagedPolicy(this, 'PermissionsBoundary', {
        description: `Trainyard ${teamName}: training guardrails, the most the team's roles may do (permissions boundary)`,
        document: new iam.PolicyDocument({
          statements: [
            ...guardrailAllowStatements(),
            ...guardrailDenyStatements({
              allowedInstanceTypes: Lazy.list({ produce: () => [...this.allowedInstanceTypes].sort() }),
              requiredTags: REQUIRED_COST_TAG_KEYS,
              requireNetworkIsolation: job.networkIsolation,
            }),
          ],
        }),
      });
      Acknowledgements.acknowledge(boundary, AcknowledgementCatalogue.permissionsBoundaryCeiling(guardrailWildcardActions()));
      this.permissionsBoundary = boundary;
    }

    // ---- Execution role ---------------------------------------------------------------------
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'ExecutionRole', {
      permissionsBoundary: this.permissionsBoundary,
      description: `Trainyard ${teamName}: SageMaker training and processing jobs`,
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      maxSessionDuration: Duration.hours(12),
    });
    this.executionRole = role;
    this.grantPrincipal = role;
    this.executionPolicies = createExecutionPolicies(this, {
      teamName,
      role,
      platform,
      securityGroup,
      datasetsPrefix: this.datasetsPrefix,
      artifactsPrefix: this.artifactsPrefix,
      checkpointsPrefix: this.checkpointsPrefix,
      repository,
      tracking,
    });

    // ---- Job defaults -----------------------------------------------------------------------
    this.trainingJobDefaults = deriveJobDefaults(platform, job, tracking, {
      teamName, role, securityGroup, artifactsPrefix: this.artifactsPrefix, checkpointsPrefix: this.checkpointsPrefix, tags: this.tags,
    });

    // ---- Budget -----------------------------------------------------------------------------
    if (props.monthlyBudgetUsd !== undefined) {
      const { budget, topic } = createTeamBudget(this, {
        teamName,
        monthlyBudgetUsd: props.monthlyBudgetUsd,
        alarmEmails: props.alarmEmails,
        budgetTopic: props.budgetTopic,
        removalPolicy,
        tags: this.tags,
      });
      this.budgetTopic = topic;
      this.budget = budget;
    }
  }

  /**
   * Lets the team's jobs use these instance types under the guardrails (`guardrails`): exact types
   * such as `ml.m5.xlarge`, or IAM `StringLike` patterns such as `ml.m5.*`. `TrainingPipeline` calls
   * it with the instance types of its steps. Without guardrails it does nothing.
   */
  public allowInstanceTypes(...instanceTypes: string[]): void {
    for (const type of instanceTypes) {
      if (typeof type !== 'string' || !/^ml\.[a-z0-9*?]+(\.[a-z0-9*?-]+)?$/.test(type)) {
        throw new TrainyardValidationError(
          'TrainingEnvironment.allowInstanceTypes',
          `'${String(type)}' is not a SageMaker instance type or pattern such as 'ml.g5.2xlarge' or 'ml.m5.*'.`,
        );
      }
      if (this.permissionsBoundary) this.allowedInstanceTypes.add(type);
    }
  }

  /**
   * Shares this team's datasets with another team, explicitly: `other`'s execution role may read (get,
   * get versions, list) the objects under `<this team>/<prefix>` in the datasets bucket, and nothing
   * else of this team. The grant is a customer-managed policy `ShareDatasetsWith<OtherTeam>` in THIS
   * team's stack, attached to the other team's role: the owner decides, and reviews, what it shares.
   *
   * The policy refers to the other team's role, so this team's stack depends on the other's; two
   * teams in different stacks that share with each other would form a dependency cycle (CDK reports it
   * at synth): put them in one stack, or share in one direction.
   *
   * @param other the team that may read
   * @param keyPrefix a key prefix under this team's datasets prefix, ending in `/` (for example
   * `features/`); without it, every dataset of the team
   */
  public grantDatasetRead(other: ITrainingEnvironment, keyPrefix?: string): iam.Grant {
    return shareDatasets(this, other, keyPrefix);
  }

  /**
   * Shares this team's registered models with another team, explicitly: `other`'s execution role may
   * describe this team's model package group, describe and list its model versions, and read the
   * model artifacts under this team's artifacts prefix. A customer-managed policy
   * `ShareModelsWith<OtherTeam>` in this team's stack (see `grantDatasetRead`).
   */
  public grantModelRead(other: ITrainingEnvironment): iam.Grant {
    return shareModels(this, other);
  }

  /**
   * Shares this team's image repository with another team, explicitly: `other`'s execution role may
   * pull its images. A customer-managed policy `ShareImagesWith<OtherTeam>` in this team's stack (see
   * `grantDatasetRead`).
   */
  public grantImagePull(other: ITrainingEnvironment): iam.Grant {
    return shareImages(this, other, this.imageRepository);
  }

  /** The S3 URI of the team's dataset prefix, for example `s3://<datasets bucket>/fraud/`. */
  public get datasetsS3Uri(): string {
    return `s3://${this.datasetsBucket.bucketName}/${this.datasetsPrefix}`;
  }
}

/** A training environment defined elsewhere. */
class ImportedTrainingEnvironment extends Resource implements ITrainingEnvironment {
  public readonly teamName: string;
  public readonly executionRole: iam.IRole;
  public readonly securityGroup: ec2.ISecurityGroup;
  public readonly datasetsBucket: s3.IBucket;
  public readonly artifactsBucket: s3.IBucket;
  public readonly encryptionKey: kms.IKey;
  public readonly datasetsPrefix: string;
  public readonly artifactsPrefix: string;
  public readonly checkpointsPrefix: string;
  public readonly trainingJobDefaults: TrainingJobDefaults;
  public readonly modelPackageGroupName?: string;
  public readonly grantPrincipal: iam.IPrincipal;
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, attrs: TrainingEnvironmentAttributes) {
    super(scope, id);
    if (!attrs || typeof attrs !== 'object') {
      throw new TrainyardValidationError('TrainingEnvironmentAttributes', 'needs the attributes of the environment to import.');
    }
    const platform = requirePlatform('TrainingEnvironmentAttributes.platform', attrs.platform);
    this.teamName = validateTeamName('TrainingEnvironmentAttributes.teamName', attrs.teamName);
    for (const name of ['executionRole', 'securityGroup'] as const) {
      if (!attrs[name]) {
        throw new TrainyardValidationError(`TrainingEnvironmentAttributes.${name}`, 'is required to import a training environment.');
      }
    }
    if (!GpuProfile.isGpuProfile(attrs.gpu)) {
      throw new TrainyardValidationError('TrainingEnvironmentAttributes.gpu', "must be the environment's GpuProfile, for example GpuProfile.G5_2XLARGE.");
    }
    const job = jobSettings('TrainingEnvironmentAttributes', attrs);
    this.executionRole = attrs.executionRole;
    this.grantPrincipal = attrs.executionRole;
    this.securityGroup = attrs.securityGroup;
    this.connections = new ec2.Connections({ securityGroups: [attrs.securityGroup] });
    this.datasetsBucket = platform.datasetsBucket;
    this.artifactsBucket = platform.artifactsBucket;
    this.encryptionKey = platform.encryptionKey;
    this.datasetsPrefix = prefix('TrainingEnvironmentAttributes.datasetsPrefix', attrs.datasetsPrefix ?? `${this.teamName}/`);
    this.artifactsPrefix = prefix('TrainingEnvironmentAttributes.artifactsPrefix', attrs.artifactsPrefix ?? `${this.teamName}/artifacts/`);
    this.checkpointsPrefix = prefix('TrainingEnvironmentAttributes.checkpointsPrefix', attrs.checkpointsPrefix ?? `${this.teamName}/checkpoints/`);
    this.modelPackageGroupName = attrs.modelPackageGroupName;
    this.trainingJobDefaults = deriveJobDefaults(platform, job, requireTracking('TrainingEnvironmentAttributes.experimentTracking', attrs.experimentTracking), {
      teamName: this.teamName,
      role: attrs.executionRole,
      securityGroup: attrs.securityGroup,
      artifactsPrefix: this.artifactsPrefix,
      checkpointsPrefix: this.checkpointsPrefix,
      tags: environmentTags(this.teamName, attrs.costCenter),
    });
  }

  /** An imported environment has no boundary here: its owner manages its guardrails. */
  public allowInstanceTypes(..._instanceTypes: string[]): void {
    // Nothing to widen.
  }
}

/** What the job defaults are derived from, validated: the same for a new and an imported environment. */
interface JobSettings {
  readonly gpu: GpuProfile;
  readonly maxInstanceCount: number;
  readonly useSpot: boolean;
  readonly maxRuntimeSeconds: number;
  readonly keepAliveSeconds?: number;
  readonly volumeSizeGib: number;
  readonly retryAttempts: number;
  readonly networkIsolation: boolean;
}

/** The job settings of props or attributes (`who` is `TrainingEnvironment` or `TrainingEnvironmentAttributes`), with their defaults. */
function jobSettings(who: string, props: TrainingEnvironmentProps | TrainingEnvironmentAttributes): JobSettings {
  const gpu = props.gpu;
  const maxInstanceCount = props.maxInstanceCount ?? 1;
  requireIntegerInRange(`${who}.maxInstanceCount`, maxInstanceCount, 1, 10_000);
  if (maxInstanceCount > 1 && !gpu.multiNodeSupported) {
    throw new TrainyardValidationError(
      `${who}.maxInstanceCount`,
      `is ${maxInstanceCount}, but ${gpu.instanceType} does not support multi-node training. Use 1, or a profile with multiNodeSupported (for example GpuProfile.P4D_24XLARGE).`,
    );
  }
  const useSpot = props.useSpot ?? true;
  if (typeof useSpot !== 'boolean') {
    throw new TrainyardValidationError(`${who}.useSpot`, `must be true or false, got ${String(useSpot)}.`);
  }
  const maxRuntimeSeconds = requireDuration(`${who}.maxRuntime`, props.maxRuntime ?? Duration.hours(24), {
    unit: 'seconds', min: 1, max: MAX_RUNTIME_SECONDS, maxNote: '28 days, the SageMaker limit', literalReason: JOB_DEFAULTS_LITERAL,
  });
  const keepAliveSeconds = props.warmPoolKeepAlive === undefined
    ? undefined
    : requireDuration(`${who}.warmPoolKeepAlive`, props.warmPoolKeepAlive, {
      unit: 'seconds', min: 0, max: MAX_WARM_POOL_SECONDS, maxNote: '1 hour, the SageMaker warm pool limit', literalReason: JOB_DEFAULTS_LITERAL,
    });
  if (keepAliveSeconds !== undefined && keepAliveSeconds > 0 && useSpot) {
    throw new TrainyardValidationError(
      `${who}.warmPoolKeepAlive`,
      `cannot be combined with ${who}.useSpot (the default): SageMaker warm pools do not support managed spot training. Set useSpot: false, or drop warmPoolKeepAlive.`,
    );
  }
  const volumeSizeGib = requireWholeGibibytes(`${who}.volumeSize`, props.volumeSize ?? Size.gibibytes(100), 1, MAX_VOLUME_GIB);
  const retryAttempts = props.retryAttempts ?? 2;
  requireIntegerInRange(`${who}.retryAttempts`, retryAttempts, 1, MAX_RETRY_ATTEMPTS);
  if (props.costCenter !== undefined) {
    requireName(`${who}.costCenter`, props.costCenter, TAG_VALUE_RULE);
  }
  const networkIsolation = props.networkIsolation ?? true;
  if (typeof networkIsolation !== 'boolean') {
    throw new TrainyardValidationError(`${who}.networkIsolation`, `must be true or false, got ${String(networkIsolation)}.`);
  }
  return {
    gpu, maxInstanceCount, useSpot, maxRuntimeSeconds, keepAliveSeconds, volumeSizeGib, retryAttempts, networkIsolation,
  };
}

/** The experiment tracking of the attributes, checked by shape (no `instanceof`). */
function requireTracking(prop: string, tracking: IExperimentTracking | undefined): IExperimentTracking | undefined {
  if (tracking !== undefined && (typeof tracking.grantAccess !== 'function' || typeof tracking.trackingUri !== 'string')) {
    throw new TrainyardValidationError(prop, 'must be an ExperimentTracking, or one imported with ExperimentTracking.fromTrackingArn.');
  }
  return tracking;
}

/** The tags every resource and job of a team's environment carries. */
function environmentTags(teamName: string, costCenter?: string): { [key: string]: string } {
  return {
    [TAG_KEYS.team]: teamName,
    'trainyard:environment': `${teamName}-training`,
    [TAG_KEYS.costCenter]: costCenter ?? teamName,
  };
}

/**
 * What every training job of the team starts from, derived from the platform, the settings, the
 * experiment tracking the team actually uses (jobs without network isolation are pointed at it) and
 * the team's role and security group: the one place the role jobs run as is set.
 */
function deriveJobDefaults(platform: IMlPlatform, job: JobSettings, tracking: IExperimentTracking | undefined, team: {
  teamName: string;
  role: iam.IRole;
  securityGroup: ec2.ISecurityGroup;
  artifactsPrefix: string;
  checkpointsPrefix: string;
  tags: { [key: string]: string };
}): TrainingJobDefaults {
  const { gpu, maxRuntimeSeconds, keepAliveSeconds, useSpot } = job;
  const subnets = platform.vpc.selectSubnets(platform.trainingSubnets).subnetIds;
  return {
    roleArn: team.role.roleArn,
    vpcConfig: { securityGroupIds: [team.securityGroup.securityGroupId], subnets },
    enableNetworkIsolation: job.networkIsolation,
    enableInterContainerTrafficEncryption: job.maxInstanceCount > 1,
    resourceConfig: {
      instanceType: gpu.instanceType,
      instanceCount: job.maxInstanceCount,
      volumeSizeInGb: job.volumeSizeGib,
      ...(gpu.localInstanceStorage ? {} : { volumeKmsKeyId: platform.encryptionKey.keyArn }),
      ...(keepAliveSeconds !== undefined ? { keepAlivePeriodInSeconds: keepAliveSeconds } : {}),
    },
    outputDataConfig: {
      s3OutputPath: `s3://${platform.artifactsBucket.bucketName}/${team.artifactsPrefix}`,
      kmsKeyId: platform.encryptionKey.keyArn,
    },
    stoppingCondition: {
      maxRuntimeInSeconds: maxRuntimeSeconds,
      ...(useSpot ? { maxWaitTimeInSeconds: 2 * maxRuntimeSeconds } : {}),
    },
    enableManagedSpotTraining: useSpot,
    checkpointS3Uri: `s3://${platform.artifactsBucket.bucketName}/${team.checkpointsPrefix}`,
    maximumRetryAttempts: job.retryAttempts,
    // An isolated container cannot reach MLflow, so only jobs without isolation are pointed at it.
    ...(tracking && !job.networkIsolation
      ? { environment: { MLFLOW_TRACKING_URI: tracking.trackingUri, MLFLOW_EXPERIMENT_NAME: team.teamName } }
      : {}),
    tags: { ...team.tags },
  };
}

function prefix(prop: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || !value.endsWith('/') || value.startsWith('/')) {
    throw new TrainyardValidationError(prop, `must be an S3 key prefix ending in '/' (and not starting with one), got '${String(value)}'.`);
  }
  return value;
}
