import { BatchClient, ClientException, ListServiceJobsCommand, SubmitServiceJobCommand } from '@aws-sdk/client-batch';
import {
  DescribeTrainingJobCommand,
  SageMakerClient,
  SendPipelineExecutionStepFailureCommand,
  SendPipelineExecutionStepSuccessCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { failureReason, isRetryable, MAX_PAYLOAD_BYTES } from '../../src/pipeline/private/queued-training-logic';

process.env.JOB_NAME_PREFIX = 'ty0123abcd';
process.env.TEAM_NAME = 'vision';
// eslint-disable-next-line import/order
import { handler } from '../../src/pipeline/queued-training.lambda';

const batch = mockClient(BatchClient);
const sagemaker = mockClient(SageMakerClient);

const QUEUE = 'arn:aws:batch:us-east-1:111122223333:job-queue/Gpus-abc';
const EXECUTION = 'arn:aws:sagemaker:us-east-1:111122223333:pipeline/vision-pipeline/execution/abc123';
const TOKEN = 'Ab12Cd34Ef';
const TRAINING_ARN = `arn:aws:sagemaker:us-east-1:111122223333:training-job/AWSBatchty0123abcd-${TOKEN}0123456789abcdef0123456789abcdef`;

/** The request template as a QueuedTrainingStep renders it: run-time values are markers naming arguments. */
const TEMPLATE = JSON.stringify({
  AlgorithmSpecification: { TrainingImage: 'image:1', TrainingInputMode: 'File' },
  RoleArn: 'arn:aws:iam::111122223333:role/vision-training',
  ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 100 },
  StoppingCondition: { MaxRuntimeInSeconds: 3600 },
  HyperParameters: { 'epochs': '10', 'label-column': { 'Trainyard::Value': 'RunTimeValue0' } },
  CheckpointConfig: { S3Uri: { 'Trainyard::Value': 'RunTimeValue1' }, LocalPath: '/opt/ml/checkpoints' },
  Tags: [{ Key: 'trainyard:cost-center', Value: 'cc-7' }, { Key: 'trainyard:team', Value: 'vision' }, { Key: 'trainyard:dataset-version', Value: { 'Trainyard::Value': 'RunTimeValue2' } }],
});

/** A Callback message: SageMaker has resolved each argument's expression to its value. */
function callback(overrides: Record<string, unknown> = {}, token = TOKEN): string {
  return JSON.stringify({
    token,
    pipelineExecutionArn: EXECUTION,
    status: 'Executing',
    arguments: {
      TrainingJobRequest: TEMPLATE,
      JobQueue: QUEUE,
      QuotaShareName: 'vision',
      SchedulingPriority: 100,
      PreemptionRetries: 3,
      StepName: 'Train',
      // A parameter value with quotes and a backslash: it must land as data, not as JSON text.
      RunTimeValue0: 'label","RoleArn":"arn:aws:iam::999999999999:role/evil\\',
      RunTimeValue1: 's3://artifacts/checkpoints/abc123/Train',
      RunTimeValue2: 7,
      ...overrides,
    },
  });
}

