/**
 * The pipeline definition's expression language, evaluated as SageMaker Pipelines does:
 * `{"Get": "Parameters.X" | "Execution.X" | "Steps.S.<property path>"}`, `Std:Join`, `Std:JsonGet`,
 * and the conditions of a condition step. Pure: the values come from an `EvaluationScope`.
 */

/** A failure while evaluating an expression: it fails the step that evaluates it. */
export class EvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluationError';
    Object.setPrototypeOf(this, EvaluationError.prototype);
  }
}

/** Where an expression's values come from. */
export interface EvaluationScope {
  /** The value of pipeline parameter `name`. */
  parameter(name: string): any;
  /** The value of execution variable `name` (`PipelineExecutionId`, ...). */
  execution(name: string): any;
  /** The properties of a step that has run (its Describe* response, as far as a local run knows it). */
  stepProperties(step: string): any;
  /** The parsed JSON of property file `name` of step `step`. */
  propertyFile(step: string, name: string): any;
  /** The parsed JSON object at an S3 URI (`Std:JsonGet` with `S3Uri`). */
  jsonAt(uri: string): any;
}

/** Evaluates every expression inside `value` (a step's arguments, a message, a condition operand). */
export function evaluate(value: any, scope: EvaluationScope): any {
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => evaluate(v, scope));
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Get' && typeof value.Get === 'string') {
    return get(value.Get, scope);
  }
  if (keys.length === 1 && keys[0] === 'Std:Join') {
    const { On: on, Values: values } = value['Std:Join'] ?? {};
    if (!Array.isArray(values)) {
      throw new EvaluationError('Std:Join needs a Values list');
    }
    return values.map((v: any) => {
      const e = evaluate(v, scope);
      return typeof e === 'object' && e !== null ? JSON.stringify(e) : String(e);
    }).join(String(on ?? ''));
  }
  if (keys.length === 1 && keys[0] === 'Std:JsonGet') {
    return jsonGet(value['Std:JsonGet'] ?? {}, scope);
  }
  return Object.fromEntries(keys.map((k) => [k, evaluate(value[k], scope)]));
}

/** The names of the steps whose properties or property files `value` reads. */
export function referencedSteps(value: any, into: Set<string> = new Set()): Set<string> {
  if (value === null || typeof value !== 'object') {
    return into;
  }
  if (Array.isArray(value)) {
    value.forEach((v) => referencedSteps(v, into));
    return into;
  }
  if (typeof value.Get === 'string') {
    const m = /^Steps\.([^.[]+)/.exec(value.Get);
    if (m) into.add(m[1]);
  }
  for (const v of Object.values(value)) {
    referencedSteps(v, into);
  }
  return into;
}

function get(reference: string, scope: EvaluationScope): any {
  const [root, ...rest] = reference.split('.');
  const tail = rest.join('.');
  switch (root) {
    case 'Parameters':
      return scope.parameter(tail);
    case 'Execution':
      return scope.execution(tail);
    case 'Steps': {
      const m = /^([^.[]+)\.?(.*)$/.exec(tail);
      if (!m || !m[2]) {
        throw new EvaluationError(`'${reference}' names no property of a step`);
      }
      return propertyPath(scope.stepProperties(m[1]), m[2], `step ${m[1]}`);
    }
    default:
      throw new EvaluationError(`'${reference}' is not a parameter, execution variable or step property`);
  }
}

function jsonGet(spec: any, scope: EvaluationScope): any {
  const jsonPath = spec.Path;
  if (typeof jsonPath !== 'string') {
    throw new EvaluationError('Std:JsonGet needs a Path');
  }
  let doc: any;
  let where: string;
  if (spec.PropertyFile !== undefined) {
    const ref = typeof spec.PropertyFile === 'object' ? spec.PropertyFile?.Get : spec.PropertyFile;
    const m = typeof ref === 'string' ? /^Steps\.([^.]+)\.PropertyFiles\.(.+)$/.exec(ref) : null;
    if (!m) {
      throw new EvaluationError(`Std:JsonGet PropertyFile must be {"Get": "Steps.<step>.PropertyFiles.<name>"}, got ${JSON.stringify(spec.PropertyFile)}`);
    }
    doc = scope.propertyFile(m[1], m[2]);
    where = `property file ${m[2]} of step ${m[1]}`;
  } else if (spec.S3Uri !== undefined) {
    const uri = String(evaluate(spec.S3Uri, scope));
    doc = scope.jsonAt(uri);
    where = uri;
  } else {
    throw new EvaluationError('Std:JsonGet needs a PropertyFile or an S3Uri');
  }
  return jsonPathGet(doc, jsonPath, where);
}

type Segment = string | number;

/** Splits `a.b[0]['c d'].e` into its segments. */
export function parsePath(text: string): Segment[] {
  const segments: Segment[] = [];
  const re = /\.?([^.[\]]+)|\[(\d+)\]|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]/y;
  let i = 0;
  while (i < text.length) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m || m[0].length === 0) {
      throw new EvaluationError(`cannot parse the path '${text}' at character ${i + 1}`);
    }
    segments.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4])));
    i = re.lastIndex;
  }
  return segments;
}

