import { Duration, Size } from 'aws-cdk-lib';
import { ExecutionVariable } from './execution-variable';
import { JsonGet } from './json-get';
import { PipelineExpression } from './pipeline-expression';
import { JobStepProps, PipelineStep } from './pipeline-step';
import { requireInstanceType } from './private/instance-type';
import { checkStepCache, environmentTags, environmentVariables, renderJobStepOptions, StepRenderContext } from './private/render';
import { PropertyReference } from './property-reference';
import { RetryPolicy } from './retry-policy';
import { TrainyardValidationError } from '../../core/errors';
import { requireIntegerInRange, requireWholeGibibytes, requireWholeSeconds } from '../../core/validate';
import { ITrainingEnvironment } from '../../environment/training-environment';

/**
 * An S3 input of a processing step, downloaded into the container before the script starts.
 */
export interface ProcessingStepInput {
  /** The input's name (letters, digits, `-`, `_`). */
  readonly inputName: string;
  /** The S3 URI (object or prefix) to download: a literal, a parameter or another step's output. */
  readonly source: PipelineExpression;
  /**
   * Where the input lands in the container.
   *
   * @default '/opt/ml/processing/input/<inputName>'
   */
  readonly destination?: string;
}

/**
 * An output of a processing step, uploaded to S3 when the job ends.
 */
export interface ProcessingStepOutput {
  /** The output's name; `outputUri(name)` reads its S3 URI in later steps. */
  readonly outputName: string;
  /**
   * The directory in the container the script writes.
   *
   * @default '/opt/ml/processing/output/<outputName>'
   */
  readonly source?: string;
  /**
   * Where the output goes in S3.
   *
   * @default - s3://<artifacts bucket>/<team artifacts prefix>pipelines/<execution id>/<step name>/<outputName>
   */
  readonly destination?: PipelineExpression;
}

/**
 * A JSON file a processing step writes into one of its outputs, whose values conditions read with
 * `step.jsonGet(name, path)`.
 */
export interface PropertyFileProps {
  /** The name conditions refer to the file by. */
  readonly name: string;
  /** The output the file is written to. */
  readonly outputName: string;
  /** The file's path relative to the output directory, for example `evaluation.json`. */
  readonly filePath: string;
}

/**
 * Properties of a processing step.
 */
export interface ProcessingStepProps extends JobStepProps {
  /** The team environment: execution role, VPC placement, KMS key, tags and output location. */
  readonly environment: ITrainingEnvironment;
  /** The container image URI. */
  readonly imageUri: string;
  /** The command the container runs, for example `['python3', '/opt/ml/processing/input/code/validate.py']`. */
  readonly entrypoint: string[];
  /**
   * Arguments appended to the entrypoint.
   *
   * @default - none
   */
  readonly arguments?: PipelineExpression[];
  /**
   * The instance type.
   *
   * @default 'ml.m5.xlarge'
   */
  readonly instanceType?: string;
  /**
   * How many instances.
   *
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * The ML storage volume of each instance: whole GiB, from 1 to 16,384 GiB.
   *
   * @default Size.gibibytes(30)
   */
  readonly volumeSize?: Size;
  /**
   * The longest the job may run.
   *
   * @default Duration.hours(1)
   */
  readonly maxRuntime?: Duration;
  /**
   * S3 inputs.
   *
   * @default - none
   */
  readonly inputs?: ProcessingStepInput[];
  /**
   * Outputs uploaded to S3.
   *
   * @default - none
   */
  readonly outputs?: ProcessingStepOutput[];
  /**
   * JSON files in the outputs that conditions read.
   *
   * @default - none
   */
  readonly propertyFiles?: PropertyFileProps[];
  /**
   * Environment variables of the container.
   *
   * @default - none
   */
  readonly environmentVariables?: { [name: string]: PipelineExpression };
}

