import { ArnFormat, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import { TeamCapacityShare, TeamCapacityShareOptions } from './team-capacity-share';
import { ITrainingEnvironment } from './training-environment';
import { TrainyardValidationError } from '../core/errors';
import { requireWholeSeconds } from '../core/validate';
import { MlPlatform } from '../platform/ml-platform';
import { MAX_INSTANCES_PER_TYPE, MAX_SHARES_PER_QUEUE, validateQuotas } from './private/capacity';

/** `JobStateTimeLimitAction.maxTimeSeconds`: 10 minutes to 24 hours. */
const MIN_RUNNABLE_WAIT_SECONDS = 600;
const MAX_RUNNABLE_WAIT_SECONDS = 86_400;
const POOL_SYMBOL = Symbol.for('trainyard.TrainingCapacityPool');

/**
 * A number of instances of one SageMaker training instance type.
 */
export interface InstanceQuota {
  /** The SageMaker training instance type, for example `ml.g5.2xlarge`. */
  readonly instanceType: string;
  /** How many instances of that type: a whole number of at least 1. */
  readonly maxInstances: number;
}

/**
 * Properties of a shared pool of SageMaker training capacity.
 */
export interface TrainingCapacityPoolProps {
  /**
   * The most instances of each type that the pool's jobs may run at once. Each entry becomes a
   * capacity limit of the service environment, in units of that instance type; a job asking for a
   * type that is not listed waits until it is. Keep the sum within the account's SageMaker training
   * quotas (`trainyard quota` checks it).
   */
  readonly capacity: InstanceQuota[];

  /**
   * How long a job may stay RUNNABLE at the head of the queue (waiting for capacity) before Batch
   * terminates it, so a pipeline fails visibly instead of waiting silently. Between 10 minutes and
   * 24 hours, the range AWS Batch accepts.
   *
   * Four hours by default: long enough for a typical fine-tuning job ahead of it to finish or for a
   * lender to reclaim capacity, short enough that a stuck nightly retraining fails within the same
   * working day.
   *
   * @default Duration.hours(4)
   */
  readonly maxRunnableWait?: Duration;

  /**
   * A SageMaker training plan whose reserved capacity the pool's jobs use: `QueuedTrainingStep` puts
   * it in each job's `ResourceConfig.TrainingPlanArn`. The Batch service-linked role may create
   * training jobs on training plans (`AWSBatchServiceRolePolicyForSageMaker`).
   *
   * @default - on-demand capacity
   */
  readonly trainingPlanArn?: string;

  /**
   * The name of the platform the pool belongs to: the pool publishes what team shares read (job
   * queue ARN and name, training plan) as SSM String parameters under
   * `/trainyard/<platformName>/capacity-pools/<poolName>/`, so a share in another stack refers to the
   * queue through a parameter, never a CloudFormation export.
   *
   * @default MlPlatform.DEFAULT_PLATFORM_NAME
   */
  readonly platformName?: string;

  /**
   * The pool's name in its SSM parameter paths (`/trainyard/<platformName>/capacity-pools/<poolName>/`):
   * 1 to 64 letters, digits, '_', '.' or '-'.
   *
   * @default - the construct id
   */
  readonly poolName?: string;
}

/**
 * A capacity pool as team shares see it: created in this app (`TrainingCapacityPool`) or found by
 * name in another (`TrainingCapacityPool.fromPoolName`).
 */
export interface ITrainingCapacityPool extends IConstruct {
  /** The capacity of the pool, per instance type (checked against the guarantees at synth). */
  readonly capacity: InstanceQuota[];
  /** The ARN of the job queue. */
  readonly jobQueueArn: string;
  /** The name of the job queue. */
  readonly jobQueueName: string;
  /**
   * The training plan the pool's jobs use.
   *
   * @default - on-demand capacity
   */
  readonly trainingPlanArn?: string;
  /** The SSM parameter path prefix of the pool: `/trainyard/<platformName>/capacity-pools/<poolName>/`. */
  readonly parameterPrefix: string;
  /** The pool's maximum for `instanceType`, or undefined when the pool has no capacity of that type. */
  maxInstancesOf(instanceType: string): number | undefined;
  /** Gives `environment`'s team a guaranteed quota share of the pool, in the environment's stack. */
  addTeamShare(environment: ITrainingEnvironment, options: TeamCapacityShareOptions): TeamCapacityShare;
}

/**
 * What a team app must know at synth of a pool another app deployed (`TrainingCapacityPool.fromPoolName`).
 */
export interface TrainingCapacityPoolLookupOptions {
  /**
   * The pool's capacity per instance type, as the platform defines it: team shares are checked
   * against it at synth (types in the pool, guarantees within each type's maximum). The sum of all
   * teams' guarantees is checked only where the pool itself is built.
   */
  readonly capacity: InstanceQuota[];
  /**
   * The platform the pool belongs to.
   *
   * @default MlPlatform.DEFAULT_PLATFORM_NAME
   */
  readonly platformName?: string;
  /**
   * Whether the pool has a training plan: its ARN is then read from the pool's `training-plan-arn` parameter.
   *
   * @default false
   */
  readonly hasTrainingPlan?: boolean;
}

/**
 * A shared pool of SageMaker training capacity that teams queue their jobs into, through AWS Batch
 * (service environments of type `SAGEMAKER_TRAINING`).
 *
 * It creates a service environment with a capacity limit per instance type, a job queue with a
 * quota-share scheduling policy and a RUNNABLE time limit, with generated physical names. Each team
 * gets a guaranteed quota share with `addTeamShare`; idle capacity is lent and borrowed according to
 * each share's `SharingStrategy`, and a lender always gets its capacity back (cross-share
 * preemption). It costs nothing while idle: you pay for the SageMaker training jobs only.
 *
 * The first use of AWS Batch with SageMaker creates the service-linked role
 * `AWSServiceRoleForAWSBatchWithSagemaker`, so the role that deploys the pool needs
 * `iam:CreateServiceLinkedRole` for it (condition `iam:AWSServiceName` = `sagemaker-queuing.batch.amazonaws.com`)
 * once per account. The stack does not create the role: a second stack, or an account where it exists, would fail.
 */
export class TrainingCapacityPool extends Construct implements ITrainingCapacityPool {
  /** Whether `x` is a TrainingCapacityPool (works across copies of the library). */
  public static isTrainingCapacityPool(x: unknown): x is TrainingCapacityPool {
    return typeof x === 'object' && x !== null && POOL_SYMBOL in x;
  }

  /**
   * The pool `poolName` of the platform `options.platformName`, deployed by another app (or stack):
   * its job queue is read at DEPLOY time from the SSM parameters the pool publishes under
   * `/trainyard/<platformName>/capacity-pools/<poolName>/` (no lookup, no credentials, no export). A
   * wrong name fails at deploy with the parameter path in the message.
   */
  public static fromPoolName(scope: Construct, id: string, poolName: string, options: TrainingCapacityPoolLookupOptions): ITrainingCapacityPool {
    if (!options || typeof options !== 'object') {
      throw new TrainyardValidationError('TrainingCapacityPool.fromPoolName', "needs options: { capacity: [{ instanceType: 'ml.g5.2xlarge', maxInstances: 8 }] }.");
    }
    const capacity = validateQuotas('TrainingCapacityPool.fromPoolName.capacity', options.capacity, MAX_INSTANCES_PER_TYPE);
    if (capacity.length === 0) {
      throw new TrainyardValidationError('TrainingCapacityPool.fromPoolName.capacity', 'must list at least one instance type of the pool.');
    }
    const prefix = poolParameterPrefix('TrainingCapacityPool.fromPoolName.poolName', options.platformName, poolName);
    return new ImportedTrainingCapacityPool(scope, id, prefix, capacity, options.hasTrainingPlan === true);
  }

  /** The capacity of the pool, per instance type. */
  public readonly capacity: InstanceQuota[];
  /** How long a job may wait RUNNABLE before Batch terminates it. */
  public readonly maxRunnableWait: Duration;
  /** The training plan the pool's jobs use, if any. */
  public readonly trainingPlanArn?: string;
  /** The ARN of the job queue. */
  public readonly jobQueueArn: string;
  /** The name of the job queue (generated), for `SubmitServiceJob` and the SageMaker Python SDK's `TrainingQueue`. */
  public readonly jobQueueName: string;
  /** The ARN of the service environment. */
  public readonly serviceEnvironmentArn: string;
  /**
   * The SSM parameter path prefix under which the pool publishes its job queue ARN (`job-queue-arn`),
   * name (`job-queue-name`) and training plan (`training-plan-arn`, when set):
   * `/trainyard/<platformName>/capacity-pools/<poolName>/`.
   */
  public readonly parameterPrefix: string;
  /** The service environment (L1). */
  public readonly serviceEnvironment: batch.CfnServiceEnvironment;
  /** The job queue (L1). */
  public readonly jobQueue: batch.CfnJobQueue;
  /** The quota-share scheduling policy (L1). */
  public readonly schedulingPolicy: batch.CfnSchedulingPolicy;

  private readonly teamShares: TeamCapacityShare[] = [];

  constructor(scope: Construct, id: string, props: TrainingCapacityPoolProps) {
    super(scope, id);
    Object.defineProperty(this, POOL_SYMBOL, { value: true });
    if (!props || typeof props !== 'object') {
      throw new TrainyardValidationError('TrainingCapacityPool', "needs props: { capacity: [{ instanceType: 'ml.g5.2xlarge', maxInstances: 8 }] }.");
    }
    this.capacity = validateQuotas('TrainingCapacityPool.capacity', props.capacity, MAX_INSTANCES_PER_TYPE);
    if (this.capacity.length === 0) {
      throw new TrainyardValidationError('TrainingCapacityPool.capacity', "must list at least one instance type, for example [{ instanceType: 'ml.g5.2xlarge', maxInstances: 8 }].");
    }
    this.maxRunnableWait = props.maxRunnableWait ?? Duration.hours(4);
    const waitSeconds = requireWholeSeconds('TrainingCapacityPool.maxRunnableWait', this.maxRunnableWait, MIN_RUNNABLE_WAIT_SECONDS, MAX_RUNNABLE_WAIT_SECONDS);
    if (props.trainingPlanArn !== undefined && !Token.isUnresolved(props.trainingPlanArn)
      && !/^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:training-plan\/.+$/.test(props.trainingPlanArn)) {
      throw new TrainyardValidationError('TrainingCapacityPool.trainingPlanArn', `must be a SageMaker training plan ARN (arn:<partition>:sagemaker:<region>:<account>:training-plan/<name>), got '${props.trainingPlanArn}'.`);
    }
    this.trainingPlanArn = props.trainingPlanArn;

    this.serviceEnvironment = new batch.CfnServiceEnvironment(this, 'ServiceEnvironment', {
      serviceEnvironmentType: 'SAGEMAKER_TRAINING',
      state: 'ENABLED',
      // Capacity in units of each instance type makes this a quota-management environment.
      capacityLimits: this.capacity.map((q) => ({ capacityUnit: q.instanceType, maxCapacity: q.maxInstances })),
    });
    this.schedulingPolicy = new batch.CfnSchedulingPolicy(this, 'SchedulingPolicy', {
      // FIFO is the only strategy Batch offers for handing idle capacity to borrowing shares.
      quotaSharePolicy: { idleResourceAssignmentStrategy: 'FIFO' },
    });
    this.jobQueue = new batch.CfnJobQueue(this, 'Resource', {
      jobQueueType: 'SAGEMAKER_TRAINING',
      priority: 1,
      state: 'ENABLED',
      schedulingPolicyArn: this.schedulingPolicy.ref,
      serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: this.serviceEnvironment.ref }],
      jobStateTimeLimitActions: [{
        state: 'RUNNABLE',
        // For SAGEMAKER_TRAINING queues TERMINATE is the only action Batch accepts (CANCEL is for container jobs).
        action: 'TERMINATE',
        maxTimeSeconds: waitSeconds,
        reason: `Trainyard: waited RUNNABLE longer than the pool's maxRunnableWait (${this.maxRunnableWait.toHumanString()}) for capacity`,
      }],
    });
    this.jobQueueArn = this.jobQueue.ref;
    this.serviceEnvironmentArn = this.serviceEnvironment.ref;
    this.jobQueueName = Stack.of(this).splitArn(this.jobQueueArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;

    this.parameterPrefix = poolParameterPrefix('TrainingCapacityPool.poolName', props.platformName, props.poolName ?? this.node.id);
    this.publishParameters();

    this.node.addValidation({ validate: () => this.validateShares() });
  }

  /**
   * The pool's job queue ARN as `scope` should refer to it: the attribute itself in the pool's stack,
   * else the SSM parameter the pool publishes, resolved at deploy time (no CloudFormation export).
   *
   * @internal
   */
  public _jobQueueArnFor(scope: Construct): string {
    return this._valueFor(scope, this.jobQueueArn, 'job-queue-arn');
  }

  /** @internal */
  public _trainingPlanArnFor(scope: Construct): string | undefined {
    return this.trainingPlanArn === undefined ? undefined : this._valueFor(scope, this.trainingPlanArn, 'training-plan-arn');
  }

  private _valueFor(scope: Construct, value: string, parameter: string): string {
    return valueForScope(this, scope, value, parameter);
  }

  private publishParameters(): void {
    const scope = new Construct(this, 'Parameters');
    const publish = (id: string, name: string, stringValue: string, what: string) => new ssm.StringParameter(scope, id, {
      parameterName: `${this.parameterPrefix}${name}`,
      stringValue,
      description: `Trainyard capacity pool ${this.node.path}: ${what} (read by the teams' quota shares)`,
      tier: ssm.ParameterTier.STANDARD,
    });
    publish('JobQueueArn', 'job-queue-arn', this.jobQueueArn, 'job queue ARN');
    publish('JobQueueName', 'job-queue-name', this.jobQueueName, 'job queue name');
    if (this.trainingPlanArn !== undefined) {
      publish('TrainingPlanArn', 'training-plan-arn', this.trainingPlanArn, 'SageMaker training plan ARN');
    }
  }

  /** The team shares added so far. */
  public get shares(): TeamCapacityShare[] {
    return [...this.teamShares];
  }

  /** The pool's maximum for `instanceType`, or undefined when the pool has no capacity of that type. */
  public maxInstancesOf(instanceType: string): number | undefined {
    return this.capacity.find((q) => q.instanceType === instanceType)?.maxInstances;
  }

  /**
   * Gives `environment`'s team a guaranteed quota share of the pool. The share (an
   * `AWS::Batch::QuotaShare`) is created in the team environment's scope, so it lives in the team's
   * stack and reads the queue's ARN from the pool's SSM parameter when the pool lives in another stack
   * (no export); the platform stack gains nothing per team.
   */
  public addTeamShare(environment: ITrainingEnvironment, options: TeamCapacityShareOptions): TeamCapacityShare {
    if (!environment || typeof environment.teamName !== 'string') {
      throw new TrainyardValidationError('TrainingCapacityPool.addTeamShare(environment)', 'must be a TrainingEnvironment (or one imported with TrainingEnvironment.fromAttributes).');
    }
    // Checked before the share is created, so a second share of a team fails with this message rather than an id clash.
    this.checkCanAdd(environment.teamName, MAX_SHARES_PER_QUEUE);
    TeamCapacityShare._checkOptions(this, options);
    return new TeamCapacityShare(environment, `CapacityShare${this.node.id}`, { ...options, pool: this, environment });
  }

  /**
   * Records a share of this pool; refuses the 21st share and a second share of one team.
   *
   * @internal
   */
  public _registerShare(share: TeamCapacityShare, teamName: string, maxShares: number): void {
    this.checkCanAdd(teamName, maxShares);
    this.teamShares.push(share);
  }

  private checkCanAdd(teamName: string, maxShares: number): void {
    if (this.teamShares.length >= maxShares) {
      throw new TrainyardValidationError(
        'TrainingCapacityPool.addTeamShare',
        `a pool's queue has at most ${maxShares} quota shares (an AWS Batch limit); ${this.node.path} already has ${this.teamShares.length}. Create another pool for more teams.`,
      );
    }
    if (this.teamShares.some((s) => s.teamName === teamName)) {
      throw new TrainyardValidationError('TrainingCapacityPool.addTeamShare', `team '${teamName}' already has a share in ${this.node.path}; change its guarantee instead of adding a second share.`);
    }
  }

  /** The sum of the guarantees per type must fit the pool (else a lender's guarantee could not be honoured). */
  private validateShares(): string[] {
    const errors: string[] = [];
    for (const quota of this.capacity) {
      const guaranteed = this.teamShares
        .map((s) => s.guaranteed.find((g) => g.instanceType === quota.instanceType)?.maxInstances ?? 0)
        .reduce((a, b) => a + b, 0);
      if (guaranteed > quota.maxInstances) {
        errors.push(
          `TrainingCapacityPool.addTeamShare: the guarantees for ${quota.instanceType} add up to ${guaranteed} instances ` +
          `(${this.teamShares.map((s) => `${s.teamName}: ${s.guaranteed.find((g) => g.instanceType === quota.instanceType)?.maxInstances ?? 0}`).join(', ')}), ` +
          `more than the pool's ${quota.maxInstances} (${this.node.path}). Lower the guarantees or raise TrainingCapacityPool.capacity.`,
        );
      }
    }
    return errors;
  }
}

