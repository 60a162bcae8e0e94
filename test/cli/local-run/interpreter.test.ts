import { DeployTimeValues } from '../../../src/cli/local-run/cfn-values';
import { evaluate, EvaluationScope, jsonPathGet } from '../../../src/cli/local-run/expressions';
import { planSteps, RunEvent, runPipeline, StepDefinition, StepExecutor, StepResult } from '../../../src/cli/local-run/interpreter';
import { parseDefinitionBody } from '../../../src/cli/local-run/pipeline-source';
import { Condition } from '../../../src/pipeline/definition/condition';
import { ConditionStep } from '../../../src/pipeline/definition/condition-step';
import { ExecutionVariable } from '../../../src/pipeline/definition/execution-variable';
import { FailStep } from '../../../src/pipeline/definition/fail-step';
import { Parameter } from '../../../src/pipeline/definition/parameter';
import { PipelineDefinition } from '../../../src/pipeline/definition/pipeline-definition';
import { PipelineExpression } from '../../../src/pipeline/definition/pipeline-expression';
import { PipelineStep } from '../../../src/pipeline/definition/pipeline-step';
import { ProcessingStep } from '../../../src/pipeline/definition/processing-step';
import { RegisterModelStep } from '../../../src/pipeline/definition/register-model-step';
import { TrainingStep } from '../../../src/pipeline/definition/training-step';
import { newApp } from '../../helpers/synth';
import { platformAndTeam } from '../../pipeline/fixtures';

// One real team environment for every hand-built definition of this file.
const app = newApp();
const { teamStack: stack, environment } = platformAndTeam(app);

const str = PipelineExpression.fromString;
const threshold = Parameter.float('Threshold', { defaultValue: 0.9 });
const mode = Parameter.string('Mode', { defaultValue: 'full' });
const count = Parameter.integer('Count', { defaultValue: 3 });
const flag = Parameter.boolean('Flag', { defaultValue: true });
const DEFAULTS = { Threshold: 0.9, Mode: 'full', Count: 3, Flag: true };
const EXECUTION = { PipelineExecutionId: 'local-1', PipelineName: 'Test' };

/** Fresh steps for one definition: evaluate (with a property file) and a training step. */
function jobSteps() {
  const train = new TrainingStep({
    name: 'Train',
    environment,
    imageUri: 'image:gpu',
    channels: [{ channelName: 'train', s3Uri: PipelineExpression.join('', [str('s3://data/'), mode]) }],
  });
  const evaluateStep = new ProcessingStep({
    name: 'Evaluate',
    environment,
    imageUri: 'image:cpu',
    entrypoint: ['python3', 'evaluate.py'],
    inputs: [{ inputName: 'model', source: train.modelArtifactsUri, destination: '/opt/ml/processing/input/model' }],
    outputs: [{ outputName: 'evaluation', source: '/opt/ml/processing/output/evaluation' }],
    propertyFiles: [{ name: 'EvaluationReport', outputName: 'evaluation', filePath: 'evaluation.json' }],
  });
  return { train, evaluate: evaluateStep, score: evaluateStep.jsonGet('EvaluationReport', 'metrics.accuracy.value') };
}

/** The definition as the synthesized template has it: rendered in the stack, tokens and all, then parsed back. */
function synthesized(...steps: PipelineStep[]): any {
  const definition = new PipelineDefinition();
  definition.addParameter(threshold, mode, count, flag);
  definition.addStep(...steps);
  const body = stack.resolve(stack.toJsonString(definition.render()));
  return parseDefinitionBody('Test', body, new DeployTimeValues());
}

/** A stand-in for the process runner: records what ran and returns canned results. */
class FakeExecutor implements StepExecutor {
  public readonly ran: string[] = [];
  public readonly args = new Map<string, any>();
  constructor(private readonly evaluation: any = { metrics: { accuracy: { value: 0.934 } } }, private readonly failing?: string) {}
  public runs(type: string): boolean {
    return type === 'Processing' || type === 'Training';
  }
  public async run(step: StepDefinition, args: any): Promise<StepResult> {
    this.ran.push(step.Name);
    this.args.set(step.Name, args);
    if (step.Name === this.failing) {
      throw new Error(`${step.Name} exited with status 1`);
    }
    if (step.Type === 'Training') {
      return { properties: { ModelArtifacts: { S3ModelArtifacts: `s3://artifacts/${step.Name}/output/model.tar.gz` } } };
    }
    return {
      properties: { ProcessingOutputConfig: args.ProcessingOutputConfig },
      propertyFiles: Object.fromEntries((step.PropertyFiles ?? []).map((p) => [p.PropertyFileName, this.evaluation])),
    };
  }
  public record(step: StepDefinition, args: any): StepResult {
    this.ran.push(step.Name);
    this.args.set(step.Name, args);
    return { properties: {}, detail: `would register ${args.InferenceSpecification?.Containers?.[0]?.ModelDataUrl}` };
  }
  public jsonAt(uri: string): any {
    throw new Error(`no JSON at ${uri}`);
  }
}

