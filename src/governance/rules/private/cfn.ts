import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A CloudFormation resource as it will be synthesized: its type, its logical id and its properties
 * in CloudFormation casing, with every token resolved (`Ref`, `Fn::GetAtt`, `Fn::Join`... stay as
 * intrinsic objects), property overrides applied and tags rendered.
 *
 * @internal
 */
export interface ResolvedResource {
  readonly type: string;
  readonly logicalId: string;
  readonly properties: any;
}

/**
 * Renders `node` the way the template will hold it. Rules judge this form, so escape-hatch
 * overrides (`addPropertyOverride`) and tags added by Aspects are judged too.
 *
 * @internal
 */
export function resolveResource(node: CfnResource): ResolvedResource {
  const cached = cache.get(node);
  if (cached) return cached;
  const stack = Stack.of(node);
  const rendered = stack.resolve((node as any)._toCloudFormation());
  const [logicalId, resource] = Object.entries<any>(rendered?.Resources ?? {})[0] ?? [stack.resolve(node.logicalId), {}];
  return { type: node.cfnResourceType, logicalId, properties: resource?.Properties ?? {} };
}

const cache = new WeakMap<CfnResource, ResolvedResource>();

/**
 * Runs `check` with `node` rendered once for all the rules that look at it, then forgets the
 * rendering (a later validation must see later changes).
 *
 * @internal
 */
export function withResolvedResource(node: CfnResource, check: () => void): void {
  cache.set(node, resolveResource(node));
  try {
    check();
  } finally {
    cache.delete(node);
  }
}

/**
 * The tags of a resolved resource as a map, whether the resource lists them as `[{Key, Value}]`
 * (most types) or as a `{key: value}` map (AWS Batch, for example). Tag values that are tokens
 * are kept as they are.
 *
 * @internal
 */
export function tagsOf(properties: any, tagProperty: string = 'Tags'): Record<string, unknown> {
  return tagMap(properties?.[tagProperty]);
}

/** A `[{Key, Value}]` list or a `{key: value}` map as a map. @internal */
export function tagMap(tags: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Array.isArray(tags)) {
    for (const tag of tags) {
      if (tag && typeof tag === 'object' && typeof (tag as any).Key === 'string') {
        out[(tag as any).Key] = (tag as any).Value;
      }
    }
  } else if (tags && typeof tags === 'object') {
    Object.assign(out, tags);
  }
  return out;
}

/** Reads `path` (`'A.B.C'`) from a nested object; undefined when any part is missing. @internal */
export function at(obj: unknown, path: string): any {
  let current: any = obj;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') {
      return undefined;
    }
    current = current[part];
  }
  return current;
}

/** True for `true` and the string `'true'` (CloudFormation accepts both). @internal */
export function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/** True when `value` is set: not undefined, null or an empty string or list. @internal */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim().length > 0;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/**
 * Every CloudFormation resource in the app `node` belongs to, resolved. Used by rules that judge
 * one resource by another (an MLflow server by the bucket of its artifact store).
 *
 * @internal
 */
export function resolvedResourcesOfApp(node: IConstruct, type: string): Array<ResolvedResource & { readonly stack: Stack }> {
  const out: Array<ResolvedResource & { readonly stack: Stack }> = [];
  for (const child of node.node.root.node.findAll()) {
    if (CfnResource.isCfnResource(child) && child.cfnResourceType === type) {
      out.push({ ...resolveResource(child), stack: Stack.of(child) });
    }
  }
  return out;
}

/**
 * The logical id an intrinsic points at (`{Ref: X}`, `{'Fn::GetAtt': [X, attr]}`), or undefined.
 *
 * @internal
 */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as any;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** Every logical id referenced anywhere inside `value`. @internal */
export function referencedLogicalIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  const id = referencedLogicalId(value);
  if (id) into.add(id);
  if (Array.isArray(value)) {
    value.forEach((v) => referencedLogicalIds(v, into));
  } else if (value && typeof value === 'object') {
    Object.values(value).forEach((v) => referencedLogicalIds(v, into));
  }
  return into;
}
