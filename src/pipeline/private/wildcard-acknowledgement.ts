import { CfnResource, Stack } from 'aws-cdk-lib';
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
          const flat = flatten(resource);
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

/** Flattens a CloudFormation reference the way cdk-nag names findings. */
function flatten(node: any): string {
  if (node === undefined) {
    return '';
  }
  if (typeof node === 'string') {
    return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  }
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return items.map(flatten).join(delimiter);
  }
  if (node['Fn::Sub']) {
    return flatten(node['Fn::Sub']);
  }
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (node['Fn::ImportValue']) {
    return flatten(node['Fn::ImportValue']);
  }
  if (node.Ref) {
    return `<${flatten(node.Ref)}>`;
  }
  return JSON.stringify(node);
}
