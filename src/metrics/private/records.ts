// Normalization of SageMaker API responses and EventBridge event details into one internal shape.
// Pure TypeScript: no AWS SDK imports, so the collector Lambda, the CLI and the benchmark share it.
//
// Field names follow the SageMaker API (DescribeTrainingJob, ListPipelineExecutions,
// DescribePipelineExecution, ListModelPackages/DescribeModelPackage) and the EventBridge events
// (which use the same names for training jobs and model packages, camelCase for pipelines).
// Every field is optional and may be malformed: normalization never throws.
import { teamOfQueuedJobName } from '../../pipeline/private/queued-job-name';

/** A timestamp as SageMaker hands it out: a Date (SDK), an ISO string or epoch millis (events, JSON). */
export type TimeValue = Date | string | number;

/** Tags as the API returns them (ListTags: `[{ Key, Value }]`) or as events carry them (`{ key: value }`). */
export type TagsValue = ReadonlyArray<{ readonly Key?: string; readonly Value?: string }> | Readonly<Record<string, string>>;

/** The tag naming a run's team. */
export const TEAM_TAG = 'trainyard:team';
/** Tags naming a run's code version (either is enough for duplicate detection). */
export const CODE_HASH_TAGS = ['trainyard:config-hash', 'trainyard:git-sha'] as const;
/** The tag naming the dataset version a run read. */
export const DATASET_VERSION_TAG = 'trainyard:dataset-version';
/** The team of records no tag or name could attribute. */
export const UNASSIGNED_TEAM = 'unassigned';

/**
 * A training job: DescribeTrainingJob's response (plus its tags), or the detail of a
 * "SageMaker Training Job State Change" event.
 */
export interface TrainingJobRecord {
  readonly TrainingJobName?: string;
  readonly TrainingJobArn?: string;
  /** InProgress | Completed | Failed | Stopping | Stopped */
  readonly TrainingJobStatus?: string;
  /** For example Completed, Failed, Stopped, MaxRuntimeExceeded, MaxWaitTimeExceeded, Interrupted. */
  readonly SecondaryStatus?: string;
  readonly FailureReason?: string;
  readonly CreationTime?: TimeValue;
  readonly TrainingStartTime?: TimeValue;
  readonly TrainingEndTime?: TimeValue;
  readonly LastModifiedTime?: TimeValue;
  readonly TrainingTimeInSeconds?: number;
  readonly BillableTimeInSeconds?: number;
  readonly EnableManagedSpotTraining?: boolean;
  readonly ResourceConfig?: { readonly InstanceType?: string; readonly InstanceCount?: number };
  readonly HyperParameters?: Readonly<Record<string, string>>;
  readonly InputDataConfig?: ReadonlyArray<{
    readonly ChannelName?: string;
    readonly DataSource?: { readonly S3DataSource?: { readonly S3Uri?: string } };
  }>;
  readonly AlgorithmSpecification?: { readonly TrainingImage?: string };
  readonly Tags?: TagsValue;
}

/**
 * A pipeline execution: a ListPipelineExecutions summary (with `PipelineArn` added by the caller),
 * DescribePipelineExecution's response, or the detail of a "SageMaker Model Building Pipeline
 * Execution Status Change" event (camelCase fields).
 */
export interface PipelineExecutionRecord {
  readonly PipelineArn?: string;
  readonly PipelineExecutionArn?: string;
  /** Executing | Stopping | Stopped | Failed | Succeeded */
  readonly PipelineExecutionStatus?: string;
  readonly StartTime?: TimeValue;
  readonly CreationTime?: TimeValue;
  readonly LastModifiedTime?: TimeValue;
  readonly FailureReason?: string;
  readonly Tags?: TagsValue;
  // Event detail names.
  readonly pipelineArn?: string;
  readonly pipelineExecutionArn?: string;
  readonly currentPipelineExecutionStatus?: string;
  readonly executionStartTime?: TimeValue;
  readonly executionEndTime?: TimeValue;
}

/**
 * A model package version: a ListModelPackages summary, DescribeModelPackage's response, or the
 * detail of a "SageMaker Model Package State Change" event.
 */
export interface ModelPackageRecord {
  readonly ModelPackageArn?: string;
  readonly ModelPackageGroupName?: string;
  readonly ModelPackageStatus?: string;
  /** Approved | Rejected | PendingManualApproval */
  readonly ModelApprovalStatus?: string;
  readonly CreationTime?: TimeValue;
  /** When the package was last changed; for an approved package, taken as the approval time. */
  readonly LastModifiedTime?: TimeValue;
  /** `GeneratedBy` is the ARN of the pipeline execution that registered the package. */
  readonly MetadataProperties?: { readonly GeneratedBy?: string };
  readonly Tags?: TagsValue;
}

