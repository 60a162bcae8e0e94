import { Tags } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { checkRule, expectCompliant, expectNonCompliant, KMS_KEY_ARN, trainingArgs, definition, pipeline } from './rule-harness';

const RULE = 'GpuResourceCostTagged';
const gpuTraining = trainingArgs({ ResourceConfig: { InstanceType: 'ml.p4d.24xlarge', InstanceCount: 1, VolumeSizeInGB: 100 }, Tags: undefined });

describe(`MlOps-${RULE}`, () => {
  test('compliant: GPU pipeline whose pipeline resource carries team and cost-center tags', () => {
    expectCompliant(checkRule(RULE, (stack) => pipeline(stack, definition([{ Name: 'Train', Type: 'Training', Arguments: gpuTraining }]))), RULE);
  });

  test('non-compliant: GPU pipeline with no cost tags on the pipeline or the step', () => {
    const verdict = checkRule(RULE, (stack) => pipeline(stack, definition([{ Name: 'Train', Type: 'Training', Arguments: gpuTraining }]), []));
    expectNonCompliant(verdict, RULE);
  });

  test('compliant: GPU Batch compute environment tagged through Tags.of (an Aspect)', () => {
    const verdict = checkRule(RULE, (stack) => {
      Tags.of(stack).add('trainyard:team', 'fraud');
      Tags.of(stack).add('trainyard:cost-center', 'cc-1234');
      return new batch.CfnComputeEnvironment(stack, 'Gpu', {
        type: 'MANAGED',
        computeResources: { type: 'EC2', instanceTypes: ['g5'], minvCpus: 0, maxvCpus: 64, subnets: ['subnet-0123456789abcdef0'] },
      });
    });
    expectCompliant(verdict, RULE);
  });

  test('non-compliant: GPU notebook instance missing trainyard:cost-center', () => {
    const verdict = checkRule(RULE, (stack) => new sagemaker.CfnNotebookInstance(stack, 'Notebook', {
      instanceType: 'ml.g5.xlarge',
      roleArn: 'arn:aws:iam::111122223333:role/nb',
      kmsKeyId: KMS_KEY_ARN,
      tags: [{ key: 'trainyard:team', value: 'fraud' }],
    }));
    expectNonCompliant(verdict, RULE);
  });
});
