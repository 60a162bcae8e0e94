import { PipelineExpression, PipelineValueType } from './pipeline-expression';

type ValueRenderer = (expression: PipelineExpression) => any;

const ORDERING = new Set(['GreaterThan', 'GreaterThanOrEqualTo', 'LessThan', 'LessThanOrEqualTo']);
const NUMERIC = new Set<PipelineValueType>([PipelineValueType.INTEGER, PipelineValueType.FLOAT, PipelineValueType.ANY]);

/**
 * A condition of a `ConditionStep`: comparisons of two values, `In`, and `And`/`Or`/`Not`
 * combinations. A `ConditionStep` takes the steps of `ifSteps` when all its conditions hold.
 */
export abstract class Condition {
  /** `left == right` */
  public static equalTo(left: PipelineExpression, right: PipelineExpression): Condition {
    return new Comparison('Equals', left, right);
  }

  /** `left != right` */
  public static notEqualTo(left: PipelineExpression, right: PipelineExpression): Condition {
    return new Comparison('NotEquals', left, right);
  }

  /** `left > right`; both sides must be numbers. */
  public static greaterThan(left: PipelineExpression, right: PipelineExpression): Condition {
    return new Comparison('GreaterThan', left, right);
  }

  /** `left >= right`; both sides must be numbers. */
  public static greaterThanOrEqualTo(left: PipelineExpression, right: PipelineExpression): Condition {
    return new Comparison('GreaterThanOrEqualTo', left, right);
  }

  /** `left < right`; both sides must be numbers. */
  public static lessThan(left: PipelineExpression, right: PipelineExpression): Condition {
    return new Comparison('LessThan', left, right);
  }

  /** `left <= right`; both sides must be numbers. */
  public static lessThanOrEqualTo(left: PipelineExpression, right: PipelineExpression): Condition {
    return new Comparison('LessThanOrEqualTo', left, right);
  }

  /** `value` is one of `values`. */
  public static isIn(value: PipelineExpression, values: PipelineExpression[]): Condition {
    return new InCondition(value, values);
  }

  /** The opposite of `condition`. */
  public static not(condition: Condition): Condition {
    return new NotCondition(condition);
  }

  /** At least one of `conditions` holds. */
  public static or(...conditions: Condition[]): Condition {
    return new OrCondition(conditions);
  }

  /**
   * All of `conditions` hold. At the top of a `ConditionStep` this is the step's condition list;
   * nested in `Or`/`Not` it renders as `Not(Or(Not a, Not b, ...))`, since the definition
   * language has no `And` type.
   */
  public static and(...conditions: Condition[]): Condition {
    return new AndCondition(conditions);
  }

  /** The type name in the definition (`GreaterThanOrEqualTo`, `Or`, ...). */
  public abstract readonly conditionType: string;

  /** @internal */
  public abstract _render(valueOf: ValueRenderer): any;

  /**
   * Renders as the entries of a condition step's list (an `And` spreads into its parts).
   *
   * @internal
   */
  public _renderTopLevel(valueOf: ValueRenderer): any[] {
    return [this._render(valueOf)];
  }

  /**
   * Type errors of the operands, as sentences.
   *
   * @internal
   */
  public abstract _typeErrors(): string[];
}

function describe(e: PipelineExpression): string {
  const rendered = JSON.stringify(e.render());
  return rendered.length > 80 ? rendered.slice(0, 77) + '...' : rendered;
}

class Comparison extends Condition {
  constructor(public readonly conditionType: string, private readonly left: PipelineExpression, private readonly right: PipelineExpression) {
    super();
  }

  public _render(valueOf: ValueRenderer): any {
    return { Type: this.conditionType, LeftValue: valueOf(this.left), RightValue: valueOf(this.right) };
  }

  public _typeErrors(): string[] {
    const errors: string[] = [];
    if (ORDERING.has(this.conditionType)) {
      for (const [side, e] of [['left', this.left], ['right', this.right]] as const) {
        if (!NUMERIC.has(e.valueType)) {
          const name = (e as any).name !== undefined ? `parameter '${(e as any).name}'` : describe(e);
          errors.push(`${this.conditionType} compares numbers, but its ${side} value ${name} is of type ${e.valueType}; use Parameter.float or Parameter.integer`);
        }
      }
    } else if (this.left.valueType !== PipelineValueType.ANY && this.right.valueType !== PipelineValueType.ANY) {
      const numeric = (t: PipelineValueType) => t === PipelineValueType.INTEGER || t === PipelineValueType.FLOAT;
      if (this.left.valueType !== this.right.valueType && !(numeric(this.left.valueType) && numeric(this.right.valueType))) {
        errors.push(`${this.conditionType} compares a ${this.left.valueType} with a ${this.right.valueType}; it can never be ${this.conditionType === 'Equals' ? 'true' : 'false'}`);
      }
    }
    return errors;
  }
}

class InCondition extends Condition {
  public readonly conditionType = 'In';
  constructor(private readonly value: PipelineExpression, private readonly values: PipelineExpression[]) {
    super();
  }

  public _render(valueOf: ValueRenderer): any {
    return { Type: 'In', QueryValue: valueOf(this.value), Values: this.values.map(valueOf) };
  }

  public _typeErrors(): string[] {
    return this.values.length === 0 ? ['In has an empty list of values; it can never be true'] : [];
  }
}

class NotCondition extends Condition {
  public readonly conditionType = 'Not';
  constructor(private readonly condition: Condition) {
    super();
  }

  public _render(valueOf: ValueRenderer): any {
    return { Type: 'Not', Expression: this.condition._render(valueOf) };
  }

  public _typeErrors(): string[] {
    return this.condition._typeErrors();
  }
}

class OrCondition extends Condition {
  public readonly conditionType = 'Or';
  constructor(private readonly conditions: Condition[]) {
    super();
  }

  public _render(valueOf: ValueRenderer): any {
    return { Type: 'Or', Conditions: this.conditions.map((c) => c._render(valueOf)) };
  }

  public _typeErrors(): string[] {
    return this.conditions.length === 0 ? ['Or has no conditions'] : this.conditions.flatMap((c) => c._typeErrors());
  }
}

class AndCondition extends Condition {
  public readonly conditionType = 'And';
  constructor(private readonly conditions: Condition[]) {
    super();
  }

  public _render(valueOf: ValueRenderer): any {
    // De Morgan: a AND b == NOT (NOT a OR NOT b)
    return { Type: 'Not', Expression: { Type: 'Or', Conditions: this.conditions.map((c) => ({ Type: 'Not', Expression: c._render(valueOf) })) } };
  }

  public _renderTopLevel(valueOf: ValueRenderer): any[] {
    return this.conditions.flatMap((c) => c._renderTopLevel(valueOf));
  }

  public _typeErrors(): string[] {
    return this.conditions.length === 0 ? ['And has no conditions'] : this.conditions.flatMap((c) => c._typeErrors());
  }
}
