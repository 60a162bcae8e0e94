import { ExecutionVariable } from './execution-variable';
import { Parameter } from './parameter';
import { PipelineExpression } from './pipeline-expression';
import { PipelineStep } from './pipeline-step';
import type { ExpressionDependency } from './private/expression-dependency';
import { StepRenderContext } from './private/render';
import { RUN_TAG_KEYS } from './private/run-tag-keys';
import { ProcessingStep } from './processing-step';
import { TrainyardValidationError } from '../../core/errors';

/**
 * The SageMaker Experiments names an execution's jobs are grouped under
 * (`PipelineExperimentConfig`).
 */
export interface PipelineExperimentConfig {
  /**
   * The experiment name.
   *
   * @default ExecutionVariable.PIPELINE_NAME
   */
  readonly experimentName?: PipelineExpression;
  /**
   * The trial (run group) name.
   *
   * @default ExecutionVariable.PIPELINE_EXECUTION_ID
   */
  readonly trialName?: PipelineExpression;
}

/**
 * The provenance every job of an execution is tagged with (`trainyard:git-sha`,
 * `trainyard:dataset-version`, `trainyard:config-hash`; `trainyard:team` comes from each step's
 * environment). Values are usually parameters set by CI or the trigger.
 */
export interface PipelineRunTagValues {
  /**
   * The git commit of the training code.
   *
   * @default - not tagged
   */
  readonly gitSha?: PipelineExpression;
  /**
   * The dataset version the run trains on.
   *
   * @default - not tagged
   */
  readonly datasetVersion?: PipelineExpression;
  /**
   * A hash of the run's configuration.
   *
   * @default - not tagged
   */
  readonly configHash?: PipelineExpression;
}

/**
 * Properties of a pipeline definition.
 */
export interface PipelineDefinitionProps {
  /**
   * Parameters to declare even if no step reads them. Parameters that steps read are declared automatically.
   *
   * @default - only the parameters steps read
   */
  readonly parameters?: Parameter[];
  /**
   * The top-level steps. Steps in condition branches are nested in their condition step and must not be listed here.
   *
   * @default - none; add them with `addStep`
   */
  readonly steps?: PipelineStep[];
  /**
   * The SageMaker Experiments names of executions.
   *
   * @default - experiment = pipeline name, trial = execution id
   */
  readonly experimentConfig?: PipelineExperimentConfig;
  /**
   * Provenance tags on every job.
   *
   * @default - only the team tag
   */
  readonly runTags?: PipelineRunTagValues;
}

interface PlacedStep {
  readonly step: PipelineStep;
  readonly location: string;
}

/**
 * A typed SageMaker pipeline definition (JSON schema version 2020-12-01): parameters, steps and
 * their data dependencies. `validate()` finds, at synth, what SageMaker would reject or what would
 * fail hours into a run; `TrainingPipeline` runs it as a construct validation.
 */
export class PipelineDefinition {
  /** The definition schema version rendered. */
  public static readonly SCHEMA_VERSION = '2020-12-01';
  /** The longest definition `CreatePipeline` accepts, in characters. */
  public static readonly MAX_DEFINITION_LENGTH = 1048576;
  /** The longest step or parameter name the definition schema allows. */
  public static readonly MAX_NAME_LENGTH = 64;

  private readonly topLevel: PipelineStep[] = [];
  private readonly declaredParameters: Parameter[] = [];
  private readonly experimentConfig: PipelineExperimentConfig;
  private readonly runTags: Array<{ key: string; value: PipelineExpression }>;

  constructor(props: PipelineDefinitionProps = {}) {
    this.experimentConfig = props.experimentConfig ?? {};
    const tags = props.runTags ?? {};
    this.runTags = [
      ...(tags.gitSha ? [{ key: RUN_TAG_KEYS.gitSha, value: tags.gitSha }] : []),
      ...(tags.datasetVersion ? [{ key: RUN_TAG_KEYS.datasetVersion, value: tags.datasetVersion }] : []),
      ...(tags.configHash ? [{ key: RUN_TAG_KEYS.configHash, value: tags.configHash }] : []),
    ];
    this.addParameter(...(props.parameters ?? []));
    this.addStep(...(props.steps ?? []));
  }

