import { checkRule, definition, expectCompliant, expectNonCompliant, pipeline, trainingArgs, trainingPipeline } from './rule-harness';

const RULE = 'SageMakerTrainingNetworkIsolated';

describe(`MlOps-${RULE}`, () => {
  test('compliant: training step with EnableNetworkIsolation true', () => {
    expectCompliant(checkRule(RULE, (stack) => trainingPipeline(stack)), RULE);
  });

  test('non-compliant: training step without EnableNetworkIsolation', () => {
    expectNonCompliant(checkRule(RULE, (stack) => trainingPipeline(stack, { EnableNetworkIsolation: undefined })), RULE);
  });

  test('non-compliant: isolation taken from a pipeline parameter whose default is false', () => {
    // GIVEN EnableNetworkIsolation = {"Get": "Parameters.Isolate"} with DefaultValue false
    const verdict = checkRule(RULE, (stack) => pipeline(stack, definition(
      [{ Name: 'Train', Type: 'Training', Arguments: trainingArgs({ EnableNetworkIsolation: { Get: 'Parameters.Isolate' } }) }],
      [{ Name: 'Isolate', Type: 'Boolean', DefaultValue: false }],
    )));
    expectNonCompliant(verdict, RULE);
  });

  test('non-compliant: a Tuning step whose TrainingJobDefinition is not isolated', () => {
    const verdict = checkRule(RULE, (stack) => pipeline(stack, definition([
      { Name: 'Tune', Type: 'Tuning', Arguments: { HyperParameterTuningJobConfig: {}, TrainingJobDefinition: trainingArgs({ EnableNetworkIsolation: false }) } },
    ])));
    expectNonCompliant(verdict, RULE);
  });
});
