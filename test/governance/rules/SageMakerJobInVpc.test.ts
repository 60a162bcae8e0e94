import { Fn } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { checkRule, definition, expectCompliant, expectNonCompliant, pipeline, processingArgs, trainingArgs, trainingPipeline } from './rule-harness';

const RULE = 'SageMakerJobInVpc';

describe(`MlOps-${RULE}`, () => {
  test('compliant: training and processing steps with VPC subnets', () => {
    // GIVEN a pipeline whose Processing and Training steps both have subnets
    const verdict = checkRule(RULE, (stack) => pipeline(stack, definition([
      { Name: 'Validate', Type: 'Processing', Arguments: processingArgs() },
      { Name: 'Train', Type: 'Training', Arguments: trainingArgs() },
    ])));
    // THEN
    expectCompliant(verdict, RULE);
  });

  test('non-compliant: training step without VpcConfig', () => {
    const verdict = checkRule(RULE, (stack) => trainingPipeline(stack, { VpcConfig: undefined }));
    expectNonCompliant(verdict, RULE);
  });

  test('non-compliant: processing step inside a Condition branch without NetworkConfig.VpcConfig', () => {
    // GIVEN the offending step is nested in ElseSteps
    const verdict = checkRule(RULE, (stack) => pipeline(stack, definition([
      { Name: 'Gate', Type: 'Condition', Arguments: { Conditions: [], IfSteps: [], ElseSteps: [{ Name: 'Report', Type: 'Processing', Arguments: processingArgs({ NetworkConfig: {} }) }] } },
    ])));
    expectNonCompliant(verdict, RULE);
  });

  test('compliant: a token-joined definition whose subnets are references', () => {
    // GIVEN a definition body that CDK renders as Fn::Join because it embeds a token
    const verdict = checkRule(RULE, (stack) => {
      const subnet = Fn.importValue('IsolatedSubnet');
      const body = JSON.stringify(definition([{ Name: 'Train', Type: 'Training', Arguments: trainingArgs({ VpcConfig: { Subnets: [subnet], SecurityGroupIds: ['sg-0123456789abcdef0'] } }) }]));
      return pipeline(stack, body);
    });
    expectCompliant(verdict, RULE);
  });

  test('non-compliant: an AWS::SageMaker::ProcessingJob resource without a VPC', () => {
    const verdict = checkRule(RULE, (stack) => new sagemaker.CfnProcessingJob(stack, 'Job', {
      appSpecification: { imageUri: 'img' },
      roleArn: 'arn:aws:iam::111122223333:role/r',
      processingResources: { clusterConfig: { instanceCount: 1, instanceType: 'ml.m5.xlarge', volumeSizeInGb: 30 } },
    }));
    expectNonCompliant(verdict, RULE);
  });
});
