import { PipelineExpression, PipelineValueType } from './pipeline-expression';
import type { PipelineStep } from './pipeline-step';
import type { ExpressionDependency } from './private/expression-dependency';

/**
 * A value read at run time from a JSON property file a processing step wrote (`Std:JsonGet`), for
 * example the accuracy in `evaluation.json`. The property file must be declared on that step
 * (`ProcessingStepProps.propertyFiles`); an undeclared one fails at synth.
 */
export class JsonGet extends PipelineExpression {
  /** Only known at run time. */
  public readonly valueType = PipelineValueType.ANY;

  /**
   * @param step the processing step that writes the property file
   * @param propertyFileName the name the property file is declared under on that step
   * @param jsonPath the path inside the JSON document, for example `metrics.accuracy.value`
   */
  constructor(public readonly step: PipelineStep, public readonly propertyFileName: string, public readonly jsonPath: string) {
    super();
  }

  /** `{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.<step>.PropertyFiles.<name>"}, "Path": "<path>"}}` */
  public render(): any {
    return {
      'Std:JsonGet': {
        PropertyFile: { Get: `Steps.${this.step.name}.PropertyFiles.${this.propertyFileName}` },
        Path: this.jsonPath,
      },
    };
  }

  /** @internal */
  public _dependencies(): ExpressionDependency[] {
    return [{ kind: 'propertyFile', step: this.step, propertyFileName: this.propertyFileName }];
  }
}