/** validate? -> train -> evaluate -> gate(condition) -> register | fail */
function gated(condition: (score: PipelineExpression) => Condition) {
  const { train, evaluate: evaluateStep, score } = jobSteps();
  const register = new RegisterModelStep({ name: 'Register', environment, modelDataUrl: train.modelArtifactsUri, inferenceImageUri: 'image:inference' });
  const reject = new FailStep({
    name: 'Reject',
    errorMessage: PipelineExpression.join(' ', [str('Model accuracy'), score, str('is below'), threshold, str('in'), ExecutionVariable.PIPELINE_EXECUTION_ID]),
  });
  const gate = new ConditionStep({ name: 'Gate', conditions: [condition(score)], ifSteps: [register], elseSteps: [reject] });
  return synthesized(train, evaluateStep, gate);
}

async function run(definition: any, executor = new FakeExecutor(), parameters: Record<string, any> = DEFAULTS) {
  const events: RunEvent[] = [];
  const outcome = await runPipeline(definition, { parameters, execution: EXECUTION }, executor, (e) => events.push(e));
  const byName = Object.fromEntries(outcome.steps.map((s) => [s.name, s]));
  return { outcome, byName, executor, events };
}

describe('local run interpreter: control flow', () => {
  test('GIVEN the standard shape and a good model THEN it runs train -> evaluate -> gate -> register and records the artifact', async () => {
    const { outcome, byName, executor } = await run(gated((score) => Condition.greaterThanOrEqualTo(score, threshold)));
    expect(outcome.status).toBe('Succeeded');
    expect(executor.ran).toEqual(['Train', 'Evaluate', 'Register']);
    expect(byName.Gate.condition).toEqual({ holds: true, text: '0.934 >= 0.9', branch: ['Register'] });
    expect(byName.Register.status).toBe('Recorded');
    expect(byName.Register.detail).toBe('would register s3://artifacts/Train/output/model.tar.gz');
    expect(byName.Reject.status).toBe('Skipped');
    // The evaluation step read the training step's model artifacts.
    expect(executor.args.get('Evaluate').ProcessingInputs[0].S3Input.S3Uri).toBe('s3://artifacts/Train/output/model.tar.gz');
  });

  test('GIVEN a threshold above the metric THEN the Fail step ends the run with its rendered message', async () => {
    const definition = gated((score) => Condition.greaterThanOrEqualTo(score, threshold));
    const { outcome, byName, executor } = await run(definition, undefined, { ...DEFAULTS, Threshold: 0.999 });
    expect(outcome).toMatchObject({ status: 'Failed', failedStep: 'Reject', message: 'Model accuracy 0.934 is below 0.999 in local-1' });
    expect(byName.Gate.condition).toEqual({ holds: false, text: '0.934 >= 0.999', branch: ['Reject'] });
    expect(byName.Register.status).toBe('Skipped');
    expect(executor.ran).not.toContain('Register');
  });

  test('GIVEN a job step that fails THEN the run ends there, naming it, and later steps never start', async () => {
    const { outcome, executor, byName } = await run(gated((score) => Condition.greaterThan(score, threshold)), new FakeExecutor(undefined, 'Train'));
    expect(outcome).toMatchObject({ status: 'Failed', failedStep: 'Train', message: 'Train exited with status 1' });
    expect(executor.ran).toEqual(['Train']);
    expect(byName.Evaluate.status).toBe('NotStarted');
  });

  test('GIVEN nested condition steps THEN only the branches taken run', async () => {
    const build = () => {
      const { train, evaluate: evaluateStep, score } = jobSteps();
      const register = new RegisterModelStep({ name: 'Register', environment, modelDataUrl: train.modelArtifactsUri, inferenceImageUri: 'image:inference' });
      const tooGood = new FailStep({ name: 'TooGood', errorMessage: str('suspiciously good') });
      const inner = new ConditionStep({ name: 'Inner', conditions: [Condition.lessThan(score, PipelineExpression.fromNumber(0.99))], ifSteps: [register], elseSteps: [tooGood] });
      const tooBad = new FailStep({ name: 'TooBad', errorMessage: str('too bad') });
      const outer = new ConditionStep({ name: 'Outer', conditions: [Condition.greaterThanOrEqualTo(score, threshold)], ifSteps: [inner], elseSteps: [tooBad] });
      return synthesized(train, evaluateStep, outer);
    };
    const good = await run(build());
    expect(good.outcome.status).toBe('Succeeded');
    expect(good.byName.Inner.condition?.branch).toEqual(['Register']);
    expect([good.byName.TooGood.status, good.byName.TooBad.status]).toEqual(['Skipped', 'Skipped']);

    const perfect = await run(build(), new FakeExecutor({ metrics: { accuracy: { value: 0.999 } } }));
    expect(perfect.outcome).toMatchObject({ status: 'Failed', failedStep: 'TooGood', message: 'suspiciously good' });

    const bad = await run(build(), new FakeExecutor({ metrics: { accuracy: { value: 0.5 } } }));
    expect(bad.outcome).toMatchObject({ status: 'Failed', failedStep: 'TooBad' });
    expect(bad.byName.Inner.status).toBe('Skipped');
    expect(bad.byName.Register.status).toBe('Skipped');
  });

  test('GIVEN DependsOn without a data dependency THEN the dependency runs first, whatever the definition order', async () => {
    const { train } = jobSteps();
    const prepare = new ProcessingStep({ name: 'Prepare', environment, imageUri: 'image:cpu', entrypoint: ['true'] });
    train.addDependency(prepare);
    const definition = synthesized(train, prepare);
    expect(definition.Steps.map((s: any) => s.Name)).toEqual(['Train', 'Prepare']);
    expect(planSteps(definition).order).toEqual(['Prepare', 'Train']);
    const { executor, events } = await run(definition);
    expect(executor.ran).toEqual(['Prepare', 'Train']);
    expect(events.map((e) => `${e.kind} ${e.step.name}`)).toEqual(['start Prepare', 'end Prepare', 'start Train', 'end Train']);
  });

  test('GIVEN steps that depend on each other or on an unknown step THEN planning fails naming them', () => {
    const step = (name: string, dependsOn: string[]) => ({ Name: name, Type: 'Processing', DependsOn: dependsOn, Arguments: {} });
    expect(() => planSteps({ Steps: [step('A', ['B']), step('B', ['A'])] })).toThrow(/A, B depend on each other in a cycle/);
    expect(() => planSteps({ Steps: [step('A', ['Nope'])] })).toThrow(/step 'A' depends on 'Nope', which is not a step/);
  });
});

