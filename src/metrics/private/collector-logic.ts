// What the FlowMetrics collector does with one SageMaker event, independent of the Lambda runtime:
// enrich, de-duplicate, judge with the flow-metrics core, and say which metrics to publish.
// The AWS clients are passed in, so the handler wires real clients and the tests mock them.
import { createHash } from 'crypto';
import { batchServiceJobChanged, ServiceJobEventDetail } from './batch-events';
import {
  normalizeModelPackage,
  normalizePipelineExecution,
  normalizeTrainingJob,
  toMillis,
  TrainingJobRecord,
} from './records';
import {
  classifyScrap,
  ScrapCause,
  TERMINAL_TRAINING_STATUSES,
} from './scrap-cause';

/** Key-value store with conditional writes and a TTL (the DynamoDB table in production). */
export interface DedupStore {
  /** Writes `key` if absent; false when it existed already (the event was counted before). */
  putIfAbsent(key: string, attributes: Record<string, string | number>): Promise<{ written: boolean; existing?: Record<string, string | number> }>;
  /** Writes `key` unconditionally. */
  put(key: string, attributes: Record<string, string | number>): Promise<void>;
  /** Reads `key`. */
  get(key: string): Promise<Record<string, string | number> | undefined>;
}

/** Enrichment from the SageMaker API. */
export interface TrainingJobSource {
  /** DescribeTrainingJob, or undefined when it cannot be called (the event detail is used as is). */
  describe(trainingJobName: string): Promise<TrainingJobRecord | undefined>;
}

/** One metric to publish. */
export interface FlowMetric {
  readonly name: string;
  readonly unit: 'Count' | 'None';
  readonly value: number;
  /** Extra dimension besides Team (Cause for the by-cause metrics). */
  readonly cause?: ScrapCause;
}

/** What the collector decided for one event. */
export interface CollectorOutcome {
  readonly team?: string;
  readonly metrics: FlowMetric[];
  /** Why nothing was published, when nothing was. */
  readonly skipped?: 'duplicate-event' | 'not-terminal' | 'unknown-event' | 'malformed' | 'not-a-team-resource';
}

/** Settings of the collector (from the Lambda environment). */
export interface CollectorSettings {
  readonly teams: readonly string[];
  /** How long de-duplication records live, in seconds. */
  readonly ttlSeconds: number;
  readonly pricePerInstanceHour: (instanceType: string) => number | undefined;
  readonly now: () => number;
}

const HOUR = 3_600_000;

/** A short stable hash, for DynamoDB keys built from long fingerprints. */
export function hashKey(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 40);
}

/** Processes one EventBridge event. */
export async function processEvent(
  event: { readonly 'detail-type'?: string; readonly 'detail'?: unknown; readonly 'time'?: string },
  store: DedupStore,
  sagemaker: TrainingJobSource,
  settings: CollectorSettings,
): Promise<CollectorOutcome> {
  const detail = event?.detail;
  if (!detail || typeof detail !== 'object') return { metrics: [], skipped: 'malformed' };
  const expiresAt = Math.floor(settings.now() / 1000) + settings.ttlSeconds;
  switch (event['detail-type']) {
    case 'SageMaker Training Job State Change':
      return trainingJobChanged(detail as TrainingJobRecord, store, sagemaker, settings, expiresAt);
    case 'SageMaker Model Building Pipeline Execution Status Change':
      return pipelineChanged(detail as any, store, settings, expiresAt);
    case 'SageMaker Model Package State Change':
      return modelPackageChanged(detail as any, store, settings, expiresAt);
    case 'Batch Service Job State Change':
      return batchServiceJobChanged(detail as ServiceJobEventDetail, store, settings, expiresAt);
    default:
      return { metrics: [], skipped: 'unknown-event' };
  }
}

