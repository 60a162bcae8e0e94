import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { checkRule, definition, expectCompliant, expectNonCompliant, pipeline } from './rule-harness';

const RULE = 'SageMakerModelApprovalManual';

function register(status: unknown, group: unknown = 'fraud-models') {
  return { Name: 'Register', Type: 'RegisterModel', Arguments: { ModelPackageGroupName: group, ModelApprovalStatus: status, InferenceSpecification: {} } };
}

describe(`MlOps-${RULE}`, () => {
  test('compliant: RegisterModel step with PendingManualApproval', () => {
    expectCompliant(checkRule(RULE, (stack) => pipeline(stack, definition([register('PendingManualApproval')]))), RULE);
  });

  test('non-compliant: RegisterModel step that auto-approves into a production group', () => {
    const verdict = checkRule(RULE, (stack) => {
      new sagemaker.CfnModelPackageGroup(stack, 'Group', { modelPackageGroupName: 'fraud-models' });
      return pipeline(stack, definition([register('Approved')]));
    });
    expectNonCompliant(verdict, RULE);
  });

  test('non-compliant: approval status from a parameter that defaults to Approved', () => {
    const verdict = checkRule(RULE, (stack) => pipeline(stack, definition(
      [register({ Get: 'Parameters.ApprovalStatus' })],
      [{ Name: 'ApprovalStatus', Type: 'String', DefaultValue: 'Approved' }],
    )));
    expectNonCompliant(verdict, RULE);
  });

  test('compliant: auto-approval into a group tagged trainyard:stage=non-production, referenced by token', () => {
    // GIVEN the definition names the group through a Ref, so the body is an Fn::Join
    const verdict = checkRule(RULE, (stack) => {
      const group = new sagemaker.CfnModelPackageGroup(stack, 'Group', {
        modelPackageGroupName: 'fraud-experiments',
        tags: [{ key: 'trainyard:stage', value: 'non-production' }],
      });
      return pipeline(stack, definition([register('Approved', group.ref)]));
    });
    expectCompliant(verdict, RULE);
  });

  test('non-compliant: an AWS::SageMaker::ModelPackage registered as Approved', () => {
    const verdict = checkRule(RULE, (stack) => new sagemaker.CfnModelPackage(stack, 'Package', {
      modelPackageGroupName: 'fraud-models',
      modelApprovalStatus: 'Approved',
    }));
    expectNonCompliant(verdict, RULE);
  });
});
