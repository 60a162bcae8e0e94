import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalRunReport } from '../../../src/cli/local-run/local-run';
import { main } from '../../../src/cli/main';
import { StandardTrainingRecipeNames as N } from '../../../src/pipeline/standard-training-recipe';
import { singleTeam } from '../../../templates/single-team';
import { newApp } from '../../helpers/synth';
import { capturedIo } from '../cli-io';

// The local run needs python3 (CI machines have 3.11). Without it, fail loudly rather than skip.
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
if (python.status !== 0) {
  throw new Error(`trainyard run --local tests need python3 on PATH: ${python.error?.message ?? python.stderr}`);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-run-test-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A CSV sample with a learnable label (seeded, so every run sees the same rows). */
function writeSample(file: string, rows: number, withLabel = true): string {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
  const lines = [withLabel ? 'f1,f2,f3,label' : 'f1,f2,f3'];
  for (let i = 0; i < rows; i++) {
    const x = [random() * 4, random() * 4, random() * 4];
    const label = 2 * x[0] - x[1] + 0.5 * x[2] + random() * 0.5 > 0 ? 1 : 0;
    lines.push([...x.map((v) => v.toFixed(4)), ...(withLabel ? [label] : [])].join(','));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function trainyard(...argv: string[]) {
  const io = capturedIo(work, { PATH: process.env.PATH, HOME: process.env.HOME });
  const code = await main(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

async function runJson(...argv: string[]): Promise<{ code: number; report: LocalRunReport; err: string }> {
  const { code, out, err } = await trainyard('run', '--local', '--format', 'json', ...argv);
  return { code, report: JSON.parse(out), err };
}

describe('trainyard run --local on the default template (single-team), synthesized once', () => {
  const app = newApp();
  singleTeam(app);
  const cdkOut = app.synth().directory;
  const good = writeSample(path.join(work, 'good.csv'), 300);
  const noLabel = writeSample(path.join(work, 'no-label.csv'), 300, false);
  const hostHadOptMl = fs.existsSync('/opt/ml');

  test('GIVEN a good sample THEN validate -> train -> evaluate -> gate -> register, printing the gate value, exit 0', async () => {
    const keep = path.join(work, 'kept');
    const { code, out } = await trainyard('run', '--local', '--cdk-out', cdkOut, '--data', good, '--keep', keep);
    expect(code).toBe(0);
    expect(out).toMatch(/container paths: (private mount namespace|path rewriting)/);
    expect(out).toContain('not applied locally: retry policies');
    expect(out).toMatch(/✓ ValidateData done in \d+\.\d\d s/);
    const gate = /◆ QualityGate: (0\.\d+) >= 0\.8 → RegisterModel/.exec(out);
    expect(gate).not.toBeNull();
    expect(Number(gate![1])).toBeGreaterThan(0.9);
    expect(out).toMatch(/○ RegisterModel \(RegisterModel\) recorded, not executed: would register .*model\.tar\.gz in model package group ml-models as PendingManualApproval/);
    expect(out).toContain('Succeeded in');
    // The registered artifact is the training job's model.tar.gz, with the model SageMaker would upload.
    const artifact = /would register (\S+model\.tar\.gz)/.exec(out)![1];
    expect(artifact.startsWith(keep)).toBe(true);
    expect(spawnSync('tar', ['-tzf', artifact], { encoding: 'utf8' }).stdout.trim().split('\n')).toEqual(['model.json']);
    // evaluation.json, the property file the gate read, landed where the S3 output would be.
    const evaluation = fs.readdirSync(path.join(keep, 's3'), { recursive: true }).map(String).find((f) => f.endsWith('evaluation.json'));
    expect(JSON.parse(fs.readFileSync(path.join(keep, 's3', evaluation!), 'utf8')).metrics.accuracy.value).toBeCloseTo(Number(gate![1]), 3);
  });

  test('GIVEN the json format THEN the report lists each step, the branch taken and the recorded registration', async () => {
    const { code, report } = await runJson('--cdk-out', cdkOut, '--data', good);
    expect(code).toBe(0);
    expect(report.status).toBe('Succeeded');
    const steps = Object.fromEntries(report.steps.map((s) => [s.name, s]));
    expect([N.VALIDATE, N.TRAIN, N.EVALUATE].map((n) => steps[n].status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    // single-team trains through its capacity share: a queued training step (a Callback step) whose
    // training request runs locally at once, its callback outputs feeding evaluation and registration.
    expect(steps[N.TRAIN].type).toBe('Callback');
    expect(steps[N.TRAIN].detail).toMatch(/model in .*model\.tar\.gz .*\(queued training: run at once, no capacity pool locally\)/);
    expect(steps[N.GATE].condition).toMatchObject({ holds: true, branch: [N.REGISTER] });
    expect(steps[N.REGISTER].status).toBe('Recorded');
    expect(steps[N.REJECT].status).toBe('Skipped');
    expect(report.parameters.MetricThreshold).toBe(0.8);
    expect(report.kept).toBe(false);
    expect(fs.existsSync(report.workRoot)).toBe(false);
  });

  test('GIVEN a sample without the label column THEN it stops at validation, before training, naming the step', async () => {
    const { code, report } = await runJson('--cdk-out', cdkOut, '--data', noLabel);
    expect(code).toBe(1);
    expect(report.failedStep).toBe(N.VALIDATE);
    expect(report.message).toContain("label column 'label' is missing (columns: f1, f2, f3)");
    expect(report.steps.find((s) => s.name === N.TRAIN)!.status).toBe('NotStarted');
  });

  test('GIVEN MetricThreshold=0.999 THEN the run ends in the Fail step with its message', async () => {
    const { code, out } = await trainyard('run', '--local', '--cdk-out', cdkOut, '--data', good, '--param', 'MetricThreshold=0.999');
    expect(code).toBe(1);
    expect(out).toMatch(/◆ QualityGate: 0\.\d+ >= 0\.999 → RejectModel/);
    expect(out).toMatch(/✗ RejectModel \(Fail step\): Model accuracy 0\.\d+ is below the threshold 0\.999/);
    expect(out).toMatch(/Failed at step RejectModel/);
  });

  test('GIVEN path rewriting instead of a namespace THEN the same pipeline succeeds and the host /opt/ml stays untouched', async () => {
    const { code, report } = await runJson('--cdk-out', cdkOut, '--data', good, '--container-paths', 'rewrite');
    expect(report.message).toBeUndefined();
    expect(code).toBe(0);
    expect(report.containerPaths.mode).toBe('rewrite');
    expect(fs.existsSync('/opt/ml')).toBe(hostHadOptMl);
  });

  test('GIVEN bad arguments THEN one line naming the argument, exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--data', good], /^trainyard run: --local: is required/],
      [['--local'], /^trainyard run: --data: is required/],
      [['--local', '--data', path.join(work, 'nope.csv')], /--data: .*nope\.csv does not exist/],
      [['--local', '--cdk-out', cdkOut, '--data', good, '--param', 'MetricThreshold=high'], /--param: MetricThreshold is a Float parameter: a number, got 'high'/],
      [['--local', '--cdk-out', cdkOut, '--data', good, '--param', 'Epochs=3'], /--param: the pipeline has no parameter 'Epochs'; it has InputDataKey \(String\), MetricThreshold \(Float\)/],
      [['--local', '--cdk-out', cdkOut, '--data', good, '--format', 'xml'], /--format: must be one of text, json, got 'xml'/],
      [['--local', '--cdk-out', cdkOut, '--data', good, '--pipeline', 'Other'], /--pipeline: matches no pipeline \('Other'\); the pipelines are: Trainyard-Team-ml\/TrainingPipeline/],
      [['--local', '--bogus'], /^trainyard run: --bogus: Unknown option/],
    ];
    for (const [argv, message] of cases) {
      const { code, err } = await trainyard('run', ...argv);
      expect({ argv, code }).toEqual({ argv, code: 2 });
      expect(err).toMatch(message);
      expect(err.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('trainyard run --local on a hand-written assembly', () => {
  const dir = path.join(work, 'hand');
  fs.mkdirSync(dir, { recursive: true });
  const step = (name: string, code: string) => ({
    Name: name,
    Type: 'Processing',
    Arguments: {
      AppSpecification: { ImageUri: 'image', ContainerEntrypoint: ['python3', '-c', code] },
      ProcessingInputs: [{ InputName: 'data', S3Input: { S3Uri: { 'Std:Join': { On: '', Values: ['s3://', { Get: 'Parameters.InputData' }] } }, LocalPath: '/opt/ml/processing/input/data' } }],
    },
  });
  const pipeline = (steps: any[]) => ({
    Type: 'AWS::SageMaker::Pipeline',
    Properties: {
      PipelineName: 'Hand',
      PipelineDefinition: {
        PipelineDefinitionBody: JSON.stringify({ Version: '2020-12-01', Parameters: [{ Name: 'InputData', Type: 'String', DefaultValue: 'bucket/data/' }], Steps: steps }),
      },
    },
  });
  fs.writeFileSync(path.join(dir, 'Hand.template.json'), JSON.stringify({
    Resources: {
      MissingPackage: pipeline([step('Prepare', 'import os, sys; import trainyard_no_such_package.sub')]),
      ReadsData: pipeline([step('Count', "import glob; n = len(glob.glob('/opt/ml/processing/input/data/*.csv')); assert n == 1, n")]),
    },
  }));
  const data = writeSample(path.join(work, 'hand.csv'), 20);

  test('GIVEN a script that imports a package python3 lacks THEN the step fails naming the package', async () => {
    const { code, report } = await runJson('--cdk-out', dir, '--pipeline', 'MissingPackage', '--data', data);
    expect(code).toBe(1);
    expect(report.failedStep).toBe('Prepare');
    expect(report.message).toMatch(/^its script imports 'trainyard_no_such_package', which the local python3 does not have \(pip install trainyard-no-such-package/);
  });

  test('GIVEN a queued training (Callback) step whose request template is not JSON THEN the step fails saying so, and nothing trains', async () => {
    const queuedDir = path.join(work, 'hand-queued');
    fs.mkdirSync(queuedDir, { recursive: true });
    fs.writeFileSync(path.join(queuedDir, 'Queued.template.json'), JSON.stringify({
      Resources: {
        Queued: {
          Type: 'AWS::SageMaker::Pipeline',
          Properties: {
            PipelineName: 'Queued',
            PipelineDefinition: {
              PipelineDefinitionBody: JSON.stringify({
                Version: '2020-12-01',
                Parameters: [{ Name: 'InputData', Type: 'String', DefaultValue: 'bucket/data/' }],
                Steps: [{
                  Name: 'Train',
                  Type: 'Callback',
                  SqsQueueUrl: 'https://sqs.local/queue',
                  OutputParameters: [{ OutputName: 'ModelArtifacts', OutputType: 'String' }],
                  Arguments: { TrainingJobRequest: '{"RoleArn": ', JobQueue: 'q', QuotaShareName: 'team', RunTimeValue0: { Get: 'Parameters.InputData' } },
                }],
              }),
            },
          },
        },
      },
    }));
    const { code, report } = await runJson('--cdk-out', queuedDir, '--data', data);
    expect(code).toBe(1);
    expect(report.failedStep).toBe('Train');
    expect(report.message).toMatch(/TrainingJobRequest is not valid JSON/);
  });

  test('GIVEN several pipelines and no --pipeline THEN it lists them; GIVEN one THEN the data parameter is found by name', async () => {
    const { code, err } = await trainyard('run', '--local', '--cdk-out', dir, '--data', data);
    expect(code).toBe(2);
    expect(err).toMatch(/--pipeline: .* has 2 pipelines; pick one: Hand\/MissingPackage \(Hand\), Hand\/ReadsData \(Hand\)/);
    const { code: ok, report } = await runJson('--cdk-out', dir, '--pipeline', 'Hand/ReadsData', '--data', data);
    expect(report.message).toBeUndefined();
    expect(ok).toBe(0);
    expect(report.dataParameter).toBe('InputData');
  });

  test.each(['auto', 'rewrite'])('GIVEN a script-mode training step (container paths %s) THEN the script runs under the training contract: channels, SM_*, sorted arguments, model.tar.gz', async (mode) => {
    const contract = path.join(work, `contract-${mode}`);
    const code = path.join(contract, 'code');
    fs.mkdirSync(code, { recursive: true });
    fs.writeFileSync(path.join(code, 'fit.py'), [
      'import json, os, sys',
      'env = {k: v for k, v in os.environ.items() if k.startswith("SM_") or k == "RUN_TAG"}',
      'config = json.load(open("/opt/ml/input/config/hyperparameters.json".replace("/opt/ml", os.path.dirname(os.environ["SM_MODEL_DIR"]))))',
      'out = {"argv": sys.argv, "cwd": os.getcwd(), "env": env, "train": sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"])), "config": config}',
      'json.dump(out, open(os.path.join(os.environ["SM_MODEL_DIR"], "contract.json"), "w"))',
      'print("loss=0.5"); print("loss=0.25")',
    ].join('\n'));
    expect(spawnSync('tar', ['-czf', path.join(contract, 'asset.code.tar.gz'), '-C', code, 'fit.py']).status).toBe(0);
    fs.writeFileSync(path.join(contract, 'Team.assets.json'), JSON.stringify({
      files: { code: { source: { path: 'asset.code.tar.gz', packaging: 'file' }, destinations: { d: { bucketName: 'cdk-assets-${AWS::AccountId}-${AWS::Region}', objectKey: 'code.tar.gz' } } } },
    }));
    const definition = JSON.stringify({
      Version: '2020-12-01',
      Parameters: [{ Name: 'InputDataKey', Type: 'String', DefaultValue: 'team/' }, { Name: 'Tag', Type: 'String', DefaultValue: 'abc' }],
      Steps: [{
        Name: 'Fit',
        Type: 'Training',
        Arguments: {
          AlgorithmSpecification: { TrainingImage: 'image', TrainingInputMode: 'File', MetricDefinitions: [{ Name: 'loss', Regex: 'loss=([0-9.]+)' }] },
          OutputDataConfig: { S3OutputPath: 's3://@ARTIFACTS@/models/' },
          HyperParameters: { sagemaker_program: '"fit.py"', sagemaker_submit_directory: '"s3://@ASSETS@/code.tar.gz"', lr: '0.5', epochs: '3', x: 'y' },
          InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: { 'Std:Join': { On: '', Values: ['s3://@DATASETS@/', { Get: 'Parameters.InputDataKey' }] } } } } }],
          Environment: { RUN_TAG: { Get: 'Parameters.Tag' } },
        },
      }],
    });
    // The body as a synthesized template has it: JSON text joined with deploy-time values.
    const parts = definition.split(/@(ARTIFACTS|ASSETS|DATASETS)@/).map((part, i) => {
      if (i % 2 === 0) return part;
      if (part === 'ASSETS') return { 'Fn::Sub': 'cdk-assets-${AWS::AccountId}-${AWS::Region}' };
      if (part === 'DATASETS') return { Ref: 'DatasetsBucketParameter' };
      return { 'Fn::ImportValue': 'Platform:ArtifactsBucket' };
    });
    fs.writeFileSync(path.join(contract, 'Team.template.json'), JSON.stringify({
      Parameters: { DatasetsBucketParameter: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/trainyard/platform/datasets-bucket' } },
      Resources: { Fit: { Type: 'AWS::SageMaker::Pipeline', Properties: { PipelineName: 'fit', PipelineDefinition: { PipelineDefinitionBody: { 'Fn::Join': ['', parts] } } } } },
    }));
    const keep = path.join(work, `contract-run-${mode}`);
    const { code: exit, report } = await runJson('--cdk-out', contract, '--data', data, '--keep', keep, '--container-paths', mode);
    expect(report.message).toBeUndefined();
    expect(exit).toBe(0);
    const fit = report.steps[0];
    expect(fit.detail).toMatch(/^model in s3\/Platform-ArtifactsBucket\/models\/pipelines-local-[0-9a-z-]+-Fit\/output\/model\.tar\.gz \(loss=0\.25\)$/);
    const seen = JSON.parse(fs.readFileSync(path.join(keep, 'jobs', 'Fit', 'opt-ml', 'model', 'contract.json'), 'utf8'));
    expect(seen.argv).toEqual(['fit.py', '--epochs', '3', '--lr', '0.5', '-x', 'y']);
    const root = report.containerPaths.mode === 'namespace' ? '/opt/ml' : path.join(keep, 'jobs', 'Fit', 'opt-ml');
    expect(seen.cwd).toBe(`${root}/code`);
    expect(seen.env).toMatchObject({
      SM_CHANNEL_TRAIN: `${root}/input/data/train`,
      SM_MODEL_DIR: `${root}/model`,
      SM_OUTPUT_DATA_DIR: `${root}/output/data`,
      SM_CHANNELS: '["train"]',
      SM_HPS: '{"epochs":3,"lr":0.5,"x":"y"}',
      SM_USER_ENTRY_POINT: 'fit.py',
      RUN_TAG: 'abc',
    });
    expect(seen.train).toEqual(['hand.csv']);
    expect(seen.config).toMatchObject({ sagemaker_program: '"fit.py"', epochs: '3' });
    const artifact = fit.outputs![0];
    expect(spawnSync('tar', ['-tzf', artifact], { encoding: 'utf8' }).stdout.trim()).toBe('contract.json');
  });
});

