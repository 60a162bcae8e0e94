import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, rules } from 'cdk-nag';

/** The id cdk-nag's AwsSolutions pack gives its wildcard-permission rule (IAMNoWildcardPermissions). */
export const WILDCARD_RULE_ID = 'AwsSolutions-IAM5';

/**
 * Names a resolved CloudFormation value the way cdk-nag names it in a finding id
 * (`AwsSolutions-IAM5[Resource::<name>]`):
 *
 * - a string stays as it is, with `${X}` (the Fn::Sub syntax) written `<X>`;
 * - `Fn::Join` joins its named parts with its delimiter;
 * - `Fn::Sub` names its template (a variable map is not expanded);
 * - `Fn::GetAtt` is `<Resource.Attribute>`, `Ref` is `<Name>`;
 * - `Fn::ImportValue` is the name of its export;
 * - anything else is its JSON.
 *
 * Trainyard's own code for the finding ids, so that no cdk-nag internals are imported;
 * `reportedWildcardFindings` checks it against what cdk-nag's public rule reports.
 *
 * @internal
 */
export function findingResourceName(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  if (value !== null && typeof value === 'object') {
    const fn = value as Record<string, any>;
    if (fn['Fn::Join']) {
      const [delimiter, parts] = fn['Fn::Join'];
      return (parts as unknown[]).map(findingResourceName).join(delimiter);
    }
    if (fn['Fn::Sub']) {
      // The two-argument form ([template, variables]) is named by its JSON, as any other value.
      return findingResourceName(fn['Fn::Sub']);
    }
    if (fn['Fn::GetAtt']) {
      const [resource, attribute] = fn['Fn::GetAtt'];
      return `<${findingResourceName(resource)}.${findingResourceName(attribute)}>`;
    }
    if (fn['Fn::ImportValue']) {
      return findingResourceName(fn['Fn::ImportValue']);
    }
    if (fn.Ref) {
      return `<${findingResourceName(fn.Ref)}>`;
    }
  }
  return JSON.stringify(value);
}

/**
 * The AwsSolutions-IAM5 finding id of a wildcard resource, from its name (`findingResourceName`).
 *
 * @internal
 */
export function wildcardFindingId(resourceName: string): string {
  return `${WILDCARD_RULE_ID}[Resource::${resourceName}]`;
}

/**
 * The AwsSolutions-IAM5 finding ids cdk-nag reports on an IAM policy (or role, user, group), asked of
 * cdk-nag's public rule (`rules.iam.IAMNoWildcardPermissions`), so that an acknowledgement can be
 * checked against the finding it claims to name.
 *
 * @internal
 */
export function reportedWildcardFindings(policy: CfnResource): Set<string> {
  const result = rules.iam.IAMNoWildcardPermissions(policy);
  const findings = Array.isArray(result) ? result : [];
  if (!Array.isArray(result) && !(Object.values(NagRuleCompliance) as unknown[]).includes(result)) {
    throw new Error(`cdk-nag's IAMNoWildcardPermissions returned ${String(result)} for ${policy.node.path}: Trainyard does not know this result.`);
  }
  return new Set(findings.map((finding) => `${WILDCARD_RULE_ID}[${finding}]`));
}

/**
 * The resolved policy document of an IAM policy resource (`AWS::IAM::ManagedPolicy` or
 * `AWS::IAM::Policy`).
 *
 * @internal
 */
export function resolvedPolicyDocument(policy: CfnResource): { Statement?: any[] } {
  return Stack.of(policy).resolve((policy as any).policyDocument) ?? {};
}
