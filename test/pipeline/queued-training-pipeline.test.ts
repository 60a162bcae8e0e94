import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { TrainyardValidationError } from '../../src/core/errors';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { SharingStrategy, TeamCapacityShare } from '../../src/environment/team-capacity-share';
import { TrainingCapacityPool } from '../../src/environment/training-capacity-pool';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { Parameter } from '../../src/pipeline/definition/parameter';
import { PipelineDefinition } from '../../src/pipeline/definition/pipeline-definition';
import { PipelineExpression } from '../../src/pipeline/definition/pipeline-expression';
import { QueuedTrainingStep } from '../../src/pipeline/definition/queued-training-step';
import { StandardTrainingRecipe } from '../../src/pipeline/standard-training-recipe';
import { TrainingPipeline } from '../../src/pipeline/training-pipeline';
import { MlPlatform } from '../../src/platform/ml-platform';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';
import { definitionSchemaErrors, deployedDefinition, queuedTrainingRequestErrors } from './definition/definition-rules';

const G5 = 'ml.g5.2xlarge';

describe('the standard pipelines of two teams train through their shares of one pool', () => {
  // GIVEN a platform stack with a pool, and two team stacks, each with a share and a standard pipeline
  // trained through it; synthesized once with every compliance pack.
  let visionStack!: Stack;
  let visionShare!: TeamCapacityShare;
  let pipeline!: TrainingPipeline;
  const result = synthWithCompliance((app) => {
    const platformStack = new Stack(app, 'Platform');
    const platform = new MlPlatform(platformStack, 'Platform');
    const pool = new TrainingCapacityPool(platformStack, 'Gpus', {
      capacity: [{ instanceType: G5, maxInstances: 16 }],
      trainingPlanArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-plan/gpu-reservation',
    });
    for (const [team, strategy] of [['vision', SharingStrategy.LEND_AND_BORROW], ['fraud', SharingStrategy.LEND]] as const) {
      const stack = new Stack(app, team);
      const environment = new TrainingEnvironment(stack, 'Team', { platform, teamName: team, gpu: GpuProfile.G5_2XLARGE });
      const share = pool.addTeamShare(environment, { guaranteed: [{ instanceType: G5, maxInstances: 8 }], strategy });
      const p = new TrainingPipeline(stack, 'Pipeline', {
        environment,
        definition: StandardTrainingRecipe.create({ environment, capacityShare: share }),
      });
      if (team === 'vision') {
        visionStack = stack;
        visionShare = share;
        pipeline = p;
      }
    }
  });
  const template = result.template(visionStack);
  const definition = (): any => deployedDefinition(Object.values<any>(template.findResources('AWS::SageMaker::Pipeline'))[0]);
  const policy = (description: RegExp): any[] => {
    const found = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) => description.test(p.Properties.Description));
    expect(found).toHaveLength(1);
    return found[0].Properties.PolicyDocument.Statement;
  };

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('no direct Training step remains: the training runs as a Callback step with the callback outputs', () => {
    const d = definition();
    expect(definitionSchemaErrors(d)).toEqual([]);
    expect(d.Steps.map((s: any) => `${s.Type}:${s.Name}`)).toEqual(['Processing:ValidateData', 'Callback:Train', 'Processing:Evaluate', 'Condition:QualityGate']);
    const train = d.Steps[1];
    expect(train.OutputParameters).toEqual([
      { OutputName: 'ModelArtifacts', OutputType: 'String' },
      { OutputName: 'TrainingJobName', OutputType: 'String' },
      { OutputName: 'TrainingJobArn', OutputType: 'String' },
    ]);
    // The queue URL is a deploy-time value (Ref of the submitter's queue) in the deployed body.
    expect(train.SqsQueueUrl).toBe('TOKEN');
    const body = JSON.stringify(Object.values<any>(template.findResources('AWS::SageMaker::Pipeline'))[0].Properties.PipelineDefinition);
    expect(body).toMatch(/"Ref":"PipelineQueuedTrainingCallbackQueue[0-9A-F]+"/);
    expect(train.Arguments.QuotaShareName).toBe('vision');
    expect(train.Arguments.SchedulingPriority).toBe(100);
    expect(train.Arguments.PreemptionRetries).toBe(3);
    // Every argument is a primitive or ONE pipeline expression (a Callback step's inputs are flat):
    // the request is a JSON string whose run-time values are markers naming RunTimeValue<n> arguments.
    for (const [name, value] of Object.entries<any>(train.Arguments)) {
      const flat = value === null || typeof value !== 'object' || (Object.keys(value).length === 1 && /^(Get|Std:Join|Std:JsonGet)$/.test(Object.keys(value)[0]));
      expect([name, flat]).toEqual([name, true]);
    }
    expect(typeof train.Arguments.TrainingJobRequest).toBe('string');
    const request = JSON.parse(train.Arguments.TrainingJobRequest);
    expect(request).toEqual(expect.objectContaining({
      RoleArn: 'TOKEN',
      EnableNetworkIsolation: true,
      ResourceConfig: expect.objectContaining({ InstanceType: G5, TrainingPlanArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-plan/gpu-reservation' }),
      StoppingCondition: expect.objectContaining({ MaxRuntimeInSeconds: expect.any(Number) }),
    }));
    expect(request.TrainingJobName).toBeUndefined();
    // The checkpoint prefix is built at run time: a marker in the request, its Std:Join a top-level argument.
    const marker = request.CheckpointConfig.S3Uri['Trainyard::Value'];
    expect(marker).toMatch(/^RunTimeValue\d+$/);
    expect(train.Arguments[marker]['Std:Join'].Values).toContainEqual({ Get: 'Execution.PipelineExecutionId' });
    // With the markers filled by their expressions, the request is a valid Training step's arguments.
    expect(queuedTrainingRequestErrors(train.Arguments)).toEqual([]);
    // Every marker names an argument, and every RunTimeValue argument is used once.
    const markers = train.Arguments.TrainingJobRequest.match(/"Trainyard::Value":"(RunTimeValue\d+)"/g)!.map((m: string) => m.split('"')[3]);
    expect(new Set(markers)).toEqual(new Set(Object.keys(train.Arguments).filter((k) => k.startsWith('RunTimeValue'))));
    // The rest of the recipe reads the model from the callback output.
    expect(JSON.stringify(d.Steps[2])).toContain("Steps.Train.OutputParameters['ModelArtifacts']");
  });

  test('the pipeline role may only send to its own submitter queue (and no longer creates training jobs itself)', () => {
    const statements = policy(/Least privilege of SageMaker pipeline/);
    const send = statements.find((s) => s.Sid === 'SendToQueuedTrainingSubmitter');
    expect(send.Action).toBe('sqs:SendMessage');
    expect(JSON.stringify(send.Resource)).toContain('CallbackQueue');
    expect(statements.find((s) => s.Sid === 'TrainingJobsOfThisPipeline')).toBeUndefined();
  });

  test('the submitter reports only to this pipeline, describes only its jobs and submits only to the team share', () => {
    const statements = policy(/queued-training submitter/);
    const report = statements.find((s) => s.Sid === 'ReportToThisPipeline');
    expect([...report.Action].sort()).toEqual(['sagemaker:SendPipelineExecutionStepFailure', 'sagemaker:SendPipelineExecutionStepSuccess']);
    expect(JSON.stringify(report.Resource)).toContain('/execution/*');
    const describe = statements.find((s) => s.Sid === 'DescribeThisPipelinesTrainingJobs');
    expect(JSON.stringify(describe.Resource)).toMatch(/training-job\/AWSBatchty[0-9a-f]{10}-\*/);
    const submitPolicy = Object.entries<any>(template.findResources('AWS::IAM::ManagedPolicy')).find(([, p]) => /quota share/.test(p.Properties.Description))!;
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }),
      ManagedPolicyArns: Match.arrayWith([{ Ref: submitPolicy[0] }]),
    });
  });

  test('an EventBridge rule hands the submitter the end states of this pipeline\'s jobs only', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.batch'],
        'detail-type': ['Batch Service Job State Change'],
        'detail': {
          jobQueue: [{ Ref: Match.stringLikeRegexp('^SsmParameterValuetrainyardTrainyardcapacitypools') }],
          jobName: [{ prefix: Match.stringLikeRegexp('^ty[0-9a-f]{10}-$') }],
          status: ['SUCCEEDED', 'FAILED'],
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'] });
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { maxReceiveCount: 10, deadLetterTargetArn: Match.anyValue() }, KmsMasterKeyId: Match.anyValue() });
  });

  test('the job name prefix leaves room for the callback token within SageMaker\'s 63 characters', () => {
    const prefix = (pipeline.node.findChild('QueuedTraining') as any).jobNamePrefix as string;
    expect(`AWSBatch${prefix}-0123456789${'f'.repeat(32)}`.length).toBeLessThanOrEqual(63);
    expect(visionShare.teamName).toBe('vision');
  });
});

