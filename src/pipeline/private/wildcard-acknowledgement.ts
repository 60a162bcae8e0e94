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
      const document = Stack.of(policy).resolve((policy as any).policyDocument);
      const ids = new Set<string>();
      for (const statement of document?.Statement ?? []) {
        if (statement.Effect !== 'Allow') {
          continue;
        }
        for (const resource of [statement.Resource].flat()) {
          const flat = flattenCfnReference(resource);
          if (flat.includes('*') && suffixes.some((s) => flat.endsWith(s))) {
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
