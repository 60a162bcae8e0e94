import { Fn, IResource, Resource, Stack, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { MAX_INSTANCE_TYPES_PER_SHARE, MAX_SHARES_PER_QUEUE, validateQuotas } from './private/capacity';
import type { InstanceQuota, ITrainingCapacityPool } from './training-capacity-pool';
import { ITrainingEnvironment } from './training-environment';
import { TrainyardValidationError } from '../core/errors';
import { AcknowledgementCatalogue } from '../core/private/acknowledgement-catalogue';
import { acknowledgeWildcards } from '../core/private/wildcard-acknowledgement';
import { TAG_KEYS } from '../core/tag-keys';
import { validateTeamName } from '../core/team-name';
import { requireIntegerInRange } from '../core/validate';

const SHARE_SYMBOL = Symbol.for('trainyard.TeamCapacityShare');
/** The largest borrow limit Trainyard accepts, in percent of the guarantee (catches typos). */
const MAX_BORROW_LIMIT_PERCENT = 10_000;

/**
 * What a team's quota share does with idle capacity (`ResourceSharingConfiguration.strategy`).
 */
export enum SharingStrategy {
  /** Keeps its idle guarantee for itself: neither lends nor borrows. */
  RESERVE = 'RESERVE',
  /** Lends its idle guarantee to other shares (and gets it back by preemption), never borrows. */
  LEND = 'LEND',
  /** Lends its idle guarantee and borrows other shares' idle capacity. */
  LEND_AND_BORROW = 'LEND_AND_BORROW',
}

/**
 * A team's quota share of a `TrainingCapacityPool`, as the constructs that submit to it see it.
 */
export interface ITeamCapacityShare extends IResource {
  /** The team that owns the share. */
  readonly teamName: string;
  /** The share's ARN: `arn:<partition>:batch:<region>:<account>:job-queue/<queue>/quota-share/<share>`. */
  readonly quotaShareArn: string;
  /** The share's name (`quotaShareName` of `SubmitServiceJob`): the team name for shares Trainyard creates. */
  readonly quotaShareName: string;
  /** The ARN of the pool's job queue. */
  readonly jobQueueArn: string;
  /** The name of the pool's job queue. */
  readonly jobQueueName: string;
  /** The role the team's training jobs run as; `grantSubmit` lets the grantee pass it, and only it. */
  readonly executionRole: iam.IRole;
  /**
   * The training plan whose capacity the pool's jobs use.
   *
   * @default - on-demand capacity
   */
  readonly trainingPlanArn?: string;

  /**
   * Lets `grantee` submit SageMaker training jobs to this share, and read, reprioritize and
   * terminate the team's jobs.
   */
  grantSubmit(grantee: iam.IGrantable): iam.Grant;
}

/**
 * How a team shares a pool (for `TrainingCapacityPool.addTeamShare`).
 */
export interface TeamCapacityShareOptions {
  /**
   * The instances of each type the team is guaranteed, at most 5 types (an AWS Batch limit). Each type
   * must be in the pool, and the guarantees of all teams for a type must fit the pool's maximum.
   */
  readonly guaranteed: InstanceQuota[];

  /**
   * What the share does with idle capacity.
   *
   * @default SharingStrategy.LEND_AND_BORROW
   */
  readonly strategy?: SharingStrategy;

  /**
   * How much the share may borrow beyond its guarantee, in percent of each guaranteed type (200: up to
   * twice the guarantee on top of it). Only with `SharingStrategy.LEND_AND_BORROW`.
   *
   * @default - no limit (Batch's -1): as much idle capacity as the pool has
   */
  readonly borrowLimitPercent?: number;

  /**
   * Whether a higher-priority job of the team may preempt a lower-priority job of the same team.
   * Preemption across shares (a lender reclaiming its capacity) is always on.
   *
   * @default false
   */
  readonly inSharePreemption?: boolean;
}

/**
 * Properties of a team's quota share.
 */
export interface TeamCapacityShareProps extends TeamCapacityShareOptions {
  /** The pool the share belongs to. */
  readonly pool: ITrainingCapacityPool;
  /** The team's environment: its name tags the share, its execution role is the one the team may pass. */
  readonly environment: ITrainingEnvironment;
}

/**
 * Attributes of a quota share defined elsewhere (another stack or app).
 */
export interface TeamCapacityShareAttributes {
  /** The share's ARN (`...:job-queue/<queue>/quota-share/<share>`). */
  readonly quotaShareArn: string;
  /** The team that owns the share. */
  readonly teamName: string;
  /** The team's training execution role. */
  readonly executionRole: iam.IRole;
  /**
   * The training plan the pool's jobs use.
   *
   * @default - on-demand capacity
   */
  readonly trainingPlanArn?: string;
}

/** The grants shared by created and imported shares. */
abstract class TeamCapacityShareBase extends Resource implements ITeamCapacityShare {
  public abstract readonly teamName: string;
  public abstract readonly quotaShareArn: string;
  public abstract readonly quotaShareName: string;
  public abstract readonly jobQueueArn: string;
  public abstract readonly jobQueueName: string;
  public abstract readonly executionRole: iam.IRole;
  public abstract readonly trainingPlanArn?: string;
  private submitPolicy?: iam.ManagedPolicy;

  /**
   * Lets `grantee` submit SageMaker training jobs to this share (`batch:SubmitServiceJob` on the
   * queue, this share and new service jobs; the share's ARN keeps the grantee out of other teams'
   * shares), read service jobs, reprioritize and terminate the jobs tagged with the team
   * (`trainyard:team`), and pass the team's execution role to SageMaker, and no other role.
   *
   * A role gets the permissions through one managed policy of the share (no inline policy); any other
   * principal gets them in its own policy.
   */
  public grantSubmit(grantee: iam.IGrantable): iam.Grant {
    const principal = grantee.grantPrincipal as Partial<iam.IRole>;
    if (typeof principal.addManagedPolicy === 'function' && typeof principal.roleArn === 'string') {
      principal.addManagedPolicy(this.managedSubmitPolicy());
      return iam.Grant.drop(grantee, 'attached the share\'s SubmitPolicy managed policy');
    }
    return this.submitStatements()
      .map((s) => iam.Grant.addToPrincipal({
        grantee,
        actions: s.actions,
        resourceArns: s.resources,
        conditions: Object.keys(s.conditions ?? {}).length > 0 ? s.conditions : undefined,
      }))
      .reduce((all, grant) => all.combine(grant));
  }

  /** The statements of `grantSubmit`, with sids (the acknowledgement of wildcard resources names them). */
  private submitStatements(): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    const serviceJobs = stack.formatArn({ service: 'batch', resource: 'service-job', resourceName: '*' });
    const teamJobs = { StringEquals: { [`aws:ResourceTag/${TAG_KEYS.team}`]: this.teamName } };
    return [
      new iam.PolicyStatement({
        sid: 'SubmitToTeamShare',
        // The SAR lists job-queue and service-job as required resources of SubmitServiceJob and
        // quota-share as the optional one a request names: only this share's ARN is allowed.
        actions: ['batch:SubmitServiceJob'],
        resources: [this.jobQueueArn, this.quotaShareArn, serviceJobs],
      }),
      new iam.PolicyStatement({
        sid: 'TagNewTeamJobs',
        // Tags given to SubmitServiceJob (the team tag, the callback token of a pipeline step).
        actions: ['batch:TagResource'],
        resources: [serviceJobs],
        conditions: { StringEquals: { [`aws:RequestTag/${TAG_KEYS.team}`]: this.teamName } },
      }),
      new iam.PolicyStatement({
        sid: 'ManageTeamJobs',
        actions: ['batch:UpdateServiceJob', 'batch:TerminateServiceJob'],
        resources: [serviceJobs],
        conditions: teamJobs,
      }),
      new iam.PolicyStatement({
        sid: 'ReadServiceJobs',
        // No resource-level permissions in the SAR for these.
        actions: ['batch:DescribeServiceJob', 'batch:ListServiceJobs', 'batch:DescribeJobQueues', 'batch:DescribeServiceEnvironments'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({ sid: 'DescribeTeamShare', actions: ['batch:DescribeQuotaShare'], resources: [this.quotaShareArn] }),
      new iam.PolicyStatement({ sid: 'ListQueueShares', actions: ['batch:ListQuotaShares'], resources: [this.jobQueueArn] }),
      new iam.PolicyStatement({
        sid: 'PassTeamExecutionRole',
        actions: ['iam:PassRole'],
        resources: [this.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    ];
  }

  private managedSubmitPolicy(): iam.ManagedPolicy {
    if (!this.submitPolicy) {
      this.submitPolicy = new iam.ManagedPolicy(this, 'SubmitPolicy', {
        description: `Trainyard ${this.teamName}: submit SageMaker training jobs to the team's quota share, manage the team's jobs`,
        statements: this.submitStatements(),
      });
      acknowledgeWildcards(this.submitPolicy, AcknowledgementCatalogue.capacityShareSubmitPolicy());
    }
    return this.submitPolicy;
  }
}

/**
 * A team's guaranteed quota share of a `TrainingCapacityPool` (`AWS::Batch::QuotaShare`): a number of
 * instances per type, and what the share does with idle capacity. Create it with
 * `pool.addTeamShare(environment, ...)`; it lives in the team environment's stack.
 *
 * Jobs submitted through it run as SageMaker training jobs named `AWSBatch<jobName><hash>`.
 */
export class TeamCapacityShare extends TeamCapacityShareBase {
  /** Whether `x` is a TeamCapacityShare (works across copies of the library). */
  public static isTeamCapacityShare(x: unknown): x is TeamCapacityShare {
    return typeof x === 'object' && x !== null && SHARE_SYMBOL in x;
  }

  /** Refers to a quota share defined elsewhere, to grant submission to it. */
  public static fromTeamCapacityShareAttributes(scope: Construct, id: string, attrs: TeamCapacityShareAttributes): ITeamCapacityShare {
    if (!attrs || typeof attrs.quotaShareArn !== 'string') {
      throw new TrainyardValidationError('TeamCapacityShare.fromTeamCapacityShareAttributes.quotaShareArn', 'is required: the quota share ARN.');
    }
    if (!Token.isUnresolved(attrs.quotaShareArn) && !/^arn:aws[a-z-]*:batch:[a-z0-9-]+:[0-9]{12}:job-queue\/[A-Za-z0-9_-]+\/quota-share\/[A-Za-z0-9_-]+$/.test(attrs.quotaShareArn)) {
      throw new TrainyardValidationError(
        'TeamCapacityShare.fromTeamCapacityShareAttributes.quotaShareArn',
        `must be a quota share ARN (arn:<partition>:batch:<region>:<account>:job-queue/<queue>/quota-share/<share>), got '${attrs.quotaShareArn}'.`,
      );
    }
    const teamName = validateTeamName('TeamCapacityShare.fromTeamCapacityShareAttributes.teamName', attrs.teamName);
    if (!attrs.executionRole) {
      throw new TrainyardValidationError('TeamCapacityShare.fromTeamCapacityShareAttributes.executionRole', 'is required: the team\'s training execution role.');
    }
    const parts = shareArnParts(attrs.quotaShareArn);
    class Import extends TeamCapacityShareBase {
      public readonly teamName = teamName;
      public readonly quotaShareArn = attrs.quotaShareArn;
      public readonly quotaShareName = parts.quotaShareName;
      public readonly jobQueueName = parts.jobQueueName;
      public readonly jobQueueArn = parts.jobQueueArn;
      public readonly executionRole = attrs.executionRole;
      public readonly trainingPlanArn = attrs.trainingPlanArn;
    }
    return new Import(scope, id);
  }

  /**
   * Checks share options against `pool` and returns them with defaults applied.
   *
   * @internal
   */
  public static _checkOptions(
    pool: ITrainingCapacityPool,
    props: TeamCapacityShareOptions,
  ): { guaranteed: InstanceQuota[]; strategy: SharingStrategy; inSharePreemption: boolean } {
    if (!props || typeof props !== 'object') {
      throw new TrainyardValidationError('TrainingCapacityPool.addTeamShare', 'needs options: { guaranteed: [{ instanceType, maxInstances }] }.');
    }
    const prop = 'TrainingCapacityPool.addTeamShare.guaranteed';
    const guaranteed = validateQuotas(prop, props.guaranteed, Number.MAX_SAFE_INTEGER);
    if (guaranteed.length === 0 || guaranteed.length > MAX_INSTANCE_TYPES_PER_SHARE) {
      throw new TrainyardValidationError(
        prop,
        `must list 1 to ${MAX_INSTANCE_TYPES_PER_SHARE} instance types (a quota share has at most ${MAX_INSTANCE_TYPES_PER_SHARE} capacity limits, an AWS Batch limit), got ${guaranteed.length}.`,
      );
    }
    guaranteed.forEach((g, i) => {
      const max = pool.maxInstancesOf(g.instanceType);
      if (max === undefined) {
        throw new TrainyardValidationError(
          `${prop}[${i}].instanceType`,
          `${g.instanceType} is not in the pool ${pool.node.path} (it has ${pool.capacity.map((q) => q.instanceType).join(', ')}); add it to TrainingCapacityPool.capacity first.`,
        );
      }
      if (g.maxInstances > max) {
        throw new TrainyardValidationError(`${prop}[${i}].maxInstances`, `is ${g.maxInstances}, more than the pool's ${max} ${g.instanceType} instances.`);
      }
    });
    const strategy = props.strategy ?? SharingStrategy.LEND_AND_BORROW;
    if (!Object.values(SharingStrategy).includes(strategy)) {
      throw new TrainyardValidationError('TrainingCapacityPool.addTeamShare.strategy', `must be a SharingStrategy (${Object.values(SharingStrategy).join(', ')}), got '${String(strategy)}'.`);
    }
    if (props.borrowLimitPercent !== undefined) {
      if (strategy !== SharingStrategy.LEND_AND_BORROW) {
        throw new TrainyardValidationError(
          'TrainingCapacityPool.addTeamShare.borrowLimitPercent',
          `is allowed only with strategy LEND_AND_BORROW (a ${strategy} share never borrows); drop borrowLimitPercent or change TrainingCapacityPool.addTeamShare.strategy.`,
        );
      }
      requireIntegerInRange('TrainingCapacityPool.addTeamShare.borrowLimitPercent', props.borrowLimitPercent, 0, MAX_BORROW_LIMIT_PERCENT);
    }
    const inSharePreemption = props.inSharePreemption ?? false;
    if (typeof inSharePreemption !== 'boolean') {
      throw new TrainyardValidationError('TrainingCapacityPool.addTeamShare.inSharePreemption', `must be true or false, got ${String(inSharePreemption)}.`);
    }
    return { guaranteed, strategy, inSharePreemption };
  }

  public readonly teamName: string;
  public readonly quotaShareArn: string;
  public readonly quotaShareName: string;
  public readonly jobQueueArn: string;
  public readonly jobQueueName: string;
  public readonly executionRole: iam.IRole;
  public readonly trainingPlanArn?: string;
  /** The pool the share belongs to. */
  public readonly pool: ITrainingCapacityPool;
  /** The guaranteed instances per type. */
  public readonly guaranteed: InstanceQuota[];
  /** What the share does with idle capacity. */
  public readonly strategy: SharingStrategy;
  /** The quota share (L1). */
  public readonly cfnQuotaShare: batch.CfnQuotaShare;

  constructor(scope: Construct, id: string, props: TeamCapacityShareProps) {
    super(scope, id);
    Object.defineProperty(this, SHARE_SYMBOL, { value: true });
    if (!props || typeof props !== 'object' || !props.pool || typeof props.pool.maxInstancesOf !== 'function') {
      throw new TrainyardValidationError('TeamCapacityShare.pool', 'is required: the TrainingCapacityPool the share belongs to (use pool.addTeamShare(environment, ...)).');
    }
    if (!props.environment || typeof props.environment.teamName !== 'string') {
      throw new TrainyardValidationError('TeamCapacityShare.environment', 'is required: the team\'s TrainingEnvironment.');
    }
    const pool = props.pool as ITrainingCapacityPool & PoolInternals;
    const { guaranteed, strategy, inSharePreemption } = TeamCapacityShare._checkOptions(pool, props);
    pool._registerShare(this, props.environment.teamName, MAX_SHARES_PER_QUEUE);

    this.pool = pool;
    this.teamName = props.environment.teamName;
    this.executionRole = props.environment.executionRole;
    this.guaranteed = guaranteed;
    this.strategy = strategy;
    this.trainingPlanArn = pool._trainingPlanArnFor(this);
    // In another stack than the pool (the team's), the queue comes from the pool's SSM parameters,
    // resolved at deploy time: no CloudFormation export couples the team stack to the platform's.
    const jobQueueArn = pool._jobQueueArnFor(this);
    this.cfnQuotaShare = new batch.CfnQuotaShare(this, 'Resource', {
      jobQueue: jobQueueArn,
      // CloudFormation requires a name. The team name is unique in the queue, stays the same across
      // updates (capacity, strategy and preemption are updated in place) and is what users type.
      quotaShareName: this.teamName,
      capacityLimits: guaranteed.map((g) => ({ capacityUnit: g.instanceType, maxCapacity: g.maxInstances })),
      resourceSharingConfiguration: {
        strategy,
        ...(props.borrowLimitPercent !== undefined ? { borrowLimit: props.borrowLimitPercent } : {}),
      },
      preemptionConfiguration: { inSharePreemption: inSharePreemption ? 'ENABLED' : 'DISABLED' },
      state: 'ENABLED',
      tags: { [TAG_KEYS.team]: this.teamName },
    });
    this.quotaShareArn = this.cfnQuotaShare.attrQuotaShareArn;
    this.quotaShareName = this.teamName;
    // From the ARN (`...:job-queue/<name>`): the share's stack reads one parameter, which is always used.
    this.jobQueueName = jobQueueArn === pool.jobQueueArn ? pool.jobQueueName : Fn.select(1, Fn.split('/', jobQueueArn, 2));
    this.jobQueueArn = jobQueueArn;
  }
}

/** The queue and share names of a quota share ARN (`...:job-queue/<queue>/quota-share/<share>`). */
function shareArnParts(quotaShareArn: string): { jobQueueName: string; quotaShareName: string; jobQueueArn: string } {
  if (Token.isUnresolved(quotaShareArn)) {
    const segments = Fn.split('/', quotaShareArn, 4);
    const prefix = Fn.select(0, segments);
    return {
      jobQueueName: Fn.select(1, segments),
      quotaShareName: Fn.select(3, segments),
      jobQueueArn: Fn.join('/', [prefix, Fn.select(1, segments)]),
    };
  }
  const [prefix, queue, , share] = quotaShareArn.split('/');
  return { jobQueueName: queue, quotaShareName: share, jobQueueArn: `${prefix}/${queue}` };
}

/** What a share needs of the pools this library creates or imports (their @internal methods). */
interface PoolInternals {
  _registerShare(share: TeamCapacityShare, teamName: string, maxShares: number): void;
  _jobQueueArnFor(scope: Construct): string;
  _trainingPlanArnFor(scope: Construct): string | undefined;
}