const sqsEvent = (...bodies: string[]) => ({
  Records: bodies.map((body, i) => ({ messageId: `m${i}`, body, receiptHandle: 'r', attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn', awsRegion: 'us-east-1' })),
}) as any;

const stateChange = (detail: Record<string, unknown>) => ({
  'version': '0',
  'id': 'e1',
  'detail-type': 'Batch Service Job State Change',
  'source': 'aws.batch',
  'account': '111122223333',
  'time': '2026-12-01T08:00:00Z',
  'region': 'us-east-1',
  'resources': [],
  'detail': { jobId: 'job-1', jobName: `ty0123abcd-${TOKEN}`, jobQueue: QUEUE, ...detail },
}) as any;

beforeEach(() => {
  batch.reset();
  sagemaker.reset();
  batch.on(ListServiceJobsCommand).resolves({ jobSummaryList: [] });
  batch.on(SubmitServiceJobCommand).resolves({ jobId: 'job-1', jobName: `ty0123abcd-${TOKEN}` });
});

describe('submitting a Callback step', () => {
  test('submits the CreateTrainingJob request to the share, named after the callback token, with a client token and team tags', async () => {
    const result = await handler(sqsEvent(callback()));
    expect(result).toEqual({ batchItemFailures: [] });
    const [call] = batch.commandCalls(SubmitServiceJobCommand);
    const input = call.args[0].input;
    expect(input).toEqual(expect.objectContaining({
      jobName: `ty0123abcd-${TOKEN}`,
      jobQueue: QUEUE,
      serviceJobType: 'SAGEMAKER_TRAINING',
      quotaShareName: 'vision',
      schedulingPriority: 100,
      preemptionConfiguration: { preemptionRetriesBeforeTermination: 3 },
      // The payload's tags move to the service job, as the SageMaker Python SDK's TrainingQueue does.
      tags: { 'trainyard:cost-center': 'cc-7', 'trainyard:team': 'vision', 'trainyard:dataset-version': '7', 'trainyard:pipeline-execution': EXECUTION, 'trainyard:step': 'Train' },
    }));
    expect(input.clientToken).toMatch(/^[0-9a-f]{64}$/);
    const payload = JSON.parse(input.serviceRequestPayload!);
    expect(payload.TrainingJobName).toBeUndefined();
    expect(payload.Tags).toBeUndefined();
    expect(payload.ResourceConfig.InstanceType).toBe('ml.g5.2xlarge');
    // Run-time values are put in place as strings; quotes in a value stay inside it.
    expect(payload.HyperParameters).toEqual({ 'epochs': '10', 'label-column': 'label","RoleArn":"arn:aws:iam::999999999999:role/evil\\' });
    expect(payload.RoleArn).toBe('arn:aws:iam::111122223333:role/vision-training');
    expect(payload.CheckpointConfig.S3Uri).toBe('s3://artifacts/checkpoints/abc123/Train');
    expect(input.tags!['trainyard:dataset-version']).toBe('7');
    // 8 (AWSBatch) + 21 + 32 hex: the training job name Batch derives fits SageMaker's 63 characters.
    expect(8 + input.jobName!.length + 32).toBeLessThanOrEqual(63);
  });

  test('a repeated delivery of the same message submits nothing the second time', async () => {
    await handler(sqsEvent(callback()));
    batch.on(ListServiceJobsCommand).resolves({ jobSummaryList: [{ jobId: 'job-1', jobName: `ty0123abcd-${TOKEN}`, serviceJobType: 'SAGEMAKER_TRAINING' }] });
    await handler(sqsEvent(callback()));
    expect(batch.commandCalls(SubmitServiceJobCommand)).toHaveLength(1);
    expect(batch.commandCalls(ListServiceJobsCommand)[1].args[0].input.filters).toEqual([{ name: 'JOB_NAME', values: [`ty0123abcd-${TOKEN}`] }]);
  });

  test('throttling returns the message to the queue; the next delivery submits it', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    batch.on(SubmitServiceJobCommand).rejectsOnce(throttled).resolves({ jobId: 'job-1', jobName: 'x' });
    expect(await handler(sqsEvent(callback(), callback({}, 'Zz98Yy76Xx')))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }] });
    expect(sagemaker.commandCalls(SendPipelineExecutionStepFailureCommand)).toHaveLength(0);
    expect(await handler(sqsEvent(callback()))).toEqual({ batchItemFailures: [] });
    expect(batch.commandCalls(SubmitServiceJobCommand)).toHaveLength(3);
  });

  test('a request Batch refuses fails the step with Batch\'s reason', async () => {
    batch.on(SubmitServiceJobCommand).rejects(new ClientException({ message: 'Quota share vision is DISABLED', $metadata: { httpStatusCode: 400 } }));
    expect(await handler(sqsEvent(callback()))).toEqual({ batchItemFailures: [] });
    const [call] = sagemaker.commandCalls(SendPipelineExecutionStepFailureCommand);
    expect(call.args[0].input).toEqual(expect.objectContaining({ CallbackToken: TOKEN, FailureReason: expect.stringContaining('Quota share vision is DISABLED') }));
  });

  test('a payload over 10 KiB fails the step without submitting', async () => {
    // Within the synth-time estimate, a parameter can still resolve to more than the check assumed.
    await handler(sqsEvent(callback({ RunTimeValue0: 'x'.repeat(MAX_PAYLOAD_BYTES) })));
    expect(batch.commandCalls(SubmitServiceJobCommand)).toHaveLength(0);
    const [call] = sagemaker.commandCalls(SendPipelineExecutionStepFailureCommand);
    expect(call.args[0].input.FailureReason).toMatch(/over the 10240-byte limit/);
    expect(call.args[0].input.FailureReason!.length).toBeLessThanOrEqual(256);
  });

  test.each([
    ['a template that is not JSON', { TrainingJobRequest: '{"RoleArn": "arn:aws:iam::1:role/x",' }, /TrainingJobRequest is not valid JSON/],
    ['a marker whose argument is missing', { RunTimeValue1: undefined }, /refers to argument RunTimeValue1, which the callback message does not carry/],
    ['an argument that resolved to an object', { RunTimeValue0: { nested: true } }, /argument RunTimeValue0 resolved to an object/],
  ])('%s fails the step with a clear reason, once, and submits nothing', async (_name, overrides, reason) => {
    expect(await handler(sqsEvent(callback(overrides)))).toEqual({ batchItemFailures: [] });
    expect(batch.commandCalls(SubmitServiceJobCommand)).toHaveLength(0);
    const calls = sagemaker.commandCalls(SendPipelineExecutionStepFailureCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input.FailureReason).toMatch(/^Trainyard queued training: cannot rebuild the CreateTrainingJob request: /);
    expect(calls[0].args[0].input.FailureReason).toMatch(reason);
    expect(calls[0].args[0].input.FailureReason!.length).toBeLessThanOrEqual(256);
  });

  test('an expired callback token is logged and dropped, not retried', async () => {
    batch.on(SubmitServiceJobCommand).rejects(new ClientException({ message: 'bad', $metadata: {} }));
    sagemaker.on(SendPipelineExecutionStepFailureCommand).rejects(Object.assign(new Error('Callback token has expired'), { name: 'ValidationException' }));
    expect(await handler(sqsEvent(callback()))).toEqual({ batchItemFailures: [] });
  });

  test('a message without a valid token is dropped', async () => {
    expect(await handler(sqsEvent(callback({}, 'short'), 'not json'))).toEqual({ batchItemFailures: [] });
    expect(batch.commandCalls(SubmitServiceJobCommand)).toHaveLength(0);
  });
});

