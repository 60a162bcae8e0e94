import { Stack } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { NagRuleCompliance } from 'cdk-nag';
import { checkRule, expectCompliant, expectNonCompliant } from './rule-harness';
import { MLOPS_RULES } from '../../../src/governance/mlops-checks';
import { newApp } from '../../helpers/synth';

const RULE = 'BatchQuotaShareGuaranteesWithinPool';
const G5 = 'ml.g5.2xlarge';

/** A pool of 8 g5 with one share per entry of `guarantees`; returns the queue. */
function pool(stack: Stack, guarantees: number[]) {
  const environment = new batch.CfnServiceEnvironment(stack, 'Environment', {
    serviceEnvironmentType: 'SAGEMAKER_TRAINING',
    capacityLimits: [{ capacityUnit: G5, maxCapacity: 8 }, { capacityUnit: 'ml.p4d.24xlarge', maxCapacity: 1 }],
  });
  const queue = new batch.CfnJobQueue(stack, 'Queue', {
    jobQueueType: 'SAGEMAKER_TRAINING',
    priority: 1,
    serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: environment.ref }],
    jobStateTimeLimitActions: [{ state: 'RUNNABLE', action: 'TERMINATE', maxTimeSeconds: 3600, reason: 'waited too long' }],
  });
  guarantees.forEach((maxCapacity, i) => new batch.CfnQuotaShare(stack, `Share${i}`, {
    quotaShareName: `team${i}`,
    jobQueue: queue.ref,
    capacityLimits: [{ capacityUnit: G5, maxCapacity }],
    resourceSharingConfiguration: { strategy: 'LEND_AND_BORROW' },
    preemptionConfiguration: { inSharePreemption: 'DISABLED' },
  }));
  // A share of another queue does not count.
  new batch.CfnQuotaShare(stack, 'OtherQueueShare', {
    quotaShareName: 'other',
    jobQueue: 'arn:aws:batch:us-east-1:111122223333:job-queue/other',
    capacityLimits: [{ capacityUnit: G5, maxCapacity: 8 }],
    resourceSharingConfiguration: { strategy: 'RESERVE' },
    preemptionConfiguration: { inSharePreemption: 'DISABLED' },
  });
  return queue;
}

describe(`MlOps-${RULE}`, () => {
  test('compliant: guarantees of 4 and 4 g5 in a pool of 8', () => {
    expectCompliant(checkRule(RULE, (stack) => pool(stack, [4, 4])), RULE);
  });

  test('non-compliant: guarantees of 4, 4 and 1 g5 in a pool of 8', () => {
    expectNonCompliant(checkRule(RULE, (stack) => pool(stack, [4, 4, 1])), RULE);
  });

  test('compliant: a queue without shares', () => {
    expectCompliant(checkRule(RULE, (stack) => pool(stack, [])), RULE);
  });

  test('not applicable: an ECS job queue', () => {
    // A valid one: cdk.json's @aws-cdk/core:validateAgainstDefaultRules fails the synth on a queue without an environment order.
    expect(checkRule(RULE, (stack) => new batch.CfnJobQueue(stack, 'Queue', {
      jobQueueType: 'ECS',
      priority: 1,
      computeEnvironmentOrder: [{ order: 1, computeEnvironment: 'arn:aws:batch:us-east-1:111122223333:compute-environment/cpu' }],
    })).compliance).toBe('N/A');
  });
});

describe(`MlOps-${RULE} across stacks`, () => {
  test('non-compliant: shares in two team stacks guarantee 5 + 5 g5 of the platform stack\'s 8', () => {
    // GIVEN the pool in one stack and the shares in others, as TrainingCapacityPool lays them out
    const app = newApp();
    const platform = new Stack(app, 'Platform');
    const queue = pool(platform, []);
    for (const team of ['vision', 'fraud']) {
      new batch.CfnQuotaShare(new Stack(app, team), 'Share', {
        quotaShareName: team,
        jobQueue: queue.ref,
        capacityLimits: [{ capacityUnit: G5, maxCapacity: 5 }],
        resourceSharingConfiguration: { strategy: 'LEND' },
        preemptionConfiguration: { inSharePreemption: 'DISABLED' },
      });
    }
    app.synth();
    // THEN the rule sees the shares through the cross-stack reference
    const rule = MLOPS_RULES.find((r) => r.name === RULE)!;
    expect(rule.check(queue)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });
});

describe(`MlOps-${RULE} through SSM parameters`, () => {
  function layout(guarantee: number) {
    // GIVEN the pool publishing its queue ARN as an SSM parameter, and team stacks reading it (no export)
    const app = newApp();
    const platform = new Stack(app, 'Platform');
    const queue = pool(platform, []);
    new ssm.StringParameter(platform, 'QueueArn', { parameterName: '/trainyard/T/capacity-pools/GpuPool/job-queue-arn', stringValue: queue.ref });
    for (const team of ['vision', 'fraud']) {
      const stack = new Stack(app, team);
      new batch.CfnQuotaShare(stack, 'Share', {
        quotaShareName: team,
        jobQueue: ssm.StringParameter.valueForStringParameter(stack, '/trainyard/T/capacity-pools/GpuPool/job-queue-arn'),
        capacityLimits: [{ capacityUnit: G5, maxCapacity: guarantee }],
        resourceSharingConfiguration: { strategy: 'LEND' },
        preemptionConfiguration: { inSharePreemption: 'DISABLED' },
      });
      // A share reading some other parameter does not count.
      new batch.CfnQuotaShare(stack, 'Elsewhere', {
        quotaShareName: `${team}-other`,
        jobQueue: ssm.StringParameter.valueForStringParameter(stack, '/other/queue-arn'),
        capacityLimits: [{ capacityUnit: G5, maxCapacity: 8 }],
        resourceSharingConfiguration: { strategy: 'LEND' },
        preemptionConfiguration: { inSharePreemption: 'DISABLED' },
      });
    }
    app.synth();
    expect(JSON.stringify(app.synth().stacks.map((s) => s.template))).not.toContain('Fn::ImportValue');
    return MLOPS_RULES.find((r) => r.name === RULE)!.check(queue);
  }

  test('non-compliant: 5 + 5 g5 of 8, the shares reading the queue ARN from the pool\'s parameter', () => {
    expect(layout(5)).toBe(NagRuleCompliance.NON_COMPLIANT);
  });

  test('compliant: 4 + 4 g5 of 8 (the shares of another queue\'s parameter do not count)', () => {
    expect(layout(4)).toBe(NagRuleCompliance.COMPLIANT);
  });
});
