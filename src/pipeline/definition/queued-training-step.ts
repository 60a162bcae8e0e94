import { Token } from 'aws-cdk-lib';
import { PipelineExpression } from './pipeline-expression';
import { PipelineStep } from './pipeline-step';
import { checkStepCache, StepRenderContext } from './private/render';
import { PropertyReference } from './property-reference';
import { TrainingStep, TrainingStepProps } from './training-step';
import { TrainyardValidationError } from '../../core/errors';
import { requireIntegerInRange } from '../../core/validate';
import { ITeamCapacityShare } from '../../environment/team-capacity-share';

/** AWS Batch: the largest `serviceRequestPayload` of SubmitServiceJob, 10 KiB. */
const MAX_PAYLOAD_BYTES = 10 * 1024;
/** What a deploy-time value (role ARN, bucket name, subnet id) is assumed to take at most. */
const TOKEN_ESTIMATE = 128;
/** What a run-time value (a parameter, another step's output, a join) is assumed to take at most. */
const EXPRESSION_ESTIMATE = 256;
/** The callback outputs, the names the submitter Lambda reports back. */
const OUTPUTS = ['ModelArtifacts', 'TrainingJobName', 'TrainingJobArn'] as const;

/**
 * Properties of a training step that queues through a team's quota share.
 */
export interface QueuedTrainingStepProps extends TrainingStepProps {
  /** The team's quota share of a `TrainingCapacityPool`; it must belong to the step's environment. */
  readonly share: ITeamCapacityShare;

  /**
   * The job's scheduling priority within the share (0 to 9999, higher first). With
   * `inSharePreemption` a higher-priority job may preempt a lower one of the same team.
   *
   * @default 100
   */
  readonly schedulingPriority?: number;

  /**
   * How many times the job is requeued after being preempted (a lender reclaiming its capacity)
   * before it fails, 0 to 10.
   *
   * @default 3
   */
  readonly preemptionRetries?: number;
}

/**
 * A step that trains through a `TrainingCapacityPool`: the job waits in the pool's AWS Batch queue
 * for the team's share instead of starting at once against the account's quota.
 *
 * SageMaker Pipelines has no native step that submits through AWS Batch, so this renders a Callback
 * step. The pipeline sends the CreateTrainingJob request (the same one `TrainingStep` renders, from
 * the team's training-job defaults) to an SQS queue; a function of the `TrainingPipeline` submits it
 * with `SubmitServiceJob` to the share and reports the job's end with
 * `SendPipelineExecutionStepSuccess` or `SendPipelineExecutionStepFailure`. Its outputs give the same
 * references as `TrainingStep` (`modelArtifactsUri`, `trainingJobName`, `trainingJobArn`).
 *
 * A job that waits RUNNABLE longer than the pool's `maxRunnableWait`, or is preempted more than
 * `preemptionRetries` times, fails the step with Batch's reason.
 */
export class QueuedTrainingStep extends PipelineStep {
  /** The team environment the job runs in. */
  public readonly environment: TrainingStepProps['environment'];
  /** The share the job queues in. */
  public readonly share: ITeamCapacityShare;
  /** The scheduling priority within the share. */
  public readonly schedulingPriority: number;
  /** How often a preempted job is requeued. */
  public readonly preemptionRetries: number;

  private readonly training: TrainingStep;
  private readonly cache: TrainingStepProps['cache'];
  private callbackQueueUrl?: string;
  private estimatedPayloadBytes = 0;

  constructor(props: QueuedTrainingStepProps) {
    super('Callback', props);
    const prop = `QueuedTrainingStep(${props.name})`;
    if (!props.share || typeof props.share.quotaShareName !== 'string' || typeof props.share.grantSubmit !== 'function') {
      throw new TrainyardValidationError(`${prop}.share`, 'is required: the team\'s quota share (pool.addTeamShare(environment, ...)).');
    }
    if (props.environment && props.share.teamName !== props.environment.teamName) {
      throw new TrainyardValidationError(
        `${prop}.share`,
        `belongs to team '${props.share.teamName}', but the step's environment is team '${props.environment.teamName}': a team trains only through its own share.`,
      );
    }
    if (props.retryPolicies !== undefined) {
      throw new TrainyardValidationError(
        `${prop}.retryPolicies`,
        'is not supported: a Callback step has no retry policies. The job retries through overrides.retryAttempts (SageMaker) and preemptionRetries (Batch).',
      );
    }
    this.schedulingPriority = props.schedulingPriority ?? 100;
    requireIntegerInRange(`${prop}.schedulingPriority`, this.schedulingPriority, 0, 9999);
    this.preemptionRetries = props.preemptionRetries ?? 3;
    requireIntegerInRange(`${prop}.preemptionRetries`, this.preemptionRetries, 0, 10);
    checkStepCache(prop, props.cache);
    // The job's arguments are exactly a TrainingStep's: the same checks, the same defaults.
    this.training = new TrainingStep({ ...props, cache: undefined, dependsOn: undefined });
    this.environment = props.environment;
    this.share = props.share;
    this.cache = props.cache;
  }

