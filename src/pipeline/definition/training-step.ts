import { Duration, Size, Token } from 'aws-cdk-lib';
import { ExecutionVariable } from './execution-variable';
import { PipelineExpression } from './pipeline-expression';
import { JobStepProps, PipelineStep } from './pipeline-step';
import { checkStepCache, environmentTags, environmentVariables, renderJobStepOptions, StepRenderContext } from './private/render';
import { PropertyReference } from './property-reference';
import { RetryPolicy } from './retry-policy';
import { TrainyardValidationError } from '../../core/errors';
import { requireIntegerInRange, requireWholeGibibytes, requireWholeSeconds } from '../../core/validate';
import { GpuProfile } from '../../environment/gpu-profile';
import { ITrainingEnvironment } from '../../environment/training-environment';

/**
 * An input channel of a training job (`InputDataConfig`).
 */
export interface TrainingChannel {
  /** The channel's name; the script reads it from `SM_CHANNEL_<NAME>` (`/opt/ml/input/data/<name>`). */
  readonly channelName: string;
  /** The S3 URI (prefix or object) of the data: a literal, a parameter or another step's output. */
  readonly s3Uri: PipelineExpression;
  /**
   * The MIME type of the data.
   *
   * @default - not set
   */
  readonly contentType?: string;
}

/**
 * A metric the training job's logs report, captured by regular expression.
 */
export interface TrainingMetricDefinition {
  /** The metric's name; `train.finalMetric(name)` reads its last value. */
  readonly name: string;
  /** The regular expression whose first group is the value, for example `train_loss=([0-9.]+)`. */
  readonly regex: string;
}

/**
 * Script-mode training code for an AWS Deep Learning Container: a `sourcedir.tar.gz` in S3 and the
 * script in it that runs.
 */
export interface ScriptModeCode {
  /** The script to run, relative to the archive root, for example `train.py`. */
  readonly entryPoint: string;
  /**
   * The S3 URI of the gzip-compressed tar archive. Its last path segment must be a literal (for
   * an asset: `s3://${asset.s3BucketName}/${asset.s3ObjectKey}`), because with network isolation the
   * archive is downloaded through a `code` channel under that file name.
   */
  readonly sourceDirS3Uri: string;
}

/**
 * Per-step overrides of the team's training-job defaults.
 */
export interface TrainingJobOverrides {
  /**
   * The accelerator instance type of this step's job (`GpuProfile.custom` for a type outside the
   * catalogue). Its local storage decides the volume encryption, as for the team's profile.
   *
   * @default - the team's GPU profile
   */
  readonly gpu?: GpuProfile;
  /**
   * How many instances.
   *
   * @default - the team default
   */
  readonly instanceCount?: number;
  /**
   * The ML storage volume of each instance: whole GiB, from 1 to 16,384 GiB.
   *
   * @default - the team default
   */
  readonly volumeSize?: Size;
  /**
   * The longest the job may train: a whole number of seconds, at most 28 days.
   *
   * @default - the team default
   */
  readonly maxRuntime?: Duration;
  /**
   * The longest the job may take including waiting for spot capacity. Must be at least `maxRuntime`.
   *
   * @default - the team default, or twice the runtime when spot is on and the team sets none
   */
  readonly maxWaitTime?: Duration;
  /**
   * Whether the job runs on managed spot capacity.
   *
   * @default - the team default
   */
  readonly useSpot?: boolean;
  /**
   * How often SageMaker retries the job itself after an internal error or spot interruption (`RetryStrategy`).
   *
   * @default - the team default
   */
  readonly retryAttempts?: number;
  /**
   * Where checkpoints go. Each execution gets its own prefix below it.
   *
   * @default - the team's checkpoint location
   */
  readonly checkpointS3Uri?: string;
  /**
   * Where the model artifacts go.
   *
   * @default - the team's output location
   */
  readonly outputS3Uri?: string;
  /**
   * Keep instances warm this long after the job, at most 1 hour. Not available with spot.
   *
   * @default - the team default
   */
  readonly warmPoolKeepAlive?: Duration;
}

