import * as batch from 'aws-cdk-lib/aws-batch';
import { checkRule, expectCompliant, expectNonCompliant } from './rule-harness';

const RULE = 'BatchQuotaShareBorrowLimitLendAndBorrow';

function share(stack: any, strategy: string, borrowLimit?: number) {
  return new batch.CfnQuotaShare(stack, 'Share', {
    quotaShareName: 'vision',
    jobQueue: 'arn:aws:batch:us-east-1:111122223333:job-queue/gpus',
    capacityLimits: [{ capacityUnit: 'ml.g5.2xlarge', maxCapacity: 4 }],
    resourceSharingConfiguration: { strategy, borrowLimit },
    preemptionConfiguration: { inSharePreemption: 'DISABLED' },
  });
}

describe(`MlOps-${RULE}`, () => {
  test('compliant: a LEND_AND_BORROW share that may borrow up to 200%', () => {
    expectCompliant(checkRule(RULE, (stack) => share(stack, 'LEND_AND_BORROW', 200)), RULE);
  });

  test('non-compliant: a LEND share with a borrow limit', () => {
    expectNonCompliant(checkRule(RULE, (stack) => share(stack, 'LEND', 100)), RULE);
  });

  test('non-compliant: a RESERVE share with a borrow limit of 0', () => {
    expectNonCompliant(checkRule(RULE, (stack) => share(stack, 'RESERVE', 0)), RULE);
  });

  test('not applicable: a RESERVE share without a borrow limit', () => {
    expect(checkRule(RULE, (stack) => share(stack, 'RESERVE')).compliance).toBe('N/A');
  });
});
