import { IamActionReference, IamReference, templatePattern } from './iam-reference';

/**
 * What kind of disagreement with the Service Authorization Reference a problem is.
 *
 * @internal
 */
export type IamPolicyProblemKind = 'unknown-action' | 'condition-key' | 'resource-arn';

/**
 * One statement of a policy that disagrees with the Service Authorization Reference.
 *
 * @internal
 */
export interface IamPolicyProblem {
  readonly kind: IamPolicyProblemKind;
  /** The statement: its Sid, or `Statement[i]`. */
  readonly statement: string;
  /** What is wrong and what the statement then does. Contains no square brackets (it becomes a cdk-nag finding id). */
  readonly message: string;
}

/**
 * Checks a resolved policy document (CloudFormation form: intrinsics stay objects) against the
 * Service Authorization Reference:
 *
 * - every action exists (a wildcard such as `s3:Get*` must match at least one action);
 * - every service condition key (`aws:*` keys are always valid) is carried by each action it
 *   guards (for a wildcard, by at least one action it matches); otherwise the problem says what the
 *   statement then does (a `Null: true` Deny always fires, a `StringEquals` Allow never applies...);
 * - every ARN fits a resource type of at least one of the statement's actions, and (when every
 *   Resource can be judged) each action has a Resource that fits it. Unresolved tokens in an ARN
 *   are read as wildcards, so only an ARN that cannot fit whatever the tokens become is reported;
 *   an action that accepts only `*` must be given `*`.
 *
 * `NotAction` lists are checked for unknown actions only; `NotResource` statements are not checked
 * for ARNs.
 *
 * @internal
 */
export function checkPolicyDocument(document: unknown, reference: IamReference): IamPolicyProblem[] {
  const doc = typeof document === 'string' ? parseJson(document) : document;
  if (!doc || typeof doc !== 'object') return [];
  const raw = (doc as any).Statement;
  const statements: any[] = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
  const problems: IamPolicyProblem[] = [];
  statements.forEach((statement, index) => {
    if (!statement || typeof statement !== 'object') return;
    const name = typeof statement.Sid === 'string' && statement.Sid.length > 0 ? statement.Sid : `Statement ${index}`;
    problems.push(...checkStatement(statement, name, reference));
  });
  return problems;
}

/** An action pattern of a statement and the reference actions it matches. */
interface ExpandedAction {
  readonly text: string;
  readonly wildcard: boolean;
  readonly actions: readonly IamActionReference[];
}

function checkStatement(statement: any, name: string, reference: IamReference): IamPolicyProblem[] {
  const problems: IamPolicyProblem[] = [];
  const problem = (kind: IamPolicyProblemKind, message: string) => problems.push({ kind, statement: name, message: clean(message) });
  const effect = statement.Effect === 'Deny' ? 'Deny' : 'Allow';

  const expanded: ExpandedAction[] = [];
  for (const text of strings(statement.Action ?? statement.NotAction)) {
    if (text === '*') continue;
    const colon = text.indexOf(':');
    const service = colon > 0 ? text.slice(0, colon) : '';
    const pattern = colon > 0 ? text.slice(colon + 1) : '';
    if (!service || !pattern) {
      problem('unknown-action', `${text} is not a service:action name`);
      continue;
    }
    if (!reference.hasService(service)) {
      problem('unknown-action', `${text}: no service has the prefix ${service}`);
      continue;
    }
    const wildcard = /[*?]/.test(pattern);
    const re = wildcardPattern(pattern, 'i');
    const actions = reference.actions(service).filter((a) => re.test(a.name));
    if (actions.length === 0) {
      problem('unknown-action', wildcard ? `${text} matches no ${service} action` : `${text} is not a ${service} action`);
      continue;
    }
    expanded.push({ text, wildcard, actions });
  }
  if (statement.Action === undefined) return problems; // NotAction: the actions it names exist; nothing more to judge.

  // Condition keys.
  const condition = statement.Condition;
  if (condition && typeof condition === 'object') {
    for (const [operator, block] of Object.entries<any>(condition)) {
      if (!block || typeof block !== 'object') continue;
      for (const [key, value] of Object.entries(block)) {
        const prefix = key.slice(0, Math.max(0, key.indexOf(':')));
        if (!prefix || prefix.toLowerCase() === 'aws') continue;
        const foreign = reference.hasService(prefix) ? undefined : reference.foreignKeyServices(prefix);
        if (!reference.hasService(prefix) && !foreign) continue; // an OIDC provider's own keys, for example
        const carries = (action: IamActionReference) => (foreign
          ? foreign.some((s) => s.toLowerCase() === action.service.toLowerCase())
          : action.conditionKeys.some((k) => templatePattern(k).test(key)));
        // A test that always holds on the absent key changes nothing when another key of the statement,
        // one the action does carry, decides (a Null block listing an old and a new key name): only
        // report it where it is all the statement tests. A test that never holds always matters.
        const holds = missingKeyHolds(operator, value);
        const decidedByOtherKey = (action: IamActionReference) => holds && otherKeys(condition, key).some((other) =>
          other.toLowerCase().startsWith('aws:') || action.conditionKeys.some((k) => templatePattern(k).test(other)));
        const missing: string[] = [];
        for (const e of expanded) {
          if (e.wildcard) {
            if (!e.actions.some(carries) && !e.actions.some(decidedByOtherKey)) missing.push(e.text);
          } else if (!carries(e.actions[0]) && !decidedByOtherKey(e.actions[0])) {
            missing.push(`${e.actions[0].service}:${e.actions[0].name}`);
          }
        }
        if (missing.length > 0) {
          problem('condition-key', `${key} is not in the request context of ${missing.join(', ')}: ${missingKeyEffect(effect, operator, holds)}`);
        }
      }
    }
  }

  // Resource ARNs.
  const resources = listOf(statement.Resource);
  if (resources.length === 0 || expanded.length === 0) return problems;
  const patterns = resources.map(arnPattern);
  const judgeable = patterns.filter((p): p is ArnPattern => p !== undefined);
  const fits = (action: IamActionReference, arn: ArnPattern): boolean =>
    arn.text === '*' ||
    (action.resourceTypes.length > 0 && action.resourceTypes.some((type) => type.arn.split(/,\s*/).some((format) => intersects(arn.tokens, formatTokens(format)))));
  for (const arn of judgeable) {
    if (arn.text === '*') continue;
    if (!expanded.some((e) => e.actions.some((a) => fits(a, arn)))) {
      problem('resource-arn', `${arn.text} fits no resource type of ${expanded.map((e) => e.text).join(', ')} (${describeTypes(expanded)}): the statement never matches it`);
    }
  }
  if (judgeable.length === patterns.length) {
    for (const e of expanded) {
      if (!e.actions.some((a) => judgeable.some((arn) => fits(a, arn)))) {
        const consequence = effect === 'Deny' ? 'the Deny never applies to it' : 'the Allow never grants it';
        problem('resource-arn', `${e.text} accepts ${describeTypes([e])}, and no Resource of the statement fits: ${consequence}`);
      }
    }
  }
  return problems;
}

