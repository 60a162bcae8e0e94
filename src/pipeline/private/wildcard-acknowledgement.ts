import { CfnResource, Stack } from 'aws-cdk-lib';
// cdk-nag formats a wildcard finding's resource with this function (as Acknowledgements.objectKeyWildcards does).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Acknowledgements, ComplianceAcknowledgement } from '../../core/acknowledgements';

/**
 * Acknowledges AwsSolutions-IAM5 for the wildcard resources of an IAM policy that end with one of
 * `suffixes` (and only those). cdk-nag names each finding after the flattened resource
 * (`AwsSolutions-IAM5[Resource::<Bucket.Arn>/team/pipelines/*]`), which depends on logical ids and
 * cross-stack imports known only at synth, so the ids are computed in a construct validation,
 * which runs after references are resolved and before the compliance plugins.
 */
export function acknowledgeWildcardResources(
  policy: CfnResource,
  suffixes: string[],
  acknowledgements: (findingIds: string[]) => ComplianceAcknowledgement[],
): void {
  policy.node.addValidation({
    validate: () => {
      const stack = Stack.of(policy);
      const document = stack.resolve((policy as any).policyDocument);
      // Suffixes may hold tokens (a model package group name from a ModelRegistry): flatten them alike.
      const flatSuffixes = suffixes.map((suffix) => flattenCfnReference(stack.resolve(suffix)));
      const ids = new Set<string>();
      for (const statement of document?.Statement ?? []) {
        if (statement.Effect !== 'Allow') {
          continue;
        }
        for (const resource of [statement.Resource].flat()) {
          const flat = flattenCfnReference(resource);
          if (flat.includes('*') && flatSuffixes.some((s) => flat.endsWith(s))) {
            ids.add(`AwsSolutions-IAM5[Resource::${flat}]`);
          }
        }
      }
      if (ids.size > 0) {
        Acknowledgements.acknowledge(policy, acknowledgements([...ids].sort()));
      }
      return [];
    },
  });
}
