import * as ecr from 'aws-cdk-lib/aws-ecr';
import { checkRule, expectCompliant, expectNonCompliant } from './rule-harness';

const RULE = 'EcrRepositoryScanOnPushImmutable';

describe(`MlOps-${RULE}`, () => {
  test('compliant: repository with scan on push and immutable tags', () => {
    const verdict = checkRule(RULE, (stack) =>
      new ecr.Repository(stack, 'Repo', { imageScanOnPush: true, imageTagMutability: ecr.TagMutability.IMMUTABLE }).node.defaultChild as ecr.CfnRepository);
    expectCompliant(verdict, RULE);
  });

  test('non-compliant: repository with mutable tags', () => {
    const verdict = checkRule(RULE, (stack) =>
      new ecr.Repository(stack, 'Repo', { imageScanOnPush: true, imageTagMutability: ecr.TagMutability.MUTABLE }).node.defaultChild as ecr.CfnRepository);
    expectNonCompliant(verdict, RULE);
  });

  test('non-compliant: repository without scan on push', () => {
    const verdict = checkRule(RULE, (stack) =>
      new ecr.Repository(stack, 'Repo', { imageTagMutability: ecr.TagMutability.IMMUTABLE }).node.defaultChild as ecr.CfnRepository);
    expectNonCompliant(verdict, RULE);
  });
});