  /** The S3 URI of the model artifacts (the callback output `ModelArtifacts`). */
  public get modelArtifactsUri(): PropertyReference {
    return this.property("OutputParameters['ModelArtifacts']");
  }

  /** The name of the training job (`AWSBatch<jobName><hash>`, the callback output `TrainingJobName`). */
  public get trainingJobName(): PropertyReference {
    return this.property("OutputParameters['TrainingJobName']");
  }

  /** The ARN of the training job (the callback output `TrainingJobArn`). */
  public get trainingJobArn(): PropertyReference {
    return this.property("OutputParameters['TrainingJobArn']");
  }

  /** Whether the job runs on managed spot capacity. */
  public get managedSpot(): boolean {
    return this.training.managedSpot;
  }

  /**
   * Points the step at the SQS queue of the pipeline's submitter. Called by `TrainingPipeline`.
   *
   * @internal
   */
  public _bindCallbackQueue(queueUrl: string): void {
    if (this.callbackQueueUrl !== undefined && this.callbackQueueUrl !== queueUrl) {
      throw new TrainyardValidationError(
        `QueuedTrainingStep(${this.name})`,
        'is already used by another TrainingPipeline; build a definition (and its steps) per pipeline.',
      );
    }
    this.callbackQueueUrl = queueUrl;
  }

  /** @internal */
  public _recordedExpressions(): PipelineExpression[] {
    return [...super._recordedExpressions(), ...this.training._recordedExpressions()];
  }

  /** @internal */
  public _validate(): string[] {
    const problems: string[] = [];
    if (this.callbackQueueUrl === undefined) {
      problems.push('is not bound to a submitter: a QueuedTrainingStep runs only in a TrainingPipeline, which creates the queue and function that submit it');
    }
    if (this.estimatedPayloadBytes > MAX_PAYLOAD_BYTES) {
      problems.push(
        `its CreateTrainingJob request takes about ${this.estimatedPayloadBytes} bytes once deploy- and run-time values are filled in, ` +
        `over AWS Batch's ${MAX_PAYLOAD_BYTES}-byte limit of a service job payload; use fewer hyperparameters, channels or environment variables`,
      );
    }
    return problems;
  }

  /** @internal */
  protected _renderArguments(context: StepRenderContext): any {
    const request = this.training._createTrainingJobRequest(context);
    if (this.share.trainingPlanArn !== undefined) {
      request.ResourceConfig = { ...request.ResourceConfig, TrainingPlanArn: this.share.trainingPlanArn };
    }
    this.estimatedPayloadBytes = estimatePayloadBytes(request);
    return {
      TrainingJobRequest: request,
      JobQueue: this.share.jobQueueArn,
      QuotaShareName: this.share.quotaShareName,
      SchedulingPriority: this.schedulingPriority,
      PreemptionRetries: this.preemptionRetries,
      StepName: this.name,
    };
  }

  /** @internal */
  protected _renderStepOptions(_context: StepRenderContext): any {
    return {
      // Rendered by validate() before the pipeline binds the queue; the missing binding is reported there.
      SqsQueueUrl: this.callbackQueueUrl ?? '',
      OutputParameters: OUTPUTS.map((name) => ({ OutputName: name, OutputType: 'String' })),
      ...(this.cache ? { CacheConfig: { Enabled: this.cache.enabled ?? true, ExpireAfter: this.cache.expireAfter.toIsoString() } } : {}),
    };
  }

  protected propertyRoots(): string[] {
    return ['OutputParameters'];
  }

  protected checkPropertyDetail(path: string): string | undefined {
    const match = /^OutputParameters\['([^']*)'\]$/.exec(path);
    if (!match || !(OUTPUTS as readonly string[]).includes(match[1])) {
      return `'${path}' is not an output of queued training step '${this.name}' (it has ${OUTPUTS.map((o) => `OutputParameters['${o}']`).join(', ')})`;
    }
    return undefined;
  }
}

/**
 * The size of the request once deployed and run: deploy-time tokens count as 128 bytes, run-time
 * expressions (`Get`, `Std:Join`, ...) as 256.
 */
function estimatePayloadBytes(request: any): number {
  const replaced = JSON.stringify(request, (_key, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && /^(Get|Std:)/.test(Object.keys(value)[0])) {
      return 'x'.repeat(EXPRESSION_ESTIMATE);
    }
    if (typeof value === 'string' && Token.isUnresolved(value)) {
      return value.replace(/\$\{Token\[[^\]]+\]\}/g, 'x'.repeat(TOKEN_ESTIMATE));
    }
    return value;
  });
  return Buffer.byteLength(replaced, 'utf8');
}
