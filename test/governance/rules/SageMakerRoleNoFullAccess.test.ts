import * as iam from 'aws-cdk-lib/aws-iam';
import { checkRule, expectCompliant, expectNonCompliant } from './rule-harness';

const RULE = 'SageMakerRoleNoFullAccess';

function executionRole(stack: any, managedPolicyNames: string[]): iam.CfnRole {
  return new iam.Role(stack, 'Execution', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    managedPolicies: managedPolicyNames.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
  }).node.defaultChild as iam.CfnRole;
}

describe(`MlOps-${RULE}`, () => {
  test('compliant: execution role with a narrow managed policy', () => {
    expectCompliant(checkRule(RULE, (stack) => executionRole(stack, ['CloudWatchLogsReadOnlyAccess'])), RULE);
  });

  test('non-compliant: execution role with AmazonSageMakerFullAccess (ARN built with Fn::Join)', () => {
    expectNonCompliant(checkRule(RULE, (stack) => executionRole(stack, ['AmazonSageMakerFullAccess'])), RULE);
  });
});
