import { PipelineExpression, PipelineValueType } from './pipeline-expression';
import type { ExpressionDependency } from './private/expression-dependency';
import { TrainyardValidationError } from '../../core/errors';

/**
 * Options common to every pipeline parameter.
 */
export interface ParameterOptions {
  /**
   * What the parameter is for, shown in SageMaker Studio.
   *
   * @default - no description
   */
  readonly description?: string;
}

/** Options of a `String` pipeline parameter. */
export interface StringParameterOptions extends ParameterOptions {
  /**
   * The value used when an execution does not set the parameter.
   *
   * @default - no default: every execution must set it
   */
  readonly defaultValue?: string;
}

/** Options of an `Integer` pipeline parameter. */
export interface IntegerParameterOptions extends ParameterOptions {
  /**
   * The value used when an execution does not set the parameter. Must be a whole number.
   *
   * @default - no default: every execution must set it
   */
  readonly defaultValue?: number;
}

/** Options of a `Float` pipeline parameter. */
export interface FloatParameterOptions extends ParameterOptions {
  /**
   * The value used when an execution does not set the parameter.
   *
   * @default - no default: every execution must set it
   */
  readonly defaultValue?: number;
}

/** Options of a `Boolean` pipeline parameter. */
export interface BooleanParameterOptions extends ParameterOptions {
  /**
   * The value used when an execution does not set the parameter.
   *
   * @default - no default: every execution must set it
   */
  readonly defaultValue?: boolean;
}

/**
 * A pipeline parameter: a typed value set per execution (`StartPipelineExecution`), read in steps
 * as `{"Get": "Parameters.<name>"}`. Parameters used by steps are declared in the definition
 * automatically; `PipelineDefinition.addParameter` declares unused ones too.
 */
export class Parameter extends PipelineExpression {
  /** A `String` parameter. */
  public static string(name: string, options: StringParameterOptions = {}): Parameter {
    if (options.defaultValue !== undefined && typeof options.defaultValue !== 'string') {
      throw new TrainyardValidationError(`Parameter.string(${name}).defaultValue`, `must be a string, got ${typeof options.defaultValue}.`);
    }
    return new Parameter(name, PipelineValueType.STRING, options.defaultValue, options.description);
  }

  /** An `Integer` parameter. */
  public static integer(name: string, options: IntegerParameterOptions = {}): Parameter {
    if (options.defaultValue !== undefined && !Number.isInteger(options.defaultValue)) {
      throw new TrainyardValidationError(`Parameter.integer(${name}).defaultValue`, `must be a whole number, got ${String(options.defaultValue)}.`);
    }
    return new Parameter(name, PipelineValueType.INTEGER, options.defaultValue, options.description);
  }

  /** A `Float` parameter. */
  public static float(name: string, options: FloatParameterOptions = {}): Parameter {
    if (options.defaultValue !== undefined && (typeof options.defaultValue !== 'number' || !Number.isFinite(options.defaultValue))) {
      throw new TrainyardValidationError(`Parameter.float(${name}).defaultValue`, `must be a finite number, got ${String(options.defaultValue)}.`);
    }
    return new Parameter(name, PipelineValueType.FLOAT, options.defaultValue, options.description);
  }

  /** A `Boolean` parameter. */
  public static boolean(name: string, options: BooleanParameterOptions = {}): Parameter {
    if (options.defaultValue !== undefined && typeof options.defaultValue !== 'boolean') {
      throw new TrainyardValidationError(`Parameter.boolean(${name}).defaultValue`, `must be true or false, got ${String(options.defaultValue)}.`);
    }
    return new Parameter(name, PipelineValueType.BOOLEAN, options.defaultValue, options.description);
  }

  /** The parameter's name, as `StartPipelineExecution` sets it. */
  public readonly name: string;

  /** The parameter's type. */
  public readonly valueType: PipelineValueType;

  /** The default value, if any. */
  public readonly defaultValue?: any;

  /** The description, if any. */
  public readonly description?: string;

  private constructor(name: string, valueType: PipelineValueType, defaultValue?: any, description?: string) {
    super();
    this.name = name;
    this.valueType = valueType;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** `{"Get": "Parameters.<name>"}` */
  public render(): any {
    return { Get: `Parameters.${this.name}` };
  }

  /** The parameter's entry in the definition's `Parameters` list. */
  public renderDeclaration(): any {
    return {
      Name: this.name,
      Type: this.valueType,
      ...(this.defaultValue !== undefined ? { DefaultValue: this.defaultValue } : {}),
      ...(this.description !== undefined ? { Description: this.description } : {}),
    };
  }

  /** @internal */
  public _dependencies(): ExpressionDependency[] {
    return [{ kind: 'parameter', parameterName: this.name, parameterType: this.valueType, parameter: this }];
  }
}
