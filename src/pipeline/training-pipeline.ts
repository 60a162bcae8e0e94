import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArnFormat, Aws, Lazy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { PipelineDefinition } from './definition/pipeline-definition';
import { QueuedTrainingStep } from './definition/queued-training-step';
import { RegisterModelStep } from './definition/register-model-step';
import type { DriftMonitor } from './drift-monitor';
import { PipelineTriggers } from './private/pipeline-triggers';
import { QueuedTrainingSubmitter } from './private/queued-training-submitter';
import { stepInstanceTypes } from './private/step-instance-types';
import { teamJobStatements } from './private/team-jobs';
import { TrainyardValidationError } from '../core/errors';
import { boundedName } from '../core/physical-name';
import { AcknowledgementCatalogue } from '../core/private/acknowledgement-catalogue';
import { acknowledgeWildcards } from '../core/private/wildcard-acknowledgement';
import { requireIntegerInRange, requireName } from '../core/validate';
import { ITrainingEnvironment } from '../environment/training-environment';

/**
 * The namespace of the metrics SageMaker publishes for pipeline executions (dimension `PipelineName`).
 *
 * @see https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html#cloudwatch-metrics-pipelines
 */
const PIPELINE_METRICS_NAMESPACE = 'AWS/Sagemaker/ModelBuildingPipeline';

/** CreatePipeline `PipelineName`: 1 to 256 characters, `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}`. */
const PIPELINE_NAME_RULE = {
  pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/,
  minLength: 1,
  maxLength: 256,
  description: 'letters, digits and hyphens, starting and ending with a letter or digit',
};

/** `PipelineExperimentConfig.ExperimentName`: at most 120 characters. By default it is the pipeline name. */
const EXPERIMENT_NAME_MAX = 120;

/**
 * Where the pipeline definition is stored.
 */
export enum DefinitionStorage {
  /** Inline when it is small enough (`TrainingPipeline.INLINE_DEFINITION_LIMIT`), as an S3 asset otherwise. */
  AUTO = 'AUTO',
  /** Always inline in the CloudFormation template (`PipelineDefinitionBody`). */
  INLINE = 'INLINE',
  /**
   * Always as an S3 asset (`PipelineDefinitionS3Location`). The definition must not contain
   * deploy-time values (ARNs, bucket names of resources in the app): an asset is uploaded as it is.
   */
  S3_ASSET = 'S3_ASSET',
}

/**
 * Properties of a training pipeline.
 */
export interface TrainingPipelineProps {
  /** The team environment the pipeline's jobs run in: its execution role is the only role the pipeline passes. */
  readonly environment: ITrainingEnvironment;
  /** The pipeline definition, for example `StandardTrainingRecipe.create({...})`. */
  readonly definition: PipelineDefinition;
  /**
   * The pipeline name: letters, digits and hyphens, at most 256 characters, starting with a letter or
   * digit; at most 120 unless the definition names its experiment (`experimentConfig.experimentName`),
   * because each execution's SageMaker experiment is named after the pipeline.
   *
   * @default - `<teamName>-<construct id>`, lowercased; past 120 characters, shortened and ended with a hash of the whole name
   */
  readonly pipelineName?: string;
  /**
   * The pipeline's description.
   *
   * @default - names the team
   */
  readonly description?: string;
  /**
   * The most steps an execution runs at the same time (`ParallelismConfiguration`). Caps how many
   * GPU jobs one execution can start.
   *
   * @default 4
   */
  readonly maxParallelExecutionSteps?: number;
  /**
   * Where the definition is stored.
   *
   * @default DefinitionStorage.AUTO
   */
  readonly definitionStorage?: DefinitionStorage;
}

/**
 * Options of a scheduled retraining trigger.
 */
export interface ScheduleTriggerOptions {
  /**
   * Parameter values of the executions the schedule starts; names must be parameters of the definition.
   *
   * @default - the parameters' defaults
   */
  readonly parameters?: { [name: string]: string };
  /**
   * The schedule's description.
   *
   * @default - names the pipeline
   */
  readonly description?: string;
}

/**
 * Options of a new-data retraining trigger.
 */
