import { Condition } from './condition';
import { PipelineStep, PipelineStepProps } from './pipeline-step';
import { StepRenderContext } from './private/render';
import { PropertyReference } from './property-reference';
import { TrainyardValidationError } from '../../core/errors';

/**
 * Properties of a condition step.
 */
export interface ConditionStepProps extends PipelineStepProps {
  /** The conditions; the step takes `ifSteps` when all of them hold. */
  readonly conditions: Condition[];
  /**
   * The steps that run when the conditions hold. They are nested in this step's definition and
   * must not be added to the pipeline separately.
   *
   * @default - none
   */
  readonly ifSteps?: PipelineStep[];
  /**
   * The steps that run otherwise (for example a `FailStep`).
   *
   * @default - none
   */
  readonly elseSteps?: PipelineStep[];
}

/**
 * A step that branches on conditions: a quality gate before registering a model, for example.
 */
export class ConditionStep extends PipelineStep {
  /** The steps that run when the conditions hold. */
  public readonly ifSteps: PipelineStep[];
  /** The steps that run otherwise. */
  public readonly elseSteps: PipelineStep[];
  /** The conditions. */
  public readonly conditions: Condition[];

  constructor(props: ConditionStepProps) {
    super('Condition', props);
    if (!Array.isArray(props.conditions) || props.conditions.length === 0) {
      throw new TrainyardValidationError(`ConditionStep(${props.name}).conditions`, 'must hold at least one Condition.');
    }
    this.conditions = [...props.conditions];
    this.ifSteps = [...(props.ifSteps ?? [])];
    this.elseSteps = [...(props.elseSteps ?? [])];
  }

  /** Whether the conditions held (`Outcome`). */
  public get outcome(): PropertyReference {
    return this.property('Outcome');
  }

  /** @internal */
  public _children(): PipelineStep[] {
    return [...this.ifSteps, ...this.elseSteps];
  }

  /** @internal */
  public _validate(): string[] {
    const errors = this.conditions.flatMap((c) => c._typeErrors());
    if (this.ifSteps.length === 0 && this.elseSteps.length === 0) {
      errors.push('both ifSteps and elseSteps are empty, so the condition decides nothing');
    }
    for (const [branch, steps] of [['ifSteps', this.ifSteps], ['elseSteps', this.elseSteps]] as const) {
      for (const step of steps) {
        if (!(step instanceof PipelineStep)) {
          errors.push(`${branch} names ${JSON.stringify(step)}, which is not a pipeline step`);
        } else if (step === this) {
          errors.push(`${branch} names the condition step itself`);
        }
      }
    }
    return errors;
  }

  /** @internal */
  protected _renderArguments(context: StepRenderContext): any {
    const valueOf = (e: any) => this.value(e);
    return {
      Conditions: this.conditions.flatMap((c) => c._renderTopLevel(valueOf)),
      IfSteps: this.ifSteps.filter((s) => s instanceof PipelineStep).map((s) => s._render(context)),
      ElseSteps: this.elseSteps.filter((s) => s instanceof PipelineStep).map((s) => s._render(context)),
    };
  }

  protected propertyRoots(): string[] {
    return ['Outcome'];
  }
}
