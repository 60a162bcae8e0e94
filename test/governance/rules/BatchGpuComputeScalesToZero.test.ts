import * as batch from 'aws-cdk-lib/aws-batch';
import { checkRule, expectCompliant, expectNonCompliant } from './rule-harness';

const RULE = 'BatchGpuComputeScalesToZero';

function computeEnvironment(stack: any, instanceTypes: string[], minvCpus: number) {
  return new batch.CfnComputeEnvironment(stack, 'Gpu', {
    type: 'MANAGED',
    computeResources: { type: 'EC2', instanceTypes, minvCpus, maxvCpus: 64, subnets: ['subnet-0123456789abcdef0'], instanceRole: 'arn:aws:iam::111122223333:instance-profile/batch' },
    tags: { 'trainyard:team': 'fraud', 'trainyard:cost-center': 'cc-1234' },
  });
}

describe(`MlOps-${RULE}`, () => {
  test('compliant: GPU compute environment with MinvCpus 0', () => {
    expectCompliant(checkRule(RULE, (stack) => computeEnvironment(stack, ['g5.2xlarge'], 0)), RULE);
  });

  test('non-compliant: GPU compute environment that keeps 8 vCPUs warm', () => {
    expectNonCompliant(checkRule(RULE, (stack) => computeEnvironment(stack, ['p4d'], 8)), RULE);
  });

  test('not applicable: a CPU compute environment may keep capacity', () => {
    expect(checkRule(RULE, (stack) => computeEnvironment(stack, ['c6i.large'], 8)).compliance).toBe('N/A');
  });
});
