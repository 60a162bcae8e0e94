import { CloudWatchClient, GetMetricDataCommand, GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { Stack } from 'aws-cdk-lib';
import * as cloudwatchCdk from 'aws-cdk-lib/aws-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { IMAGE, modelPackageEvent, pipelineEvent, setCollectorEnvironment, trainingJobEvent } from './fixtures';
import { handler } from '../../src/metrics/collector.lambda';
import { FlowMetrics } from '../../src/metrics/flow-metrics';
import { gpuCatalogueEntries } from '../../src/metrics/gpu-catalogue';
import { encodeGpuCatalogue } from '../../src/metrics/gpu-utilization';
import { MlPlatform } from '../../src/platform/ml-platform';
import { newApp } from '../helpers/synth';

const dynamodb = mockClient(DynamoDBClient);
const sagemaker = mockClient(SageMakerClient);
const cloudwatch = mockClient(CloudWatchClient);

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
  const logs: any[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      try {
        const doc = JSON.parse(line);
        if (doc._aws) lines.push(doc);
        else logs.push(doc);
      } catch { /* not JSON */ }
    }
    return true;
  });
  return { lines, logs, restore: () => spy.mockRestore() };
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

/** Removes what setCollectorEnvironment set (the GPU-utilization and typed-metrics suites set it). */
let clearCollectorEnvironment: () => void = () => {};

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

/**
 * A GetMetricData fake: every query gets one datapoint per period over the request window with
 * `value(host, metric)` (SageMaker scale), or none when `value` returns undefined. Pages of
 * `pageSize` results follow each other through NextToken.
 */
function fakeMetrics(value: (host: string, metric: string) => number | undefined, pageSize = Infinity) {
  cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    const start = input.StartTime!.getTime();
    const end = input.EndTime!.getTime();
    const page = Number(input.NextToken ?? 0);
    const queries = input.MetricDataQueries!;
    const slice = queries.slice(page * pageSize, (page + 1) * pageSize);
    const results = slice.map((q) => {
      const stat = q.MetricStat!;
      const v = value(stat.Metric!.Dimensions![0].Value!, stat.Metric!.MetricName!);
      const timestamps: Date[] = [];
      if (v !== undefined) for (let t = start; t < end; t += stat.Period! * 1000) timestamps.push(new Date(t));
      return { Id: q.Id, Label: stat.Metric!.MetricName, Timestamps: timestamps, Values: timestamps.map(() => v!), StatusCode: 'Complete' };
    });
    const more = (page + 1) * pageSize < queries.length;
    return { MetricDataResults: results, NextToken: more ? String(page + 1) : undefined };
  });
}

