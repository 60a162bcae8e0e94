import * as batch from 'aws-cdk-lib/aws-batch';
import { checkRule, expectCompliant, expectNonCompliant } from './rule-harness';

const RULE = 'BatchJobQueueNameGenerated';

function queue(stack: any, jobQueueName?: string) {
  return new batch.CfnJobQueue(stack, 'Queue', {
    jobQueueName,
    jobQueueType: 'SAGEMAKER_TRAINING',
    priority: 1,
    serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: 'arn:aws:batch:us-east-1:111122223333:service-environment/gpus' }],
    jobStateTimeLimitActions: [{ state: 'RUNNABLE', action: 'TERMINATE', maxTimeSeconds: 3600, reason: 'waited too long' }],
  });
}

describe(`MlOps-${RULE}`, () => {
  test('compliant: a job queue whose name CloudFormation generates', () => {
    expectCompliant(checkRule(RULE, (stack) => queue(stack)), RULE);
  });

  test('non-compliant: a job queue named gpu-training', () => {
    expectNonCompliant(checkRule(RULE, (stack) => queue(stack, 'gpu-training')), RULE);
  });

  test('not applicable: a compute environment', () => {
    expect(checkRule(RULE, (stack) => new batch.CfnSchedulingPolicy(stack, 'Policy', { quotaSharePolicy: { idleResourceAssignmentStrategy: 'FIFO' } })).compliance)
      .toBe('N/A');
  });
});