async function trainingJobChanged(
  detail: TrainingJobRecord, store: DedupStore, sagemaker: TrainingJobSource, settings: CollectorSettings, expiresAt: number,
): Promise<CollectorOutcome> {
  const status = typeof detail.TrainingJobStatus === 'string' ? detail.TrainingJobStatus : '';
  if (!TERMINAL_TRAINING_STATUSES.has(status)) return { metrics: [], skipped: 'not-terminal' };
  const name = typeof detail.TrainingJobName === 'string' ? detail.TrainingJobName : '';
  if (!name) return { metrics: [], skipped: 'malformed' };

  // Enrich first (billable seconds, failure reason, final secondary status); a failure here throws,
  // so the event is retried before anything is recorded as counted. DescribeTrainingJob has no
  // tags: they come from the event.
  const described = await sagemaker.describe(name);
  const record: TrainingJobRecord = { ...detail, ...(described ?? {}), Tags: detail.Tags, TrainingJobStatus: status };
  const job = normalizeTrainingJob(record, settings.teams);
  if (!job) return { metrics: [], skipped: 'malformed' };
  if (!settings.teams.includes(job.team)) return { metrics: [], skipped: 'not-a-team-resource' };

  // Duplicate run: the first successful run of a fingerprint claims it; later runs find it taken.
  // Idempotent for a retried event (the claim names the same job), so it runs before the event is
  // marked as counted.
  let duplicateOf: string | undefined;
  if (job.fingerprint !== undefined) {
    const key = `fp#${hashKey(job.fingerprint)}`;
    if (status === 'Completed') {
      const claim = await store.putIfAbsent(key, { expiresAt, trainingJobName: name, createdAt: job.createdAt });
      if (!claim.written && claim.existing?.trainingJobName !== name) duplicateOf = String(claim.existing?.trainingJobName ?? 'unknown');
    } else {
      const original = await store.get(key);
      if (original && original.trainingJobName !== name) duplicateOf = String(original.trainingJobName);
    }
  }
  // SageMaker may send a state change more than once: count each (job, terminal status) once.
  const first = await store.putIfAbsent(`tj#${name}#${status}`, { expiresAt, team: job.team });
  if (!first.written) return { team: job.team, metrics: [], skipped: 'duplicate-event' };

  const cause = duplicateOf ? 'duplicate' : classifyScrap(job.status, job.secondaryStatus, job.failureReason, job.spot);
  const price = job.instanceType ? settings.pricePerInstanceHour(job.instanceType) : undefined;
  const metrics: FlowMetric[] = [
    { name: 'TrainingRuns', unit: 'Count', value: 1 },
    { name: 'GpuHours', unit: 'None', value: job.instanceHours },
  ];
  if (cause === undefined) {
    metrics.push({ name: 'SuccessfulRuns', unit: 'Count', value: 1 });
  } else {
    metrics.push(
      { name: 'ScrappedRuns', unit: 'Count', value: 1 },
      { name: 'WastedGpuHours', unit: 'None', value: job.instanceHours },
      { name: 'ScrappedRunsByCause', unit: 'Count', value: 1, cause },
      { name: 'WastedGpuHoursByCause', unit: 'None', value: job.instanceHours, cause },
    );
    if (typeof price === 'number' && Number.isFinite(price)) metrics.push({ name: 'WastedCostUsd', unit: 'None', value: job.instanceHours * price });
  }
  return { team: job.team, metrics };
}

async function pipelineChanged(detail: any, store: DedupStore, settings: CollectorSettings, expiresAt: number): Promise<CollectorOutcome> {
  const execution = normalizePipelineExecution(detail, settings.teams);
  if (!execution) return { metrics: [], skipped: 'malformed' };
  if (!settings.teams.includes(execution.team)) return { metrics: [], skipped: 'not-a-team-resource' };
  // Remember when the execution started: the model package it registers links back to it.
  if (Number.isFinite(execution.startedAt)) {
    await store.put(`pe#${execution.arn}`, { expiresAt, startedAt: execution.startedAt, team: execution.team });
  }
  const metric = ({ Succeeded: 'PipelineExecutionsSucceeded', Failed: 'PipelineExecutionsFailed', Stopped: 'PipelineExecutionsStopped' } as Record<string, string>)[execution.status];
  if (!metric) return { team: execution.team, metrics: [], skipped: 'not-terminal' };
  const first = await store.putIfAbsent(`pe#${execution.arn}#${execution.status}`, { expiresAt });
  if (!first.written) return { team: execution.team, metrics: [], skipped: 'duplicate-event' };
  return { team: execution.team, metrics: [{ name: metric, unit: 'Count', value: 1 }] };
}

async function modelPackageChanged(detail: any, store: DedupStore, settings: CollectorSettings, expiresAt: number): Promise<CollectorOutcome> {
  const pkg = normalizeModelPackage(detail, settings.teams);
  if (!pkg) return { metrics: [], skipped: 'malformed' };
  if (!settings.teams.includes(pkg.team)) return { metrics: [], skipped: 'not-a-team-resource' };
  const metrics: FlowMetric[] = [];
  if ((await store.putIfAbsent(`mp#${pkg.arn}#registered`, { expiresAt })).written) {
    metrics.push({ name: 'ModelsRegistered', unit: 'Count', value: 1 });
    const execution = pkg.generatedBy ? await store.get(`pe#${pkg.generatedBy}`) : undefined;
    const startedAt = toMillis(execution?.startedAt);
    if (Number.isFinite(startedAt) && Number.isFinite(pkg.createdAt) && pkg.createdAt >= startedAt) {
      metrics.push({ name: 'CycleTimePipelineToRegistrationHours', unit: 'None', value: (pkg.createdAt - startedAt) / HOUR });
    }
  }
  if (pkg.approvalStatus === 'Approved' && (await store.putIfAbsent(`mp#${pkg.arn}#Approved`, { expiresAt })).written) {
    metrics.push({ name: 'ModelsApproved', unit: 'Count', value: 1 });
    if (Number.isFinite(pkg.createdAt) && Number.isFinite(pkg.modifiedAt) && pkg.modifiedAt >= pkg.createdAt) {
      metrics.push({ name: 'CycleTimeRegistrationToApprovalHours', unit: 'None', value: (pkg.modifiedAt - pkg.createdAt) / HOUR });
    }
  }
  return metrics.length > 0 ? { team: pkg.team, metrics } : { team: pkg.team, metrics, skipped: 'duplicate-event' };
}
