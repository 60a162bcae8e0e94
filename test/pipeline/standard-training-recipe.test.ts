import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PipelineDefinition } from '../../src/pipeline/definition/pipeline-definition';
import { packSourceDirectory } from '../../src/pipeline/private/source-archive';
import { StandardTrainingRecipe, StandardTrainingRecipeNames as N } from '../../src/pipeline/standard-training-recipe';
import { TrainingPipeline } from '../../src/pipeline/training-pipeline';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';
import { definitionSchemaErrors, deployedDefinition } from './definition/definition-rules';
import { platformAndTeam } from './fixtures';

const TRAINING_DIR = path.join(__dirname, '..', '..', 'templates', 'training');

describe('StandardTrainingRecipe in an environment-agnostic stack', () => {
  // GIVEN the standard recipe on a real team environment, synthesized once with every pack
  let stack!: Stack;
  let definition!: PipelineDefinition;
  const result = synthWithCompliance((app) => {
    const t = platformAndTeam(app);
    stack = t.teamStack;
    definition = StandardTrainingRecipe.create({ environment: t.environment, metricThreshold: 0.85 });
    new TrainingPipeline(stack, 'Pipeline', { environment: t.environment, definition });
  });
  const template = result.template(stack);
  const deployed = deployedDefinition(Object.values<any>(template.findResources('AWS::SageMaker::Pipeline'))[0]);
  const step = (name: string) => deployed.Steps.find((s: any) => s.Name === name);
  const gate = step(N.GATE);
  const branch = (name: string) => [...gate.Arguments.IfSteps, ...gate.Arguments.ElseSteps].find((s: any) => s.Name === name);

  test('has no unacknowledged compliance findings and a definition valid by the rules', () => {
    expect(describeFindings(result.report)).toEqual([]);
    expect(definitionSchemaErrors(deployed)).toEqual([]);
    expect(definition.validate()).toEqual([]);
  });

  test('runs validate -> train -> evaluate -> gate -> register | fail, validation before any GPU', () => {
    expect(deployed.Steps.map((s: any) => s.Name)).toEqual([N.VALIDATE, N.TRAIN, N.EVALUATE, N.GATE]);
    expect(step(N.TRAIN).DependsOn).toEqual([N.VALIDATE]);
    expect(step(N.VALIDATE).Arguments.ProcessingResources.ClusterConfig.InstanceType).toBe('ml.m5.xlarge');
    expect(gate.Arguments.IfSteps.map((s: any) => `${s.Type}:${s.Name}`)).toEqual([`RegisterModel:${N.REGISTER}`]);
    expect(gate.Arguments.ElseSteps.map((s: any) => `${s.Type}:${s.Name}`)).toEqual([`Fail:${N.REJECT}`]);
  });

  test('declares the parameters: data key (team prefix), Float threshold and the run-tag values', () => {
    const byName = Object.fromEntries(deployed.Parameters.map((p: any) => [p.Name, p]));
    expect(byName.InputDataKey).toMatchObject({ Type: 'String', DefaultValue: 'fraud/' });
    expect(byName.MetricThreshold).toMatchObject({ Type: 'Float', DefaultValue: 0.85 });
    expect(byName.GitSha).toMatchObject({ Type: 'String', DefaultValue: 'unknown' });
    expect(byName.DatasetVersion).toMatchObject({ Type: 'String', DefaultValue: 'latest' });
    expect(byName.ConfigHash.DefaultValue).toMatch(/^[0-9a-f]{16}$/);
    expect(step(N.TRAIN).Arguments.Tags).toEqual(expect.arrayContaining([
      { Key: 'trainyard:git-sha', Value: { Get: 'Parameters.GitSha' } },
      { Key: 'trainyard:dataset-version', Value: { Get: 'Parameters.DatasetVersion' } },
      { Key: 'trainyard:config-hash', Value: { Get: 'Parameters.ConfigHash' } },
      { Key: 'trainyard:team', Value: 'fraud' },
    ]));
  });

  test('validation reads the data the trigger names and writes a report; its code comes from the tarball', () => {
    const args = step(N.VALIDATE).Arguments;
    const data = args.ProcessingInputs.find((i: any) => i.InputName === 'data').S3Input;
    expect(data.S3Uri).toEqual({ 'Std:Join': { On: '', Values: ['s3://TOKEN/', { Get: 'Parameters.InputDataKey' }] } });
    expect(args.ProcessingInputs.find((i: any) => i.InputName === 'code').S3Input.S3Uri).toMatch(/^s3:\/\/TOKEN\/[0-9a-f]{64}\.gz$/);
    expect(args.AppSpecification.ContainerEntrypoint).toEqual([
      '/bin/sh', '-c', 'mkdir -p /tmp/code && tar -xzf /opt/ml/processing/input/code/*.gz -C /tmp/code && exec python3 /tmp/code/validate.py "$@"', 'sh',
    ]);
    expect(args.AppSpecification.ContainerArguments).toEqual(['--input-dir', '/opt/ml/processing/input/data', '--output-dir', '/opt/ml/processing/output/report', '--label-column', 'label']);
    expect(step(N.VALIDATE).PropertyFiles).toEqual([{ PropertyFileName: 'DataValidationReport', OutputName: 'report', FilePath: 'validation.json' }]);
  });

  test('training runs on the team GPU profile with spot, checkpoints, retries and the script-mode code channel', () => {
    const args = step(N.TRAIN).Arguments;
    expect(args.ResourceConfig.InstanceType).toBe('ml.g5.2xlarge');
    expect(args.EnableManagedSpotTraining).toBe(true);
    expect(args.StoppingCondition.MaxWaitTimeInSeconds).toBeGreaterThanOrEqual(args.StoppingCondition.MaxRuntimeInSeconds);
    expect(args.CheckpointConfig.LocalPath).toBe('/opt/ml/checkpoints');
    expect(step(N.TRAIN).RetryPolicies[0].ExceptionType).toContain('SageMaker.CAPACITY_ERROR');
    expect(args.HyperParameters).toMatchObject({ 'sagemaker_program': '"train.py"', 'epochs': '10', 'learning-rate': '0.1', 'label-column': 'label' });
    expect(args.HyperParameters.sagemaker_submit_directory).toMatch(/^"\/opt\/ml\/input\/data\/code\/[0-9a-f]{64}\.gz"$/);
    expect(args.InputDataConfig.map((c: any) => c.ChannelName)).toEqual(['train', 'code']);
    // The run tags reach the container too, for its MLflow run.
    expect(args.Environment).toEqual({
      TRAINYARD_GIT_SHA: { Get: 'Parameters.GitSha' },
      TRAINYARD_DATASET_VERSION: { Get: 'Parameters.DatasetVersion' },
      TRAINYARD_CONFIG_HASH: { Get: 'Parameters.ConfigHash' },
    });
    expect(args.AlgorithmSpecification.TrainingImage).toBe('TOKEN.dkr.ecr.TOKEN.TOKEN/pytorch-training:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker');
  });

  test('the gate compares evaluation.json against MetricThreshold; the fail message carries the metric', () => {
    const score = { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: 'metrics.accuracy.value' } };
    expect(gate.Arguments.Conditions).toEqual([{ Type: 'GreaterThanOrEqualTo', LeftValue: score, RightValue: { Get: 'Parameters.MetricThreshold' } }]);
    expect(branch(N.REJECT).Arguments.ErrorMessage).toEqual({ 'Std:Join': { On: ' ', Values: ['Model accuracy', score, 'is below the threshold', { Get: 'Parameters.MetricThreshold' }] } });
    expect(step(N.EVALUATE).PropertyFiles).toEqual([{ PropertyFileName: 'EvaluationReport', OutputName: 'evaluation', FilePath: 'evaluation.json' }]);
    expect(step(N.EVALUATE).Arguments.ProcessingInputs[0].S3Input.S3Uri).toEqual({ Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' });
  });

  test('registration goes to the team group, pending manual approval, with the evaluation report as model metrics', () => {
    const args = branch(N.REGISTER).Arguments;
    expect(args.ModelPackageGroupName).toBe('fraud-models');
    expect(args.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(args.ModelMetrics.ModelQuality.Statistics.S3Uri['Std:Join'].Values[1]).toBe('evaluation.json');
    expect(args.InferenceSpecification.Containers[0].Image).toMatch(/\/pytorch-inference:2\.3\.0-cpu-py311-ubuntu20\.04-sagemaker$/);
  });

  test('images come from the region-info DLC account mapping, so the stack stays environment-agnostic', () => {
    const mappings = template.toJSON().Mappings;
    expect(mappings.DlcRepositoryAccountMap['us-east-1']).toEqual({ value: '763104351884' });
    const body = JSON.stringify(Object.values<any>(template.findResources('AWS::SageMaker::Pipeline'))[0].Properties.PipelineDefinition);
    expect(body).toContain('"Fn::FindInMap":["DlcRepositoryAccountMap",{"Ref":"AWS::Region"},"value"]');
    const { Mappings, ...rest } = template.toJSON();
    expect(JSON.stringify(rest)).not.toMatch(/\b\d{12}\b/);
  });

  test('the training code is one file asset: a tar.gz of the sample scripts', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(result.app.outdir, `${stack.artifactId}.assets.json`), 'utf8'));
    const files = Object.values<any>(manifest.files).filter((f) => f.source.packaging === 'file' && String(f.source.path).endsWith('.gz'));
    expect(files).toHaveLength(1);
    // The team role may read exactly that object (the jobs download it from the CDK assets bucket).
    const [hash] = Object.keys(manifest.files).filter((k) => files.includes(manifest.files[k]));
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`/${hash}\\.gz$`)])] } }] },
      Roles: [{ Ref: Match.stringLikeRegexp('^EnvironmentExecutionRole') }],
    });
  });
});

