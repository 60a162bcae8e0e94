// Realistic SageMaker records (DescribeTrainingJob + ListTags, ListPipelineExecutions,
// DescribeModelPackage) and EventBridge events, with the real API field names.
import type { ModelPackageRecord, PipelineExecutionRecord, TrainingJobRecord } from '../../src/metrics/flow-metrics-core';
import type { CollectorSettings, DedupStore } from '../../src/metrics/private/collector-logic';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const IMAGE = '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker';

/** 2026-11-02T00:00:00Z (a Monday) plus `hours`. */
export function at(hours: number): Date {
  return new Date(Date.UTC(2026, 10, 2) + hours * 3_600_000);
}

/** A four-week window: 2026-11-02 .. 2026-11-30. */
export const WINDOW = { start: at(0), end: at(28 * 24) };

export interface JobOptions {
  readonly team?: string;
  readonly status?: 'Completed' | 'Failed' | 'Stopped' | 'InProgress';
  readonly secondaryStatus?: string;
  readonly failureReason?: string;
  readonly createdAtHour?: number;
  readonly hours?: number;
  readonly instanceType?: string;
  readonly instanceCount?: number;
  readonly spot?: boolean;
  readonly learningRate?: string;
  readonly datasetVersion?: string;
  readonly configHash?: string | null;
}

/** A DescribeTrainingJob response with its ListTags tags, as the CLI assembles it. */
export function trainingJob(name: string, o: JobOptions = {}): TrainingJobRecord {
  const created = at(o.createdAtHour ?? 24);
  const seconds = Math.round((o.hours ?? 2) * 3600);
  const start = new Date(created.getTime() + 5 * 60_000);
  const end = new Date(start.getTime() + seconds * 1000);
  const status = o.status ?? 'Completed';
  const tags = [
    { Key: 'trainyard:team', Value: o.team ?? 'fraud' },
    { Key: 'trainyard:dataset-version', Value: o.datasetVersion ?? '2026-11-01' },
    ...(o.configHash === null ? [] : [{ Key: 'trainyard:config-hash', Value: o.configHash ?? 'cfg-9f2c1a' }]),
  ];
  return {
    TrainingJobName: name,
    TrainingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/${name}`,
    TrainingJobStatus: status,
    SecondaryStatus: o.secondaryStatus ?? (status === 'Completed' ? 'Completed' : status === 'Failed' ? 'Failed' : 'Stopped'),
    FailureReason: o.failureReason,
    CreationTime: created,
    TrainingStartTime: start,
    TrainingEndTime: status === 'InProgress' ? undefined : end,
    LastModifiedTime: end,
    TrainingTimeInSeconds: seconds,
    BillableTimeInSeconds: o.spot ? Math.round(seconds * 0.4) : seconds,
    EnableManagedSpotTraining: o.spot ?? false,
    ResourceConfig: { InstanceType: o.instanceType ?? 'ml.g5.2xlarge', InstanceCount: o.instanceCount ?? 1 },
    HyperParameters: {
      'epochs': '10',
      'learning-rate': o.learningRate ?? '0.001',
      'sagemaker_program': 'train.py',
      'sagemaker_submit_directory': `s3://trainyard-artifacts/fraud/code/${name}/source/sourcedir.tar.gz`,
      'sagemaker_job_name': name,
    },
    InputDataConfig: [
      { ChannelName: 'train', DataSource: { S3DataSource: { S3Uri: 's3://trainyard-datasets/fraud/transactions/v12/train/' } } },
      { ChannelName: 'validation', DataSource: { S3DataSource: { S3Uri: 's3://trainyard-datasets/fraud/transactions/v12/validation/' } } },
    ],
    AlgorithmSpecification: { TrainingImage: IMAGE },
    Tags: tags,
  };
}

/** A ListPipelineExecutions summary with PipelineArn added (as the CLI assembles it). */
export function pipelineExecution(pipeline: string, id: string, startHour: number, status = 'Succeeded'): PipelineExecutionRecord {
  return {
    PipelineArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:pipeline/${pipeline}`,
    PipelineExecutionArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:pipeline/${pipeline}/execution/${id}`,
    PipelineExecutionStatus: status,
    StartTime: at(startHour),
  };
}

