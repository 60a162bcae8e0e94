import { Duration, Stack } from 'aws-cdk-lib';
import { TrainyardValidationError } from '../../../src/core/errors';
import { TrainingEnvironment } from '../../../src/environment/training-environment';
import { Condition } from '../../../src/pipeline/definition/condition';
import { ConditionStep } from '../../../src/pipeline/definition/condition-step';
import { ExecutionVariable } from '../../../src/pipeline/definition/execution-variable';
import { FailStep } from '../../../src/pipeline/definition/fail-step';
import { Parameter } from '../../../src/pipeline/definition/parameter';
import { PipelineDefinition } from '../../../src/pipeline/definition/pipeline-definition';
import { PipelineExpression } from '../../../src/pipeline/definition/pipeline-expression';
import { ProcessingStep } from '../../../src/pipeline/definition/processing-step';
import { ModelApprovalStatus, RegisterModelStep } from '../../../src/pipeline/definition/register-model-step';
import { RetryExceptionType, RetryPolicy } from '../../../src/pipeline/definition/retry-policy';
import { TrainingStep } from '../../../src/pipeline/definition/training-step';
import { newApp } from '../../helpers/synth';
import { platformAndTeam } from '../fixtures';
import { concreteDefinition, definitionSchemaErrors } from './definition-rules';

/** A small but complete pipeline: prepare -> train -> evaluate -> gate -> register | fail. */
function buildPipeline(environment: TrainingEnvironment) {
  const threshold = Parameter.float('AccuracyThreshold', { defaultValue: 0.9 });
  const data = Parameter.string('InputData', { defaultValue: 's3://bucket/fraud/' });
  const prepare = new ProcessingStep({
    name: 'Prepare',
    environment,
    imageUri: 'image:cpu',
    entrypoint: ['python3', '/opt/ml/processing/input/code/prepare.py'],
    inputs: [{ inputName: 'raw', source: data }],
    outputs: [{ outputName: 'train' }, { outputName: 'test' }],
    cache: { expireAfter: Duration.days(30) },
  });
  const train = new TrainingStep({
    name: 'Train',
    environment,
    imageUri: 'image:gpu',
    channels: [{ channelName: 'train', s3Uri: prepare.outputUri('train') }],
    hyperParameters: { epochs: PipelineExpression.fromString('3') },
    metricDefinitions: [{ name: 'loss', regex: 'loss=([0-9.]+)' }],
  });
  const evaluate = new ProcessingStep({
    name: 'Evaluate',
    environment,
    imageUri: 'image:cpu',
    entrypoint: ['python3', 'evaluate.py'],
    inputs: [{ inputName: 'model', source: train.modelArtifactsUri }, { inputName: 'test', source: prepare.outputUri('test') }],
    outputs: [{ outputName: 'evaluation' }],
    propertyFiles: [{ name: 'EvaluationReport', outputName: 'evaluation', filePath: 'evaluation.json' }],
  });
  const accuracy = evaluate.jsonGet('EvaluationReport', 'metrics.accuracy.value');
  const register = new RegisterModelStep({
    name: 'Register',
    environment,
    modelDataUrl: train.modelArtifactsUri,
    inferenceImageUri: 'image:inference',
    modelQualityMetrics: { s3Uri: PipelineExpression.join('/', [evaluate.outputUri('evaluation'), PipelineExpression.fromString('evaluation.json')]) },
  });
  const fail = new FailStep({ name: 'Reject', errorMessage: PipelineExpression.join(' ', [PipelineExpression.fromString('accuracy'), accuracy, PipelineExpression.fromString('below'), threshold]) });
  const gate = new ConditionStep({ name: 'Gate', conditions: [Condition.greaterThanOrEqualTo(accuracy, threshold)], ifSteps: [register], elseSteps: [fail] });
  const definition = new PipelineDefinition({ steps: [prepare, train, evaluate, gate], runTags: { gitSha: Parameter.string('GitSha', { defaultValue: 'abc123' }) } });
  return { definition, prepare, train, evaluate, gate, register, fail, threshold };
}