/** A training job, normalized. Times are epoch millis; NaN when unknown. */
export interface NormalizedTrainingJob {
  readonly name: string;
  readonly team: string;
  readonly status: string;
  readonly secondaryStatus: string;
  readonly failureReason: string;
  readonly createdAt: number;
  readonly endedAt: number;
  readonly spot: boolean;
  readonly instanceType: string;
  readonly instanceCount: number;
  /** Billed instance-hours: BillableTimeInSeconds x InstanceCount / 3600 (see `instanceHours`). */
  readonly instanceHours: number;
  /** Image, hyperparameters, inputs, dataset version and code hash, or undefined if the code hash is unknown. */
  readonly fingerprint: string | undefined;
}

/** Epoch millis of a SageMaker timestamp, NaN when missing or malformed. */
export function toMillis(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') {
    // Epoch seconds (the AWS CLI's JSON) or millis (events, JSON.stringify of SDK output).
    return Number.isFinite(value) ? (value < 1e11 ? value * 1000 : value) : NaN;
  }
  if (typeof value === 'string' && value.length > 0) {
    if (/^\d+(\.\d+)?$/.test(value)) return toMillis(Number(value));
    return Date.parse(value);
  }
  return NaN;
}

/** The value of tag `key`, whichever of the two tag shapes `tags` has. */
export function tagValue(tags: unknown, key: string): string | undefined {
  if (!tags || typeof tags !== 'object') return undefined;
  if (Array.isArray(tags)) {
    for (const tag of tags) {
      if (tag && typeof tag === 'object' && tag.Key === key && typeof tag.Value === 'string') return tag.Value;
    }
    return undefined;
  }
  const value = (tags as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/** The resource name at the end of an ARN (`.../pipeline/fraud-train` -> `fraud-train`). */
export function arnName(arn: unknown, resourceType: string): string {
  if (typeof arn !== 'string') return '';
  const marker = `:${resourceType}/`;
  const at = arn.indexOf(marker);
  if (at < 0) return '';
  return arn.slice(at + marker.length).split('/')[0];
}

/**
 * The team a resource name belongs to: the longest known team `t` with `name === t` or
 * `name` starting with `t-`. Names are compared case-insensitively (SageMaker lowercases ARNs).
 */
export function teamFromName(name: string, teams: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  for (const team of teams) {
    const t = team.toLowerCase();
    if ((lower === t || lower.startsWith(t + '-')) && (!best || t.length > best.length)) best = team;
  }
  return best;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : NaN;
}

// Hyperparameters SageMaker's SDKs inject per job (job name, region, a per-job code tarball path):
// they differ between otherwise identical runs, so duplicate detection ignores them. The code
// itself is identified by the config-hash / git-sha tag instead.
const VOLATILE_HYPERPARAMETER = /^(sagemaker_|_tuning_objective_metric$)/;

/**
 * The identity of what a run computes: image, hyperparameters, input data (URIs per channel and the
 * dataset version) and code hash. Undefined when there is no code hash tag or no image: without
 * them two runs cannot be shown to be the same.
 */
export function runFingerprint(job: TrainingJobRecord): string | undefined {
  const image = str(job.AlgorithmSpecification?.TrainingImage);
  const code = CODE_HASH_TAGS.map((key) => tagValue(job.Tags, key) ?? '').join('|');
  if (!image || code === '|') return undefined;
  const hp = job.HyperParameters && typeof job.HyperParameters === 'object' ? job.HyperParameters : {};
  const hyperparameters = Object.keys(hp)
    .filter((k) => !VOLATILE_HYPERPARAMETER.test(k))
    .sort()
    .map((k) => `${k}=${String((hp as Record<string, unknown>)[k])}`)
    .join('\u0001');
  const inputs = (Array.isArray(job.InputDataConfig) ? job.InputDataConfig : [])
    .map((c) => `${str(c?.ChannelName)}=${str(c?.DataSource?.S3DataSource?.S3Uri)}`)
    .sort()
    .join('\u0001');
  const dataset = tagValue(job.Tags, DATASET_VERSION_TAG) ?? '';
  return [image, hyperparameters, inputs, dataset, code].join('\u0002');
}

/**
 * Billed instance-hours of a run: `BillableTimeInSeconds x InstanceCount / 3600` (what SageMaker
 * charges; with managed spot it is below the training time). Falls back to
 * `TrainingTimeInSeconds`, then to end minus start. 0 when nothing is known.
 */
export function instanceHours(job: TrainingJobRecord): number {
  const count = num(job.ResourceConfig?.InstanceCount);
  const instances = Number.isFinite(count) && count > 0 ? count : 1;
  let seconds = num(job.BillableTimeInSeconds);
  if (!Number.isFinite(seconds)) seconds = num(job.TrainingTimeInSeconds);
  if (!Number.isFinite(seconds)) {
    const elapsed = (toMillis(job.TrainingEndTime) - toMillis(job.TrainingStartTime)) / 1000;
    seconds = Number.isFinite(elapsed) ? elapsed : 0;
  }
  return Math.max(0, seconds) * instances / 3600;
}

/** Normalizes one training job record; undefined when it is not an object or has no name. */
export function normalizeTrainingJob(job: TrainingJobRecord, teams: readonly string[] = []): NormalizedTrainingJob | undefined {
  if (!job || typeof job !== 'object') return undefined;
  const name = str(job.TrainingJobName) || arnName(job.TrainingJobArn, 'training-job');
  if (!name) return undefined;
  const createdAt = toMillis(job.CreationTime);
  let endedAt = toMillis(job.TrainingEndTime);
  if (!Number.isFinite(endedAt)) endedAt = toMillis(job.LastModifiedTime);
  if (!Number.isFinite(endedAt)) endedAt = createdAt;
  const count = num(job.ResourceConfig?.InstanceCount);
  return {
    name,
    // A queued job's training job (AWSBatchty<team hash>...) names its team too, should Batch not copy the tags.
    team: tagValue(job.Tags, TEAM_TAG) ?? teamFromName(name, teams) ?? teamOfQueuedJobName(name, teams) ?? UNASSIGNED_TEAM,
    status: str(job.TrainingJobStatus),
    secondaryStatus: str(job.SecondaryStatus),
    failureReason: str(job.FailureReason),
    createdAt,
    endedAt,
    spot: job.EnableManagedSpotTraining === true,
    instanceType: str(job.ResourceConfig?.InstanceType),
    instanceCount: Number.isFinite(count) && count > 0 ? count : 1,
    instanceHours: instanceHours(job),
    fingerprint: runFingerprint(job),
  };
}

/** A pipeline execution, normalized. Times are epoch millis; NaN when unknown. */
export interface NormalizedPipelineExecution {
  readonly arn: string;
  readonly team: string;
  readonly status: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly failureReason: string;
}

/** Normalizes a pipeline execution from the API or an event; undefined without an ARN. */
export function normalizePipelineExecution(
  execution: PipelineExecutionRecord,
  teams: readonly string[] = [],
): NormalizedPipelineExecution | undefined {
  if (!execution || typeof execution !== 'object') return undefined;
  const arn = str(execution.PipelineExecutionArn) || str(execution.pipelineExecutionArn);
  if (!arn) return undefined;
  const pipelineName = arnName(str(execution.PipelineArn) || str(execution.pipelineArn) || arn, 'pipeline');
  let startedAt = toMillis(execution.StartTime ?? execution.executionStartTime);
  if (!Number.isFinite(startedAt)) startedAt = toMillis(execution.CreationTime);
  let endedAt = toMillis(execution.executionEndTime);
  if (!Number.isFinite(endedAt)) endedAt = toMillis(execution.LastModifiedTime);
  return {
    arn,
    team: tagValue(execution.Tags, TEAM_TAG) ?? teamFromName(pipelineName, teams) ?? UNASSIGNED_TEAM,
    status: str(execution.PipelineExecutionStatus) || str(execution.currentPipelineExecutionStatus),
    startedAt,
    endedAt,
    failureReason: str(execution.FailureReason),
  };
}

/** A model package, normalized. Times are epoch millis; NaN when unknown. */
export interface NormalizedModelPackage {
  readonly arn: string;
  readonly team: string;
  readonly approvalStatus: string;
  readonly createdAt: number;
  readonly modifiedAt: number;
  readonly generatedBy: string;
}

/** Normalizes a model package from the API or an event; undefined without an ARN. */
export function normalizeModelPackage(pkg: ModelPackageRecord, teams: readonly string[] = []): NormalizedModelPackage | undefined {
  if (!pkg || typeof pkg !== 'object') return undefined;
  const arn = str(pkg.ModelPackageArn);
  if (!arn) return undefined;
  const group = str(pkg.ModelPackageGroupName) || arnName(arn, 'model-package');
  return {
    arn,
    team: tagValue(pkg.Tags, TEAM_TAG) ?? teamFromName(group, teams) ?? UNASSIGNED_TEAM,
    approvalStatus: str(pkg.ModelApprovalStatus),
    createdAt: toMillis(pkg.CreationTime),
    modifiedAt: toMillis(pkg.LastModifiedTime),
    generatedBy: str(pkg.MetadataProperties?.GeneratedBy),
  };
}