describe('reporting the end of a job', () => {
  test('SUCCEEDED reports the model artifacts, job name and ARN, idempotently for a repeated event', async () => {
    sagemaker.on(DescribeTrainingJobCommand).resolves({ ModelArtifacts: { S3ModelArtifacts: 's3://artifacts/vision/model.tar.gz' } } as any);
    const event = stateChange({ status: 'SUCCEEDED', latestAttempt: { serviceResourceId: { name: 'TrainingJobArn', value: TRAINING_ARN } } });
    await handler(event);
    await handler(event);
    const calls = sagemaker.commandCalls(SendPipelineExecutionStepSuccessCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0].args[0].input).toEqual({
      CallbackToken: TOKEN,
      OutputParameters: [
        { Name: 'ModelArtifacts', Value: 's3://artifacts/vision/model.tar.gz' },
        { Name: 'TrainingJobName', Value: TRAINING_ARN.split('/').pop() },
        { Name: 'TrainingJobArn', Value: TRAINING_ARN },
      ],
      ClientRequestToken: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(calls[1].args[0].input.ClientRequestToken).toBe(calls[0].args[0].input.ClientRequestToken);
  });

  test('a second report after the step ended (duplicate event) is dropped', async () => {
    sagemaker.on(DescribeTrainingJobCommand).resolves({ ModelArtifacts: { S3ModelArtifacts: 's3://a/m.tar.gz' } } as any);
    sagemaker.on(SendPipelineExecutionStepSuccessCommand).rejects(Object.assign(new Error('Step is not in an executing state'), { name: 'ValidationException' }));
    await expect(handler(stateChange({ status: 'SUCCEEDED', latestAttempt: { serviceResourceId: { name: 'TrainingJobArn', value: TRAINING_ARN } } }))).resolves.toBeUndefined();
  });

  test('a job terminated for waiting RUNNABLE too long fails the step saying so', async () => {
    await handler(stateChange({ status: 'FAILED', statusReason: 'Trainyard: waited RUNNABLE longer than the pool\'s maxRunnableWait (4 hours) for capacity' }));
    const [call] = sagemaker.commandCalls(SendPipelineExecutionStepFailureCommand);
    expect(call.args[0].input.FailureReason).toMatch(/^Waited too long for capacity in the pool: /);
  });

  test('a job preempted past its retries fails the step saying so', async () => {
    await handler(stateChange({ status: 'FAILED', statusReason: 'Job preempted; preemption retries exhausted', preemptionSummary: { preemptedAttemptCount: 4 } }));
    const [call] = sagemaker.commandCalls(SendPipelineExecutionStepFailureCommand);
    expect(call.args[0].input.FailureReason).toMatch(/^Preempted 4 time\(s\), past the step's preemptionRetries/);
  });

  test('a service fault while reporting is thrown, so EventBridge retries the delivery', async () => {
    sagemaker.on(SendPipelineExecutionStepFailureCommand).rejects(Object.assign(new Error('Internal'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }));
    await expect(handler(stateChange({ status: 'FAILED', statusReason: 'AlgorithmError' }))).rejects.toThrow('Internal');
  });

  test('jobs of other pipelines and intermediate states are ignored', async () => {
    await handler(stateChange({ status: 'SUCCEEDED', jobName: 'ty9999ffff-Ab12Cd34Ef' }));
    await handler(stateChange({ status: 'RUNNING' }));
    expect(sagemaker.calls()).toHaveLength(0);
  });
});

describe('helpers', () => {
  test('retryable errors are throttling and service faults only', () => {
    expect(isRetryable({ name: 'ThrottlingException' })).toBe(true);
    expect(isRetryable({ name: 'ServerException' })).toBe(true);
    expect(isRetryable({ name: 'ClientException', $metadata: { httpStatusCode: 400 } })).toBe(false);
  });

  test('a training failure after a preemption mentions the preemption without blaming it', () => {
    expect(failureReason({ jobId: 'j', jobName: 'n', status: 'FAILED', statusReason: 'AlgorithmError: loss is NaN', preemptionSummary: { preemptedAttemptCount: 1 } }))
      .toBe('The training job failed: AlgorithmError: loss is NaN (AWS Batch job j, after 1 preemption(s))');
  });
});
