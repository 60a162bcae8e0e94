import { Aws, Stack, Token } from 'aws-cdk-lib';
import { FactName } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';

/**
 * The URI of an AWS Deep Learning Container image in the stack's region. The registry account comes
 * from aws-cdk-lib's region-info (`FactName.DLC_REPOSITORY_ACCOUNT`): a literal for stacks with a
 * region, a `CfnMapping` lookup for environment-agnostic stacks.
 */
export function deepLearningContainerImage(scope: IConstruct, repository: string, tag: string): string {
  const stack = Stack.of(scope);
  const account = stack.regionalFact(FactName.DLC_REPOSITORY_ACCOUNT);
  const region = Token.isUnresolved(stack.region) ? Aws.REGION : stack.region;
  return `${account}.dkr.ecr.${region}.${Aws.URL_SUFFIX}/${repository}:${tag}`;
}
