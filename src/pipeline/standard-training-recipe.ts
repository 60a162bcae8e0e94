import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct, IConstruct } from 'constructs';
import { Condition } from './definition/condition';
import { ConditionStep } from './definition/condition-step';
import { FailStep } from './definition/fail-step';
import { Parameter } from './definition/parameter';
import { PipelineDefinition } from './definition/pipeline-definition';
import { PipelineExpression } from './definition/pipeline-expression';
import { TrainyardValidationError } from '../core/errors';
import { requireName } from '../core/validate';
import { ITeamCapacityShare } from '../environment/team-capacity-share';
import { ITrainingEnvironment } from '../environment/training-environment';
import { requireInstanceType } from './definition/private/instance-type';
import { ProcessingStep } from './definition/processing-step';
import { QueuedTrainingStep } from './definition/queued-training-step';
import { RegisterModelStep } from './definition/register-model-step';
import { TrainingJobOverrides, TrainingStep, TrainingStepProps } from './definition/training-step';
import { deepLearningContainerImage } from './private/dlc-image';
import { packSourceDirectory } from './private/source-archive';

/**
 * Properties of the standard training recipe.
 */
export interface StandardTrainingRecipeProps {
  /** The team environment the jobs run in and register into. */
  readonly environment: ITrainingEnvironment;
  /**
   * Where the code asset and image lookups are created. Pass the pipeline's stack (or a construct in
   * it) when the environment lives in another stack.
   *
   * @default - the environment
   */
  readonly scope?: Construct;
  /**
   * A directory with `validate.py`, `train.py` and `evaluate.py` (plus any modules they import), packed
   * at synth into `sourcedir.tar.gz`.
   *
   * @default - Trainyard's sample scripts (templates/training)
   */
  readonly codeDirectory?: string;
  /**
   * The metric in `evaluation.json` (`metrics.<name>.value`) the quality gate compares.
   *
   * @default 'accuracy'
   */
  readonly metricName?: string;
  /**
   * The default of the `MetricThreshold` parameter.
   *
   * @default 0.8
   */
  readonly metricThreshold?: number;
  /**
   * Whether a larger metric is better (accuracy) or a smaller one (loss).
   *
   * @default true
   */
  readonly higherIsBetter?: boolean;
  /**
   * The label column of the CSV data: not blank, without commas, quotes or line breaks.
   *
   * @default 'label'
   */
  readonly labelColumn?: string;
  /**
   * Hyperparameters of `train.py` (passed as `--name value`); every value is a string.
   *
   * @default { epochs: '10', 'learning-rate': '0.1' }
   */
  readonly hyperParameters?: { [name: string]: string };
  /**
   * Overrides of the team's training-job defaults for the training step.
   *
   * @default - the team defaults (GPU profile, spot, checkpoints, retries)
   */
  readonly trainingOverrides?: TrainingJobOverrides;
  /**
   * Train through the team's quota share of a `TrainingCapacityPool` (a `QueuedTrainingStep`)
   * instead of starting the training job at once against the account's quota.
   *
   * @default - a direct `TrainingStep`
   */
  readonly capacityShare?: ITeamCapacityShare;
  /**
   * The instance type of the validation and evaluation steps.
   *
   * @default 'ml.m5.xlarge'
   */
  readonly processingInstanceType?: string;
  /**
   * The model package group to register into.
   *
   * @default - the environment's model package group
   */
  readonly modelPackageGroupName?: string;
  /**
   * The training image.
   *
   * @default - the PyTorch GPU Deep Learning Container (`pytorch-training:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker`) of the region
   */
  readonly trainingImageUri?: string;
  /**
   * The image of the validation and evaluation steps.
   *
   * @default - the PyTorch CPU Deep Learning Container (`pytorch-training:2.3.0-cpu-py311-ubuntu20.04-sagemaker`) of the region
   */
  readonly processingImageUri?: string;
  /**
   * The inference image registered with the model.
   *
   * @default - the PyTorch CPU inference Deep Learning Container (`pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker`) of the region
   */
  readonly inferenceImageUri?: string;
}