describe('the sample training code', () => {
  test('the scripts are valid Python (py_compile)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-pyc-'));
    for (const script of ['validate.py', 'train.py', 'evaluate.py']) {
      expect(() => execFileSync('python3', ['-c', 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)', path.join(TRAINING_DIR, script), path.join(out, `${script}c`)])).not.toThrow();
    }
  });

  test('validate, train and evaluate run end to end on a small dataset and write the files the pipeline reads', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-run-'));
    const rows = ['amount,age,label', ...Array.from({ length: 60 }, (_, i) => `${i % 10},${(i * 7) % 13},${i % 10 > 4 ? 1 : 0}`)];
    fs.mkdirSync(path.join(work, 'data'));
    fs.writeFileSync(path.join(work, 'data', 'part-0.csv'), rows.join('\n') + '\n');
    const py = (script: string, ...args: string[]) => execFileSync('python3', [path.join(TRAINING_DIR, script), ...args], { encoding: 'utf8' });
    py('validate.py', '--input-dir', path.join(work, 'data'), '--output-dir', path.join(work, 'report'));
    expect(JSON.parse(fs.readFileSync(path.join(work, 'report', 'validation.json'), 'utf8'))).toMatchObject({ valid: true, rows: 60 });
    py('train.py', '--train', path.join(work, 'data'), '--model-dir', path.join(work, 'model'), '--checkpoint-dir', path.join(work, 'ckpt'), '--epochs', '5');
    expect(fs.existsSync(path.join(work, 'ckpt', 'checkpoint.json'))).toBe(true);
    py('evaluate.py', '--model-dir', path.join(work, 'model'), '--data-dir', path.join(work, 'data'), '--output-dir', path.join(work, 'evaluation'));
    const evaluation = JSON.parse(fs.readFileSync(path.join(work, 'evaluation', 'evaluation.json'), 'utf8'));
    expect(evaluation.metrics.accuracy.value).toBeGreaterThan(0.8);
    // Bad data fails validation with a non-zero exit.
    fs.writeFileSync(path.join(work, 'data', 'part-1.csv'), 'amount,label\n1,0\n');
    expect(() => py('validate.py', '--input-dir', path.join(work, 'data'), '--output-dir', path.join(work, 'report2'))).toThrow();
  });

  test('train.py logs parameters and each epoch to MLflow when it is configured, and trains without it otherwise', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-mlflow-'));
    const rows = ['amount,label', ...Array.from({ length: 20 }, (_, i) => `${i},${i > 9 ? 1 : 0}`)];
    fs.mkdirSync(path.join(work, 'data'));
    fs.writeFileSync(path.join(work, 'data', 'part-0.csv'), rows.join('\n') + '\n');
    // A stand-in for the mlflow package that records its calls.
    fs.mkdirSync(path.join(work, 'stub'));
    fs.writeFileSync(path.join(work, 'stub', 'mlflow.py'), [
      'import json, os',
      'CALLS = []',
      'def _record(*call):',
      '    CALLS.append(call)',
      '    with open(os.environ["MLFLOW_STUB_LOG"], "w") as f: json.dump(CALLS, f)',
      'def start_run(run_name=None): _record("start_run", run_name)',
      'def log_params(params): _record("log_params", params)',
      'def set_tags(tags): _record("set_tags", tags)',
      'def log_metrics(metrics, step=None): _record("log_metrics", step, sorted(metrics))',
      'def end_run(): _record("end_run")',
    ].join('\n'));
    // -S: no site-packages, so a machine with mlflow installed still exercises the not-installed path.
    const train = (env: Record<string, string>, model: string, noSitePackages = false) => execFileSync('python3', [
      ...(noSitePackages ? ['-S'] : []), path.join(TRAINING_DIR, 'train.py'), '--train', path.join(work, 'data'), '--model-dir', path.join(work, model),
      '--checkpoint-dir', path.join(work, `${model}-ckpt`), '--epochs', '3',
    ], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
    const log = path.join(work, 'calls.json');
    const out = train({
      MLFLOW_TRACKING_URI: 'arn:aws:sagemaker:eu-west-1:111111111111:mlflow-app/app-x',
      MLFLOW_EXPERIMENT_NAME: 'fraud',
      TRAINING_JOB_NAME: 'pipelines-abc-Train',
      PYTHONPATH: path.join(work, 'stub'),
      MLFLOW_STUB_LOG: log,
      TRAINYARD_GIT_SHA: 'abc123',
      TRAINYARD_DATASET_VERSION: 'v7',
      TRAINYARD_CONFIG_HASH: 'f00d',
    }, 'tracked');
    expect(out).toContain('logging to MLflow experiment fraud');
    const calls = JSON.parse(fs.readFileSync(log, 'utf8'));
    expect(calls[0]).toEqual(['start_run', 'pipelines-abc-Train']);
    expect(calls[1][0]).toBe('log_params');
    expect(calls[1][1]).toMatchObject({ epochs: 3, label_column: 'label', rows: 20 });
    // The pipeline's run tags, passed in by the recipe's training step.
    expect(calls[2]).toEqual(['set_tags', { 'trainyard:git-sha': 'abc123', 'trainyard:dataset-version': 'v7', 'trainyard:config-hash': 'f00d' }]);
    expect(calls.filter((c: any[]) => c[0] === 'log_metrics')).toEqual([1, 2, 3].map((step) => ['log_metrics', step, ['train_accuracy', 'train_loss']]));
    expect(calls[calls.length - 1]).toEqual(['end_run']);
    // Configured but not installed: the job says so and trains all the same.
    const untracked = train({ MLFLOW_TRACKING_URI: 'arn:aws:sagemaker:eu-west-1:111111111111:mlflow-app/app-x' }, 'untracked', true);
    expect(untracked).toMatch(/MLflow logging off: No module named '?mlflow'?/);
    expect(fs.existsSync(path.join(work, 'untracked', 'model.json'))).toBe(true);
  });

  test('the tarball is deterministic and holds exactly the scripts', () => {
    const a = packSourceDirectory(TRAINING_DIR, (n) => n.endsWith('.py'));
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-copy-'));
    for (const f of fs.readdirSync(TRAINING_DIR)) {
      if (f.endsWith('.py')) {
        fs.copyFileSync(path.join(TRAINING_DIR, f), path.join(copy, f));
        fs.utimesSync(path.join(copy, f), new Date(2001, 1, 1), new Date(2001, 1, 1));
      }
    }
    const b = packSourceDirectory(copy, (n) => n.endsWith('.py'));
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
    const listing = execFileSync('tar', ['-tzf', a], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual(['evaluate.py', 'train.py', 'validate.py']);
    expect(zlib.gunzipSync(fs.readFileSync(a)).length % 512).toBe(0);
  });
});