export interface NewDataTriggerOptions {
  /**
   * The key prefix below the team's datasets prefix to watch, for example `transactions/`.
   *
   * @default - the whole team prefix
   */
  readonly prefix?: string;
  /**
   * Only keys ending with this start a run, for example `_SUCCESS` or `manifest.json`, so a batch upload
   * of many files starts one execution instead of one per file. The key parameter then receives the
   * marker's own key: a definition that reads the data through it must strip the file name itself
   * (the standard recipe reads the key as given, so use it without a suffix).
   *
   * @default - every new object starts a run
   */
  readonly keySuffix?: string;
  /**
   * The String parameter of the definition that receives the new object's key.
   *
   * @default 'InputDataKey'
   */
  readonly keyParameterName?: string;
}

/**
 * Options of a drift retraining trigger.
 */
export interface DriftTriggerOptions {
  /**
   * Parameter values of the executions the alarm starts.
   *
   * @default - the parameters' defaults
   */
  readonly parameters?: { [name: string]: string };
}

/**
 * A SageMaker pipeline (`AWS::SageMaker::Pipeline`) of a team, with a least-privilege execution role,
 * synth-time validation of its definition, and retraining triggers (schedule, new data, drift).
 */
export class TrainingPipeline extends Resource implements sagemaker.IPipeline {
  /** The largest definition (in characters, counting deploy-time values as 128) `DefinitionStorage.AUTO` keeps inline. */
  public static readonly INLINE_DEFINITION_LIMIT = 100_000;

  /** The pipeline's name. */
  public readonly pipelineName: string;
  /** The pipeline's ARN. */
  public readonly pipelineArn: string;
  /** The role the pipeline runs as. */
  public readonly role: iam.IRole;
  /** The team environment. */
  public readonly environment: ITrainingEnvironment;
  /** The definition. */
  public readonly definition: PipelineDefinition;
  /** The L1 resource. */
  public readonly cfnPipeline: sagemaker.CfnPipeline;

  private readonly triggers = new PipelineTriggers(this);
  private readonly queuedTrainingSubmitter?: QueuedTrainingSubmitter;

  constructor(scope: Construct, id: string, props: TrainingPipelineProps) {
    super(scope, id);
    if (!props || !props.environment) {
      throw new TrainyardValidationError('TrainingPipeline.environment', 'is required: the team environment the pipeline runs in.');
    }
    if (!(props.definition instanceof PipelineDefinition)) {
      throw new TrainyardValidationError('TrainingPipeline.definition', 'is required: a PipelineDefinition, for example StandardTrainingRecipe.create({...}).');
    }
    this.environment = props.environment;
    this.definition = props.definition;
    const name = props.pipelineName ?? defaultName(props.environment.teamName, id);
    requireName('TrainingPipeline.pipelineName', name, PIPELINE_NAME_RULE);
    if (!Token.isUnresolved(name) && name.length > EXPERIMENT_NAME_MAX && props.definition._experimentNamedAfterPipeline) {
      throw new TrainyardValidationError(
        'TrainingPipeline.pipelineName',
        `is ${name.length} characters, but each execution's SageMaker experiment is named after the pipeline and experiment names ` +
          `allow at most ${EXPERIMENT_NAME_MAX}: every run would fail to start. Shorten the name, or set PipelineDefinitionProps.experimentConfig.experimentName.`,
      );
    }
    const parallel = props.maxParallelExecutionSteps ?? 4;
    requireIntegerInRange('TrainingPipeline.maxParallelExecutionSteps', parallel, 1, 256);
    this.pipelineName = name;
    // SageMaker lowercases pipeline names in ARNs.
    this.pipelineArn = Stack.of(this).formatArn({
      service: 'sagemaker',
      resource: 'pipeline',
      resourceName: Token.isUnresolved(name) ? name : name.toLowerCase(),
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    // Queued training steps get a submitter (queue, function, rule) before the role's policy names its queue.
    const queued = props.definition.allSteps.filter((s): s is QueuedTrainingStep => s instanceof QueuedTrainingStep);
    if (queued.length > 0) {
      this.queuedTrainingSubmitter = new QueuedTrainingSubmitter(this, 'QueuedTraining', {
        environment: props.environment,
        shares: [...new Set(queued.map((s) => s.share))],
        pipelineArn: this.pipelineArn,
      });
      for (const step of queued) {
        step._bindCallbackQueue(this.queuedTrainingSubmitter.queue.queueUrl);
      }
    }

    const role = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `Runs the SageMaker pipeline ${this.node.path} of team ${props.environment.teamName}`,
      // The team's guardrails: this role starts the jobs, so the boundary's denies apply to its requests.
      permissionsBoundary: props.environment.permissionsBoundary,
    });
    // The guardrails let the team's jobs use the instance types this pipeline's steps request.
    props.environment.allowInstanceTypes(...stepInstanceTypes(this.definition.render()));
    const policy = new iam.ManagedPolicy(this, 'ExecutionPolicy', {
      description: `Least privilege of SageMaker pipeline ${this.node.path}: start and watch its own jobs, pass only the team role`,
      roles: [role],
      document: this.executionPolicyDocument(),
    });
    const permittedFor = this.permissionScope();
    this.role = role;

    this.cfnPipeline = new sagemaker.CfnPipeline(this, 'Resource', {
      pipelineName: name,
      pipelineDisplayName: name.length <= 256 ? name : undefined,
      pipelineDescription: props.description ?? `Trainyard training pipeline of team ${props.environment.teamName}`,
      roleArn: role.roleArn,
      parallelismConfiguration: { MaxParallelExecutionSteps: parallel },
      pipelineDefinition: this.definitionProperty(props.definitionStorage ?? DefinitionStorage.AUTO),
      // The team's job tags (team, cost centre, ...) on the pipeline too, for cost allocation.
      tags: Object.entries({ ...(props.environment.trainingJobDefaults.tags ?? {}), 'trainyard:team': props.environment.teamName })
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => ({ key, value })),
    });
    // The pipeline must not start before its role can act.
    this.cfnPipeline.node.addDependency(policy);

