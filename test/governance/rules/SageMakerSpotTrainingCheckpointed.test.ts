import { checkRule, expectCompliant, expectNonCompliant, trainingPipeline } from './rule-harness';

const RULE = 'SageMakerSpotTrainingCheckpointed';
const spot = { EnableManagedSpotTraining: true, StoppingCondition: { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 } };

describe(`MlOps-${RULE}`, () => {
  test('compliant: spot training with a CheckpointConfig', () => {
    const verdict = checkRule(RULE, (stack) => trainingPipeline(stack, { ...spot, CheckpointConfig: { S3Uri: 's3://artifacts/fraud/checkpoints/' } }));
    expectCompliant(verdict, RULE);
  });

  test('non-compliant: spot training without a CheckpointConfig', () => {
    expectNonCompliant(checkRule(RULE, (stack) => trainingPipeline(stack, spot)), RULE);
  });
});