describe('collector Lambda: GPU utilization from the training-job host metrics', () => {
  let emf: ReturnType<typeof captureEmf>;
  let table: Map<string, Record<string, any>>;
  const describeRun = (name: string, instanceType: string, instanceCount: number, start: Date, end: Date) => ({
    ...describeCompleted,
    TrainingJobName: name,
    BillableTimeInSeconds: (end.getTime() - start.getTime()) / 1000,
    ResourceConfig: { InstanceType: instanceType, InstanceCount: instanceCount, VolumeSizeInGB: 100 },
    TrainingStartTime: start,
    TrainingEndTime: end,
  });
  const longAgo = { start: new Date('2026-11-10T10:00:00Z'), end: new Date('2026-11-10T12:00:00Z') };

  beforeEach(() => {
    clearCollectorEnvironment = setCollectorEnvironment(encodeGpuCatalogue(gpuCatalogueEntries()));
    dynamodb.reset();
    sagemaker.reset();
    cloudwatch.reset();
    table = fakeTable();
    emf = captureEmf();
  });
  afterEach(() => {
    emf.restore();
    clearCollectorEnvironment();
  });

  test('a 4-GPU run at 25 % mean: 0.75 x its GPU-hours idle, under-utilized, stored with the run record', async () => {
    // GIVEN ml.g5.12xlarge (4 x A10G) for 2 h; SageMaker reports 100 of 400 % (25 % per GPU), memory 40 of 400 %
    sagemaker.on(DescribeTrainingJobCommand).resolves(describeRun('fraud-quad', 'ml.g5.12xlarge', 1, longAgo.start, longAgo.end) as any);
    fakeMetrics((_host, metric) => ({ GPUUtilization: 100, GPUMemoryUtilization: 40, CPUUtilization: 960, MemoryUtilization: 20 } as any)[metric]);
    // WHEN
    await handler(trainingJobEvent('fraud-quad', 'Completed') as any);
    // THEN the query: namespace, metric names, Host dimension, the training window
    const input = cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input;
    const queries = input.MetricDataQueries!.map((q) => {
      const stat = q.MetricStat!;
      return [stat.Metric!.Namespace, stat.Metric!.MetricName, stat.Metric!.Dimensions, stat.Stat];
    });
    expect(queries).toEqual([
      ['/aws/sagemaker/TrainingJobs', 'GPUUtilization', [{ Name: 'Host', Value: 'fraud-quad/algo-1' }], 'Average'],
      ['/aws/sagemaker/TrainingJobs', 'GPUMemoryUtilization', [{ Name: 'Host', Value: 'fraud-quad/algo-1' }], 'Maximum'],
      ['/aws/sagemaker/TrainingJobs', 'CPUUtilization', [{ Name: 'Host', Value: 'fraud-quad/algo-1' }], 'Average'],
      ['/aws/sagemaker/TrainingJobs', 'MemoryUtilization', [{ Name: 'Host', Value: 'fraud-quad/algo-1' }], 'Maximum'],
    ]);
    expect([input.StartTime, input.EndTime]).toEqual([longAgo.start, longAgo.end]);
    // 8 GPU-hours (2 h x 4 GPUs), 6 of them idle; cost at the catalogue price 7.09 USD/h
    expect(total(emf.lines, 'GpuUtilization')).toBeCloseTo(25, 6);
    expect(total(emf.lines, 'MeasuredGpuHours')).toBeCloseTo(8, 6);
    expect(total(emf.lines, 'IdleGpuHours')).toBeCloseTo(0.75 * 8, 6);
    expect(total(emf.lines, 'IdleGpuCostUsd')).toBeCloseTo(0.75 * 2 * 7.09, 6);
    expect(total(emf.lines, 'UnderutilizedRuns')).toBe(1);
    expect(total(emf.lines, 'UnderutilizedIdleGpuHours')).toBeCloseTo(6, 6);
    const doc = emf.lines.find((d) => 'GpuUtilization' in d);
    expect(doc._aws.CloudWatchMetrics[0].Metrics).toEqual(expect.arrayContaining([{ Name: 'GpuUtilization', Unit: 'Percent' }]));
    const record = table.get('tj#fraud-quad#Completed')!;
    expect(record.utilization.S).toBe('measured');
    expect(Number(record.gpuUtilizationPercent.N)).toBe(25);
    expect(Number(record.idleGpuHours.N)).toBe(6);
    expect(Number(record.underutilized.N)).toBe(1);
    // 10 % of 96 GiB at peak = 9.6 GiB, one GPU busy at p95: the cheapest single GPU with 11.5 GiB (peak + 20 %)
    // is the T4 of ml.g4dn.xlarge (right-sizing advice stored as JSON)
    expect(Number(record.peakGpuMemoryGib.N)).toBeCloseTo(9.6, 6);
    expect(JSON.parse(record.rightSizing.S)[0]).toEqual(expect.objectContaining({ instanceType: 'ml.g4dn.xlarge', gpus: 1, currentCostUsd: 14.18, estimatedCostUsd: 1.47 }));
    // The structured log line the dashboard's "top idle GPU-hours" table queries (flat fields).
    expect(emf.logs.find((l) => l.message === 'gpu utilization')).toEqual(expect.objectContaining({
      team: 'fraud',
      trainingJobName: 'fraud-quad',
      instanceType: 'ml.g5.12xlarge',
      gpuUtilizationPercent: 25,
      idleGpuHours: 6,
      suggestedInstanceType: '1 x ml.g4dn.xlarge',
      suggestedSavingUsd: 12.71,
      underutilized: 1,
    }));
  });

  test('a single-GPU run at 85 % is measured and not flagged', async () => {
    sagemaker.on(DescribeTrainingJobCommand).resolves(describeRun('fraud-single', 'ml.g5.2xlarge', 1, longAgo.start, longAgo.end) as any);
    fakeMetrics((_host, metric) => ({ GPUUtilization: 85, GPUMemoryUtilization: 70, CPUUtilization: 300, MemoryUtilization: 40 } as any)[metric]);
    await handler(trainingJobEvent('fraud-single', 'Completed') as any);
    expect(total(emf.lines, 'GpuUtilization')).toBeCloseTo(85, 6);
    expect(total(emf.lines, 'IdleGpuHours')).toBeCloseTo(0.15 * 2, 6);
    expect(total(emf.lines, 'UnderutilizedRuns')).toBe(0);
    expect(Number(table.get('tj#fraud-single#Completed')!.underutilized.N)).toBe(0);
  });

  test('a run without host metrics (past the grace period) is unmeasured, never 0 %', async () => {
    sagemaker.on(DescribeTrainingJobCommand).resolves(describeRun('fraud-short', 'ml.g5.2xlarge', 1, longAgo.start, longAgo.end) as any);
    fakeMetrics(() => undefined);
    await handler(trainingJobEvent('fraud-short', 'Completed') as any);
    expect(total(emf.lines, 'UnmeasuredGpuRuns')).toBe(1);
    expect(emf.lines.some((d) => 'GpuUtilization' in d || 'IdleGpuHours' in d)).toBe(false);
    expect(table.get('tj#fraud-short#Completed')!.utilization.S).toBe('unmeasured:no-host-metrics');
    expect(table.get('tj#fraud-short#Completed')!.gpuUtilizationPercent).toBeUndefined();
    // Read once: the run ended long ago, so an empty answer is final.
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(1);
  });

  test('an instance type without GPUs is not queried', async () => {
    sagemaker.on(DescribeTrainingJobCommand).resolves(describeRun('fraud-cpu', 'ml.m5.xlarge', 1, longAgo.start, longAgo.end) as any);
    await handler(trainingJobEvent('fraud-cpu', 'Completed') as any);
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(0);
    expect(total(emf.lines, 'TrainingRuns')).toBe(1);
    expect(total(emf.lines, 'UnmeasuredGpuRuns')).toBe(0);
  });

  test('130 instances (520 queries) are read in requests of at most 500 queries, each followed through NextToken', async () => {
    sagemaker.on(DescribeTrainingJobCommand).resolves(describeRun('fraud-wide', 'ml.g5.12xlarge', 130, longAgo.start, longAgo.end) as any);
    // algo-1..65 at 400 % (all 4 GPUs busy), algo-66..130 at 0 %: 50 % mean only if every host is read
    fakeMetrics((host, metric) => (metric === 'GPUUtilization' ? (Number(host.split('algo-')[1]) <= 65 ? 400 : 0) : 50), 300);
    await handler(trainingJobEvent('fraud-wide', 'Completed') as any);
    const calls = cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.MetricDataQueries!.length, c.NextToken])).toEqual([[500, undefined], [500, '1'], [20, undefined]]);
    for (const c of calls) expect(new Set(c.MetricDataQueries!.map((q) => q.Id)).size).toBe(c.MetricDataQueries!.length);
    expect(total(emf.lines, 'GpuUtilization')).toBeCloseTo(50, 6);
    expect(total(emf.lines, 'MeasuredGpuHours')).toBeCloseTo(2 * 130 * 4, 6);
  });

  test('metrics lagging the end event are re-read with backoff, then counted once', async () => {
    // GIVEN a run that ended 30 s ago; the first two reads find nothing yet, the third finds the series
    const end = new Date(Date.now() - 30_000);
    const start = new Date(end.getTime() - 3_600_000);
    sagemaker.on(DescribeTrainingJobCommand).resolves(describeRun('fraud-fresh', 'ml.g5.2xlarge', 1, start, end) as any);
    let reads = 0;
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      reads++;
      if (reads < 3) return { MetricDataResults: input.MetricDataQueries!.map((q) => ({ Id: q.Id, Timestamps: [], Values: [] })) };
      const timestamps: Date[] = [];
      for (let t = input.StartTime!.getTime(); t < input.EndTime!.getTime(); t += 60_000) timestamps.push(new Date(t));
      return { MetricDataResults: input.MetricDataQueries!.map((q) => ({ Id: q.Id, Timestamps: timestamps, Values: timestamps.map(() => 30) })) };
    });
    // WHEN
    await handler(trainingJobEvent('fraud-fresh', 'Completed') as any);
    // THEN
    expect(reads).toBe(3);
    expect(total(emf.lines, 'GpuUtilization')).toBeCloseTo(30, 6);
    expect(total(emf.lines, 'UnderutilizedRuns')).toBe(1);
  });

  test('metrics still missing within the grace period fail the invocation before it is counted (Lambda retries, then the DLQ)', async () => {
    const end = new Date(Date.now() - 30_000);
    sagemaker.on(DescribeTrainingJobCommand).resolves(describeRun('fraud-lagging', 'ml.g5.2xlarge', 1, new Date(end.getTime() - 3_600_000), end) as any);
    fakeMetrics(() => undefined);
    await expect(handler(trainingJobEvent('fraud-lagging', 'Completed') as any)).rejects.toThrow(/not yet published/);
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(3);
    expect([...table.keys()].filter((k) => k.startsWith('tj#'))).toEqual([]);
    expect(emf.lines).toEqual([]);
  });

  test('a preempted queued attempt through DynamoDB: the preemption event first, the training job then counts as preempted once, under the run\'s team', async () => {
    // GIVEN a training job Batch made (AWSBatch<job name><32 hex>) that risk's tag attributes; DescribeTrainingJob is denied
    const name = `AWSBatchty0a1b2c3d4e-Ab12Cd34Ef${'e'.repeat(32)}`;
    sagemaker.on(DescribeTrainingJobCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const preemption = {
      'version': '0',
      'id': 'p-1',
      'detail-type': 'Batch Service Job Preemption Completed',
      'source': 'aws.batch',
      'detail': {
        preemptedJobArn: 'arn:aws:batch:eu-west-1:111122223333:service-job/51f245a9',
        preemptionSummary: {
          preemptedAttemptCount: 1,
          recentPreemptedAttempts: [{ serviceResourceId: { name: 'TrainingJobArn', value: `arn:aws:sagemaker:eu-west-1:111122223333:training-job/${name.toLowerCase()}` }, startedAt: 1, stoppedAt: 2 }],
        },
        status: 'RUNNABLE',
      },
    };
    const stopped = trainingJobEvent(name, 'Stopped', { SecondaryStatus: 'Stopped', BillableTimeInSeconds: 1800, Tags: { 'trainyard:team': 'risk' } });
    // WHEN both arrive, each twice
    for (const e of [preemption, stopped, preemption, { ...stopped, id: 'again' }]) await handler(e as any);
    // THEN
    expect(total(emf.lines, 'TrainingRuns')).toBe(1);
    expect(total(emf.lines, 'ScrappedRuns')).toBe(1);
    expect(total(emf.lines, 'ScrappedRunsByCause', 'preempted')).toBe(1);
    expect(total(emf.lines, 'ScrappedRunsByCause', 'userStop')).toBe(0);
    // 0.5 h billed x 2 instances
    expect(total(emf.lines, 'WastedGpuHoursByCause', 'preempted')).toBe(1);
    expect(emf.lines.every((d) => d.Team === 'risk')).toBe(true);
    expect([...table.keys()].filter((k) => k.startsWith('bq#')).sort()).toEqual(['cause', 'run', 'scrap'].map((k) => `bq#${name.toLowerCase()}#${k}`));
  });

  test('a Batch event completing another team\'s run publishes that team\'s scrap under its own Team dimension', async () => {
    const name = `AWSBatchty0a1b2c3d4e-Ab12Cd34Ef${'f'.repeat(32)}`;
    sagemaker.on(DescribeTrainingJobCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await handler(trainingJobEvent(name, 'Stopped', { SecondaryStatus: 'Stopped', BillableTimeInSeconds: 3600, Tags: { 'trainyard:team': 'risk' } }) as any);
    const attemptArn = `arn:aws:sagemaker:eu-west-1:111122223333:training-job/${name}`;
    await handler({
      'id': 'b-1',
      'detail-type': 'Batch Service Job State Change',
      'source': 'aws.batch',
      'detail': {
        jobId: 'job-7',
        jobName: 'notebook-job',
        quotaShareName: 'fraud',
        status: 'SUCCEEDED',
        createdAt: 1,
        startedAt: 2,
        attempts: [{ serviceResourceId: { name: 'TrainingJobArn', value: attemptArn } }, { serviceResourceId: { name: 'TrainingJobArn', value: `${attemptArn}x` } }],
        preemptionSummary: { preemptedAttemptCount: 1, recentPreemptedAttempts: [{ serviceResourceId: { name: 'TrainingJobArn', value: attemptArn } }] },
      },
    } as any);
    const preemptedDocs = emf.lines.filter((d) => d.Cause === 'preempted');
    expect(preemptedDocs.map((d) => d.Team)).toEqual(['risk', 'risk']);
    expect(emf.lines.filter((d) => 'Preemptions' in d).map((d) => d.Team)).toEqual(['fraud']);
    expect(emf.lines.filter((d) => 'ScrappedRuns' in d).map((d) => d.Team)).toEqual(['risk']);
  });
});