/** The step and parameter names of the standard recipe. */
export class StandardTrainingRecipeNames {
  /** The String parameter with the dataset key (or key prefix) in the datasets bucket. */
  public static readonly INPUT_DATA_KEY = 'InputDataKey';
  /** The Float parameter the quality gate compares the metric with. */
  public static readonly METRIC_THRESHOLD = 'MetricThreshold';
  /** The String parameter tagged as `trainyard:git-sha`. */
  public static readonly GIT_SHA = 'GitSha';
  /** The String parameter tagged as `trainyard:dataset-version`. */
  public static readonly DATASET_VERSION = 'DatasetVersion';
  /** The String parameter tagged as `trainyard:config-hash`. */
  public static readonly CONFIG_HASH = 'ConfigHash';
  /** The data validation step. */
  public static readonly VALIDATE = 'ValidateData';
  /** The training step. */
  public static readonly TRAIN = 'Train';
  /** The evaluation step. */
  public static readonly EVALUATE = 'Evaluate';
  /** The quality gate. */
  public static readonly GATE = 'QualityGate';
  /** The registration step. */
  public static readonly REGISTER = 'RegisterModel';
  /** The fail step. */
  public static readonly REJECT = 'RejectModel';

  private constructor() {}
}

const DEFAULT_CODE_DIRECTORY = path.join(__dirname, '..', '..', 'templates', 'training');
const REQUIRED_SCRIPTS = ['validate.py', 'train.py', 'evaluate.py'];

/**
 * The default pipeline: validate the data (before any GPU starts) -> train on the team's GPU
 * profile (spot, checkpoints, retries) -> evaluate (writes `evaluation.json`, a property file) ->
 * quality gate (metric against the `MetricThreshold` parameter) -> register the model
 * (`PendingManualApproval`) or fail with the metric in the message.
 */