/**
 * Whether a condition holds when its key is absent from the request: `Null: true`, `...IfExists`,
 * `ForAllValues:` and the negated operators (`StringNotEquals`...) hold; the others do not.
 */
function missingKeyHolds(operator: string, value: unknown): boolean {
  const op = operator.toLowerCase();
  const base = op.replace(/^for(any|all)value:/, '').replace(/ifexists$/, '');
  if (base === 'null') return strings(value).some((v) => v.toLowerCase() === 'true') || value === true;
  if (op.endsWith('ifexists') || op.startsWith('forallvalues:')) return true;
  if (op.startsWith('foranyvalue:')) return false;
  return base.includes('not');
}

/** Every condition key of the statement other than `key`. */
function otherKeys(condition: Record<string, unknown>, key: string): string[] {
  const keys: string[] = [];
  for (const block of Object.values(condition)) {
    if (block && typeof block === 'object') keys.push(...Object.keys(block).filter((k) => k !== key));
  }
  return keys;
}

/** What a statement does when a condition key is absent from the request. */
function missingKeyEffect(effect: 'Allow' | 'Deny', operator: string, holds: boolean): string {
  if (effect === 'Deny') {
    return holds ? `${operator} on an absent key always holds, so the Deny always fires` : `${operator} on an absent key never holds, so the Deny never fires`;
  }
  return holds ? `${operator} on an absent key always holds, so the condition restricts nothing` : `${operator} on an absent key never matches, so the Allow never applies`;
}

function describeTypes(expanded: readonly ExpandedAction[]): string {
  const types = new Set<string>();
  let wildcardOnly = false;
  for (const e of expanded) {
    for (const a of e.actions) {
      if (a.resourceTypes.length === 0) wildcardOnly = true;
      a.resourceTypes.forEach((t) => types.add(t.name));
    }
  }
  const list = [...types].slice(0, 6);
  const more = types.size > list.length ? ` and ${types.size - list.length} more` : '';
  if (types.size === 0) return 'only the Resource *';
  return `${list.join(', ')}${more}${wildcardOnly ? ', or *' : ''}`;
}

// ---- ARN patterns ----------------------------------------------------------------------------

/** One position of a pattern: a literal character, one any character, or a run of characters. */
type Token = { readonly lit: string } | { readonly one: true; readonly excluded: string } | { readonly run: true; readonly excluded: string };

interface ArnPattern {
  readonly text: string;
  readonly tokens: Token[];
}

/** Placeholder values of the pseudo parameters: a run without `:` (partition, region, account, URL suffix). */
const PSEUDO = /^AWS::(Partition|Region|AccountId|URLSuffix)$/;

/**
 * A Resource entry as a pattern: strings keep `*` and `?`; pseudo parameters become runs without
 * `:`; any other token becomes a run of anything. Undefined when the whole entry is one token (an
 * ARN attribute of another resource: it cannot be judged).
 */
