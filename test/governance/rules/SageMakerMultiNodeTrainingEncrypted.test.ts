import { checkRule, expectCompliant, expectNonCompliant, KMS_KEY_ARN, trainingPipeline } from './rule-harness';

const RULE = 'SageMakerMultiNodeTrainingEncrypted';
const fourNodes = { InstanceType: 'ml.m5.xlarge', InstanceCount: 4, VolumeSizeInGB: 50, VolumeKmsKeyId: KMS_KEY_ARN };

describe(`MlOps-${RULE}`, () => {
  test('compliant: four-instance training with inter-container traffic encryption', () => {
    expectCompliant(checkRule(RULE, (stack) => trainingPipeline(stack, { ResourceConfig: fourNodes })), RULE);
  });

  test('non-compliant: four-instance training without inter-container traffic encryption', () => {
    const verdict = checkRule(RULE, (stack) => trainingPipeline(stack, { ResourceConfig: fourNodes, EnableInterContainerTrafficEncryption: false }));
    expectNonCompliant(verdict, RULE);
  });

  test('not applicable: single-instance training needs no inter-container encryption', () => {
    const verdict = checkRule(RULE, (stack) => trainingPipeline(stack, { EnableInterContainerTrafficEncryption: undefined }));
    expect(verdict.compliance).toBe('N/A');
    expect(verdict.findings).not.toContain(`MlOps-${RULE}`);
  });
});