export class StandardTrainingRecipe {
  /**
   * Builds the standard pipeline definition for a team. (Named `create` rather than `build`: jsii
   * reserves `build` for the builders it generates in Java.)
   */
  public static create(props: StandardTrainingRecipeProps): PipelineDefinition {
    if (!props || !props.environment) {
      throw new TrainyardValidationError('StandardTrainingRecipe.environment', 'is required: the team environment the pipeline runs in.');
    }
    const env = props.environment;
    const scope: IConstruct = props.scope ?? env;
    const metric = props.metricName ?? 'accuracy';
    if (typeof metric !== 'string' || !/^[A-Za-z0-9_]+$/.test(metric)) {
      throw new TrainyardValidationError('StandardTrainingRecipe.metricName', `must be letters, digits and '_' (a key of evaluation.json), got '${metric}'.`);
    }
    const threshold = props.metricThreshold ?? 0.8;
    if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
      throw new TrainyardValidationError('StandardTrainingRecipe.metricThreshold', `must be a finite number, got ${String(threshold)}.`);
    }
    const label = props.labelColumn ?? 'label';
    if (typeof label !== 'string' || label.trim().length === 0 || /[,"\r\n]/.test(label)) {
      throw new TrainyardValidationError(
        'StandardTrainingRecipe.labelColumn',
        `must be the name of a column of the CSV header: not blank, without commas, quotes or line breaks, got ${JSON.stringify(label) ?? String(label)}.`,
      );
    }
    const hyperParameters = props.hyperParameters ?? { 'epochs': '10', 'learning-rate': '0.1' };
    if (typeof hyperParameters !== 'object' || hyperParameters === null || Array.isArray(hyperParameters)) {
      throw new TrainyardValidationError('StandardTrainingRecipe.hyperParameters', "must map names to string values, for example { epochs: '10' }.");
    }
    for (const [name, value] of Object.entries(hyperParameters)) {
      if (typeof value !== 'string') {
        throw new TrainyardValidationError(
          'StandardTrainingRecipe.hyperParameters',
          `the value of '${name}' must be a string (SageMaker passes hyperparameters as strings), got ${JSON.stringify(value) ?? String(value)}; write '${String(value)}'.`,
        );
      }
    }
    requireInstanceType('StandardTrainingRecipe.processingInstanceType', props.processingInstanceType);
    requireName('StandardTrainingRecipe.modelPackageGroupName', props.modelPackageGroupName, {
      pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
      minLength: 1,
      maxLength: 63,
      description: 'a model package group name: letters, digits and hyphens, starting and ending with a letter or digit, 1 to 63 characters',
    });

    const codeDirectory = props.codeDirectory ?? DEFAULT_CODE_DIRECTORY;
    for (const script of REQUIRED_SCRIPTS) {
      if (!fs.existsSync(path.join(codeDirectory, script))) {
        throw new TrainyardValidationError('StandardTrainingRecipe.codeDirectory', `${codeDirectory} has no ${script}; it needs ${REQUIRED_SCRIPTS.join(', ')}.`);
      }
    }
    const archive = packSourceDirectory(codeDirectory, (name) => name.endsWith('.py'));
    const assetId = 'TrainyardTrainingCode';
    let code = scope.node.tryFindChild(assetId) as s3assets.Asset | undefined;
    if (!code) {
      code = new s3assets.Asset(scope, assetId, { path: archive });
      // The team's jobs download the code from the CDK assets bucket: read access to that one object
      // (a managed policy: an inline grant would be an IAMNoInlinePolicy finding on the team role).
      new iam.ManagedPolicy(scope, `${assetId}Read`, {
        description: `Lets the SageMaker jobs of team ${env.teamName} read the Trainyard training code asset`,
        roles: [env.executionRole],
        statements: [new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [`arn:${Aws.PARTITION}:s3:::${code.s3BucketName}/${code.s3ObjectKey}`],
        })],
      });
    }

    const trainingImage = props.trainingImageUri ?? deepLearningContainerImage(scope, 'pytorch-training', '2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker');
    const processingImage = props.processingImageUri ?? deepLearningContainerImage(scope, 'pytorch-training', '2.3.0-cpu-py311-ubuntu20.04-sagemaker');
    const inferenceImage = props.inferenceImageUri ?? deepLearningContainerImage(scope, 'pytorch-inference', '2.3.0-cpu-py311-ubuntu20.04-sagemaker');

    const names = StandardTrainingRecipeNames;
    const inputKey = Parameter.string(names.INPUT_DATA_KEY, {
      defaultValue: env.datasetsPrefix,
      description: 'Key or key prefix of the training data in the datasets bucket (set by the new-data trigger)',
    });
    const thresholdParameter = Parameter.float(names.METRIC_THRESHOLD, {
      defaultValue: threshold,
      description: `The ${metric} a model must ${props.higherIsBetter === false ? 'not exceed' : 'reach'} to be registered`,
    });
    const configHash = crypto.createHash('sha256')
      .update(JSON.stringify({
        hyperParameters, metric, threshold, label, overrides: props.trainingOverrides ?? {}, archive: path.basename(path.dirname(archive)),
      }))
      .digest('hex').slice(0, 16);
    const runTags = {
      gitSha: Parameter.string(names.GIT_SHA, { defaultValue: 'unknown', description: 'Git commit of the training code (set by CI)' }),
      datasetVersion: Parameter.string(names.DATASET_VERSION, { defaultValue: 'latest', description: 'Version of the dataset' }),
      configHash: Parameter.string(names.CONFIG_HASH, { defaultValue: configHash, description: 'Hash of the recipe configuration' }),
    };
    const definition = new PipelineDefinition({ runTags });

    // Bucket (a token) and key (a literal `<hash>.gz`) separately, so the object's file name is known:
    // channels and processing inputs download it under that name.
    const codeUri = `s3://${code.s3BucketName}/${code.s3ObjectKey}`;
    const data = PipelineExpression.join('', [PipelineExpression.fromString(`s3://${env.datasetsBucket.bucketName}/`), inputKey]);
    const codeInput = { inputName: 'code', source: PipelineExpression.fromString(codeUri), destination: '/opt/ml/processing/input/code' };
    // Processing jobs do not unpack archives: the entrypoint does, then runs the script with the step's arguments.
    const runScript = (script: string) => ['/bin/sh', '-c', `mkdir -p /tmp/code && tar -xzf /opt/ml/processing/input/code/*.gz -C /tmp/code && exec python3 /tmp/code/${script} "$@"`, 'sh'];

    const validate = new ProcessingStep({
      name: names.VALIDATE,
      description: 'Checks the schema and basic statistics of the data before any GPU starts',
      environment: env,
      imageUri: processingImage,
      instanceType: props.processingInstanceType,
      entrypoint: runScript('validate.py'),
      // The container paths are passed explicitly, so `trainyard run --local` can relocate them where
      // it cannot give the job a private /opt/ml.
      arguments: ['--input-dir', '/opt/ml/processing/input/data', '--output-dir', '/opt/ml/processing/output/report', '--label-column', label]
        .map((a) => PipelineExpression.fromString(a)),
      inputs: [{ inputName: 'data', source: data, destination: '/opt/ml/processing/input/data' }, codeInput],
      outputs: [{ outputName: 'report', source: '/opt/ml/processing/output/report' }],
      propertyFiles: [{ name: 'DataValidationReport', outputName: 'report', filePath: 'validation.json' }],
    });

    const trainProps: TrainingStepProps = {
      name: names.TRAIN,
      description: props.capacityShare
        ? "Trains through the team's share of the GPU capacity pool, with checkpoints"
        : "Trains on the team's GPU profile with spot capacity and checkpoints",
      environment: env,
      imageUri: trainingImage,
      code: { entryPoint: 'train.py', sourceDirS3Uri: codeUri },
      channels: [{ channelName: 'train', s3Uri: data, contentType: 'text/csv' }],
      hyperParameters: {
        ...Object.fromEntries(Object.entries(hyperParameters).map(([k, v]) => [k, PipelineExpression.fromString(v)])),
        'label-column': PipelineExpression.fromString(label),
      },
      metricDefinitions: [
        { name: 'train_loss', regex: 'train_loss=([0-9.eE+-]+)' },
        { name: 'train_accuracy', regex: 'train_accuracy=([0-9.eE+-]+)' },
      ],
      // The run tags, for the script to put on its MLflow run (the job's own tags are not visible inside it).
      environmentVariables: {
        TRAINYARD_GIT_SHA: runTags.gitSha,
        TRAINYARD_DATASET_VERSION: runTags.datasetVersion,
        TRAINYARD_CONFIG_HASH: runTags.configHash,
      },
      overrides: props.trainingOverrides,
      dependsOn: [validate],
    };
    const train = props.capacityShare
      ? new QueuedTrainingStep({ ...trainProps, share: props.capacityShare })
      : new TrainingStep(trainProps);

    const evaluate = new ProcessingStep({
      name: names.EVALUATE,
      description: 'Scores the model and writes evaluation.json',
      environment: env,
      imageUri: processingImage,
      instanceType: props.processingInstanceType,
      entrypoint: runScript('evaluate.py'),
      arguments: ['--model-dir', '/opt/ml/processing/input/model', '--data-dir', '/opt/ml/processing/input/data', '--output-dir', '/opt/ml/processing/output/evaluation']
        .map((a) => PipelineExpression.fromString(a)),
      inputs: [
        { inputName: 'model', source: train.modelArtifactsUri, destination: '/opt/ml/processing/input/model' },
        { inputName: 'data', source: data, destination: '/opt/ml/processing/input/data' },
        codeInput,
      ],
      outputs: [{ outputName: 'evaluation', source: '/opt/ml/processing/output/evaluation' }],
      propertyFiles: [{ name: 'EvaluationReport', outputName: 'evaluation', filePath: 'evaluation.json' }],
    });

    const score = evaluate.jsonGet('EvaluationReport', `metrics.${metric}.value`);
    const register = new RegisterModelStep({
      name: names.REGISTER,
      environment: env,
      modelDataUrl: train.modelArtifactsUri,
      inferenceImageUri: inferenceImage,
      modelPackageGroupName: props.modelPackageGroupName,
      modelQualityMetrics: { s3Uri: PipelineExpression.join('/', [evaluate.outputUri('evaluation'), PipelineExpression.fromString('evaluation.json')]) },
      modelPackageDescription: `Trained by the Trainyard standard recipe for team ${env.teamName}`,
    });
    const reject = new FailStep({
      name: names.REJECT,
      errorMessage: PipelineExpression.join(' ', [
        PipelineExpression.fromString(`Model ${metric}`), score,
        PipelineExpression.fromString(props.higherIsBetter === false ? 'is above the threshold' : 'is below the threshold'), thresholdParameter,
      ]),
    });
    const gate = new ConditionStep({
      name: names.GATE,
      description: `Registers the model only if its ${metric} passes MetricThreshold`,
      conditions: [props.higherIsBetter === false
        ? Condition.lessThanOrEqualTo(score, thresholdParameter)
        : Condition.greaterThanOrEqualTo(score, thresholdParameter)],
      ifSteps: [register],
      elseSteps: [reject],
    });

    definition.addParameter(inputKey, thresholdParameter);
    definition.addStep(validate, train, evaluate, gate);
    return definition;
  }

  private constructor() {}
}
