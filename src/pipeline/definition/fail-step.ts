import { PipelineExpression } from './pipeline-expression';
import { PipelineStep, PipelineStepProps } from './pipeline-step';

/**
 * Properties of a fail step.
 */
export interface FailStepProps extends PipelineStepProps {
  /**
   * Why the execution failed, shown on the execution; may join run-time values such as the metric
   * that missed its threshold.
   *
   * @default - no message
   */
  readonly errorMessage?: PipelineExpression;
}

/**
 * A step that stops the execution with status `Failed` and a message (for example after a quality
 * gate rejected the model).
 */
export class FailStep extends PipelineStep {
  private readonly errorMessage?: PipelineExpression;

  constructor(props: FailStepProps) {
    super('Fail', props);
    this.errorMessage = props.errorMessage;
  }

  /** @internal */
  protected _renderArguments(): any {
    return this.errorMessage ? { ErrorMessage: this.value(this.errorMessage) } : {};
  }

  protected propertyRoots(): string[] {
    return [];
  }
}