/** The value at a JsonPath-like `path` (`metrics.accuracy.value`, `a[0].b`) of a property file. */
export function jsonPathGet(doc: any, jsonPath: string, where: string): any {
  let current = doc;
  const walked: string[] = [];
  for (const segment of parsePath(jsonPath.replace(/^\$\.?/, ''))) {
    const next = current !== null && typeof current === 'object' ? current[segment as any] : undefined;
    if (next === undefined) {
      const at = walked.length === 0 ? 'the top level' : `'${walked.join('.')}'`;
      const has = current !== null && typeof current === 'object'
        ? (Array.isArray(current) ? `a list of ${current.length}` : `keys ${Object.keys(current).map((k) => `'${k}'`).join(', ') || '(none)'}`)
        : `the ${typeof current} ${JSON.stringify(current)}`;
      throw new EvaluationError(`Std:JsonGet: path '${jsonPath}' not found in ${where}: ${at} has ${has}, no '${segment}'`);
    }
    walked.push(String(segment));
    current = next;
  }
  return current;
}

/**
 * The value at a step property path (`ModelArtifacts.S3ModelArtifacts`,
 * `ProcessingOutputConfig.Outputs['report'].S3Output.S3Uri`). A string index into a list picks
 * the item whose name (`OutputName`, `ChannelName`, `MetricName`, ...) it is, as SageMaker does.
 */
export function propertyPath(properties: any, text: string, where: string): any {
  let current = properties;
  for (const segment of parsePath(text)) {
    let next: any;
    if (Array.isArray(current) && typeof segment === 'string') {
      next = current.find((item) => item && typeof item === 'object' && Object.entries(item).some(([k, v]) => k.endsWith('Name') && v === segment));
    } else if (current !== null && typeof current === 'object') {
      next = current[segment as any];
    }
    if (next === undefined) {
      throw new EvaluationError(`${where} has no property '${text}' in a local run (no '${segment}')`);
    }
    current = next;
  }
  return current;
}

// ---- Conditions --------------------------------------------------------------------------------

const SYMBOLS: Readonly<Record<string, string>> = {
  Equals: '==',
  NotEquals: '!=',
  GreaterThan: '>',
  GreaterThanOrEqualTo: '>=',
  LessThan: '<',
  LessThanOrEqualTo: '<=',
};

/** The outcome of a condition and how it read, for the run's output. */
export interface ConditionOutcome {
  readonly holds: boolean;
  /** The condition with its values: `0.934 >= 0.9`, `not (a == b)`, `(x in [1, 2]) or ...`. */
  readonly text: string;
}

/** Evaluates the top-level conditions of a condition step: they all must hold. */
export function evaluateConditions(conditions: any[], scope: EvaluationScope): ConditionOutcome {
  const outcomes = conditions.map((c) => evaluateCondition(c, scope));
  return { holds: outcomes.every((o) => o.holds), text: outcomes.map((o) => o.text).join(' and ') };
}

/** Evaluates one condition (`Equals`, ..., `In`, `Not`, `Or`). */
export function evaluateCondition(condition: any, scope: EvaluationScope): ConditionOutcome {
  const type = condition?.Type;
  if (type in SYMBOLS) {
    const left = evaluate(condition.LeftValue, scope);
    const right = evaluate(condition.RightValue, scope);
    let holds: boolean;
    if (type === 'Equals' || type === 'NotEquals') {
      holds = equal(left, right) === (type === 'Equals');
    } else {
      const l = number(left, type, 'LeftValue');
      const r = number(right, type, 'RightValue');
      holds = type === 'GreaterThan' ? l > r : type === 'GreaterThanOrEqualTo' ? l >= r : type === 'LessThan' ? l < r : l <= r;
    }
    return { holds, text: `${show(left)} ${SYMBOLS[type]} ${show(right)}` };
  }
  if (type === 'In') {
    const query = evaluate(condition.QueryValue, scope);
    const values = (condition.Values ?? condition.InValues ?? []) as any[];
    if (!Array.isArray(values)) {
      throw new EvaluationError('In needs a Values list');
    }
    const evaluated = values.map((v) => evaluate(v, scope));
    return { holds: evaluated.some((v) => equal(query, v)), text: `${show(query)} in [${evaluated.map(show).join(', ')}]` };
  }
  if (type === 'Not') {
    const inner = evaluateCondition(condition.Expression, scope);
    return { holds: !inner.holds, text: `not (${inner.text})` };
  }
  if (type === 'Or') {
    const inner = ((condition.Conditions ?? []) as any[]).map((c) => evaluateCondition(c, scope));
    return { holds: inner.some((o) => o.holds), text: `(${inner.map((o) => o.text).join(' or ')})` };
  }
  throw new EvaluationError(`unknown condition type '${String(type)}'`);
}

function equal(a: any, b: any): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (typeof a !== typeof b) return false;
  return typeof a === 'object' ? JSON.stringify(a) === JSON.stringify(b) : a === b;
}

function number(value: any, type: string, side: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new EvaluationError(`${type} compares numbers, but its ${side} is ${show(value)} (${value === null ? 'null' : typeof value})`);
}

/** A value as the output shows it: numbers to 4 significant digits, strings quoted. */
export function show(value: any): string {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  }
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  return JSON.stringify(value);
}
