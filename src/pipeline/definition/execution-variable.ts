import { PipelineExpression, PipelineValueType } from './pipeline-expression';

/**
 * A value SageMaker sets for each pipeline execution, read as `{"Get": "Execution.<name>"}`.
 */
export class ExecutionVariable extends PipelineExpression {
  /** The execution's id, unique per run: use it in S3 keys so runs never overwrite each other. */
  public static readonly PIPELINE_EXECUTION_ID = new ExecutionVariable('PipelineExecutionId');
  /** The execution's ARN. */
  public static readonly PIPELINE_EXECUTION_ARN = new ExecutionVariable('PipelineExecutionArn');
  /** The pipeline's name. */
  public static readonly PIPELINE_NAME = new ExecutionVariable('PipelineName');
  /** The pipeline's ARN. */
  public static readonly PIPELINE_ARN = new ExecutionVariable('PipelineArn');
  /** When the execution started. */
  public static readonly START_DATE_TIME = new ExecutionVariable('StartDateTime');
  /** The time the variable is evaluated. */
  public static readonly CURRENT_DATE_TIME = new ExecutionVariable('CurrentDateTime');

  /** Execution variables are strings. */
  public readonly valueType = PipelineValueType.STRING;

  private constructor(public readonly variableName: string) {
    super();
  }

  /** `{"Get": "Execution.<name>"}` */
  public render(): any {
    return { Get: `Execution.${this.variableName}` };
  }
}