describe('local run interpreter: condition operators', () => {
  const cases: Array<[string, (score: PipelineExpression) => Condition, boolean, string]> = [
    ['Equals', () => Condition.equalTo(mode, str('full')), true, '"full" == "full"'],
    ['Equals (false)', () => Condition.equalTo(mode, str('fast')), false, '"full" == "fast"'],
    ['NotEquals', () => Condition.notEqualTo(count, PipelineExpression.fromNumber(3)), false, '3 != 3'],
    ['GreaterThan', (s) => Condition.greaterThan(s, threshold), true, '0.934 > 0.9'],
    ['GreaterThan (false)', (s) => Condition.greaterThan(threshold, s), false, '0.9 > 0.934'],
    ['GreaterThanOrEqualTo (equal)', (s) => Condition.greaterThanOrEqualTo(s, PipelineExpression.fromNumber(0.934)), true, '0.934 >= 0.934'],
    ['LessThan', (s) => Condition.lessThan(s, threshold), false, '0.934 < 0.9'],
    ['LessThanOrEqualTo', () => Condition.lessThanOrEqualTo(count, PipelineExpression.fromNumber(3)), true, '3 <= 3'],
    ['In', () => Condition.isIn(mode, [str('fast'), str('full')]), true, '"full" in ["fast", "full"]'],
    ['In (false)', () => Condition.isIn(mode, [str('fast')]), false, '"full" in ["fast"]'],
    ['Not', () => Condition.not(Condition.equalTo(mode, str('fast'))), true, 'not ("full" == "fast")'],
    ['Or', (s) => Condition.or(Condition.lessThan(s, PipelineExpression.fromNumber(0.5)), Condition.equalTo(flag, PipelineExpression.fromBoolean(true))), true, '(0.934 < 0.5 or true == true)'],
    ['Or (false)', (s) => Condition.or(Condition.lessThan(s, PipelineExpression.fromNumber(0.5)), Condition.equalTo(flag, PipelineExpression.fromBoolean(false))), false, '(0.934 < 0.5 or true == false)'],
    ['And (top level)', (s) => Condition.and(Condition.greaterThan(s, threshold), Condition.equalTo(mode, str('fast'))), false, '0.934 > 0.9 and "full" == "fast"'],
  ];
  test.each(cases)('%s', async (_name, condition, holds, text) => {
    const { byName, outcome } = await run(gated(condition));
    expect(byName.Gate.condition).toMatchObject({ holds, text });
    expect(outcome.status).toBe(holds ? 'Succeeded' : 'Failed');
    expect(byName[holds ? 'Register' : 'Reject'].status).toBe(holds ? 'Recorded' : 'Failed');
  });

  test('GIVEN an ordering operator on a string THEN the condition step fails naming the operator and the value', async () => {
    const { outcome } = await run(gated(() => Condition.greaterThan(PipelineExpression.fromString('x') as any, threshold)));
    expect(outcome).toMatchObject({ status: 'Failed', failedStep: 'Gate' });
    expect(outcome.message).toMatch(/GreaterThan compares numbers, but its LeftValue is "x" \(string\)/);
  });
});

