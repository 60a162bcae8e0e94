import { PipelineExpression, PipelineValueType } from './pipeline-expression';
import type { PipelineStep } from './pipeline-step';
import type { ExpressionDependency } from './private/expression-dependency';

/**
 * A property of a step, known once the step has run: `{"Get": "Steps.<step>.<path>"}`, for
 * example `Steps.Train.ModelArtifacts.S3ModelArtifacts`. Using one makes the reading step wait
 * for the referenced step. Obtain them from the steps (`train.modelArtifactsUri`,
 * `processing.outputUri('metrics')`, `step.property(path)`); the path is checked at synth against
 * what that step type exposes.
 */
export class PropertyReference extends PipelineExpression {
  /** Step properties are only known at run time. */
  public readonly valueType = PipelineValueType.ANY;

  /**
   * @param step the step whose property is read
   * @param path the property path below the step, for example `ModelArtifacts.S3ModelArtifacts`
   */
  constructor(public readonly step: PipelineStep, public readonly path: string) {
    super();
  }

  /** `{"Get": "Steps.<step>.<path>"}` */
  public render(): any {
    return { Get: `Steps.${this.step.name}.${this.path}` };
  }

  /** @internal */
  public _dependencies(): ExpressionDependency[] {
    return [{ kind: 'step', step: this.step, path: this.path }];
  }
}
