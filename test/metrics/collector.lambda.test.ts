import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { IMAGE, modelPackageEvent, pipelineEvent, trainingJobEvent } from './fixtures';
import { handler } from '../../src/metrics/collector.lambda';

const dynamodb = mockClient(DynamoDBClient);
const sagemaker = mockClient(SageMakerClient);

/** An in-memory DynamoDB table behind the mock: PutItem honours attribute_not_exists(pk). */
function fakeTable() {
  const items = new Map<string, Record<string, any>>();
  dynamodb.on(PutItemCommand).callsFake((input) => {
    const key = input.Item.pk.S;
    if (input.ConditionExpression === 'attribute_not_exists(pk)' && items.has(key)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: items.get(key) });
    }
    items.set(key, input.Item);
    return {};
  });
  dynamodb.on(GetItemCommand).callsFake((input) => ({ Item: items.get(input.Key.pk.S) }));
  return items;
}

/** The EMF documents the handler wrote to stdout. */
function captureEmf() {
  const lines: any[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      try {
        const doc = JSON.parse(line);
        if (doc._aws) lines.push(doc);
      } catch { /* not JSON */ }
    }
    return true;
  });
  return { lines, restore: () => spy.mockRestore() };
}

/** Sum of metric `name` over the EMF documents, optionally for one Cause. */
function total(docs: any[], name: string, cause?: string): number {
  return docs.filter((d) => name in d && (cause === undefined || d.Cause === cause)).reduce((sum, d) => sum + Number(d[name]), 0);
}

const describeCompleted = {
  TrainingJobName: 'fraud-xgb-2026-11-10',
  TrainingJobStatus: 'Completed',
  SecondaryStatus: 'Completed',
  BillableTimeInSeconds: 3600,
  ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 2, VolumeSizeInGB: 100 },
  AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
  HyperParameters: { 'epochs': '10', 'learning-rate': '0.001' },
  CreationTime: new Date('2026-11-10T10:00:00Z'),
  TrainingStartTime: new Date('2026-11-10T10:05:00Z'),
  TrainingEndTime: new Date('2026-11-10T11:05:00Z'),
};

