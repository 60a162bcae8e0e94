/**
 * CloudFormation values of a synthesized template, turned into what a local run can use.
 *
 * A pipeline definition body is a `Fn::Join` of JSON text and deploy-time values (bucket names,
 * role ARNs, KMS keys, image URIs). Locally, pseudo parameters and `Fn::Sub` over them resolve to
 * fixed stand-ins; every other deploy-time value (`Fn::ImportValue`, a `Ref` to a resource or to an
 * SSM parameter, `Fn::GetAtt`, ...) becomes a placeholder `{{cfn:N}}` inside the string. Most of
 * those feed fields that do not matter locally (subnets, KMS keys, roles). Where one is needed (an
 * S3 bucket name becomes a local folder; an argument or environment value cannot be guessed), the
 * caller asks this table what it is.
 */

/** The account id a local run stands in for `AWS::AccountId`. */
export const LOCAL_ACCOUNT = '000000000000';
/** The Region a local run stands in for `AWS::Region`. */
export const LOCAL_REGION = 'local';

const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::Region': LOCAL_REGION,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'local',
  'AWS::NoValue': '',
};

const PLACEHOLDER = /\{\{cfn:(\d+)\}\}/g;

/** One deploy-time value with no local stand-in. */
export interface DeployTimeValue {
  /** What it is, for messages: `Fn::ImportValue Trainyard-Platform:ExportsOutputRef...`. */
  readonly description: string;
  /** A file-name-safe name for it, used as the local folder of a bucket it names. */
  readonly folderName: string;
}

/** The deploy-time values met while resolving a template's values, by placeholder number. */
export class DeployTimeValues {
  /** Whether `text` holds a placeholder. */
  public static isUnresolved(text: string): boolean {
    return new RegExp(PLACEHOLDER.source).test(text);
  }

  private readonly values: DeployTimeValue[] = [];

  /** The placeholder string of a new deploy-time value. */
  public add(description: string, folderName: string): string {
    this.values.push({ description, folderName: folderName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-|-$/g, '').slice(0, 100) || 'bucket' });
    return `{{cfn:${this.values.length - 1}}}`;
  }

  /** The deploy-time values inside `text`. */
  public inside(text: string): DeployTimeValue[] {
    return [...text.matchAll(PLACEHOLDER)].map((m) => this.values[Number(m[1])]).filter((v) => v !== undefined);
  }

  /** `text` with each placeholder replaced by `replace(value)`. */
  public replace(text: string, replace: (value: DeployTimeValue) => string): string {
    return text.replace(PLACEHOLDER, (whole, n) => {
      const value = this.values[Number(n)];
      return value ? replace(value) : whole;
    });
  }

  /** `text` with each placeholder replaced by its description in angle brackets (for messages). */
  public describe(text: string): string {
    return this.replace(text, (v) => `<${v.description}>`);
  }
}

/** What the resolver may read from the template. */
export interface TemplateContext {
  /** The template's `Mappings`. */
  readonly mappings?: Record<string, any>;
  /** The template's `Parameters` (SSM-backed parameters become deploy-time values). */
  readonly parameters?: Record<string, any>;
}

/**
 * Resolves a CloudFormation value to a string (or JSON value for non-string literals), with
 * pseudo parameters and `Fn::Sub` over them resolved and any other deploy-time value replaced by
 * a placeholder recorded in `table`.
 */
export function resolveCfnValue(value: any, table: DeployTimeValues, context: TemplateContext = {}): any {
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => resolveCfnValue(v, table, context));
  }
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    return Object.fromEntries(keys.map((k) => [k, resolveCfnValue(value[k], table, context)]));
  }
  const [fn] = keys;
  const arg = value[fn];
  switch (fn) {
    case 'Fn::Join': {
      const [separator, parts] = arg as [string, any[]];
      return parts.map((p) => String(resolveCfnValue(p, table, context))).join(separator);
    }
    case 'Ref': {
      if (typeof arg === 'string' && PSEUDO[arg] !== undefined) {
        return PSEUDO[arg];
      }
      const parameter = context.parameters?.[arg];
      if (parameter && typeof parameter.Type === 'string' && parameter.Type.startsWith('AWS::SSM::Parameter::Value')) {
        return table.add(`the SSM parameter ${parameter.Default ?? arg} (template parameter ${arg})`, `ssm-${String(parameter.Default ?? arg)}`);
      }
      if (parameter && parameter.Default !== undefined) {
        return String(parameter.Default);
      }
      return table.add(`Ref ${String(arg)}`, String(arg));
    }
    case 'Fn::Sub': {
      const [template, variables] = Array.isArray(arg) ? arg as [string, Record<string, any>] : [arg as string, {}];
      return template.replace(/\$\{([^}!]+)\}/g, (_whole, name: string) => {
        if (variables && variables[name] !== undefined) {
          return String(resolveCfnValue(variables[name], table, context));
        }
        return String(resolveCfnValue({ Ref: name }, table, context));
      });
    }
    case 'Fn::ImportValue': {
      const name = resolveCfnValue(arg, table, context);
      return table.add(`Fn::ImportValue ${String(name)}`, String(name).replace(/:ExportsOutput(Ref|FnGetAtt)/, '-'));
    }
    case 'Fn::GetAtt': {
      const [resource, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
      return table.add(`Fn::GetAtt ${resource}.${attribute}`, `${resource}-${attribute}`);
    }
    case 'Fn::FindInMap': {
      const [map, first, second] = (arg as any[]).map((a) => resolveCfnValue(a, table, context));
      const found = context.mappings?.[map]?.[first]?.[second];
      return found !== undefined ? found : table.add(`Fn::FindInMap ${map}`, `map-${map}`);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [any, any];
      const items = resolveCfnValue(list, table, context);
      const i = Number(resolveCfnValue(index, table, context));
      return Array.isArray(items) && items[i] !== undefined ? items[i] : table.add('Fn::Select', 'select');
    }
    default:
      if (fn.startsWith('Fn::')) {
        return table.add(fn, fn.replace(/:+/g, '-'));
      }
      return { [fn]: resolveCfnValue(arg, table, context) };
  }
}

/** Resolves `Fn::Sub`-style text with only pseudo parameters (an asset manifest's bucket name). */
export function resolvePseudoParameters(text: string): string {
  return text.replace(/\$\{(AWS::[A-Za-z]+)\}/g, (whole, name: string) => PSEUDO[name] ?? whole);
}
