import { TrainyardValidationError } from '../../core/errors';

/** A parameter as the definition declares it. */
export interface ParameterDeclaration {
  readonly Name: string;
  readonly Type: 'String' | 'Integer' | 'Float' | 'Boolean';
  readonly DefaultValue?: any;
}

/**
 * The parameter values of a run: the defaults, overridden by `--param NAME=VALUE` (each value
 * checked against the parameter's type). Fails naming the argument for an unknown name, a bad
 * value, or a parameter with no default that was not given.
 */
export function resolveParameters(declared: ParameterDeclaration[], given: string[], preset: Record<string, any> = {}): Record<string, any> {
  const byName = new Map(declared.map((p) => [p.Name, p]));
  const values: Record<string, any> = {};
  for (const p of declared) {
    if (p.DefaultValue !== undefined) values[p.Name] = p.DefaultValue;
  }
  for (const text of given) {
    const eq = text.indexOf('=');
    if (eq <= 0) {
      throw new TrainyardValidationError('--param', `must be NAME=VALUE, got '${text}'`);
    }
    const name = text.slice(0, eq);
    const raw = text.slice(eq + 1);
    const p = byName.get(name);
    if (!p) {
      throw new TrainyardValidationError('--param', `the pipeline has no parameter '${name}'; it has ${declared.map((d) => `${d.Name} (${d.Type})`).join(', ') || 'none'}`);
    }
    values[name] = typed(p, raw);
  }
  Object.assign(values, preset);
  for (const p of declared) {
    if (values[p.Name] === undefined) {
      throw new TrainyardValidationError('--param', `parameter '${p.Name}' (${p.Type}) has no default; pass --param ${p.Name}=VALUE`);
    }
  }
  return values;
}

function typed(p: ParameterDeclaration, raw: string): any {
  const bad = (allowed: string) => new TrainyardValidationError('--param', `${p.Name} is ${p.Type === 'Integer' ? 'an' : 'a'} ${p.Type} parameter: ${allowed}, got '${raw}'`);
  switch (p.Type) {
    case 'Integer':
      if (!/^[+-]?\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) throw bad('a whole number');
      return Number(raw);
    case 'Float':
      if (raw.trim() === '' || !Number.isFinite(Number(raw))) throw bad('a number');
      return Number(raw);
    case 'Boolean':
      if (raw !== 'true' && raw !== 'false') throw bad("'true' or 'false'");
      return raw === 'true';
    default:
      return raw;
  }
}