function arnPattern(value: unknown): ArnPattern | undefined {
  const parts = flatten(value);
  if (!parts || parts.every((p) => typeof p !== 'string') || !parts.some((p) => typeof p === 'string' && p.includes(':'))) return undefined;
  const tokens: Token[] = [];
  let text = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      // IAM policy variables (${aws:username}) are whatever the request holds.
      for (const [i, piece] of part.split(/(\$\{[^}]*\})/).entries()) {
        if (i % 2 === 1) {
          tokens.push({ run: true, excluded: '' });
          text += piece;
          continue;
        }
        for (const ch of piece) {
          tokens.push(ch === '*' ? { run: true, excluded: '' } : ch === '?' ? { one: true, excluded: '' } : { lit: ch });
        }
        text += piece;
      }
    } else {
      tokens.push({ run: true, excluded: part.pseudo ? ':' : '' });
      text += part.pseudo ? `\${${part.pseudo}}` : '${Token}';
    }
  }
  return { text, tokens };
}

/** A value as string pieces and tokens (`Fn::Join` and `Fn::Sub` flattened), or undefined when it is neither. */
function flatten(value: unknown): Array<string | { pseudo?: string }> | undefined {
  if (typeof value === 'string') return [value];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as any;
  if (typeof v.Ref === 'string') {
    const m = PSEUDO.exec(v.Ref);
    return [m ? { pseudo: v.Ref } : {}];
  }
  if (Array.isArray(v['Fn::Join']) && typeof v['Fn::Join'][0] === 'string' && Array.isArray(v['Fn::Join'][1])) {
    const out: Array<string | { pseudo?: string }> = [];
    v['Fn::Join'][1].forEach((part: unknown, i: number) => {
      if (i > 0 && v['Fn::Join'][0]) out.push(v['Fn::Join'][0]);
      out.push(...(flatten(part) ?? [{}]));
    });
    return out;
  }
  const sub = v['Fn::Sub'];
  const template = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
  if (template !== undefined) {
    return template.split(/(\$\{[^}]*\})/).map((piece, i) => {
      if (i % 2 === 0) return piece;
      const inner = piece.slice(2, -1);
      return PSEUDO.test(inner) ? { pseudo: inner } : {};
    });
  }
  return [{}];
}

const formatCache = new Map<string, Token[]>();

/**
 * A Service Authorization Reference ARN format as a pattern: each `${Placeholder}` is a non-empty
 * run that cannot contain the character that follows it in the format (a bucket name has no `/`,
 * an account no `:`); the last placeholder can contain anything.
 */
function formatTokens(format: string): Token[] {
  let tokens = formatCache.get(format);
  if (!tokens) {
    tokens = [];
    const pieces = format.split(/(\$\{[^}]*\})/);
    pieces.forEach((piece, i) => {
      if (i % 2 === 1) {
        const next = pieces[i + 1]?.[0] ?? '';
        tokens!.push({ one: true, excluded: next }, { run: true, excluded: next });
      } else {
        for (const ch of piece) tokens!.push({ lit: ch });
      }
    });
    formatCache.set(format, tokens);
  }
  return tokens;
}

/** True when some string matches both patterns (a breadth-first walk of the two patterns together). */
function intersects(a: Token[], b: Token[]): boolean {
  const seen = new Set<number>();
  const width = b.length + 1;
  const stack: Array<[number, number]> = [[0, 0]];
  const push = (i: number, j: number) => {
    const id = i * width + j;
    if (!seen.has(id)) {
      seen.add(id);
      stack.push([i, j]);
    }
  };
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    if (i === a.length && j === b.length) return true;
    const p = a[i];
    const q = b[j];
    // A run can end here (match nothing more).
    if (p && 'run' in p) push(i + 1, j);
    if (q && 'run' in q) push(i, j + 1);
    if (!p || !q) continue;
    // Emit one character both accept.
    const candidates: Array<string | undefined> = [];
    if ('lit' in p) candidates.push(p.lit);
    if ('lit' in q) candidates.push(q.lit);
    if (candidates.length === 0) candidates.push(undefined); // any character neither run excludes
    for (const ch of candidates) {
      const next = (t: Token, k: number): number | undefined => {
        if ('lit' in t) return ch === t.lit ? k + 1 : undefined;
        const accepted = ch === undefined || !t.excluded.includes(ch);
        if ('one' in t) return accepted ? k + 1 : undefined;
        return accepted ? k : undefined;
      };
      const ni = next(p, i);
      const nj = next(q, j);
      // Two runs that both stay gain nothing from another character.
      if (ni !== undefined && nj !== undefined && (ni !== i || nj !== j)) push(ni, nj);
    }
  }
  return false;
}

// ---- small helpers ---------------------------------------------------------------------------

function wildcardPattern(text: string, flags: string): RegExp {
  const source = text.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, flags);
}

function strings(value: unknown): string[] {
  return listOf(value).filter((v): v is string => typeof v === 'string');
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Square brackets would end a cdk-nag finding id early. */
function clean(message: string): string {
  return message.replace(/\[/g, '(').replace(/\]/g, ')');
}