  /**
   * Whether the execution's experiment is named after the pipeline (no `experimentConfig.experimentName`).
   *
   * @internal
   */
  public get _experimentNamedAfterPipeline(): boolean {
    return this.experimentConfig.experimentName === undefined;
  }

  /** Declares parameters (steps' parameters are declared automatically). */
  public addParameter(...parameters: Parameter[]): void {
    for (const parameter of parameters) {
      if (!(parameter instanceof Parameter)) {
        throw new TrainyardValidationError('PipelineDefinition.parameters', 'each entry must be a Parameter (Parameter.string(...), Parameter.float(...), ...).');
      }
      this.declaredParameters.push(parameter);
    }
  }

  /** Adds top-level steps. */
  public addStep(...steps: PipelineStep[]): void {
    for (const step of steps) {
      if (!(step instanceof PipelineStep)) {
        throw new TrainyardValidationError('PipelineDefinition.steps', 'each entry must be a pipeline step (ProcessingStep, TrainingStep, ...).');
      }
      this.topLevel.push(step);
    }
  }

  /** The top-level steps. */
  public get steps(): PipelineStep[] {
    return [...this.topLevel];
  }

  /** Every step, including those nested in condition branches. */
  public get allSteps(): PipelineStep[] {
    return this.placedSteps().map((p) => p.step);
  }

  /** The distinct step types used (`Training`, `Processing`, ...). */
  public get stepTypes(): string[] {
    return [...new Set(this.allSteps.map((s) => s.stepType))].sort();
  }

  /** Every parameter of the definition: declared ones and those steps read (first declaration of a name wins). */
  public get parameters(): Parameter[] {
    const { parameters } = this.renderInternal();
    return parameters;
  }

  /** The definition as a JSON-compatible object. Deploy-time values (ARNs, bucket names) stay CDK tokens. */
  public render(): any {
    return this.renderInternal().definition;
  }

  /** The definition as a JSON string. Deploy-time values stay CDK tokens; `TrainingPipeline` resolves them. */
  public toJson(): string {
    return JSON.stringify(this.render());
  }

