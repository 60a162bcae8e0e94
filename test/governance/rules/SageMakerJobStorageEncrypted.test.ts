import { checkRule, definition, expectCompliant, expectNonCompliant, KMS_KEY_ARN, pipeline, processingArgs, trainingPipeline } from './rule-harness';

const RULE = 'SageMakerJobStorageEncrypted';

describe(`MlOps-${RULE}`, () => {
  test('compliant: volume and output KMS keys on a CPU instance', () => {
    expectCompliant(checkRule(RULE, (stack) => trainingPipeline(stack)), RULE);
  });

  test('compliant: only the output key on ml.g5 (local NVMe storage rejects a VolumeKmsKeyId)', () => {
    const verdict = checkRule(RULE, (stack) => trainingPipeline(stack, {
      ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 50 },
    }));
    expectCompliant(verdict, RULE);
  });

  test('non-compliant: training output without a KMS key', () => {
    const verdict = checkRule(RULE, (stack) => trainingPipeline(stack, { OutputDataConfig: { S3OutputPath: 's3://artifacts/fraud/' } }));
    expectNonCompliant(verdict, RULE);
  });

  test('non-compliant: processing volume without a KMS key on an EBS-backed instance', () => {
    const verdict = checkRule(RULE, (stack) => pipeline(stack, definition([{
      Name: 'Validate',
      Type: 'Processing',
      Arguments: processingArgs({
        ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 } },
        ProcessingOutputConfig: { KmsKeyId: KMS_KEY_ARN, Outputs: [] },
      }),
    }])));
    expectNonCompliant(verdict, RULE);
  });
});