describe('QueuedTrainingStep bad input fails at synth, naming the prop', () => {
  const app = newApp();
  const stack = new Stack(app, 'S');
  const platform = new MlPlatform(stack, 'Platform');
  const pool = new TrainingCapacityPool(stack, 'Pool', { capacity: [{ instanceType: G5, maxInstances: 4 }] });
  const vision = new TrainingEnvironment(stack, 'Vision', { platform, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE, createRegistries: false });
  const fraud = new TrainingEnvironment(stack, 'Fraud', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE, createRegistries: false });
  const share = pool.addTeamShare(vision, { guaranteed: [{ instanceType: G5, maxInstances: 2 }] });
  const base = { name: 'Train', environment: vision, imageUri: '111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1', share };

  test.each([
    [{ share: undefined }, /QueuedTrainingStep\(Train\).share: is required/],
    [{ environment: fraud }, /QueuedTrainingStep\(Train\).share: belongs to team 'vision', but the step's environment is team 'fraud'/],
    [{ schedulingPriority: 10_000 }, /QueuedTrainingStep\(Train\).schedulingPriority: must be from 0 to 9999/],
    [{ preemptionRetries: 11 }, /QueuedTrainingStep\(Train\).preemptionRetries: must be from 0 to 10/],
    [{ retryPolicies: [] }, /QueuedTrainingStep\(Train\).retryPolicies: is not supported/],
  ])('%j', (override, message) => {
    expect(() => new QueuedTrainingStep({ ...base, ...override } as any)).toThrow(TrainyardValidationError);
    expect(() => new QueuedTrainingStep({ ...base, ...override } as any)).toThrow(message);
  });

  test('a request over the 10 KiB payload limit of a service job is refused at synth', () => {
    const big = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`param${i}`, PipelineExpression.fromString('x'.repeat(200))]));
    const step = new QueuedTrainingStep({ ...base, hyperParameters: big });
    const definition = new PipelineDefinition();
    definition.addStep(step);
    new TrainingPipeline(stack, 'Pipeline', { environment: vision, definition });
    expect(definition.validate().join('\n')).toMatch(/Step 'Train': its CreateTrainingJob request takes about \d+ bytes .* over AWS Batch's 10240-byte limit/);
    expect(() => app.synth()).toThrow(/10240-byte limit/);
  });

  test('run-time values count at their upper bounds: 40 String parameters (256 bytes each) overflow a small-looking request', () => {
    const params = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${i}`, Parameter.string(`P${i}`, { defaultValue: 'x' })]));
    const definition = new PipelineDefinition();
    definition.addStep(new QueuedTrainingStep({ ...base, name: 'Params', hyperParameters: params }));
    expect(JSON.stringify(definition.render()).length).toBeLessThan(10_240);
    expect(definition.validate().join('\n')).toMatch(/Step 'Params': its CreateTrainingJob request takes about 1\d{4} bytes/);
    // A parameter read twice is one argument, not two.
    const twice = new PipelineDefinition();
    const shared = Parameter.string('Shared', { defaultValue: 'x' });
    twice.addStep(new QueuedTrainingStep({ ...base, name: 'Twice', hyperParameters: { a: shared, b: shared } }));
    const args = twice.render().Steps[0].Arguments;
    expect(Object.keys(args).filter((k) => k.startsWith('RunTimeValue')).map((k) => args[k])).toContainEqual({ Get: 'Parameters.Shared' });
    expect(Object.values(args).filter((v: any) => v?.Get === 'Parameters.Shared')).toHaveLength(1);
  });

  test('outside a TrainingPipeline the step is reported as unbound', () => {
    const definition = new PipelineDefinition();
    definition.addStep(new QueuedTrainingStep({ ...base, name: 'Loose' }));
    expect(definition.validate().join('\n')).toMatch(/Step 'Loose': is not bound to a submitter/);
  });

  test('only the callback outputs can be read', () => {
    const step = new QueuedTrainingStep({ ...base, name: 'Outputs' });
    expect(step._checkPropertyPath("OutputParameters['ModelArtifacts']")).toBeUndefined();
    expect(step._checkPropertyPath('ModelArtifacts.S3ModelArtifacts')).toMatch(/is not a property of a Callback step/);
    expect(step._checkPropertyPath("OutputParameters['Other']")).toMatch(/is not an output of queued training step/);
  });
});
