import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { checkRule, expectCompliant, expectNonCompliant, trainingPipeline } from './rule-harness';

const RULE = 'SageMakerPipelineDefinitionReadable';

describe(`MlOps-${RULE}`, () => {
  test('compliant: an inline JSON definition', () => {
    expectCompliant(checkRule(RULE, (stack) => trainingPipeline(stack)), RULE);
  });

  test('non-compliant (warning): a definition stored in S3, which the step rules then skip', () => {
    const verdict = checkRule(RULE, (stack) => new sagemaker.CfnPipeline(stack, 'Pipeline', {
      pipelineName: 'p',
      roleArn: 'arn:aws:iam::111122223333:role/r',
      pipelineDefinition: { PipelineDefinitionS3Location: { Bucket: 'defs', Key: 'p.json' } },
    }));
    expectNonCompliant(verdict, RULE);
    // The step rules cannot judge what they cannot read: N/A, not a false finding.
    expect(verdict.findings).toEqual([`MlOps-${RULE}`]);
  });
});