    acknowledgeWildcards(policy, AcknowledgementCatalogue.pipelineExecutionRole([
      ':training-job/pipelines-*', ':processing-job/pipelines-*', ':experiment-trial-component/pipelines-*', ':experiment-trial/*',
      `/${props.environment.artifactsPrefix}pipelines/*`,
      ...this.modelPackageGroups().map((g) => `:model-package/${g}/*`),
    ]));
    this.node.addValidation({
      validate: () => [
        ...this.definition.validate().map((e) => `TrainingPipeline ${this.node.path}: ${e}`),
        ...(this.permissionScope() !== permittedFor
          ? [`TrainingPipeline ${this.node.path}: steps were added to the definition after the pipeline was created (its role covers ${permittedFor}, the definition now needs ${this.permissionScope()}); finish the definition first.`]
          : []),
      ],
    });
  }

  /** The pipeline reference (for `aws-cdk-lib` constructs that take an `IPipelineRef`). */
  public get pipelineRef(): sagemaker.PipelineReference {
    return { pipelineName: this.pipelineName };
  }

  /** Lets `grantee` start executions of this pipeline (and only this one). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:StartPipelineExecution'],
      resourceArns: [this.pipelineArn],
    });
  }

  /** Same as `grantStartExecution`; implements `aws-cdk-lib`'s `IPipeline`. */
  public grantStartPipelineExecution(grantee: iam.IGrantable): iam.Grant {
    return this.grantStartExecution(grantee);
  }

  /**
   * A metric SageMaker publishes for this pipeline's executions, in the namespace
   * `AWS/Sagemaker/ModelBuildingPipeline` with the dimension `PipelineName` (at a 1-minute frequency):
   * `ExecutionStarted`, `ExecutionFailed`, `ExecutionSucceeded`, `ExecutionStopped` (counts) or
   * `ExecutionDuration` (milliseconds).
   *
   * @see https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html#cloudwatch-metrics-pipelines
   * @default - Sum over 5 minutes
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: PIPELINE_METRICS_NAMESPACE,
      metricName,
      statistic: 'Sum',
      ...props,
      dimensionsMap: { PipelineName: this.pipelineName },
    });
  }

  /**
   * Executions of this pipeline that started (`ExecutionStarted`).
   *
   * @default - Sum over 5 minutes
   */
  public metricExecutionStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionStarted', props);
  }

  /**
   * Executions of this pipeline that failed (`ExecutionFailed`): the metric to alarm on.
   *
   * @default - Sum over 5 minutes
   */
  public metricExecutionFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionFailed', props);
  }

  /**
   * Executions of this pipeline that succeeded (`ExecutionSucceeded`).
   *
   * @default - Sum over 5 minutes
   */
  public metricExecutionSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionSucceeded', props);
  }

  /**
   * Executions of this pipeline that were stopped (`ExecutionStopped`).
   *
   * @default - Sum over 5 minutes
   */
  public metricExecutionStopped(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionStopped', props);
  }

  /**
   * How long executions of this pipeline ran, in milliseconds (`ExecutionDuration`).
   *
   * @default - Average over 5 minutes
   */
  public metricExecutionDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ExecutionDuration', { statistic: 'Average', ...props });
  }

  /**
   * Retrains on a schedule through EventBridge Scheduler's SageMaker `StartPipelineExecution`
   * target. The expression is checked at synth.
   *
   * @param schedule for example `ScheduleExpression.expression('cron(0 3 ? * MON *)')` or `ScheduleExpression.rate(Duration.days(7))`
   */
  public triggerOnSchedule(schedule: scheduler.ScheduleExpression, options: ScheduleTriggerOptions = {}): scheduler.Schedule {
    return this.triggers.onSchedule(schedule, options);
  }

  /**
   * Retrains when a new object lands under the team's datasets prefix: the datasets bucket sends
   * S3 events to EventBridge, and a rule starts the pipeline with the object key in the String
   * parameter `keyParameterName`, through the SageMaker pipeline target's dynamic JSON path
   * (`$.detail.object.key`).
   */
  public triggerOnNewData(options: NewDataTriggerOptions = {}): events.Rule {
    return this.triggers.onNewData(options);
  }

  /**
   * Retrains when the drift monitor's alarm goes into ALARM: a rule on the alarm's state change
   * starts the pipeline.
   */
  public triggerOnDrift(monitor: DriftMonitor, options: DriftTriggerOptions = {}): events.Rule {
    return this.triggers.onDrift(monitor, options);
  }

  private definitionProperty(storage: DefinitionStorage): any {
    const stack = Stack.of(this);
    const json = this.definition.toJson();
    const tokens = json.match(/\$\{Token\[[^\]]+\]\}/g) ?? [];
    const estimated = json.length + tokens.reduce((sum, t) => sum + 128 - t.length, 0);
    const asset = storage === DefinitionStorage.S3_ASSET
      || (storage === DefinitionStorage.AUTO && estimated > TrainingPipeline.INLINE_DEFINITION_LIMIT);
    if (!asset) {
      // Rendered at synth, so steps added to the definition after this point are included too.
      return { PipelineDefinitionBody: Lazy.string({ produce: () => stack.toJsonString(this.definition.render()) }) };
    }
    if (tokens.length > 0) {
      throw new TrainyardValidationError(
        'TrainingPipeline.definitionStorage',
        `the definition (about ${estimated} characters) ${storage === DefinitionStorage.AUTO ? `is over the inline limit of ${TrainingPipeline.INLINE_DEFINITION_LIMIT}` : 'is to be stored as an S3 asset'}, ` +
        `but holds ${tokens.length} deploy-time values (role ARNs, bucket names) that an asset cannot resolve. Use DefinitionStorage.INLINE, or pass those values as literal strings.`,
      );
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-pipeline-definition-'));
    const file = path.join(dir, 'pipeline-definition.json');
    fs.writeFileSync(file, json);
    const definitionAsset = new s3assets.Asset(this, 'DefinitionAsset', { path: file });
    return { PipelineDefinitionS3Location: { Bucket: definitionAsset.s3BucketName, Key: definitionAsset.s3ObjectKey } };
  }

  /** What the execution role must cover: step types and model package groups. */
  private permissionScope(): string {
    return JSON.stringify({ types: this.definition.stepTypes, groups: this.modelPackageGroups() });
  }

  private modelPackageGroups(): string[] {
    return [...new Set(this.definition.allSteps
      .filter((s): s is RegisterModelStep => s instanceof RegisterModelStep)
      .map((s) => s.modelPackageGroupName)
      .filter((g): g is string => g !== undefined))].sort();
  }

  private executionPolicyDocument(): iam.PolicyDocument {
    const stack = Stack.of(this);
    const types = new Set(this.definition.stepTypes);
    const arn = (resource: string, resourceName: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const statements: iam.PolicyStatement[] = [];
    // SageMaker Pipelines names the jobs it starts `pipelines-<execution id>-<step>-<suffix>`, for every team.
    // Only the team's own jobs, by the trainyard:team tag every step sets (see teamJobStatements).
    const team = this.environment.teamName;
    if (types.has('Training')) {
      statements.push(...teamJobStatements('training', team, arn('training-job', 'pipelines-*')));
    }
    if (types.has('Processing')) {
      statements.push(...teamJobStatements('processing', team, arn('processing-job', 'pipelines-*')));
      // The pipeline service itself reads property files (Std:JsonGet) from the step outputs.
      statements.push(new iam.PolicyStatement({
        sid: 'ReadPropertyFiles',
        actions: ['s3:GetObject'],
        resources: [this.environment.artifactsBucket.arnForObjects(`${this.environment.artifactsPrefix}pipelines/*`)],
      }));
      statements.push(new iam.PolicyStatement({
        sid: 'DecryptPropertyFiles',
        actions: ['kms:Decrypt'],
        resources: [this.environment.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
      }));
    }
    if (this.queuedTrainingSubmitter) {
      // Callback steps (QueuedTrainingStep) hand their request to the pipeline's submitter queue.
      statements.push(new iam.PolicyStatement({
        sid: 'SendToQueuedTrainingSubmitter',
        actions: ['sqs:SendMessage'],
        resources: [this.queuedTrainingSubmitter.queue.queueArn],
      }));
      statements.push(new iam.PolicyStatement({
        sid: 'EncryptQueuedTrainingMessages',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.environment.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com` } },
      }));
    }
    const groups = this.modelPackageGroups();
    if (groups.length > 0) {
      statements.push(new iam.PolicyStatement({
        sid: 'RegisterIntoTeamModelPackageGroups',
        actions: ['sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup', 'sagemaker:AddTags'],
        resources: groups.flatMap((g) => [arn('model-package-group', g), arn('model-package', `${g}/*`)]),
      }));
    }
    // Pipeline experiment config: experiment = pipeline name, one trial per execution. CreateTrial is
    // authorized on the experiment as well as on the trial (both resource types are required, SAR).
    statements.push(new iam.PolicyStatement({
      sid: 'ExperimentOfThisPipeline',
      actions: ['sagemaker:CreateExperiment', 'sagemaker:DescribeExperiment', 'sagemaker:CreateTrial'],
      resources: [arn('experiment', Token.isUnresolved(this.pipelineName) ? this.pipelineName : this.pipelineName.toLowerCase())],
    }));
    statements.push(new iam.PolicyStatement({
      sid: 'TrialsOfThisPipeline',
      actions: ['sagemaker:CreateTrial', 'sagemaker:DescribeTrial', 'sagemaker:AssociateTrialComponent', 'sagemaker:AddTags'],
      resources: [arn('experiment-trial', '*'), arn('experiment-trial-component', 'pipelines-*')],
    }));
    statements.push(new iam.PolicyStatement({
      sid: 'PassOnlyTheTeamExecutionRole',
      actions: ['iam:PassRole'],
      resources: [this.environment.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }));
    return new iam.PolicyDocument({ statements });
  }
}

/**
 * `<team>-<construct id>`, lowercased, within the 120 characters of the experiment SageMaker names
 * after the pipeline (shortened with a hash past that).
 */
function defaultName(teamName: string, id: string): string {
  const raw = `${teamName}-${id}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return boundedName(raw, { ...PIPELINE_NAME_RULE, maxLength: EXPERIMENT_NAME_MAX });
}