/**
 * Properties of a training step.
 */
export interface TrainingStepProps extends JobStepProps {
  /** The team environment: its training-job defaults are the starting point of the job's arguments. */
  readonly environment: ITrainingEnvironment;
  /** The training image URI, for example an AWS Deep Learning Container. */
  readonly imageUri: string;
  /**
   * Input channels.
   *
   * @default - none
   */
  readonly channels?: TrainingChannel[];
  /**
   * Hyperparameters passed to the script (values are strings at run time).
   *
   * @default - none
   */
  readonly hyperParameters?: { [name: string]: PipelineExpression };
  /**
   * Metrics captured from the logs.
   *
   * @default - none
   */
  readonly metricDefinitions?: TrainingMetricDefinition[];
  /**
   * Script-mode code for a Deep Learning Container.
   *
   * @default - the image's own entrypoint runs
   */
  readonly code?: ScriptModeCode;
  /**
   * Overrides of the team's training-job defaults for this step.
   *
   * @default - the team defaults as they are
   */
  readonly overrides?: TrainingJobOverrides;
  /**
   * Environment variables of the container.
   *
   * @default - none
   */
  readonly environmentVariables?: { [name: string]: PipelineExpression };
}

const TRAINING_PROPERTIES = [
  'TrainingJobName', 'TrainingJobArn', 'TrainingJobStatus', 'SecondaryStatus', 'ModelArtifacts', 'HyperParameters',
  'AlgorithmSpecification', 'RoleArn', 'InputDataConfig', 'OutputDataConfig', 'ResourceConfig', 'VpcConfig',
  'StoppingCondition', 'CreationTime', 'TrainingStartTime', 'TrainingEndTime', 'LastModifiedTime', 'FinalMetricDataList',
  'EnableNetworkIsolation', 'EnableInterContainerTrafficEncryption', 'EnableManagedSpotTraining', 'CheckpointConfig',
  'TrainingTimeInSeconds', 'BillableTimeInSeconds', 'DebugHookConfig', 'ExperimentConfig', 'FailureReason',
  'ProfilerConfig', 'RetryStrategy', 'Environment', 'WarmPoolStatus',
];

const CODE_CHANNEL = 'code';

/** CreateTrainingJob `ChannelName`. */
const CHANNEL_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** The longest `MaxRuntimeInSeconds` of a training job: 28 days. */
const MAX_RUNTIME_SECONDS = 28 * 24 * 3600;
/** The longest `MaxWaitTimeInSeconds` Trainyard sets: twice the longest runtime, as TrainingEnvironment does for spot. */
const MAX_WAIT_SECONDS = 2 * MAX_RUNTIME_SECONDS;
/** The longest warm pool (`KeepAlivePeriodInSeconds`): one hour. */
const MAX_KEEP_ALIVE_SECONDS = 3600;

/**
 * A step that runs a SageMaker training job. Its arguments start from the team environment's
 * `trainingJobDefaults` (role, isolated VPC, KMS, spot, checkpoints, runtime limits, tags) rendered as
 * a CreateTrainingJob request, with per-step `overrides`. By default it retries capacity (spot and
 * GPU), internal and resource-limit errors of the job, besides service faults.
 */
export class TrainingStep extends PipelineStep {
  /** The team environment the job runs in. */
  public readonly environment: ITrainingEnvironment;
  private readonly props: TrainingStepProps;
  private readonly retryPolicies: RetryPolicy[];