describe('collector Lambda', () => {
  let emf: ReturnType<typeof captureEmf>;
  let table: Map<string, Record<string, any>>;

  beforeEach(() => {
    process.env.AWS_REGION = 'eu-west-1';
    process.env.TABLE_NAME = 'FlowDedup';
    process.env.TEAMS = 'fraud,risk';
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
    dynamodb.reset();
    sagemaker.reset();
    table = fakeTable();
    emf = captureEmf();
  });
  afterEach(() => emf.restore());

  test('a completed run: enriched with DescribeTrainingJob, published with namespace Trainyard/Flow and dimension Team', async () => {
    // GIVEN
    sagemaker.on(DescribeTrainingJobCommand, { TrainingJobName: 'fraud-xgb-2026-11-10' }).resolves(describeCompleted as any);
    // WHEN
    await handler(trainingJobEvent('fraud-xgb-2026-11-10', 'Completed') as any);
    // THEN
    expect(sagemaker.commandCalls(DescribeTrainingJobCommand)).toHaveLength(1);
    expect(emf.lines).toHaveLength(1);
    const doc = emf.lines[0];
    expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe('Trainyard/Flow');
    expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Team']]);
    expect(doc.Team).toBe('fraud');
    expect(doc.TrainingRuns).toBe(1);
    expect(doc.SuccessfulRuns).toBe(1);
    // BillableTimeInSeconds (3600) x InstanceCount (2) from DescribeTrainingJob
    expect(doc.GpuHours).toBe(2);
    expect(doc.ScrappedRuns).toBeUndefined();
  });

  test('the same state change delivered twice is counted once (conditional write on the dedup table)', async () => {
    // GIVEN
    sagemaker.on(DescribeTrainingJobCommand).resolves(describeCompleted as any);
    const event = trainingJobEvent('fraud-xgb-2026-11-10', 'Completed');
    // WHEN SageMaker sends the event twice (different EventBridge ids, same state change)
    await handler(event as any);
    await handler({ ...event, id: 'another-delivery-id' } as any);
    // THEN
    expect(total(emf.lines, 'TrainingRuns')).toBe(1);
    expect(total(emf.lines, 'SuccessfulRuns')).toBe(1);
    const puts = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    const dedupPuts = puts.filter((p) => p.Item!.pk.S === 'tj#fraud-xgb-2026-11-10#Completed');
    expect(dedupPuts).toHaveLength(2);
    expect(dedupPuts[0]).toEqual(expect.objectContaining({ TableName: 'FlowDedup', ConditionExpression: 'attribute_not_exists(pk)' }));
    expect(Number(table.get('tj#fraud-xgb-2026-11-10#Completed')!.expiresAt.N)).toBeGreaterThan(Date.now() / 1000 + 80 * 86400);
  });

  test('a failed run with a capacity error: scrap by cause with a Team+Cause dimension, wasted GPU-hours and cost', async () => {
    sagemaker.on(DescribeTrainingJobCommand).resolves({
      ...describeCompleted,
      TrainingJobName: 'fraud-big',
      TrainingJobStatus: 'Failed',
      SecondaryStatus: 'Failed',
      BillableTimeInSeconds: 900,
      FailureReason: 'CapacityError: Unable to provision requested ML compute capacity. Please retry using a different ML instance type.',
    } as any);
    await handler(trainingJobEvent('fraud-big', 'Failed') as any);
    expect(total(emf.lines, 'ScrappedRuns')).toBe(1);
    expect(total(emf.lines, 'WastedGpuHours')).toBe(0.5);
    expect(total(emf.lines, 'WastedCostUsd')).toBeCloseTo(0.5 * 1.515, 3);
    const byCause = emf.lines.find((d) => 'ScrappedRunsByCause' in d);
    expect(byCause.Cause).toBe('capacity');
    expect(byCause._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Team', 'Cause']]);
  });

  test('a rerun identical to an earlier successful run is counted as a duplicate', async () => {
    sagemaker.on(DescribeTrainingJobCommand).callsFake((input) => ({ ...describeCompleted, TrainingJobName: input.TrainingJobName }));
    await handler(trainingJobEvent('fraud-run-1', 'Completed') as any);
    await handler(trainingJobEvent('fraud-run-2', 'Completed') as any);
    expect(total(emf.lines, 'TrainingRuns')).toBe(2);
    expect(total(emf.lines, 'SuccessfulRuns')).toBe(1);
    expect(total(emf.lines, 'ScrappedRunsByCause', 'duplicate')).toBe(1);
  });

  test('a user stop without DescribeTrainingJob permission still counts from the event detail', async () => {
    sagemaker.on(DescribeTrainingJobCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await handler(trainingJobEvent('fraud-stopped', 'Stopped', { SecondaryStatus: 'Stopped' }) as any);
    expect(total(emf.lines, 'ScrappedRunsByCause', 'userStop')).toBe(1);
  });

  test('a throttled DescribeTrainingJob fails the invocation before anything is marked counted (so the retry counts it)', async () => {
    sagemaker.on(DescribeTrainingJobCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(handler(trainingJobEvent('fraud-throttled', 'Completed') as any)).rejects.toThrow(/Rate exceeded/);
    expect(table.size).toBe(0);
    expect(emf.lines).toEqual([]);
  });

  test('in-progress states and other teams are ignored', async () => {
    await handler(trainingJobEvent('fraud-running', 'InProgress') as any);
    await handler(trainingJobEvent('ads-run', 'Completed', { Tags: { 'trainyard:team': 'ads' } }) as any);
    expect(emf.lines).toEqual([]);
    expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  test('pipeline start -> model registration -> approval: counts and both cycle times, each once', async () => {
    const execution = 'arn:aws:sagemaker:eu-west-1:111122223333:pipeline/fraud-training/execution/p4jn9xou8a8s';
    // WHEN the execution starts, registers a model 3 h later, the model is approved 21 h after that
    await handler(pipelineEvent('fraud-training', 'p4jn9xou8a8s', 'Executing', '2026-11-10T08:00:00Z') as any);
    const registered = modelPackageEvent('fraud-models', 7, 'PendingManualApproval', '2026-11-10T11:00:00Z', '2026-11-10T11:00:00Z', execution);
    await handler(registered as any);
    await handler(registered as any);
    const approved = modelPackageEvent('fraud-models', 7, 'Approved', '2026-11-10T11:00:00Z', '2026-11-11T08:00:00Z', execution);
    await handler(approved as any);
    await handler(approved as any);
    await handler(pipelineEvent('fraud-training', 'p4jn9xou8a8s', 'Succeeded', '2026-11-10T08:00:00Z') as any);
    // THEN
    expect(total(emf.lines, 'ModelsRegistered')).toBe(1);
    expect(total(emf.lines, 'ModelsApproved')).toBe(1);
    expect(total(emf.lines, 'CycleTimePipelineToRegistrationHours')).toBe(3);
    expect(total(emf.lines, 'CycleTimeRegistrationToApprovalHours')).toBe(21);
    expect(total(emf.lines, 'PipelineExecutionsSucceeded')).toBe(1);
    expect(emf.lines.every((d) => d.Team === 'fraud')).toBe(true);
  });
});