describe('FlowMetrics\' typed metrics name exactly what the collector publishes', () => {
  // GIVEN the metrics the collector Lambda writes (EMF) for a measured GPU run, a failed run, a
  // pipeline that registers an approved model, and a queued job that waited and was preempted
  let published: Map<string, Array<{ namespace: string; dimensions: string[]; team: string; cause?: string }>>;
  beforeAll(async () => {
    clearCollectorEnvironment = setCollectorEnvironment(encodeGpuCatalogue(gpuCatalogueEntries()));
    dynamodb.reset();
    sagemaker.reset();
    cloudwatch.reset();
    fakeTable();
    const emf = captureEmf();
    try {
      sagemaker.on(DescribeTrainingJobCommand).callsFake((input) => input.TrainingJobName === 'fraud-big'
        ? {
          ...describeCompleted,
          HyperParameters: { epochs: '1' },
          TrainingJobName: 'fraud-big',
          TrainingJobStatus: 'Failed',
          SecondaryStatus: 'Failed',
          FailureReason: 'CapacityError: Unable to provision requested ML compute capacity.',
        }
        : { ...describeCompleted, TrainingJobName: input.TrainingJobName, ResourceConfig: { InstanceType: 'ml.g5.12xlarge', InstanceCount: 1, VolumeSizeInGB: 100 } });
      fakeMetrics((_host, metric) => ({ GPUUtilization: 100, GPUMemoryUtilization: 40, CPUUtilization: 960, MemoryUtilization: 20 } as any)[metric]);
      await handler(trainingJobEvent('fraud-quad', 'Completed') as any);
      await handler(trainingJobEvent('fraud-big', 'Failed', {}, 'a1b2c3d4-0000-4000-8000-000000000002') as any);
      const execution = 'arn:aws:sagemaker:eu-west-1:111122223333:pipeline/fraud-training/execution/p4jn9xou8a8s';
      await handler(pipelineEvent('fraud-training', 'p4jn9xou8a8s', 'Executing', '2026-11-10T08:00:00Z') as any);
      await handler(modelPackageEvent('fraud-models', 7, 'PendingManualApproval', '2026-11-10T11:00:00Z', '2026-11-10T11:00:00Z', execution) as any);
      await handler(modelPackageEvent('fraud-models', 7, 'Approved', '2026-11-10T11:00:00Z', '2026-11-11T08:00:00Z', execution) as any);
      const t0 = Date.UTC(2026, 10, 10, 8);
      const batch = (detail: Record<string, unknown>) => ({
        'id': `batch-${String(detail.status)}`, 'source': 'aws.batch', 'detail-type': 'Batch Service Job State Change', 'detail': { jobId: 'job-1', quotaShareName: 'fraud', ...detail },
      });
      await handler(batch({ status: 'RUNNING', createdAt: t0, startedAt: t0 + 25 * 60_000 }) as any);
      await handler(batch({
        status: 'SUCCEEDED',
        capacityUsage: [{ capacityUnit: 'ml.g5.2xlarge', quantity: 1 }],
        preemptionSummary: { preemptedAttemptCount: 1, recentPreemptedAttempts: [{ startedAt: t0, stoppedAt: t0 + 30 * 60_000 }] },
      }) as any);
    } finally {
      emf.restore();
      clearCollectorEnvironment();
    }
    published = new Map();
    for (const doc of emf.lines) {
      for (const directive of doc._aws.CloudWatchMetrics) {
        for (const m of directive.Metrics) {
          const identity = { namespace: directive.Namespace, dimensions: directive.Dimensions[0], team: doc.Team, cause: doc.Cause };
          published.set(m.Name, [...(published.get(m.Name) ?? []), identity]);
        }
      }
    }
  });

  // AND the typed metrics of a FlowMetrics measuring that team
  const stack = new Stack(newApp(), 'Flow');
  const flow = new FlowMetrics(stack, 'Flow', { platform: new MlPlatform(stack, 'Platform'), teamNames: ['fraud'] });
  const typed: Array<[string, cloudwatchCdk.Metric]> = [
    ['metricSuccessfulRuns', flow.metricSuccessfulRuns('fraud')],
    ['metricModelsRegistered', flow.metricModelsRegistered('fraud')],
    ['metricModelsApproved', flow.metricModelsApproved('fraud')],
    ['metricCycleTimeToRegistration', flow.metricCycleTimeToRegistration('fraud')],
    ['metricCycleTimeToApproval', flow.metricCycleTimeToApproval('fraud')],
    ['metricTrainingRuns', flow.metricTrainingRuns('fraud')],
    ['metricScrappedRuns', flow.metricScrappedRuns('fraud')],
    ['metricScrappedRunsByCause', flow.metricScrappedRunsByCause('fraud', 'capacity')],
    ['metricWastedGpuHours', flow.metricWastedGpuHours('fraud')],
    ['metricWastedGpuHoursByCause', flow.metricWastedGpuHoursByCause('fraud', 'capacity')],
    ['metricWastedCost', flow.metricWastedCost('fraud')],
    ['metricQueueWait', flow.metricQueueWait('fraud')],
    ['metricPreemptions', flow.metricPreemptions('fraud')],
    ['metricMeasuredGpuHours', flow.metricMeasuredGpuHours('fraud')],
    ['metricIdleGpuHours', flow.metricIdleGpuHours('fraud')],
    ['metricUnderutilizedIdleGpuHours', flow.metricUnderutilizedIdleGpuHours('fraud')],
    ['metricIdleGpuCost', flow.metricIdleGpuCost('fraud')],
    ['metricUnderutilizedIdleCost', flow.metricUnderutilizedIdleCost('fraud')],
    ['metricUnderutilizedRuns', flow.metricUnderutilizedRuns('fraud')],
    ['metricMeasuredGpuRuns', flow.metricMeasuredGpuRuns('fraud')],
    ...Object.entries(flow.metricScrapRate('fraud').usingMetrics).map(([id, m]): [string, cloudwatchCdk.Metric] => [`metricScrapRate/${id}`, m as cloudwatchCdk.Metric]),
    ...Object.entries(flow.metricGpuUtilization('fraud').usingMetrics).map(([id, m]): [string, cloudwatchCdk.Metric] => [`metricGpuUtilization/${id}`, m as cloudwatchCdk.Metric]),
  ];

  test.each(typed)('%s: namespace, metric name and dimensions of a published metric', (_method, metric) => {
    // THEN each typed metric is one the collector wrote, under the same namespace and dimension names and values
    const emitted = published.get(metric.metricName) ?? [];
    expect(emitted.length).toBeGreaterThan(0);
    const dimensions = metric.dimensions!;
    const identity = { namespace: metric.namespace, dimensions: Object.keys(dimensions), team: dimensions.Team, cause: dimensions.Cause };
    expect(emitted).toContainEqual(identity);
  });

  test('the collector publishes nothing the typed metrics leave out, except what `metric(name, team)` reads', () => {
    const covered = new Set(typed.map(([, m]) => m.metricName));
    // GpuHours, GpuUtilization (the per-run mean) and UnmeasuredGpuRuns have no typed method: the dashboard does not use them.
    expect([...published.keys()].filter((name) => !covered.has(name)).sort()).toEqual(['GpuHours', 'GpuUtilization']);
  });
});
