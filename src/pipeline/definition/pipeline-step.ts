import { Duration } from 'aws-cdk-lib';
import { PipelineExpression } from './pipeline-expression';
import { StepRenderContext } from './private/render';
import { PropertyReference } from './property-reference';
import { RetryPolicy } from './retry-policy';
import { TrainyardValidationError } from '../../core/errors';

/**
 * Properties every pipeline step has.
 */
export interface PipelineStepProps {
  /**
   * The step's name, unique in the pipeline: letters, digits, `-` and `_`, at most 64 characters.
   * Property references render it (`Steps.<name>...`).
   */
  readonly name: string;

  /**
   * The name shown in SageMaker Studio.
   *
   * @default - the name
   */
  readonly displayName?: string;

  /**
   * What the step does.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Steps that must finish before this one starts, besides those whose properties it reads.
   *
   * @default - only the data dependencies
   */
  readonly dependsOn?: PipelineStep[];
}

/**
 * Step caching: an execution reuses the result of an earlier successful run of the same step with
 * the same arguments instead of running it again.
 */
export interface StepCacheConfig {
  /**
   * Whether caching is on.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /** How long a cached result stays valid (rendered as an ISO 8601 duration, for example `P30D`). */
  readonly expireAfter: Duration;
}

/**
 * Properties of steps that run a SageMaker job (processing, training, model registration).
 */
export interface JobStepProps extends PipelineStepProps {
  /**
   * Reuse the results of an earlier identical run.
   *
   * @default - no caching
   */
  readonly cache?: StepCacheConfig;

  /**
   * How the step retries failures. Replaces the step type's default policies.
   *
   * @default - the step type's defaults (service faults and throttling; training steps also capacity, internal and resource-limit errors)
   */
  readonly retryPolicies?: RetryPolicy[];
}

/**
 * A step of a SageMaker pipeline. Subclasses: `ProcessingStep`, `TrainingStep`, `ConditionStep`,
 * `RegisterModelStep`, `FailStep`.
 */
export abstract class PipelineStep {
  /** The step's name. */
  public readonly name: string;

  /** The step type in the definition (`Training`, `Processing`, ...). */
  public readonly stepType: string;

  /** The name shown in SageMaker Studio, if set. */
  public readonly displayName?: string;

  /** The description, if set. */
  public readonly description?: string;

  private readonly explicitDependencies: PipelineStep[] = [];
  private recorded: PipelineExpression[] = [];

  protected constructor(stepType: string, props: PipelineStepProps) {
    if (!props || typeof props.name !== 'string') {
      throw new TrainyardValidationError(`${stepType}Step.name`, 'is required: letters, digits, - and _, at most 64 characters.');
    }
    this.name = props.name;
    this.stepType = stepType;
    this.displayName = props.displayName;
    this.description = props.description;
    for (const step of props.dependsOn ?? []) {
      this.addDependency(step);
    }
  }

  /** Makes this step wait for `step`. */
  public addDependency(step: PipelineStep): void {
    if (!(step instanceof PipelineStep)) {
      throw new TrainyardValidationError(`${this.stepType}Step(${this.name}).dependsOn`, 'each entry must be a pipeline step.');
    }
    if (!this.explicitDependencies.includes(step)) {
      this.explicitDependencies.push(step);
    }
  }

  /** The steps this step waits for explicitly (`DependsOn`). */
  public get dependsOn(): PipelineStep[] {
    return [...this.explicitDependencies];
  }

  /**
   * A property of this step by its path, for example `ModelArtifacts.S3ModelArtifacts`. The path is
   * checked at synth against the properties this step type has.
   */
  public property(path: string): PropertyReference {
    return new PropertyReference(this, path);
  }

  /**
   * Renders the step's entry in the definition.
   *
   * @internal
   */
  public _render(context: StepRenderContext): any {
    this.recorded = [];
    const args = this._renderArguments(context);
    return {
      Name: this.name,
      Type: this.stepType,
      ...(this.displayName !== undefined ? { DisplayName: this.displayName } : {}),
      ...(this.description !== undefined ? { Description: this.description } : {}),
      ...(this.explicitDependencies.length > 0 ? { DependsOn: this.explicitDependencies.map((s) => s.name) } : {}),
      ...(args !== undefined ? { Arguments: args } : {}),
      ...this._renderStepOptions(context),
    };
  }

  /**
   * Expressions the last render used (for dependency and reference checks).
   *
   * @internal
   */
  public _recordedExpressions(): PipelineExpression[] {
    return [...this.recorded];
  }

  /**
   * Steps nested in this step (condition branches).
   *
   * @internal
   */
  public _children(): PipelineStep[] {
    return [];
  }

  /**
   * Why `path` is not a property of this step type, or undefined when it is.
   *
   * @internal
   */
  public _checkPropertyPath(path: string): string | undefined {
    const roots = this.propertyRoots();
    const root = path.split(/[.[]/)[0];
    if (!roots.includes(root)) {
      return `'${path}' is not a property of a ${this.stepType} step (it has ${roots.join(', ') || 'no properties'})`;
    }
    return this.checkPropertyDetail(path);
  }

  /**
   * Problems only the step knows of (missing props that depend on the definition), as sentences.
   *
   * @internal
   */
  public _validate(): string[] {
    return [];
  }

  /** Renders `expression`, recording it for the definition's reference checks. */
  protected value(expression: PipelineExpression): any {
    if (!(expression instanceof PipelineExpression)) {
      throw new TrainyardValidationError(`${this.stepType}Step(${this.name})`, `expected a PipelineExpression, got ${JSON.stringify(expression)}; wrap literals with PipelineExpression.fromString().`);
    }
    this.recorded.push(expression);
    return expression.render();
  }

  /**
   * The step's `Arguments`, or undefined when the step type has none.
   *
   * @internal
   */
  protected abstract _renderArguments(context: StepRenderContext): any;

  /**
   * Step-level keys besides `Arguments` (`RetryPolicies`, `CacheConfig`, `PropertyFiles`).
   *
   * @internal
   */
  protected _renderStepOptions(_context: StepRenderContext): any {
    return {};
  }

  /** The first segments of the property paths this step type has (DescribeTrainingJob response fields, ...). */
  protected abstract propertyRoots(): string[];

  /** Deeper checks of a property path whose root is valid; returns why it is invalid, or undefined. */
  protected checkPropertyDetail(_path: string): string | undefined {
    return undefined;
  }
}