describe('PipelineDefinition rendering', () => {
  // GIVEN a complete pipeline on a real single-instance environment of team fraud on ml.g5.2xlarge (rendering needs no synth)
  const { environment } = platformAndTeam(newApp());
  const p = buildPipeline(environment);
  const rendered = concreteDefinition(p.definition.toJson());
  const step = (name: string) => rendered.Steps.find((s: any) => s.Name === name);
  const gate = step('Gate');
  const nested = (name: string) => [...gate.Arguments.IfSteps, ...gate.Arguments.ElseSteps].find((s: any) => s.Name === name);

  test('is valid by the definition rules and has no validation errors', () => {
    expect(definitionSchemaErrors(rendered)).toEqual([]);
    expect(p.definition.validate()).toEqual([]);
  });

  test('renders version 2020-12-01, the experiment config and every used parameter (declared automatically)', () => {
    expect(rendered.Version).toBe('2020-12-01');
    expect(rendered.PipelineExperimentConfig).toEqual({ ExperimentName: { Get: 'Execution.PipelineName' }, TrialName: { Get: 'Execution.PipelineExecutionId' } });
    expect(rendered.Parameters).toEqual(expect.arrayContaining([
      { Name: 'InputData', Type: 'String', DefaultValue: 's3://bucket/fraud/' },
      { Name: 'AccuracyThreshold', Type: 'Float', DefaultValue: 0.9 },
      { Name: 'GitSha', Type: 'String', DefaultValue: 'abc123' },
    ]));
    expect(rendered.Parameters).toHaveLength(3);
    expect(rendered.Steps.map((s: any) => s.Name)).toEqual(['Prepare', 'Train', 'Evaluate', 'Gate']);
  });

  test('renders property references as Get expressions on the step', () => {
    expect(step('Train').Arguments.InputDataConfig[0].DataSource.S3DataSource.S3Uri).toEqual({ Get: "Steps.Prepare.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" });
    expect(step('Evaluate').Arguments.ProcessingInputs[0].S3Input.S3Uri).toEqual({ Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' });
    expect(p.train.trainingJobName.render()).toEqual({ Get: 'Steps.Train.TrainingJobName' });
    expect(p.train.finalMetric('loss').render()).toEqual({ Get: "Steps.Train.FinalMetricDataList['loss'].Value" });
    expect(p.register.modelPackageArn.render()).toEqual({ Get: 'Steps.Register.ModelPackageArn' });
    expect(p.gate.outcome.render()).toEqual({ Get: 'Steps.Gate.Outcome' });
    expect(ExecutionVariable.START_DATE_TIME.render()).toEqual({ Get: 'Execution.StartDateTime' });
  });

  test('a processing step renders the CreateProcessingJob request in the team VPC with isolation, KMS and team tags', () => {
    const args = step('Prepare').Arguments;
    expect(args.ProcessingResources.ClusterConfig).toEqual({ InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: 'TOKEN' });
    expect(args.AppSpecification).toEqual({ ImageUri: 'image:cpu', ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/prepare.py'] });
    // One instance per job (the environment's maxInstanceCount): no traffic between containers to encrypt.
    expect(args.NetworkConfig).toEqual({ EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: false, VpcConfig: { SecurityGroupIds: ['TOKEN'], Subnets: ['TOKEN', 'TOKEN'] } });
    expect(args.ProcessingInputs[0]).toEqual({
      InputName: 'raw',
      S3Input: { S3Uri: { Get: 'Parameters.InputData' }, LocalPath: '/opt/ml/processing/input/raw', S3DataType: 'S3Prefix', S3InputMode: 'File', S3DataDistributionType: 'FullyReplicated' },
    });
    // Outputs default to a per-execution prefix below the team's artifacts prefix.
    expect(args.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri).toEqual({
      'Std:Join': { On: '/', Values: ['s3://TOKEN/fraud/artifacts/pipelines', { Get: 'Execution.PipelineExecutionId' }, 'Prepare', 'train'] },
    });
    expect(args.ProcessingOutputConfig.KmsKeyId).toBe('TOKEN');
    expect(args.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 3600 });
    expect(args.Tags).toEqual([
      // The environment's tags (the cost centre defaults to the team name), then the step's own.
      { Key: 'trainyard:cost-center', Value: 'fraud' },
      { Key: 'trainyard:environment', Value: 'fraud-training' },
      { Key: 'trainyard:git-sha', Value: { Get: 'Parameters.GitSha' } },
      { Key: 'trainyard:team', Value: 'fraud' },
    ]);
    expect(step('Prepare').CacheConfig).toEqual({ Enabled: true, ExpireAfter: 'P30D' });
    expect(step('Prepare').RetryPolicies).toEqual([{ ExceptionType: ['Step.SERVICE_FAULT', 'Step.THROTTLING'], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 5 }]);
    expect(step('Evaluate').PropertyFiles).toEqual([{ PropertyFileName: 'EvaluationReport', OutputName: 'evaluation', FilePath: 'evaluation.json' }]);
  });

  test('a training step starts from the team defaults: GPU profile, spot with wait time, checkpoints per execution, job retries', () => {
    const args = step('Train').Arguments;
    // ml.g5.2xlarge trains on its local NVMe storage, which SageMaker encrypts itself: it refuses a VolumeKmsKeyId there.
    expect(args.ResourceConfig).toEqual({ InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 100 });
    expect(args.EnableManagedSpotTraining).toBe(true);
    expect(args.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 86400, MaxWaitTimeInSeconds: 172800 });
    expect(args.CheckpointConfig).toEqual({
      S3Uri: { 'Std:Join': { On: '/', Values: ['s3://TOKEN/fraud/checkpoints', { Get: 'Execution.PipelineExecutionId' }, 'Train'] } },
      LocalPath: '/opt/ml/checkpoints',
    });
    expect(args.RetryStrategy).toEqual({ MaximumRetryAttempts: 2 });
    expect(args.EnableNetworkIsolation).toBe(true);
    expect(args.EnableInterContainerTrafficEncryption).toBe(false);
    expect(args.RoleArn).toBe('TOKEN');
    expect(args.OutputDataConfig).toEqual({ S3OutputPath: 's3://TOKEN/fraud/artifacts/', KmsKeyId: 'TOKEN' });
    expect(args.HyperParameters).toEqual({ epochs: '3' });
    expect(args.AlgorithmSpecification).toEqual({ TrainingImage: 'image:gpu', TrainingInputMode: 'File', MetricDefinitions: [{ Name: 'loss', Regex: 'loss=([0-9.]+)' }] });
    // Capacity (spot, GPU), internal and resource-limit errors of the job are retried, besides service faults.
    expect(step('Train').RetryPolicies).toEqual([
      { ExceptionType: ['SageMaker.CAPACITY_ERROR', 'SageMaker.JOB_INTERNAL_ERROR', 'SageMaker.RESOURCE_LIMIT'], IntervalSeconds: 60, BackoffRate: 2, MaxAttempts: 5 },
      { ExceptionType: ['Step.SERVICE_FAULT', 'Step.THROTTLING'], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 5 },
    ]);
  });

  test('a condition step renders its conditions and nests its branches; the fail message joins the metric and the threshold', () => {
    expect(gate.Arguments.Conditions).toEqual([{
      Type: 'GreaterThanOrEqualTo',
      LeftValue: { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: 'metrics.accuracy.value' } },
      RightValue: { Get: 'Parameters.AccuracyThreshold' },
    }]);
    expect(gate.Arguments.IfSteps.map((s: any) => s.Name)).toEqual(['Register']);
    expect(nested('Reject')).toEqual({
      Name: 'Reject',
      Type: 'Fail',
      Arguments: {
        ErrorMessage: {
          'Std:Join': {
            On: ' ',
            Values: ['accuracy', { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: 'metrics.accuracy.value' } }, 'below', { Get: 'Parameters.AccuracyThreshold' }],
          },
        },
      },
    });
  });

  test('a register-model step registers into the team group, PendingManualApproval by default, with model metrics', () => {
    const args = nested('Register').Arguments;
    expect(args.ModelPackageGroupName).toBe('fraud-models');
    expect(args.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(args.InferenceSpecification.Containers).toEqual([{ Image: 'image:inference', ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' } }]);
    expect(args.ModelMetrics.ModelQuality.Statistics).toEqual({
      ContentType: 'application/json',
      S3Uri: { 'Std:Join': { On: '/', Values: [{ Get: "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri" }, 'evaluation.json'] } },
    });
  });
});

describe('PipelineDefinition options', () => {
  // On-demand, and multi-node: the per-step override below runs two instances.
  const { environment } = platformAndTeam(newApp(), { useSpot: false, maxInstanceCount: 2 });

  test('And, Or, Not, In and the equality comparisons render as the definition language has them (And nested via De Morgan)', () => {
    const a = Parameter.integer('Epochs', { defaultValue: 3 });
    const b = Parameter.boolean('Deploy', { defaultValue: false });
    const c = Parameter.string('Region', { defaultValue: 'eu' });
    const fail = new FailStep({ name: 'Stop' });
    const gate = new ConditionStep({
      name: 'Gate',
      conditions: [
        Condition.and(Condition.lessThan(a, PipelineExpression.fromNumber(10)), Condition.equalTo(b, PipelineExpression.fromBoolean(true))),
        Condition.or(Condition.not(Condition.isIn(c, [PipelineExpression.fromString('us'), PipelineExpression.fromString('eu')])), Condition.and(Condition.notEqualTo(c, PipelineExpression.fromString('ap')), Condition.greaterThan(a, PipelineExpression.fromNumber(1.5)))),
      ],
      elseSteps: [fail],
    });
    const definition = new PipelineDefinition({ steps: [gate] });
    const rendered = concreteDefinition(definition.toJson());
    expect(definition.validate()).toEqual([]);
    expect(definitionSchemaErrors(rendered)).toEqual([]);
    const conditions = rendered.Steps[0].Arguments.Conditions;
    expect(conditions[0]).toEqual({ Type: 'LessThan', LeftValue: { Get: 'Parameters.Epochs' }, RightValue: 10 });
    expect(conditions[1]).toEqual({ Type: 'Equals', LeftValue: { Get: 'Parameters.Deploy' }, RightValue: true });
    expect(conditions[2]).toEqual({
      Type: 'Or',
      Conditions: [
        { Type: 'Not', Expression: { Type: 'In', QueryValue: { Get: 'Parameters.Region' }, Values: ['us', 'eu'] } },
        {
          Type: 'Not',
          Expression: {
            Type: 'Or',
            Conditions: [
              { Type: 'Not', Expression: { Type: 'NotEquals', LeftValue: { Get: 'Parameters.Region' }, RightValue: 'ap' } },
              { Type: 'Not', Expression: { Type: 'GreaterThan', LeftValue: { Get: 'Parameters.Epochs' }, RightValue: 1.5 } },
            ],
          },
        },
      ],
    });
  });

  test('per-step overrides replace the team defaults; on-demand jobs keep a warm pool and no wait time', () => {
    const train = new TrainingStep({
      name: 'Train',
      environment,
      imageUri: 'image',
      overrides: { instanceType: 'ml.p4d.24xlarge', instanceCount: 2, maxRuntime: Duration.hours(2), keepAlivePeriod: Duration.minutes(10), maximumRetryAttempts: 1 },
      retryPolicies: [RetryPolicy.of({ exceptionTypes: [RetryExceptionType.SAGEMAKER_CAPACITY_ERROR], expireAfter: Duration.hours(1) })],
    });
    const rendered = concreteDefinition(new PipelineDefinition({ steps: [train] }).toJson());
    const args = rendered.Steps[0].Arguments;
    expect(args.ResourceConfig).toEqual({ InstanceType: 'ml.p4d.24xlarge', InstanceCount: 2, VolumeSizeInGB: 100, KeepAlivePeriodInSeconds: 600 });
    expect(args.EnableInterContainerTrafficEncryption).toBe(true);
    expect(args.EnableManagedSpotTraining).toBe(false);
    expect(args.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 7200 });
    expect(args.RetryStrategy).toEqual({ MaximumRetryAttempts: 1 });
    expect(rendered.Steps[0].RetryPolicies).toEqual([{ ExceptionType: ['SageMaker.CAPACITY_ERROR'], IntervalSeconds: 1, BackoffRate: 2, ExpireAfterMin: 60 }]);
    expect(definitionSchemaErrors(rendered)).toEqual([]);
  });

  test('script-mode code under network isolation ships as a code channel, as the SageMaker Python SDK does', () => {
    const train = new TrainingStep({ name: 'Train', environment, imageUri: 'image', code: { entryPoint: 'train.py', sourceDirS3Uri: 's3://assets/abc123.tar.gz' } });
    const args = concreteDefinition(new PipelineDefinition({ steps: [train] }).toJson()).Steps[0].Arguments;
    expect(args.HyperParameters).toEqual({
      sagemaker_program: '"train.py"',
      sagemaker_submit_directory: '"/opt/ml/input/data/code/abc123.tar.gz"',
      sagemaker_container_log_level: '20',
    });
    expect(args.InputDataConfig).toEqual([{ ChannelName: 'code', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://assets/abc123.tar.gz', S3DataDistributionType: 'FullyReplicated' } } }]);
  });

  test('an explicit model package group and approval status win over the environment', () => {
    const register = new RegisterModelStep({
      name: 'Register',
      environment,
      modelDataUrl: PipelineExpression.fromString('s3://m/model.tar.gz'),
      inferenceImageUri: 'image',
      modelPackageGroupName: 'shared-models',
      approvalStatus: ModelApprovalStatus.APPROVED,
    });
    const args = concreteDefinition(new PipelineDefinition({ steps: [register] }).toJson()).Steps[0].Arguments;
    expect(args.ModelPackageGroupName).toBe('shared-models');
    expect(args.ModelApprovalStatus).toBe('Approved');
  });
});

describe('PipelineDefinition.validate reports, naming the step or parameter', () => {
  const { environment } = platformAndTeam(newApp());
  const fail = (name: string) => new FailStep({ name });
  const errorsOf = (...steps: any[]) => new PipelineDefinition({ steps }).validate();

  test('duplicate step names', () => {
    expect(errorsOf(fail('Same'), fail('Same'))).toEqual([expect.stringMatching(/^Step 'Same': the name is used by 2 steps/)]);
  });

  test('a step placed both at the top level and in a condition branch', () => {
    const s = fail('Twice');
    const gate = new ConditionStep({ name: 'Gate', conditions: [Condition.equalTo(PipelineExpression.fromNumber(1), PipelineExpression.fromNumber(1))], ifSteps: [s] });
    expect(errorsOf(s, gate)).toEqual([expect.stringMatching(/^Step 'Twice': is placed 2 times \(top level; ifSteps of ConditionStep 'Gate'\)/)]);
  });

  test('names longer than 64 characters and names with other characters', () => {
    const long = 'S'.repeat(65);
    expect(errorsOf(fail(long))).toEqual([`Step '${long}': the name is 65 characters; SageMaker allows at most 64.`]);
    expect(errorsOf(fail('has space'))).toEqual(["Step 'has space': the name may contain only letters, digits, '-' and '_'."]);
  });

  test('invalid parameter names and one name with two types', () => {
    const bad = Parameter.string('bad.name');
    const s = fail('S');
    const gate = new ConditionStep({ name: 'Gate', conditions: [Condition.equalTo(bad, PipelineExpression.fromString('x'))], ifSteps: [s] });
    const def = new PipelineDefinition({ steps: [gate], parameters: [Parameter.integer('Twin'), Parameter.float('Twin')] });
    expect(def.validate()).toEqual(expect.arrayContaining([
      "Parameter 'bad.name': the name may contain only letters, digits, '-' and '_'.",
      "Parameter 'Twin': is declared with 2 types (Integer, Float); use one parameter per name.",
    ]));
  });

  test('a reference to a step that is not in the definition, from a step and from a condition branch', () => {
    const orphan = new TrainingStep({ name: 'Orphan', environment, imageUri: 'image' });
    const reader = new FailStep({ name: 'Reader', errorMessage: orphan.trainingJobName });
    const inBranch = new FailStep({ name: 'InBranch', dependsOn: [orphan] });
    const gate = new ConditionStep({ name: 'Gate', conditions: [Condition.equalTo(PipelineExpression.fromNumber(1), PipelineExpression.fromNumber(1))], elseSteps: [inBranch] });
    expect(errorsOf(reader, gate)).toEqual([
      "Step 'Reader': reads 'TrainingJobName' of step 'Orphan', which is not in the pipeline definition; add it with addStep.",
      "Step 'InBranch' (in elseSteps of ConditionStep 'Gate'): depends on step 'Orphan', which is not in the pipeline definition; add it with addStep.",
    ]);
  });

  test('a property path that does not exist on the step type, an undeclared output and an undeclared metric', () => {
    const train = new TrainingStep({ name: 'Train', environment, imageUri: 'image' });
    const processing = new ProcessingStep({ name: 'Proc', environment, imageUri: 'image', entrypoint: ['x'], outputs: [{ outputName: 'out' }] });
    const reader = new FailStep({
      name: 'Reader',
      errorMessage: PipelineExpression.join(' ', [train.property('ModelArtifact.S3ModelArtifacts'), processing.outputUri('missing'), train.finalMetric('auc')]),
    });
    expect(errorsOf(train, processing, reader)).toEqual([
      expect.stringMatching(/^Step 'Reader': reads 'ModelArtifact\.S3ModelArtifacts' is not a property of a Training step \(it has TrainingJobName, /),
      "Step 'Reader': reads output 'missing' is not declared on Processing step 'Proc' (it has out).",
      "Step 'Reader': reads metric 'auc' is not among the metric definitions of Training step 'Train' (it has none).",
    ]);
  });

  test('dependency cycles through dependsOn and data references', () => {
    const a = new TrainingStep({ name: 'A', environment, imageUri: 'image' });
    const b = new ProcessingStep({ name: 'B', environment, imageUri: 'image', entrypoint: ['x'], inputs: [{ inputName: 'm', source: a.modelArtifactsUri }] });
    a.addDependency(b);
    expect(errorsOf(a, b)).toEqual(["Step 'A': dependency cycle A -> B -> A; a step cannot wait for itself."]);
  });

  test('a condition on a property file the step never declared', () => {
    const evaluate = new ProcessingStep({
      name: 'Evaluate',
      environment,
      imageUri: 'image',
      entrypoint: ['x'],
      outputs: [{ outputName: 'evaluation' }],
      propertyFiles: [{ name: 'EvaluationReport', outputName: 'evaluation', filePath: 'evaluation.json' }],
    });
    const gate = new ConditionStep({
      name: 'Gate',
      conditions: [Condition.greaterThan(evaluate.jsonGet('Metrics', 'accuracy'), PipelineExpression.fromNumber(0.5))],
      elseSteps: [fail('Stop')],
    });
    expect(errorsOf(evaluate, gate)).toEqual([
      "Step 'Gate': reads property file 'Metrics' of step 'Evaluate', which declares only EvaluationReport; declare it in ProcessingStepProps.propertyFiles.",
    ]);
  });

  test('a threshold parameter of the wrong type', () => {
    const evaluate = new ProcessingStep({
      name: 'Evaluate',
      environment,
      imageUri: 'image',
      entrypoint: ['x'],
      outputs: [{ outputName: 'e' }],
      propertyFiles: [{ name: 'Report', outputName: 'e', filePath: 'evaluation.json' }],
    });
    const gate = new ConditionStep({
      name: 'Gate',
      conditions: [Condition.greaterThanOrEqualTo(evaluate.jsonGet('Report', 'accuracy'), Parameter.string('Threshold', { defaultValue: '0.9' }))],
      elseSteps: [fail('Stop')],
    });
    expect(errorsOf(evaluate, gate)).toEqual([
      "Step 'Gate': GreaterThanOrEqualTo compares numbers, but its right value parameter 'Threshold' is of type String; use Parameter.float or Parameter.integer.",
    ]);
  });

  test('a condition step whose branches are both empty, and a register step without a model package group', () => {
    const { environment: noRegistry } = platformAndTeam(newApp(), { createRegistries: false });
    const register = new RegisterModelStep({ name: 'Register', environment: noRegistry, modelDataUrl: PipelineExpression.fromString('s3://m'), inferenceImageUri: 'i' });
    const gate = new ConditionStep({ name: 'Gate', conditions: [Condition.equalTo(PipelineExpression.fromNumber(1), PipelineExpression.fromNumber(1))] });
    expect(errorsOf(register, gate)).toEqual([
      "Step 'Register': has no model package group: set RegisterModelStepProps.modelPackageGroupName, or give team 'fraud' a model registry.",
      "Step 'Gate': both ifSteps and elseSteps are empty, so the condition decides nothing.",
    ]);
  });

  test('a rendered definition over the 1,048,576 characters SageMaker accepts', () => {
    const steps = Array.from({ length: 40 }, (_, i) => new ProcessingStep({
      name: `Step${i}`, environment, imageUri: 'image', entrypoint: ['python3', 'x'.repeat(30_000)],
    }));
    expect(errorsOf(...steps)).toEqual([expect.stringMatching(/^Pipeline definition: is about \d+ characters, over the 1048576 SageMaker accepts; split the pipeline\.$/)]);
  });
});

describe('the DSL rejects bad props at once, naming the prop', () => {
  const { environment } = platformAndTeam(newApp());
  test.each([
    [() => Parameter.integer('N', { defaultValue: 1.5 }), /Parameter\.integer\(N\)\.defaultValue: must be a whole number/],
    [() => RetryPolicy.of({ exceptionTypes: [], maxAttempts: 2 }), /RetryPolicyProps\.exceptionTypes/],
    [() => RetryPolicy.of({ exceptionTypes: [RetryExceptionType.STEP_THROTTLING], maxAttempts: 21 }), /RetryPolicyProps\.maxAttempts: must be a whole number from 1 to 20/],
    [() => RetryPolicy.of({ exceptionTypes: [RetryExceptionType.STEP_THROTTLING], maxAttempts: 2, expireAfter: Duration.hours(1) }), /cannot be combined with RetryPolicyProps\.expireAfter/],
    [() => new ProcessingStep({ name: 'P', environment, imageUri: 'i', entrypoint: ['x'], outputs: [{ outputName: 'o' }], propertyFiles: [{ name: 'F', outputName: 'nope', filePath: 'f.json' }] }), /ProcessingStep\(P\)\.propertyFiles: property file 'F' is written to output 'nope'/],
    [() => new TrainingStep({ name: 'T', environment, imageUri: 'i', overrides: { maxRuntime: Duration.hours(10), maxWaitTime: Duration.hours(1) } }), /TrainingStep\(T\)\.overrides\.maxWaitTime: is 3600 s, shorter than the runtime of 36000 s/],
    [() => new TrainingStep({ name: 'T', environment, imageUri: 'i', overrides: { instanceType: 'g5.2xlarge' } }), /TrainingStep\(T\)\.overrides\.instanceType: must be a SageMaker instance type/],
    [() => new ConditionStep({ name: 'C', conditions: [] }), /ConditionStep\(C\)\.conditions: must hold at least one Condition/],
    [() => new TrainingStep({ name: 'T', environment, imageUri: 'i', code: { entryPoint: 'train.py', sourceDirS3Uri: Stack.of(environment).resolve('x') === 'x' ? environment.artifactsBucket.bucketName : '' } }), /TrainingStep\(T\)\.code\.sourceDirS3Uri: must end in a literal object name/],
    // Found by the DSL properties (test/properties/pipeline-definition.property.test.ts):
    [() => new ProcessingStep({ name: 'P', environment, imageUri: 'i', entrypoint: ['x'], maxRuntime: Duration.millis(1500) }), /ProcessingStep\(P\)\.maxRuntime \(seconds\): must be a whole number from 1 to 777600, got 1\.5/],
    [() => new ProcessingStep({ name: 'P', environment, imageUri: '', entrypoint: ['x'] }), /ProcessingStep\(P\)\.imageUri: is required/],
    [() => new ProcessingStep({ name: 'P', environment, imageUri: 'i', entrypoint: ['x'], instanceType: 'm5.xlarge' }), /ProcessingStep\(P\)\.instanceType: must be a SageMaker instance type/],
    [() => new TrainingStep({ name: 'T', environment, imageUri: 'i', overrides: { maxRuntime: Duration.seconds(0) } }), /TrainingStep\(T\)\.overrides\.maxRuntime \(seconds\): must be from 1 to 2419200, got 0/],
    [() => new TrainingStep({ name: 'T', environment, imageUri: 'i', overrides: { maxRuntime: Duration.days(40) } }), /TrainingStep\(T\)\.overrides\.maxRuntime \(seconds\): must be from 1 to 2419200/],
    [() => new TrainingStep({ name: 'T', environment, imageUri: 'i', overrides: { maxRuntime: Duration.millis(1500) } }), /TrainingStep\(T\)\.overrides\.maxRuntime \(seconds\): must be a whole number/],
    [() => new TrainingStep({ name: 'T', environment, imageUri: 'i', overrides: { enableManagedSpotTraining: false, keepAlivePeriod: Duration.hours(2) } }), /TrainingStep\(T\)\.overrides\.keepAlivePeriod \(seconds\): must be from 0 to 3600/],
    [() => new TrainingStep({ name: 'T', environment, imageUri: 'i', overrides: { keepAlivePeriod: Duration.minutes(10) } }), /TrainingStep\(T\)\.overrides\.keepAlivePeriod: cannot be used with managed spot training/],
    [() => new TrainingStep({ name: 'T', environment, imageUri: 'i', channels: [{ channelName: 'train data', s3Uri: PipelineExpression.fromString('s3://b/k') }] }), /TrainingStep\(T\)\.channels: channel name 'train data' is not allowed/],
    [() => new RegisterModelStep({ name: 'R', environment, inferenceImageUri: 'i', modelPackageGroupName: 'fraud_models', modelDataUrl: PipelineExpression.fromString('s3://m') }), /RegisterModelStep\(R\)\.modelPackageGroupName: "fraud_models" is not allowed/],
    [() => new RegisterModelStep({ name: 'R', environment, inferenceImageUri: '', modelDataUrl: PipelineExpression.fromString('s3://m') }), /RegisterModelStep\(R\)\.inferenceImageUri: is required/],
    [() => RetryPolicy.of({ exceptionTypes: [RetryExceptionType.STEP_THROTTLING], interval: Duration.seconds(0) }), /RetryPolicyProps\.interval \(seconds\): must be from 1 to 43200, got 0/],
    [() => RetryPolicy.of({ exceptionTypes: [RetryExceptionType.STEP_THROTTLING], interval: Duration.millis(1500) }), /RetryPolicyProps\.interval \(seconds\): must be a whole number/],
    [() => RetryPolicy.of({ exceptionTypes: [RetryExceptionType.STEP_THROTTLING], backoffRate: Infinity }), /RetryPolicyProps\.backoffRate: must be a finite number of at least 1, got Infinity/],
    [() => RetryPolicy.of({ exceptionTypes: ['Step.OOPS' as RetryExceptionType] }), /RetryPolicyProps\.exceptionTypes: 'Step\.OOPS' is not a RetryExceptionType/],
    [() => new ProcessingStep({ name: 'P', environment, imageUri: 'i', entrypoint: ['x'], cache: { expireAfter: Duration.seconds(0) } }), /ProcessingStep\(P\)\.cache\.expireAfter \(seconds\): must be from 1/],
    [() => new TrainingStep({ name: 'T', environment, imageUri: 'i', cache: { expireAfter: Duration.millis(500) } }), /TrainingStep\(T\)\.cache\.expireAfter \(seconds\): must be a whole number/],
    [() => new RegisterModelStep({ name: 'R', environment, inferenceImageUri: 'i', modelDataUrl: PipelineExpression.fromString('s3://m'), cache: { expireAfter: undefined as any } }), /RegisterModelStep\(R\)\.cache\.expireAfter: must be a Duration/],
    [() => new TrainingStep({ name: 'T', environment, imageUri: 'i', cache: { enabled: 'yes' as any, expireAfter: Duration.days(1) } }), /TrainingStep\(T\)\.cache\.enabled: must be true or false/],
  ])('%#', (make, message) => {
    expect(make).toThrow(TrainyardValidationError);
    expect(make).toThrow(message);
  });

  test('the definition object keeps tokens for deploy-time values, which a stack resolves', () => {
    const stack = Stack.of(environment);
    const step = new TrainingStep({ name: 'T', environment, imageUri: 'i' });
    const resolved = stack.resolve(new PipelineDefinition({ steps: [step] }).render());
    expect(resolved.Steps[0].Arguments.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^EnvironmentExecutionRole/), 'Arn'] });
  });
});

describe('the definition rules the tests validate against', () => {
  // GIVEN a minimal valid definition, THEN each broken variant is rejected (so the rules can fail).
  const valid = { Version: '2020-12-01', Parameters: [{ Name: 'P', Type: 'Float', DefaultValue: 0.5 }], Steps: [{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: 'no' } }] };
  test('accept the minimal definition', () => {
    expect(definitionSchemaErrors(valid)).toEqual([]);
  });
  test.each([
    ['another version', { ...valid, Version: '2021-01-01' }],
    ['a parameter name with a dot', { ...valid, Parameters: [{ Name: 'a.b', Type: 'String' }] }],
    ['a Float parameter with a string default', { ...valid, Parameters: [{ Name: 'P', Type: 'Float', DefaultValue: '0.5' }] }],
    ['a step name of 65 characters', { ...valid, Steps: [{ Name: 'S'.repeat(65), Type: 'Fail', Arguments: {} }] }],
    ['an unknown step type', { ...valid, Steps: [{ Name: 'S', Type: 'Lambda', Arguments: {} }] }],
    ['a training step without RoleArn', { ...valid, Steps: [{ Name: 'T', Type: 'Training', Arguments: { AlgorithmSpecification: { TrainingImage: 'i', TrainingInputMode: 'File' }, OutputDataConfig: { S3OutputPath: 's3://b' }, ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 }, StoppingCondition: { MaxRuntimeInSeconds: 1 } } }] }],
    ['an unknown retry exception type', { ...valid, Steps: [{ Name: 'P', Type: 'Processing', RetryPolicies: [{ ExceptionType: ['Step.OOPS'] }], Arguments: { ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 } }, AppSpecification: { ImageUri: 'i' }, RoleArn: 'r' } }] }],
    ['a Get of an unknown namespace', { ...valid, Steps: [{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: { Get: 'Pipeline.Name' } } }] }],
    ['an unknown top-level key', { ...valid, Extra: 1 }],
  ])('reject %s', (_case, definition) => {
    expect(definitionSchemaErrors(definition)).not.toEqual([]);
  });
});