describe('StandardTrainingRecipe options and bad props', () => {
  test('a lower-is-better metric gates with LessThanOrEqualTo; an explicit group and images are used', () => {
    const t = platformAndTeam(newApp());
    const definition = StandardTrainingRecipe.create({
      environment: t.environment,
      metricName: 'log_loss',
      metricThreshold: 0.3,
      higherIsBetter: false,
      modelPackageGroupName: 'shared',
      trainingImageUri: 'my/train:1',
      processingImageUri: 'my/proc:1',
      inferenceImageUri: 'my/infer:1',
    });
    const json = JSON.parse(definition.toJson().replace(/\$\{Token\[[^\]]+\]\}/g, 'TOKEN'));
    const gate = json.Steps[3];
    expect(gate.Arguments.Conditions[0].Type).toBe('LessThanOrEqualTo');
    expect(gate.Arguments.IfSteps[0].Arguments.ModelPackageGroupName).toBe('shared');
    expect(json.Steps[1].Arguments.AlgorithmSpecification.TrainingImage).toBe('my/train:1');
    expect(definition.validate()).toEqual([]);
  });

  test('a stack with a region gets the literal DLC account of that region', () => {
    const app = newApp();
    const t = platformAndTeam(app);
    const regional = new Stack(app, 'Regional', { env: { account: '111111111111', region: 'eu-west-1' } });
    const definition = StandardTrainingRecipe.create({ environment: t.environment, scope: regional });
    expect(definition.toJson()).toContain('763104351884.dkr.ecr.eu-west-1.');
  });

  test.each([
    [{ metricName: 'bad name' }, /StandardTrainingRecipe\.metricName/],
    [{ metricThreshold: NaN }, /StandardTrainingRecipe\.metricThreshold: must be a finite number/],
    [{ codeDirectory: os.tmpdir() }, /StandardTrainingRecipe\.codeDirectory: .* has no validate\.py/],
    // Found by the property tests: these were accepted, or named a step's prop the caller never set.
    [{ metricName: 42 as any }, /StandardTrainingRecipe\.metricName/],
    [{ labelColumn: '' }, /StandardTrainingRecipe\.labelColumn: must be the name of a column of the CSV header/],
    [{ labelColumn: 'a,b' }, /StandardTrainingRecipe\.labelColumn/],
    [{ hyperParameters: { epochs: 10 as any } }, /StandardTrainingRecipe\.hyperParameters: the value of 'epochs' must be a string/],
    [{ processingInstanceType: 'm5.xlarge' }, /StandardTrainingRecipe\.processingInstanceType: must be a SageMaker instance type/],
    [{ modelPackageGroupName: 'my_group' }, /StandardTrainingRecipe\.modelPackageGroupName: "my_group" is not allowed/],
  ])('%j', (props, message) => {
    const t = platformAndTeam(newApp());
    expect(() => StandardTrainingRecipe.create({ environment: t.environment, ...props })).toThrow(message);
  });

  test('a team without a model registry fails validation at synth, naming the step', () => {
    const t = platformAndTeam(newApp(), { createRegistries: false });
    new TrainingPipeline(t.teamStack, 'Pipeline', { environment: t.environment, definition: StandardTrainingRecipe.create({ environment: t.environment }) });
    expect(() => Template.fromStack(t.teamStack)).toThrow(/Step 'RegisterModel' \(in ifSteps of ConditionStep 'QualityGate'\): has no model package group/);
  });
});
