import { ArnFormat, CfnOutput, Duration, Stack, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import { Construct } from 'constructs';
import { TeamCapacityShare, TeamCapacityShareOptions } from './team-capacity-share';
import { ITrainingEnvironment } from './training-environment';
import { TrainyardValidationError } from '../core/errors';
import { requireWholeSeconds } from '../core/validate';
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
export class TrainingCapacityPool extends Construct {
  /** Whether `x` is a TrainingCapacityPool (works across copies of the library). */
  public static isTrainingCapacityPool(x: unknown): x is TrainingCapacityPool {
    return typeof x === 'object' && x !== null && POOL_SYMBOL in x;
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

    // For notebooks (the SageMaker Python SDK's TrainingQueue takes the queue name).
    new CfnOutput(this, 'JobQueueName', { value: this.jobQueueName, description: `Job queue of the ${this.node.path} GPU capacity pool` });

    this.node.addValidation({ validate: () => this.validateShares() });
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
   * stack and refers to the queue by ARN; the platform stack gains nothing per team.
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
