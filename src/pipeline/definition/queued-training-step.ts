import { Token, Tokenization } from 'aws-cdk-lib';
import { Parameter } from './parameter';
import { PipelineExpression, PipelineValueType } from './pipeline-expression';
import { PipelineStep } from './pipeline-step';
import { checkStepCache, StepRenderContext } from './private/render';
import { PropertyReference } from './property-reference';
import { TrainingStep, TrainingStepProps } from './training-step';
import { TrainyardValidationError } from '../../core/errors';
import { requireIntegerInRange } from '../../core/validate';
import { ITeamCapacityShare } from '../../environment/team-capacity-share';
import { REQUEST_ARGUMENT, VALUE_ARGUMENT_PREFIX, VALUE_MARKER, isValueMarker } from '../private/queued-training-request';

/** AWS Batch: the largest `serviceRequestPayload` of SubmitServiceJob, 10 KiB. */
const MAX_PAYLOAD_BYTES = 10 * 1024;
/**
 * Realistic upper bounds, in bytes, of the values the payload-size check cannot know at synth. The
 * submitter measures the real payload again before it submits, and fails the step with the size
 * when a value ran longer than assumed here.
 * - a deploy-time value (role or key ARN, bucket name, subnet id, image URI): 128 (generated role
 *   ARNs take about 95, KMS key ARNs 75, bucket names at most 63);
 * - a String parameter: 256 (an S3 URI, a version or a commit; `StartPipelineExecution` allows up to 1024);
 * - a number or boolean parameter: 24;
 * - a property of another step (an S3 URI of its output, a job name): 256 (Trainyard's step outputs
 *   take about 150; CreateTrainingJob allows S3 URIs up to 1024);
 * - a value read from a property file (`Std:JsonGet`): 256;
 * - execution variables: the id 32, the pipeline name 256 (its maximum), ARNs 400, times 32.
 */
const TOKEN_BOUND = 128;
const STRING_PARAMETER_BOUND = 256;
const SCALAR_PARAMETER_BOUND = 24;
const STEP_PROPERTY_BOUND = 256;
const JSON_GET_BOUND = 256;
const EXECUTION_VARIABLE_BOUNDS: Readonly<Record<string, number>> = {
  PipelineExecutionId: 32,
  PipelineName: 256,
  PipelineExecutionArn: 400,
  PipelineArn: 400,
  StartDateTime: 32,
  CurrentDateTime: 32,
};
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
        'is not supported: a Callback step has no retry policies. The job retries through overrides.maximumRetryAttempts (SageMaker) and preemptionRetries (Batch).',
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

  /**
   * The Callback step's inputs: a flat map of primitives and single pipeline expressions, as
   * SageMaker documents them. The CreateTrainingJob request is one JSON string in which each
   * run-time value is a marker naming the argument `RunTimeValue<n>` that carries its expression
   * (see queued-training-request.ts); the submitter puts the resolved values in place.
   *
   * @internal
   */
  protected _renderArguments(context: StepRenderContext): any {
    const request = this.training._createTrainingJobRequest(context);
    if (this.share.trainingPlanArn !== undefined) {
      request.ResourceConfig = { ...request.ResourceConfig, TrainingPlanArn: this.share.trainingPlanArn };
    }
    const values: { [name: string]: any } = {};
    const names = new Map<string, string>();
    const template = replaceExpressions(request, (expression) => {
      const key = JSON.stringify(expression);
      let name = names.get(key);
      if (name === undefined) {
        name = `${VALUE_ARGUMENT_PREFIX}${names.size}`;
        names.set(key, name);
        values[name] = expression;
      }
      return { [VALUE_MARKER]: name };
    });
    const parameterTypes = new Map<string, PipelineValueType>(this._recordedExpressions()
      .filter((e): e is Parameter => e instanceof Parameter)
      .map((p) => [p.name, p.valueType]));
    this.estimatedPayloadBytes = estimatePayloadBytes(template, values, parameterTypes);
    return {
      [REQUEST_ARGUMENT]: jsonWithTokens(template),
      JobQueue: this.share.jobQueueArn,
      QuotaShareName: this.share.quotaShareName,
      SchedulingPriority: this.schedulingPriority,
      PreemptionRetries: this.preemptionRetries,
      StepName: this.name,
      ...values,
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

/** Whether `value` is a rendered pipeline expression (`Get`, `Std:Join`, `Std:JsonGet`, ...). */
function isExpression(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && /^(Get|Std:)/.test(keys[0]);
}

/** `value` with each rendered pipeline expression replaced by what `replace` returns for it. */
function replaceExpressions(value: any, replace: (expression: any) => any): any {
  if (isExpression(value)) return replace(value);
  if (Array.isArray(value)) return value.map((v) => replaceExpressions(v, replace));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceExpressions(v, replace)]));
  }
  return value;
}