const PROCESSING_PROPERTIES = [
  'ProcessingJobName', 'ProcessingJobArn', 'ProcessingJobStatus', 'ProcessingInputs', 'ProcessingOutputConfig',
  'ProcessingResources', 'AppSpecification', 'Environment', 'NetworkConfig', 'RoleArn', 'StoppingCondition',
  'ExitMessage', 'FailureReason', 'CreationTime', 'ProcessingStartTime', 'ProcessingEndTime', 'LastModifiedTime',
  'MonitoringScheduleArn', 'AutoMLJobArn', 'TrainingJobArn', 'ExperimentConfig',
];

/**
 * A step that runs a SageMaker processing job in the team environment (data validation,
 * evaluation, feature engineering). It runs in the team's VPC with network isolation, encrypted
 * volumes and outputs, and carries the team's tags.
 */
export class ProcessingStep extends PipelineStep {
  /** The team environment the job runs in. */
  public readonly environment: ITrainingEnvironment;
  private readonly props: ProcessingStepProps;
  private readonly retryPolicies: RetryPolicy[];

  constructor(props: ProcessingStepProps) {
    super('Processing', props);
    if (!props.environment) {
      throw new TrainyardValidationError(`ProcessingStep(${props.name}).environment`, 'is required: the team environment the job runs in.');
    }
    if (!Array.isArray(props.entrypoint) || props.entrypoint.length === 0) {
      throw new TrainyardValidationError(`ProcessingStep(${props.name}).entrypoint`, "must name the command to run, for example ['python3', '/opt/ml/processing/input/code/validate.py'].");
    }
    if (typeof props.imageUri !== 'string' || props.imageUri.length === 0) {
      throw new TrainyardValidationError(`ProcessingStep(${props.name}).imageUri`, 'is required: the container image URI.');
    }
    requireInstanceType(`ProcessingStep(${props.name}).instanceType`, props.instanceType);
    requireIntegerInRange(`ProcessingStep(${props.name}).instanceCount`, props.instanceCount, 1, 100);
    if (props.volumeSize !== undefined) {
      requireWholeGibibytes(`ProcessingStep(${props.name}).volumeSize`, props.volumeSize, 1, 16384);
    }
    requireWholeSeconds(`ProcessingStep(${props.name}).maxRuntime`, props.maxRuntime ?? Duration.hours(1), 1, 777600);
    const outputs = new Set<string>();
    for (const output of props.outputs ?? []) {
      if (outputs.has(output.outputName)) {
        throw new TrainyardValidationError(`ProcessingStep(${props.name}).outputs`, `output '${output.outputName}' is declared twice.`);
      }
      outputs.add(output.outputName);
    }
    for (const file of props.propertyFiles ?? []) {
      if (!outputs.has(file.outputName)) {
        throw new TrainyardValidationError(
          `ProcessingStep(${props.name}).propertyFiles`,
          `property file '${file.name}' is written to output '${file.outputName}', which the step does not declare (it has ${[...outputs].join(', ') || 'no outputs'}).`,
        );
      }
    }
    this.environment = props.environment;
    this.props = props;
    checkStepCache(`ProcessingStep(${props.name})`, props.cache);
    this.retryPolicies = props.retryPolicies ?? [RetryPolicy.serviceDefaults()];
  }

  /** The S3 URI the output `outputName` was uploaded to: `ProcessingOutputConfig.Outputs['<name>'].S3Output.S3Uri`. */
  public outputUri(outputName: string): PropertyReference {
    return this.property(`ProcessingOutputConfig.Outputs['${outputName}'].S3Output.S3Uri`);
  }

  /** The processing job's name. */
  public get processingJobName(): PropertyReference {
    return this.property('ProcessingJobName');
  }

  /** The processing job's ARN. */
  public get processingJobArn(): PropertyReference {
    return this.property('ProcessingJobArn');
  }

  /** A value read from the declared property file `propertyFileName` at `jsonPath` (`Std:JsonGet`). */
  public jsonGet(propertyFileName: string, jsonPath: string): JsonGet {
    return new JsonGet(this, propertyFileName, jsonPath);
  }

  /** The names of the declared property files. */
  public get propertyFileNames(): string[] {
    return (this.props.propertyFiles ?? []).map((f) => f.name);
  }

