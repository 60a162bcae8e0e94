import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Acknowledgements, ComplianceAcknowledgement } from '../../core/acknowledgements';

/**
 * Acknowledges the wildcard-resource findings (`AwsSolutions-IAM5[Resource::...]`) of one policy,
 * for exactly the resources `expected` accepts and no others.
 *
 * The finding id embeds the resource as cdk-nag flattens it (logical ids, or an export name when
 * the bucket lives in another stack), which is only final once references are resolved. The
 * acknowledgement is therefore recorded in a validation hook, which CDK runs after references are
 * resolved and before the compliance plugins read the tree.
 */
export function acknowledgeWildcardResources(
  policy: CfnResource,
  documentOf: (policy: CfnResource) => unknown,
  expected: (flattenedResource: string) => boolean,
  acknowledgements: (flattenedResources: string[]) => ComplianceAcknowledgement[],
): void {
  policy.node.addValidation({
    validate: () => {
      const document = Stack.of(policy).resolve(documentOf(policy)) as { Statement?: any[] } | undefined;
      const found = new Set<string>();
      for (const statement of document?.Statement ?? []) {
        if (statement.Effect !== 'Allow') continue;
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        for (const resource of resources) {
          const flat = flattenCfnReference(resource);
          if (flat.includes('*') && expected(flat)) {
            found.add(flat);
          }
        }
      }
      if (found.size > 0) {
        Acknowledgements.acknowledge(policy as IConstruct, acknowledgements([...found].sort()));
      }
      return [];
    },
  });
}

/** The same flattening cdk-nag applies to a resource before it names a finding after it. */
export function flattenCfnReference(reference: unknown): string {
  const visit = (node: any): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\${/g, '<').replace(/}/g, '>');
    if (node['Fn::Join']) {
      const [delimiter, items] = node['Fn::Join'];
      return items.map(visit).join(delimiter);
    }
    if (node['Fn::Sub']) return visit(node['Fn::Sub']);
    if (node['Fn::GetAtt']) {
      const [resource, attribute] = node['Fn::GetAtt'];
      return `<${visit(resource)}.${visit(attribute)}>`;
    }
    if (node['Fn::ImportValue']) return visit(node['Fn::ImportValue']);
    if (node.Ref) return `<${visit(node.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(reference);
}