/**
 * `value` as JSON text. String tokens (ARNs, names, ids) stay inside their JSON strings, where
 * CloudFormation fills them in: none of those values can hold a quote or a backslash. A number
 * token is placed unquoted, so that it stays a JSON number once deployed.
 */
function jsonWithTokens(value: any): string {
  const numbers: number[] = [];
  const text = JSON.stringify(value, (_key, v) => {
    if (typeof v === 'number' && Token.isUnresolved(v)) {
      numbers.push(v);
      return `@@trainyard-number-${numbers.length - 1}@@`;
    }
    return v;
  });
  return text.replace(/"@@trainyard-number-(\d+)@@"/g, (_whole, i) => Tokenization.stringifyNumber(numbers[Number(i)]));
}

/** The length of a string once deployed, each deploy-time token counted at its upper bound. */
function deployedLength(text: string): number {
  return Buffer.byteLength(text.replace(/\$\{Token\[[^\]]+\]\}/g, 'x'.repeat(TOKEN_BOUND)), 'utf8');
}

/** The most bytes a run-time expression can resolve to (see the bounds above). */
function runTimeBound(expression: any, parameterTypes: ReadonlyMap<string, PipelineValueType>): number {
  if (expression === null || typeof expression !== 'object') {
    return deployedLength(String(expression));
  }
  if (typeof expression.Get === 'string') {
    const ref: string = expression.Get;
    if (ref.startsWith('Parameters.')) {
      const type = parameterTypes.get(ref.slice('Parameters.'.length));
      return type === undefined || type === PipelineValueType.STRING ? STRING_PARAMETER_BOUND : SCALAR_PARAMETER_BOUND;
    }
    if (ref.startsWith('Execution.')) {
      return EXECUTION_VARIABLE_BOUNDS[ref.slice('Execution.'.length)] ?? JSON_GET_BOUND;
    }
    return STEP_PROPERTY_BOUND;
  }
  const join = expression['Std:Join'];
  if (join && Array.isArray(join.Values)) {
    const values: any[] = join.Values;
    return values.reduce((sum: number, v) => sum + runTimeBound(v, parameterTypes), 0) + deployedLength(String(join.On ?? '')) * Math.max(0, values.length - 1);
  }
  return JSON_GET_BOUND;
}

/**
 * The most bytes the service job payload (the request without `TrainingJobName` and `Tags`, which
 * the submitter moves to the service job) can take once deployed and run: deploy-time values and
 * run-time values counted at their upper bounds, JSON escaping aside.
 */
function estimatePayloadBytes(template: any, values: Readonly<Record<string, any>>, parameterTypes: ReadonlyMap<string, PipelineValueType>): number {
  const { TrainingJobName: _name, Tags: _tags, ...payload } = template;
  const text = JSON.stringify(payload, (_key, value) => {
    if (isValueMarker(value)) return 'x'.repeat(runTimeBound(values[value[VALUE_MARKER]], parameterTypes));
    if (typeof value === 'number' && Token.isUnresolved(value)) return 1e20; // 21 digits, more than any integer field takes
    return value;
  });
  return deployedLength(text);
}
