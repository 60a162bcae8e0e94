import type { PipelineValueType } from '../pipeline-expression';
import type { PipelineStep } from '../pipeline-step';

/**
 * What an expression depends on: a step property, a pipeline parameter, or a property file of a step.

 */
export interface ExpressionDependency {
  readonly kind: 'step' | 'parameter' | 'propertyFile';
  readonly step?: PipelineStep;
  readonly path?: string;
  readonly parameterName?: string;
  readonly parameterType?: PipelineValueType;
  readonly parameter?: unknown;
  readonly propertyFileName?: string;
}