  /** The names of the declared outputs. */
  public get outputNames(): string[] {
    return (this.props.outputs ?? []).map((o) => o.outputName);
  }

  /** @internal */
  protected _renderArguments(context: StepRenderContext): any {
    const p = this.props;
    const env = p.environment;
    const defaults = env.trainingJobDefaults;
    const artifactsRoot = `s3://${env.artifactsBucket.bucketName}/${env.artifactsPrefix}pipelines`;
    return {
      ProcessingResources: {
        ClusterConfig: {
          InstanceType: p.instanceType ?? 'ml.m5.xlarge',
          InstanceCount: p.instanceCount ?? 1,
          VolumeSizeInGB: p.volumeSize?.toGibibytes() ?? 30,
          VolumeKmsKeyId: env.encryptionKey.keyArn,
        },
      },
      AppSpecification: {
        ImageUri: p.imageUri,
        ContainerEntrypoint: [...p.entrypoint],
        ...(p.arguments && p.arguments.length > 0 ? { ContainerArguments: p.arguments.map((a) => this.value(a)) } : {}),
      },
      RoleArn: defaults.roleArn,
      ...((p.inputs ?? []).length > 0 ? {
        ProcessingInputs: (p.inputs ?? []).map((input) => ({
          InputName: input.inputName,
          S3Input: {
            S3Uri: this.value(input.source),
            LocalPath: input.destination ?? `/opt/ml/processing/input/${input.inputName}`,
            S3DataType: 'S3Prefix',
            S3InputMode: 'File',
            S3DataDistributionType: 'FullyReplicated',
          },
        })),
      } : {}),
      ...((p.outputs ?? []).length > 0 ? {
        ProcessingOutputConfig: {
          Outputs: (p.outputs ?? []).map((output) => ({
            OutputName: output.outputName,
            S3Output: {
              S3Uri: this.value(output.destination ?? PipelineExpression.join('/', [
                PipelineExpression.fromString(artifactsRoot), ExecutionVariable.PIPELINE_EXECUTION_ID,
                PipelineExpression.fromString(this.name), PipelineExpression.fromString(output.outputName),
              ])),
              LocalPath: output.source ?? `/opt/ml/processing/output/${output.outputName}`,
              S3UploadMode: 'EndOfJob',
            },
          })),
          KmsKeyId: defaults.outputDataConfig.kmsKeyId,
        },
      } : {}),
      NetworkConfig: {
        EnableNetworkIsolation: defaults.enableNetworkIsolation,
        EnableInterContainerTrafficEncryption: defaults.enableInterContainerTrafficEncryption,
        VpcConfig: { SecurityGroupIds: [...defaults.vpcConfig.securityGroupIds], Subnets: [...defaults.vpcConfig.subnets] },
      },
      StoppingCondition: { MaxRuntimeInSeconds: (p.maxRuntime ?? Duration.hours(1)).toSeconds() },
      ...environmentVariables(env, p.environmentVariables, (e) => this.value(e)),
      Tags: environmentTags(env, context, (e) => this.value(e)),
    };
  }

  /** @internal */
  protected _renderStepOptions(_context: StepRenderContext): any {
    return {
      ...renderJobStepOptions(this.props.cache, this.retryPolicies),
      ...((this.props.propertyFiles ?? []).length > 0 ? {
        PropertyFiles: (this.props.propertyFiles ?? []).map((f) => ({ PropertyFileName: f.name, OutputName: f.outputName, FilePath: f.filePath })),
      } : {}),
    };
  }

  protected propertyRoots(): string[] {
    return PROCESSING_PROPERTIES;
  }

  protected checkPropertyDetail(path: string): string | undefined {
    const match = /^ProcessingOutputConfig\.Outputs\['([^']*)'\]/.exec(path);
    if (match && !this.outputNames.includes(match[1])) {
      return `output '${match[1]}' is not declared on ${this.stepType} step '${this.name}' (it has ${this.outputNames.join(', ') || 'no outputs'})`;
    }
    return undefined;
  }
}
