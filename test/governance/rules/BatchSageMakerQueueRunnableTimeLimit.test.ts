import * as batch from 'aws-cdk-lib/aws-batch';
import { checkRule, expectCompliant, expectNonCompliant } from './rule-harness';

const RULE = 'BatchSageMakerQueueRunnableTimeLimit';

function queue(stack: any, jobQueueType: string, jobStateTimeLimitActions?: batch.CfnJobQueue.JobStateTimeLimitActionProperty[]) {
  return new batch.CfnJobQueue(stack, 'Queue', {
    jobQueueType,
    priority: 1,
    serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: 'arn:aws:batch:us-east-1:111122223333:service-environment/gpus' }],
    jobStateTimeLimitActions,
  });
}

describe(`MlOps-${RULE}`, () => {
  test('compliant: a SageMaker training queue that terminates jobs RUNNABLE for more than 4 hours', () => {
    expectCompliant(checkRule(RULE, (stack) => queue(stack, 'SAGEMAKER_TRAINING', [
      { state: 'RUNNABLE', action: 'TERMINATE', maxTimeSeconds: 14_400, reason: 'waited too long for capacity' },
    ])), RULE);
  });

  test('non-compliant: a SageMaker training queue without time limits', () => {
    expectNonCompliant(checkRule(RULE, (stack) => queue(stack, 'SAGEMAKER_TRAINING')), RULE);
  });

  test('non-compliant: a SageMaker training queue with an empty list of time limits', () => {
    expectNonCompliant(checkRule(RULE, (stack) => queue(stack, 'SAGEMAKER_TRAINING', [])), RULE);
  });

  test('not applicable: an ECS job queue', () => {
    expect(checkRule(RULE, (stack) => queue(stack, 'ECS')).compliance).toBe('N/A');
  });
});
