/**
 * Benchmark (not a timed test): renders and validates a 200-step pipeline definition and reports the
 * time. Target: under 1 s. Run with `npx tsx bench/pipeline-definition.ts`.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Condition } from '../src/pipeline/definition/condition';
import { ConditionStep } from '../src/pipeline/definition/condition-step';
import { FailStep } from '../src/pipeline/definition/fail-step';
import { Parameter } from '../src/pipeline/definition/parameter';
import { PipelineDefinition } from '../src/pipeline/definition/pipeline-definition';
import { PipelineExpression } from '../src/pipeline/definition/pipeline-expression';
import { ProcessingStep } from '../src/pipeline/definition/processing-step';
import { TrainingStep } from '../src/pipeline/definition/training-step';
import { platformAndTeam } from '../test/pipeline/fixtures';

const STEPS = 200;
const app = new App();
const { environment, teamStack } = platformAndTeam(app);

function build(): PipelineDefinition {
  const definition = new PipelineDefinition({ runTags: { gitSha: Parameter.string('GitSha', { defaultValue: 'x' }) } });
  let previous: ProcessingStep | TrainingStep | undefined;
  // 66 chains of prepare -> train -> evaluate, each reading the one before, plus gates at the end.
  for (let i = 0; definition.allSteps.length < STEPS - 2; i++) {
    const prepare: ProcessingStep = new ProcessingStep({
      name: `Prepare${i}`,
      environment,
      imageUri: 'image',
      entrypoint: ['python3', 'prepare.py'],
      inputs: [{ inputName: 'raw', source: previous instanceof TrainingStep ? previous.modelArtifactsUri : PipelineExpression.fromString('s3://b/raw/') }],
      outputs: [{ outputName: 'train' }],
    });
    const train = new TrainingStep({ name: `Train${i}`, environment, imageUri: 'image', channels: [{ channelName: 'train', s3Uri: prepare.outputUri('train') }] });
    const evaluate = new ProcessingStep({
      name: `Evaluate${i}`,
      environment,
      imageUri: 'image',
      entrypoint: ['python3', 'evaluate.py'],
      inputs: [{ inputName: 'model', source: train.modelArtifactsUri }],
      outputs: [{ outputName: 'evaluation' }],
      propertyFiles: [{ name: 'Report', outputName: 'evaluation', filePath: 'evaluation.json' }],
    });
    definition.addStep(prepare, train, evaluate);
    previous = train;
  }
  const last = definition.allSteps.filter((s): s is ProcessingStep => s instanceof ProcessingStep).pop()!;
  definition.addStep(new ConditionStep({
    name: 'Gate',
    conditions: [Condition.greaterThanOrEqualTo(last.jsonGet('Report', 'metrics.accuracy.value'), Parameter.float('Threshold', { defaultValue: 0.9 }))],
    elseSteps: [new FailStep({ name: 'Reject' })],
  }));
  return definition;
}

const runs: number[] = [];
let size = 0;
let count = 0;
for (let run = 0; run < 5; run++) {
  const start = process.hrtime.bigint();
  const definition = build();
  const errors = definition.validate();
  Stack.of(teamStack).toJsonString(definition.render());
  const json = definition.toJson();
  runs.push(Number(process.hrtime.bigint() - start) / 1e6);
  if (errors.length > 0) {
    throw new Error(`benchmark definition is invalid: ${errors.join('; ')}`);
  }
  size = json.length;
  count = definition.allSteps.length;
}
const sorted = [...runs].sort((a, b) => a - b);
console.log(JSON.stringify({
  benchmark: 'pipeline-definition render + validate',
  steps: count,
  definitionChars: size,
  runsMs: runs.map((r) => Math.round(r)),
  medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]),
  targetMs: 1000,
  withinTarget: sorted[Math.floor(sorted.length / 2)] < 1000,
}));