  constructor(props: TrainingStepProps) {
    super('Training', props);
    if (!props.environment) {
      throw new TrainyardValidationError(`TrainingStep(${props.name}).environment`, 'is required: the team environment whose training-job defaults the step starts from.');
    }
    if (props.code && props.environment?.trainingJobDefaults.enableNetworkIsolation && basename(props.code.sourceDirS3Uri) === undefined) {
      throw new TrainyardValidationError(
        `TrainingStep(${props.name}).code.sourceDirS3Uri`,
        'must end in a literal object name (for an asset, build it as `s3://${asset.s3BucketName}/${asset.s3ObjectKey}` rather than asset.s3ObjectUrl): with network isolation the archive arrives through a channel under that name.',
      );
    }
    if (typeof props.imageUri !== 'string' || props.imageUri.length === 0) {
      throw new TrainyardValidationError(`TrainingStep(${props.name}).imageUri`, 'is required: the training image URI.');
    }
    const o = props.overrides ?? {};
    requireIntegerInRange(`TrainingStep(${props.name}).overrides.instanceCount`, o.instanceCount, 1, 1000);
    if ((o.instanceCount ?? 1) > 1 && !props.environment.trainingJobDefaults.enableInterContainerTrafficEncryption) {
      // A single-node environment has neither the security-group rules between a job's instances nor
      // inter-container encryption: a multi-node job there would hang at its first collective call.
      throw new TrainyardValidationError(
        `TrainingStep(${props.name}).overrides.instanceCount`,
        `is ${o.instanceCount}, but environment '${props.environment.teamName}' is single-node; create the TrainingEnvironment with maxInstanceCount of at least ${o.instanceCount}.`,
      );
    }
    if (o.volumeSize !== undefined) {
      requireWholeGibibytes(`TrainingStep(${props.name}).overrides.volumeSize`, o.volumeSize, 1, 16384);
    }
    requireIntegerInRange(`TrainingStep(${props.name}).overrides.retryAttempts`, o.retryAttempts, 1, 30);
    if (o.gpu !== undefined && !GpuProfile.isGpuProfile(o.gpu)) {
      throw new TrainyardValidationError(`TrainingStep(${props.name}).overrides.gpu`, "must be a GpuProfile, for example GpuProfile.G5_12XLARGE or GpuProfile.of('ml.g5.12xlarge').");
    }
    if (o.maxRuntime !== undefined) {
      requireWholeSeconds(`TrainingStep(${props.name}).overrides.maxRuntime`, o.maxRuntime, 1, MAX_RUNTIME_SECONDS);
    }
    if (o.maxWaitTime !== undefined) {
      requireWholeSeconds(`TrainingStep(${props.name}).overrides.maxWaitTime`, o.maxWaitTime, 1, MAX_WAIT_SECONDS);
    }
    if (o.warmPoolKeepAlive !== undefined) {
      const keepAlive = requireWholeSeconds(`TrainingStep(${props.name}).overrides.warmPoolKeepAlive`, o.warmPoolKeepAlive, 0, MAX_KEEP_ALIVE_SECONDS);
      if (keepAlive > 0 && (o.useSpot ?? props.environment.trainingJobDefaults.enableManagedSpotTraining)) {
        throw new TrainyardValidationError(
          `TrainingStep(${props.name}).overrides.warmPoolKeepAlive`,
          'cannot be used with managed spot training (SageMaker warm pools do not support spot); set overrides.useSpot to false, or drop warmPoolKeepAlive.',
        );
      }
    }
    const channels = new Set<string>();
    for (const channel of props.channels ?? []) {
      if (!channel || typeof channel.channelName !== 'string' || !CHANNEL_NAME_PATTERN.test(channel.channelName)) {
        throw new TrainyardValidationError(
          `TrainingStep(${props.name}).channels`,
          `channel name '${String(channel?.channelName)}' is not allowed: 1 to 64 letters, digits, '.', '-' and '_'.`,
        );
      }
      if (channels.has(channel.channelName) || (props.code && channel.channelName === CODE_CHANNEL)) {
        throw new TrainyardValidationError(`TrainingStep(${props.name}).channels`, `channel '${channel.channelName}' is declared twice (or collides with the script-mode '${CODE_CHANNEL}' channel).`);
      }
      channels.add(channel.channelName);
    }
    this.environment = props.environment;
    this.props = props;
    checkStepCache(`TrainingStep(${props.name})`, props.cache);
    this.retryPolicies = props.retryPolicies ?? [RetryPolicy.sageMakerJobDefaults(), RetryPolicy.serviceDefaults()];
    // Fails now rather than at render: spot needs a wait time at least the runtime.
    this.stoppingCondition();
  }

