/**
 * Runs a pipeline definition's control flow as SageMaker Pipelines does: steps in dependency order
 * (`DependsOn`, the step properties and property files they read, and the condition branch they sit
 * in), condition steps choosing their `IfSteps` or `ElseSteps`, a Fail step ending the run with its
 * message, and every other step type handed to a `StepExecutor`. Pure apart from the executor.
 */
import { EvaluationError, EvaluationScope, evaluate, evaluateConditions, referencedSteps } from './expressions';

/** A step of the definition (as the JSON has it). */
export interface StepDefinition {
  readonly Name: string;
  readonly Type: string;
  readonly DependsOn?: string[];
  readonly Arguments?: any;
  readonly PropertyFiles?: Array<{ PropertyFileName: string; OutputName: string; FilePath: string }>;
  readonly [key: string]: any;
}

/** What a job step (or a recorded service-only step) left behind. */
export interface StepResult {
  /** The step's properties, as its Describe* response has them (`ModelArtifacts.S3ModelArtifacts`, ...). */
  readonly properties: any;
  /** The parsed property files, by name (undefined: the step wrote no such file). */
  readonly propertyFiles?: Record<string, any>;
  /** One line on what happened (where the outputs landed, what would be registered). */
  readonly detail?: string;
  /** Local folders or files the step produced. */
  readonly outputs?: string[];
}

/** Runs the steps that are not control flow. */
export interface StepExecutor {
  /** Whether steps of `type` run locally (Processing, Training); others are recorded. */
  runs(type: string, step?: StepDefinition): boolean;
  /** Runs a job step whose arguments are evaluated. Throws to fail the step. */
  run(step: StepDefinition, args: any): Promise<StepResult>;
  /** Records a service-only step (RegisterModel, ...): what it would do, and any properties known locally. */
  record(step: StepDefinition, args: any): StepResult;
  /** The parsed JSON at an S3 URI. */
  jsonAt(uri: string): any;
}

/** The status of a step after a local run. */
export type StepStatus = 'Succeeded' | 'Failed' | 'Recorded' | 'Skipped' | 'NotStarted';

/** One step of a local run, for the output. */
export interface StepRecord {
  readonly name: string;
  readonly type: string;
  status: StepStatus;
  seconds?: number;
  detail?: string;
  outputs?: string[];
  /** A condition step's outcome. */
  condition?: { readonly holds: boolean; readonly text: string; readonly branch: string[] };
  /** Why it failed or was skipped. */
  message?: string;
}

/** What a local run reports as it goes. */
export type RunEvent =
  | { readonly kind: 'start'; readonly step: StepRecord }
  | { readonly kind: 'end'; readonly step: StepRecord };

/** The outcome of a local run. */
export interface RunOutcome {
  readonly status: 'Succeeded' | 'Failed';
  /** The step that failed (a job, a condition that could not be evaluated, or a Fail step). */
  readonly failedStep?: string;
  /** Why. */
  readonly message?: string;
  readonly steps: StepRecord[];
}

/** The values a run starts with. */
export interface RunInputs {
  readonly parameters: Readonly<Record<string, any>>;
  readonly execution: Readonly<Record<string, any>>;
}

interface Node {
  readonly step: StepDefinition;
  readonly index: number;
  /** The condition step and branch this step sits in. */
  readonly branchOf?: { readonly condition: string; readonly branch: 'If' | 'Else' };
  readonly dependencies: Set<string>;
}

