import type { ExpressionDependency } from './private/expression-dependency';

/**
 * The type of value a pipeline expression evaluates to at run time.
 */
export enum PipelineValueType {
  /** A string. */
  STRING = 'String',
  /** A whole number. */
  INTEGER = 'Integer',
  /** A floating-point number. */
  FLOAT = 'Float',
  /** A boolean. */
  BOOLEAN = 'Boolean',
  /** Known only at run time (a step property or a value read from a property file). */
  ANY = 'Any',
}

/**
 * A value in a SageMaker pipeline definition: a literal, a pipeline parameter, an execution
 * variable, a step property (`{"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}`), a value
 * read from a property file (`Std:JsonGet`) or a join of those (`Std:Join`).
 */
export abstract class PipelineExpression {
  /** A literal string. */
  public static fromString(value: string): PipelineExpression {
    return new LiteralExpression(value, PipelineValueType.STRING);
  }

  /** A literal number: `Integer` when whole, `Float` otherwise. */
  public static fromNumber(value: number): PipelineExpression {
    return new LiteralExpression(value, Number.isInteger(value) ? PipelineValueType.INTEGER : PipelineValueType.FLOAT);
  }

  /** A literal boolean. */
  public static fromBoolean(value: boolean): PipelineExpression {
    return new LiteralExpression(value, PipelineValueType.BOOLEAN);
  }

  /**
   * Joins values into one string at run time (`Std:Join`), for example an S3 URI built from a
   * bucket, the execution id and a step name.
   */
  public static join(on: string, values: PipelineExpression[]): PipelineExpression {
    return new JoinExpression(on, values);
  }

  /** The type this expression evaluates to; `ANY` when only known at run time. */
  public abstract readonly valueType: PipelineValueType;

  /** The JSON this expression renders to in the pipeline definition. */
  public abstract render(): any;

  /**
   * What this expression reads (steps, parameters, property files).
   *
   * @internal
   */
  public _dependencies(): ExpressionDependency[] {
    return [];
  }
}

class LiteralExpression extends PipelineExpression {
  constructor(private readonly value: string | number | boolean, public readonly valueType: PipelineValueType) {
    super();
  }

  public render(): any {
    return this.value;
  }
}

class JoinExpression extends PipelineExpression {
  public readonly valueType = PipelineValueType.STRING;

  constructor(private readonly on: string, private readonly values: PipelineExpression[]) {
    super();
  }

  public render(): any {
    return { 'Std:Join': { On: this.on, Values: this.values.map((v) => v.render()) } };
  }

  public _dependencies(): ExpressionDependency[] {
    return this.values.flatMap((v) => v._dependencies());
  }
}