  /**
   * Everything SageMaker would reject, or that would fail during a run, as messages that name the
   * step or parameter. Empty when the definition is valid.
   */
  public validate(): string[] {
    const errors: string[] = [];
    const placed = this.placedSteps();
    const inDefinition = new Set(placed.map((p) => p.step));
    const where = new Map(placed.map((p) => [p.step, p.location] as const));
    const label = (step: PipelineStep) => `Step '${step.name}'${where.get(step) === 'top level' ? '' : ` (in ${where.get(step)})`}`;

    // Names.
    const byName = new Map<string, PlacedStep[]>();
    for (const p of placed) {
      byName.set(p.step.name, [...(byName.get(p.step.name) ?? []), p]);
    }
    for (const [name, places] of byName) {
      checkName(errors, `Step '${name}'`, name);
      if (places.length > 1) {
        const same = places.every((p) => p.step === places[0].step);
        errors.push(same
          ? `Step '${name}': is placed ${places.length} times (${places.map((p) => p.location).join('; ')}); a step runs in one place only, so list a branch step only in its condition step.`
          : `Step '${name}': the name is used by ${places.length} steps (${places.map((p) => `${p.step.stepType} at ${p.location}`).join('; ')}); step names must be unique.`);
      }
    }

    // Per-step checks and references.
    let rendered: { definition: any; parameters: Parameter[]; dependencies: Map<PipelineStep, ExpressionDependency[]> };
    try {
      rendered = this.renderInternal();
    } catch (e) {
      return [...errors, `Pipeline definition: cannot render: ${(e as Error).message}`];
    }
    const edges = new Map<PipelineStep, Set<PipelineStep>>();
    for (const { step, location } of placed) {
      const deps = new Set<PipelineStep>();
      for (const message of step._validate()) {
        errors.push(`${label(step)}: ${message}.`);
      }
      for (const dependency of step.dependsOn) {
        deps.add(dependency);
        if (!inDefinition.has(dependency)) {
          errors.push(`${label(step)}: depends on step '${dependency.name}', which is not in the pipeline definition; add it with addStep.`);
        }
      }
      for (const dep of rendered.dependencies.get(step) ?? []) {
        if (!dep.step) {
          continue;
        }
        deps.add(dep.step);
        if (!inDefinition.has(dep.step)) {
          errors.push(`${label(step)}: reads ${dep.kind === 'propertyFile' ? `property file '${dep.propertyFileName}' of` : `'${dep.path}' of`} step '${dep.step.name}', which is not in the pipeline definition; add it with addStep.`);
          continue;
        }
        if (dep.kind === 'step') {
          const problem = dep.step._checkPropertyPath(dep.path!);
          if (problem) {
            errors.push(`${label(step)}: reads ${problem}.`);
          }
        } else if (dep.kind === 'propertyFile') {
          const declared = dep.step instanceof ProcessingStep ? dep.step.propertyFileNames : [];
          if (!declared.includes(dep.propertyFileName!)) {
            errors.push(
              `${label(step)}: reads property file '${dep.propertyFileName}' of step '${dep.step.name}', which declares ` +
              `${declared.length > 0 ? `only ${declared.join(', ')}` : 'no property files'}; declare it in ProcessingStepProps.propertyFiles.`,
            );
          }
        }
      }
      if (location !== 'top level') {
        const parent = placed.find((p) => p.step._children().includes(step));
        if (parent) {
          deps.add(parent.step);
        }
      }
      edges.set(step, deps);
    }

    // Parameters.
    const parameterTypes = new Map<string, Set<string>>();
    for (const parameter of this.declaredParameters) {
      parameterTypes.set(parameter.name, new Set([...(parameterTypes.get(parameter.name) ?? []), parameter.valueType]));
    }
    for (const deps of rendered.dependencies.values()) {
      for (const dep of deps) {
        if (dep.kind === 'parameter') {
          parameterTypes.set(dep.parameterName!, new Set([...(parameterTypes.get(dep.parameterName!) ?? []), dep.parameterType!]));
        }
      }
    }
    for (const [name, types] of parameterTypes) {
      checkName(errors, `Parameter '${name}'`, name);
      if (types.size > 1) {
        errors.push(`Parameter '${name}': is declared with ${types.size} types (${[...types].join(', ')}); use one parameter per name.`);
      }
    }

    // Cycles.
    for (const cycle of findCycles(placed.map((p) => p.step), edges)) {
      errors.push(`Step '${cycle[0].name}': dependency cycle ${cycle.map((s) => s.name).join(' -> ')}; a step cannot wait for itself.`);
    }

    // Size.
    const length = estimatedLength(JSON.stringify(rendered.definition));
    if (length > PipelineDefinition.MAX_DEFINITION_LENGTH) {
      errors.push(`Pipeline definition: is about ${length} characters, over the ${PipelineDefinition.MAX_DEFINITION_LENGTH} SageMaker accepts; split the pipeline.`);
    }
    return errors;
  }

