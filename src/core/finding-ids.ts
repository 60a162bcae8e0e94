/**
 * The flat text cdk-nag uses for a (resolved) CloudFormation value in finding ids such as
 * `AwsSolutions-IAM5[Resource::<Bucket.Arn>/team/*]`: `Fn::Join` joined, `Fn::GetAtt` as
 * `<Logical.Attr>`, `Ref` as `<Logical>`, `Fn::ImportValue` as the export name, `${X}` as `<X>`.
 *
 * Lets a construct acknowledge exactly the wildcard resource it created, even when the resource
 * is a cross-stack import whose export name CDK derives at synth.
 *
 * @internal
 */
export function flattenCfnValue(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value === 'string') {
    return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  }
  if (typeof value !== 'object') {
    return JSON.stringify(value);
  }
  const node = value as Record<string, any>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return (items as unknown[]).map(flattenCfnValue).join(delimiter);
  }
  if (node['Fn::Sub']) {
    return flattenCfnValue(node['Fn::Sub']);
  }
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'];
    return `<${flattenCfnValue(resource)}.${flattenCfnValue(attribute)}>`;
  }
  if (node['Fn::ImportValue']) {
    return flattenCfnValue(node['Fn::ImportValue']);
  }
  if (node.Ref) {
    return `<${flattenCfnValue(node.Ref)}>`;
  }
  return JSON.stringify(node);
}