/** Flattens the steps (condition branches included) and orders them by their dependencies. */
export function planSteps(definition: any): { nodes: Node[]; order: string[] } {
  const nodes: Node[] = [];
  const visit = (steps: any[], branchOf?: Node['branchOf']) => {
    for (const step of steps ?? []) {
      if (!step || typeof step.Name !== 'string') {
        throw new EvaluationError('a step of the definition has no Name');
      }
      if (nodes.some((n) => n.step.Name === step.Name)) {
        throw new EvaluationError(`two steps are named '${step.Name}'`);
      }
      const node: Node = { step, index: nodes.length, branchOf, dependencies: new Set<string>() };
      nodes.push(node);
      if (step.Type === 'Condition') {
        visit(step.Arguments?.IfSteps ?? [], { condition: step.Name, branch: 'If' });
        visit(step.Arguments?.ElseSteps ?? [], { condition: step.Name, branch: 'Else' });
      }
    }
  };
  visit(definition?.Steps ?? []);
  const names = new Set(nodes.map((n) => n.step.Name));
  for (const node of nodes) {
    const { Arguments: args, ...rest } = node.step;
    // A condition's branches are its children, not data it reads.
    const read = node.step.Type === 'Condition' ? { Conditions: args?.Conditions } : args;
    for (const name of [...(node.step.DependsOn ?? []), ...referencedSteps(read), ...referencedSteps(rest)]) {
      if (!names.has(name)) {
        throw new EvaluationError(`step '${node.step.Name}' depends on '${name}', which is not a step of the pipeline`);
      }
      if (name !== node.step.Name) node.dependencies.add(name);
    }
    if (node.branchOf) node.dependencies.add(node.branchOf.condition);
  }
  // Kahn's algorithm; ties in definition order, so the run is deterministic.
  const remaining = new Map(nodes.map((n) => [n.step.Name, new Set(n.dependencies)]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = nodes.find((n) => remaining.has(n.step.Name) && remaining.get(n.step.Name)!.size === 0);
    if (!ready) {
      throw new EvaluationError(`the steps ${[...remaining.keys()].join(', ')} depend on each other in a cycle`);
    }
    order.push(ready.step.Name);
    remaining.delete(ready.step.Name);
    for (const deps of remaining.values()) deps.delete(ready.step.Name);
  }
  return { nodes, order };
}

/**
 * Runs the definition. Steps run one at a time in dependency order (the outcome is the same as
 * the service's parallel run); the first failure ends the run, as does a Fail step.
 */
export async function runPipeline(
  definition: any, inputs: RunInputs, executor: StepExecutor, onEvent: (e: RunEvent) => void = () => {},
): Promise<RunOutcome> {
  const { nodes, order } = planSteps(definition);
  const byName = new Map(nodes.map((n) => [n.step.Name, n]));
  const records = new Map<string, StepRecord>(nodes.map((n) => [n.step.Name, { name: n.step.Name, type: n.step.Type, status: 'NotStarted' }]));
  const results = new Map<string, StepResult>();
  const scope: EvaluationScope = {
    parameter: (name) => {
      if (!Object.prototype.hasOwnProperty.call(inputs.parameters, name)) {
        throw new EvaluationError(`parameter '${name}' is not declared by the pipeline`);
      }
      return inputs.parameters[name];
    },
    execution: (name) => {
      if (!Object.prototype.hasOwnProperty.call(inputs.execution, name)) {
        throw new EvaluationError(`execution variable '${name}' is unknown (known: ${Object.keys(inputs.execution).join(', ')})`);
      }
      return inputs.execution[name];
    },
    stepProperties: (name) => {
      const result = results.get(name);
      if (!result) {
        throw new EvaluationError(`step ${name} has not run, so its properties are unknown`);
      }
      return result.properties;
    },
    propertyFile: (name, file) => {
      const result = results.get(name);
      if (!result) {
        throw new EvaluationError(`step ${name} has not run, so its property file ${file} is unknown`);
      }
      const declared = (byName.get(name)?.step.PropertyFiles ?? []).find((p) => p.PropertyFileName === file);
      if (!declared) {
        throw new EvaluationError(`step ${name} declares no property file ${file}`);
      }
      const doc = result.propertyFiles?.[file];
      if (doc === undefined) {
        throw new EvaluationError(`step ${name} wrote no ${declared.FilePath} in its output '${declared.OutputName}' (property file ${file})`);
      }
      return doc;
    },
    jsonAt: (uri) => executor.jsonAt(uri),
  };

  const fail = (record: StepRecord, message: string): RunOutcome => {
    record.status = 'Failed';
    record.message = message;
    onEvent({ kind: 'end', step: record });
    return { status: 'Failed', failedStep: record.name, message, steps: [...records.values()] };
  };

  for (const name of order) {
    const node = byName.get(name)!;
    const record = records.get(name)!;
    const skippedBecause = whySkipped(node, records);
    if (skippedBecause) {
      record.status = 'Skipped';
      record.message = skippedBecause;
      onEvent({ kind: 'end', step: record });
      continue;
    }
    const step = node.step;
    const started = Date.now();
    const elapsed = () => Math.round((Date.now() - started) / 10) / 100;
    try {
      if (step.Type === 'Condition') {
        const outcome = evaluateConditions(step.Arguments?.Conditions ?? [], scope);
        const branch = ((outcome.holds ? step.Arguments?.IfSteps : step.Arguments?.ElseSteps) ?? []).map((s: any) => s.Name);
        record.condition = { holds: outcome.holds, text: outcome.text, branch };
        record.status = 'Succeeded';
        record.seconds = elapsed();
        results.set(name, { properties: { Outcome: outcome.holds } });
        onEvent({ kind: 'end', step: record });
      } else if (step.Type === 'Fail') {
        const message = step.Arguments?.ErrorMessage === undefined ? '' : String(evaluate(step.Arguments.ErrorMessage, scope));
        record.seconds = elapsed();
        return fail(record, message);
      } else if (executor.runs(step.Type, step)) {
        record.status = 'NotStarted';
        onEvent({ kind: 'start', step: record });
        const args = evaluate(step.Arguments ?? {}, scope);
        const result = await executor.run(step, args);
        results.set(name, result);
        record.status = 'Succeeded';
        record.seconds = elapsed();
        record.detail = result.detail;
        record.outputs = result.outputs;
        onEvent({ kind: 'end', step: record });
      } else {
        const args = evaluate(step.Arguments ?? {}, scope);
        const result = executor.record(step, args);
        results.set(name, result);
        record.status = 'Recorded';
        record.detail = result.detail;
        record.outputs = result.outputs;
        onEvent({ kind: 'end', step: record });
      }
    } catch (e) {
      record.seconds = elapsed();
      return fail(record, e instanceof Error ? e.message : String(e));
    }
  }
  return { status: 'Succeeded', steps: [...records.values()] };
}

function whySkipped(node: Node, records: Map<string, StepRecord>): string | undefined {
  if (node.branchOf) {
    const condition = records.get(node.branchOf.condition)!;
    if (condition.status === 'Skipped') {
      return `its condition step ${node.branchOf.condition} was skipped`;
    }
    const taken = condition.condition?.holds ? 'If' : 'Else';
    if (taken !== node.branchOf.branch) {
      return `${node.branchOf.condition} took the ${taken} branch`;
    }
  }
  for (const dependency of node.dependencies) {
    if (records.get(dependency)?.status === 'Skipped') {
      return `it depends on ${dependency}, which was skipped`;
    }
  }
  return undefined;
}