  private placedSteps(): PlacedStep[] {
    const out: PlacedStep[] = [];
    const visit = (step: PipelineStep, location: string, path: Set<PipelineStep>) => {
      out.push({ step, location });
      if (path.has(step)) {
        return; // a condition nested in itself; reported as placed twice
      }
      const children = step._children();
      const ifSteps = (step as any).ifSteps as PipelineStep[] | undefined;
      for (const child of children) {
        if (child instanceof PipelineStep) {
          const branch = ifSteps?.includes(child) ? 'ifSteps' : 'elseSteps';
          visit(child, `${branch} of ConditionStep '${step.name}'`, new Set([...path, step]));
        }
      }
    };
    for (const step of this.topLevel) {
      visit(step, 'top level', new Set());
    }
    return out;
  }

  private renderInternal(): { definition: any; parameters: Parameter[]; dependencies: Map<PipelineStep, ExpressionDependency[]> } {
    const context: StepRenderContext = { runTags: this.runTags };
    const steps = this.topLevel.map((s) => s._render(context));
    const dependencies = new Map<PipelineStep, ExpressionDependency[]>();
    const extra: PipelineExpression[] = [];
    const experiment = {
      ExperimentName: (this.experimentConfig.experimentName ?? ExecutionVariable.PIPELINE_NAME),
      TrialName: (this.experimentConfig.trialName ?? ExecutionVariable.PIPELINE_EXECUTION_ID),
    };
    extra.push(experiment.ExperimentName, experiment.TrialName);
    for (const { step } of this.placedSteps()) {
      dependencies.set(step, step._recordedExpressions().flatMap((e) => e._dependencies()));
    }
    const parameters = new Map<string, Parameter>();
    for (const parameter of this.declaredParameters) {
      if (!parameters.has(parameter.name)) {
        parameters.set(parameter.name, parameter);
      }
    }
    const all = [...[...dependencies.values()].flat(), ...extra.flatMap((e) => e._dependencies())];
    for (const dep of all) {
      if (dep.kind === 'parameter' && !parameters.has(dep.parameterName!)) {
        parameters.set(dep.parameterName!, dep.parameter as Parameter);
      }
    }
    const definition = {
      Version: PipelineDefinition.SCHEMA_VERSION,
      Metadata: {},
      Parameters: [...parameters.values()].map((p) => p.renderDeclaration()),
      PipelineExperimentConfig: { ExperimentName: experiment.ExperimentName.render(), TrialName: experiment.TrialName.render() },
      Steps: steps,
    };
    return { definition, parameters: [...parameters.values()], dependencies };
  }
}

const NAME_PATTERN = /^[A-Za-z0-9\-_]+$/;

function checkName(errors: string[], label: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    errors.push(`${label}: the name is empty.`);
  } else if (name.length > PipelineDefinition.MAX_NAME_LENGTH) {
    errors.push(`${label}: the name is ${name.length} characters; SageMaker allows at most ${PipelineDefinition.MAX_NAME_LENGTH}.`);
  } else if (!NAME_PATTERN.test(name)) {
    errors.push(`${label}: the name may contain only letters, digits, '-' and '_'.`);
  }
}

function findCycles(steps: PipelineStep[], edges: Map<PipelineStep, Set<PipelineStep>>): PipelineStep[][] {
  const state = new Map<PipelineStep, 'visiting' | 'done'>();
  const cycles: PipelineStep[][] = [];
  const stack: PipelineStep[] = [];
  const visit = (step: PipelineStep) => {
    state.set(step, 'visiting');
    stack.push(step);
    for (const next of edges.get(step) ?? []) {
      if (!edges.has(next)) {
        continue;
      }
      if (state.get(next) === 'visiting') {
        cycles.push([...stack.slice(stack.indexOf(next)), next]);
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(step, 'done');
  };
  for (const step of steps) {
    if (!state.has(step)) {
      visit(step);
    }
  }
  return cycles;
}

/** The rendered length, counting each unresolved token (an ARN, a bucket name) as 128 characters. */
function estimatedLength(json: string): number {
  let length = json.length;
  for (const token of json.match(/\$\{Token\[[^\]]+\]\}/g) ?? []) {
    length += 128 - token.length;
  }
  return length;
}