describe('local run interpreter: JsonGet and Join', () => {
  const doc = { metrics: { 'auc': 0.91, 'f1-score': { value: 0.8 } }, folds: [{ score: 0.7 }, { score: 0.75 }] };
  test.each([
    ['metrics.auc', 0.91],
    ["metrics['f1-score'].value", 0.8],
    ['metrics["f1-score"].value', 0.8],
    ['folds[1].score', 0.75],
    ['$.folds[0].score', 0.7],
  ])('path %s reads %p', (path, value) => {
    expect(jsonPathGet(doc, path, 'the report')).toBe(value);
  });

  test('GIVEN a path the file lacks THEN the error names the path and what is there', () => {
    expect(() => jsonPathGet(doc, 'metrics.auc.value', 'property file EvaluationReport of step Evaluate')).toThrow(
      "Std:JsonGet: path 'metrics.auc.value' not found in property file EvaluationReport of step Evaluate: 'metrics.auc' has the number 0.91, no 'value'",
    );
    expect(() => jsonPathGet(doc, 'metrics.accuracy.value', 'x')).toThrow(/'metrics' has keys 'auc', 'f1-score', no 'accuracy'/);
  });

  test('GIVEN evaluate.py writes metrics.auc where the gate reads metrics.accuracy.value THEN the gate fails with the path', async () => {
    const { outcome } = await run(gated((score) => Condition.greaterThanOrEqualTo(score, threshold)), new FakeExecutor({ metrics: { auc: 0.93 } }));
    expect(outcome).toMatchObject({ status: 'Failed', failedStep: 'Gate' });
    expect(outcome.message).toContain("path 'metrics.accuracy.value' not found in property file EvaluationReport of step Evaluate: 'metrics' has keys 'auc'");
  });

  test('Std:Join joins parameters, execution variables, step properties and numbers', async () => {
    const { executor } = await run(gated((score) => Condition.greaterThanOrEqualTo(score, threshold)), undefined, { ...DEFAULTS, Mode: 'sample' });
    expect(executor.args.get('Train').InputDataConfig[0].DataSource.S3DataSource.S3Uri).toBe('s3://data/sample');
    const scope: EvaluationScope = {
      parameter: (n) => ({ Count: 3 } as any)[n],
      execution: () => 'local-1',
      stepProperties: () => ({ ModelArtifacts: { S3ModelArtifacts: 's3://a/m.tar.gz' } }),
      propertyFile: () => ({}),
      jsonAt: () => ({}),
    };
    expect(evaluate({ 'Std:Join': { On: '/', Values: ['s3://b', { Get: 'Execution.PipelineExecutionId' }, { Get: 'Parameters.Count' }, { Get: 'Steps.T.ModelArtifacts.S3ModelArtifacts' }] } }, scope))
      .toBe('s3://b/local-1/3/s3://a/m.tar.gz');
  });

  test('a property index by name picks the output of that name', async () => {
    const { train, evaluate: evaluateStep } = jobSteps();
    const after = new ProcessingStep({
      name: 'After',
      environment,
      imageUri: 'image:cpu',
      entrypoint: ['true'],
      inputs: [{ inputName: 'evaluation', source: evaluateStep.outputUri('evaluation'), destination: '/opt/ml/processing/input/evaluation' }],
    });
    const { executor } = await run(synthesized(train, evaluateStep, after));
    const uri = executor.args.get('After').ProcessingInputs[0].S3Input.S3Uri;
    expect(uri).toBe(executor.args.get('Evaluate').ProcessingOutputConfig.Outputs[0].S3Output.S3Uri);
    expect(uri).toMatch(/^s3:\/\/\{\{cfn:\d+\}\}\/.*\/local-1\/Evaluate\/evaluation$/);
  });
});