  /** The S3 URI of the model artifacts (`ModelArtifacts.S3ModelArtifacts`). */
  public get modelArtifactsUri(): PropertyReference {
    return this.property('ModelArtifacts.S3ModelArtifacts');
  }

  /** The training job's name. */
  public get trainingJobName(): PropertyReference {
    return this.property('TrainingJobName');
  }

  /** The training job's ARN. */
  public get trainingJobArn(): PropertyReference {
    return this.property('TrainingJobArn');
  }

  /** The last value of the metric `metricName` (`FinalMetricDataList['<name>'].Value`). */
  public finalMetric(metricName: string): PropertyReference {
    return this.property(`FinalMetricDataList['${metricName}'].Value`);
  }

  /** Whether the job runs on managed spot capacity (team default or override). */
  public get managedSpot(): boolean {
    return this.props.overrides?.useSpot ?? this.environment.trainingJobDefaults.enableManagedSpotTraining;
  }

  /**
   * The CreateTrainingJob request this step starts (its `Arguments`), for steps that submit it
   * another way (`QueuedTrainingStep`).
   *
   * @internal
   */
  public _createTrainingJobRequest(context: StepRenderContext): any {
    return this._render(context).Arguments;
  }

  /** @internal */
  protected _renderArguments(context: StepRenderContext): any {
    const p = this.props;
    const o = p.overrides ?? {};
    const d = this.environment.trainingJobDefaults;
    const spot = this.managedSpot;
    const keepAlive = o.warmPoolKeepAlive?.toSeconds() ?? d.resourceConfig.keepAlivePeriodInSeconds;
    const checkpointRoot = o.checkpointS3Uri ?? d.checkpointS3Uri;
    const retries = o.retryAttempts ?? d.maximumRetryAttempts;

    const hyperParameters: { [k: string]: any } = {};
    const channels = [...(p.channels ?? [])];
    if (p.code) {
      // With network isolation the container cannot download the code itself: ship it as an input
      // channel, as the SageMaker Python SDK does.
      const isolated = d.enableNetworkIsolation;
      hyperParameters.sagemaker_program = JSON.stringify(p.code.entryPoint);
      hyperParameters.sagemaker_submit_directory = JSON.stringify(
        isolated ? `/opt/ml/input/data/${CODE_CHANNEL}/${basename(p.code.sourceDirS3Uri)}` : p.code.sourceDirS3Uri,
      );
      hyperParameters.sagemaker_container_log_level = '20';
      if (isolated) {
        channels.push({ channelName: CODE_CHANNEL, s3Uri: PipelineExpression.fromString(p.code.sourceDirS3Uri) });
      }
    }
    for (const [k, v] of Object.entries(p.hyperParameters ?? {})) {
      hyperParameters[k] = this.value(v);
    }

    return {
      AlgorithmSpecification: {
        TrainingImage: p.imageUri,
        TrainingInputMode: 'File',
        ...(p.metricDefinitions && p.metricDefinitions.length > 0 ? {
          MetricDefinitions: p.metricDefinitions.map((m) => ({ Name: m.name, Regex: m.regex })),
        } : {}),
      },
      RoleArn: d.roleArn,
      OutputDataConfig: { S3OutputPath: o.outputS3Uri ?? d.outputDataConfig.s3OutputPath, KmsKeyId: d.outputDataConfig.kmsKeyId },
      ResourceConfig: {
        InstanceType: o.gpu?.instanceType ?? d.resourceConfig.instanceType,
        InstanceCount: o.instanceCount ?? d.resourceConfig.instanceCount,
        VolumeSizeInGB: o.volumeSize?.toGibibytes() ?? d.resourceConfig.volumeSizeInGb,
        // Instance types with local NVMe storage encrypt it in hardware, and CreateTrainingJob refuses a VolumeKmsKeyId for them.
        ...(o.gpu === undefined
          ? (d.resourceConfig.volumeKmsKeyId !== undefined ? { VolumeKmsKeyId: d.resourceConfig.volumeKmsKeyId } : {})
          : (o.gpu.localInstanceStorage ? {} : { VolumeKmsKeyId: this.environment.encryptionKey.keyArn })),
        ...(keepAlive !== undefined && !spot ? { KeepAlivePeriodInSeconds: keepAlive } : {}),
      },
      StoppingCondition: this.stoppingCondition(),
      VpcConfig: { SecurityGroupIds: [...d.vpcConfig.securityGroupIds], Subnets: [...d.vpcConfig.subnets] },
      EnableNetworkIsolation: d.enableNetworkIsolation,
      EnableInterContainerTrafficEncryption: d.enableInterContainerTrafficEncryption,
      EnableManagedSpotTraining: spot,
      ...(checkpointRoot !== undefined ? {
        CheckpointConfig: {
          S3Uri: this.value(PipelineExpression.join('/', [
            PipelineExpression.fromString(checkpointRoot.replace(/\/+$/, '')),
            ExecutionVariable.PIPELINE_EXECUTION_ID,
            PipelineExpression.fromString(this.name),
          ])),
          LocalPath: '/opt/ml/checkpoints',
        },
      } : {}),
      ...(retries !== undefined ? { RetryStrategy: { MaximumRetryAttempts: retries } } : {}),
      ...(Object.keys(hyperParameters).length > 0 ? { HyperParameters: hyperParameters } : {}),
      ...(channels.length > 0 ? {
        InputDataConfig: channels.map((c) => ({
          ChannelName: c.channelName,
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: this.value(c.s3Uri), S3DataDistributionType: 'FullyReplicated' } },
          ...(c.contentType ? { ContentType: c.contentType } : {}),
        })),
      } : {}),
      ...environmentVariables(this.environment, p.environmentVariables, (e) => this.value(e)),
      Tags: environmentTags(this.environment, context, (e) => this.value(e)),
    };
  }

  /** @internal */
  protected _renderStepOptions(_context: StepRenderContext): any {
    return renderJobStepOptions(this.props.cache, this.retryPolicies);
  }

  protected propertyRoots(): string[] {
    return TRAINING_PROPERTIES;
  }

  protected checkPropertyDetail(path: string): string | undefined {
    const match = /^FinalMetricDataList\['([^']*)'\]/.exec(path);
    const metrics = (this.props.metricDefinitions ?? []).map((m) => m.name);
    if (match && !metrics.includes(match[1])) {
      return `metric '${match[1]}' is not among the metric definitions of ${this.stepType} step '${this.name}' (it has ${metrics.join(', ') || 'none'})`;
    }
    return undefined;
  }

  private stoppingCondition(): any {
    const o = this.props.overrides ?? {};
    const d = this.environment.trainingJobDefaults.stoppingCondition;
    const runtime = o.maxRuntime?.toSeconds() ?? d.maxRuntimeInSeconds;
    let wait = o.maxWaitTime?.toSeconds() ?? d.maxWaitTimeInSeconds;
    if (this.managedSpot) {
      wait = wait ?? runtime * 2;
      if (!Token.isUnresolved(wait) && !Token.isUnresolved(runtime) && wait < runtime) {
        throw new TrainyardValidationError(
          `TrainingStep(${this.name}).overrides.maxWaitTime`,
          `is ${wait} s, shorter than the runtime of ${runtime} s; with managed spot the wait time must be at least the runtime.`,
        );
      }
      return { MaxRuntimeInSeconds: runtime, MaxWaitTimeInSeconds: wait };
    }
    return { MaxRuntimeInSeconds: runtime };
  }
}

/** The literal object name at the end of an S3 URI, or undefined when it is a token. */
function basename(uri: string): string | undefined {
  const last = uri.split('/').pop();
  return last && !Token.isUnresolved(last) ? last : undefined;
}