/** A DescribeModelPackage response. */
export function modelPackage(
  group: string, version: number, createdHour: number, approval: string, o: { approvedHour?: number; generatedBy?: string } = {},
): ModelPackageRecord {
  return {
    ModelPackageArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/${group}/${version}`,
    ModelPackageGroupName: group,
    ModelPackageStatus: 'Completed',
    ModelApprovalStatus: approval,
    CreationTime: at(createdHour),
    LastModifiedTime: at(o.approvedHour ?? createdHour),
    MetadataProperties: o.generatedBy ? { GeneratedBy: o.generatedBy } : undefined,
  };
}

/** A "SageMaker Training Job State Change" event, shaped like the documented example (Tags as a map, epoch-millis strings). */
export function trainingJobEvent(name: string, status: string, extra: Record<string, unknown> = {}, id = 'a1b2c3d4-0000-4000-8000-000000000001') {
  return {
    'version': '0',
    id,
    'detail-type': 'SageMaker Training Job State Change',
    'source': 'aws.sagemaker',
    'account': ACCOUNT,
    'time': '2026-11-10T12:26:13Z',
    'region': REGION,
    'resources': [`arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/${name}`],
    'detail': {
      TrainingJobName: name,
      TrainingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/${name}`,
      TrainingJobStatus: status,
      SecondaryStatus: status,
      HyperParameters: { 'epochs': '10', 'learning-rate': '0.001' },
      AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
      ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 2, VolumeSizeInGB: 100 },
      CreationTime: '1794312000000',
      TrainingStartTime: '1794312300000',
      TrainingEndTime: '1794319500000',
      LastModifiedTime: '1794319500000',
      Tags: { 'trainyard:team': 'fraud', 'trainyard:config-hash': 'cfg-9f2c1a', 'trainyard:dataset-version': '2026-11-01' },
      ...extra,
    },
  };
}

/** A "SageMaker Model Building Pipeline Execution Status Change" event. */
export function pipelineEvent(pipeline: string, id: string, status: string, startIso: string) {
  return {
    'version': '0',
    'id': `pe-${id}-${status}`,
    'detail-type': 'SageMaker Model Building Pipeline Execution Status Change',
    'source': 'aws.sagemaker',
    'account': ACCOUNT,
    'time': startIso,
    'region': REGION,
    'resources': [
      `arn:aws:sagemaker:${REGION}:${ACCOUNT}:pipeline/${pipeline}`,
      `arn:aws:sagemaker:${REGION}:${ACCOUNT}:pipeline/${pipeline}/execution/${id}`,
    ],
    'detail': {
      pipelineExecutionDisplayName: `execution-${id}`,
      currentPipelineExecutionStatus: status,
      previousPipelineExecutionStatus: 'Executing',
      executionStartTime: startIso,
      pipelineArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:pipeline/${pipeline}`,
      pipelineExecutionArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:pipeline/${pipeline}/execution/${id}`,
    },
  };
}

/** A "SageMaker Model Package State Change" event. */
export function modelPackageEvent(group: string, version: number, approval: string, createdIso: string, modifiedIso: string, generatedBy?: string) {
  return {
    'version': '0',
    'id': `mp-${group}-${version}-${approval}`,
    'detail-type': 'SageMaker Model Package State Change',
    'source': 'aws.sagemaker',
    'account': ACCOUNT,
    'time': modifiedIso,
    'region': REGION,
    'resources': [`arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/${group}/${version}`],
    'detail': {
      ModelPackageGroupName: group,
      ModelPackageVersion: version,
      ModelPackageArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/${group}/${version}`,
      CreationTime: createdIso,
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: approval,
      MetadataProperties: generatedBy ? { GeneratedBy: generatedBy } : {},
      LastModifiedTime: modifiedIso,
    },
  };
}

/** An in-memory dedup store with DynamoDB's semantics (conditional put, consistent get); `keys()` lists what it holds. */
export function memoryStore(): DedupStore & { keys(): string[] } {
  const items = new Map<string, Record<string, string | number>>();
  return {
    async putIfAbsent(key, attributes) {
      if (items.has(key)) return { written: false, existing: items.get(key) };
      items.set(key, attributes);
      return { written: true };
    },
    async put(key, attributes) { items.set(key, attributes); },
    async get(key) { return items.get(key); },
    keys: () => [...items.keys()],
  };
}

/** The collector Lambda's environment as FlowMetrics sets it, for handler tests; returns a function that removes it. */
export function setCollectorEnvironment(gpuCatalogueJson: string): () => void {
  process.env.AWS_REGION = 'eu-west-1';
  process.env.TABLE_NAME = 'FlowDedup';
  process.env.TEAMS = 'fraud,risk';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  process.env.GPU_CATALOGUE_JSON = gpuCatalogueJson;
  process.env.HOST_METRICS_RETRY_DELAYS_MS = '1,1';
  process.env.HOST_METRICS_GRACE_SECONDS = '180';
  return () => {
    delete process.env.GPU_CATALOGUE_JSON;
    delete process.env.HOST_METRICS_RETRY_DELAYS_MS;
    delete process.env.HOST_METRICS_GRACE_SECONDS;
  };
}

/**
 * Collector settings for tests of Batch service-job events (teams `vision` and `fraud`, a fixed clock,
 * no host-metric waits): Batch events carry no host metrics, so the GPU-utilization settings are unused.
 */
export function batchCollectorSettings(pricePerInstanceHour: CollectorSettings['pricePerInstanceHour']): CollectorSettings {
  return {
    teams: ['vision', 'fraud'],
    ttlSeconds: 3600,
    pricePerInstanceHour,
    now: () => Date.UTC(2026, 11, 1),
    gpuCatalogue: [],
    underutilizedThresholdPercent: 35,
    metricsGraceMs: 0,
    metricsRetryDelaysMs: [],
    sleep: async () => {},
  };
}
