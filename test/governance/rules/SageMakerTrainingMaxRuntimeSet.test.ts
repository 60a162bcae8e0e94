import { checkRule, expectCompliant, expectNonCompliant, trainingPipeline } from './rule-harness';

const RULE = 'SageMakerTrainingMaxRuntimeSet';

describe(`MlOps-${RULE}`, () => {
  test('compliant: training step with StoppingCondition.MaxRuntimeInSeconds', () => {
    expectCompliant(checkRule(RULE, (stack) => trainingPipeline(stack)), RULE);
  });

  test('non-compliant: training step without a StoppingCondition', () => {
    expectNonCompliant(checkRule(RULE, (stack) => trainingPipeline(stack, { StoppingCondition: undefined })), RULE);
  });
});