/** `/trainyard/<platformName>/capacity-pools/<poolName>/`, with the names checked. */
function poolParameterPrefix(prop: string, platformName: string | undefined, poolName: string): string {
  if (typeof poolName !== 'string' || Token.isUnresolved(poolName) || !/^[A-Za-z0-9_.-]{1,64}$/.test(poolName)) {
    throw new TrainyardValidationError(prop, `must be 1 to 64 letters, digits, '_', '.' or '-' (it names SSM parameters), got '${String(poolName)}'.`);
  }
  return `${MlPlatform.parameterPrefix(platformName ?? MlPlatform.DEFAULT_PLATFORM_NAME)}capacity-pools/${poolName}/`;
}

/**
 * `value` as `scope` should refer to it: itself in the pool's stack (or when literal), else the SSM
 * parameter `<prefix><parameter>` the pool publishes, resolved at deploy time (no export).
 */
function valueForScope(pool: { parameterPrefix: string } & IConstruct, scope: Construct, value: string, parameter: string): string {
  const stack = Stack.of(scope);
  if (stack === Stack.of(pool) || !Token.isUnresolved(value)) return value;
  if (stack.node.root === pool.node.root && !stack.dependencies.includes(Stack.of(pool))) {
    stack.addDependency(Stack.of(pool), 'the capacity share reads the SSM parameters the pool publishes');
  }
  return ssm.StringParameter.valueForStringParameter(stack, `${pool.parameterPrefix}${parameter}`);
}

/** A pool deployed elsewhere, found by name: its attributes are SSM parameter references. */
class ImportedTrainingCapacityPool extends Construct implements ITrainingCapacityPool {
  public readonly jobQueueArn: string;
  public readonly jobQueueName: string;
  public readonly trainingPlanArn?: string;
  private readonly shareNames: string[] = [];

  constructor(
    scope: Construct, id: string,
    public readonly parameterPrefix: string, public readonly capacity: InstanceQuota[], hasTrainingPlan: boolean,
  ) {
    super(scope, id);
    const stack = Stack.of(this);
    this.jobQueueArn = ssm.StringParameter.valueForStringParameter(stack, `${parameterPrefix}job-queue-arn`);
    this.jobQueueName = Fn.select(1, Fn.split('/', this.jobQueueArn, 2));
    this.trainingPlanArn = hasTrainingPlan ? ssm.StringParameter.valueForStringParameter(stack, `${parameterPrefix}training-plan-arn`) : undefined;
  }

  public maxInstancesOf(instanceType: string): number | undefined {
    return this.capacity.find((q) => q.instanceType === instanceType)?.maxInstances;
  }

  public addTeamShare(environment: ITrainingEnvironment, options: TeamCapacityShareOptions): TeamCapacityShare {
    if (!environment || typeof environment.teamName !== 'string') {
      throw new TrainyardValidationError('TrainingCapacityPool.addTeamShare(environment)', 'must be a TrainingEnvironment (or one imported with TrainingEnvironment.fromTrainingEnvironmentAttributes).');
    }
    TeamCapacityShare._checkOptions(this, options);
    return new TeamCapacityShare(environment, `CapacityShare${this.node.id}`, { ...options, pool: this, environment });
  }

  /** @internal */
  public _registerShare(_share: TeamCapacityShare, teamName: string, maxShares: number): void {
    if (this.shareNames.includes(teamName)) {
      throw new TrainyardValidationError('TrainingCapacityPool.addTeamShare', `team '${teamName}' already has a share in ${this.node.path}.`);
    }
    if (this.shareNames.length >= maxShares) {
      throw new TrainyardValidationError('TrainingCapacityPool.addTeamShare', `a pool's queue has at most ${maxShares} quota shares (an AWS Batch limit).`);
    }
    this.shareNames.push(teamName);
  }

  /** @internal */
  public _jobQueueArnFor(scope: Construct): string {
    return valueForScope(this, scope, this.jobQueueArn, 'job-queue-arn');
  }

  /** @internal */
  public _trainingPlanArnFor(scope: Construct): string | undefined {
    return this.trainingPlanArn === undefined ? undefined : valueForScope(this, scope, this.trainingPlanArn, 'training-plan-arn');
  }
}
