// What the FlowMetrics collector does with one SageMaker event, independent of the Lambda runtime:
// enrich, de-duplicate, judge with the flow-metrics core, and say which metrics to publish.
// The AWS clients are passed in, so the handler wires real clients and the tests mock them.
import { createHash } from 'crypto';
import { batchServiceJobChanged, batchServiceJobPreemptionCompleted } from './batch-events';
import { joinStoppedBatchRun, recordStoppedBatchRun } from './batch-scrap-join';
import {
  assessRunUtilization,
  GpuCatalogueEntry,
  GpuUtilizationSample,
  RightSizingSuggestion,
  suggestRightSizing,
  summarizeHostMetrics,
  UnmeasuredReason,
} from '../gpu-utilization';
import type { RunHostMetrics, RunWindow } from '../host-metrics';
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
import { isBatchTrainingJobName, ServiceJobRecord } from './service-job-attempts';

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

/** Host metrics from CloudWatch (GetMetricData in production). */
export interface HostMetricsSource {
  get(run: RunWindow): Promise<RunHostMetrics>;
}

/**
 * Thrown when a finished GPU run's host metrics are not (completely) published yet and the run
 * ended less than the grace period ago: the invocation fails, Lambda retries the event
 * asynchronously (twice, after about 1 and 2 minutes), and the dead-letter queue keeps it if the
 * metrics never catch up before the retries run out.
 */
export class MetricsNotYetPublishedError extends Error {
  constructor(trainingJobName: string, secondsSinceEnd: number) {
    super(`Host metrics of training job ${trainingJobName} are not yet published ${Math.round(secondsSinceEnd)} s after it ended; retry later.`);
    this.name = 'MetricsNotYetPublished';
  }
}

/** The GPU utilization of one finished run, as stored with its run record and logged. */
export interface RunUtilizationRecord {
  readonly trainingJobName: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly measured: boolean;
  readonly unmeasuredReason?: UnmeasuredReason;
  readonly gpuHours: number;
  readonly gpuUtilizationPercent?: number;
  readonly gpuUtilizationP95Percent?: number;
  readonly peakGpuMemoryPercent?: number;
  readonly peakGpuMemoryGib?: number;
  readonly cpuUtilizationPercent?: number;
  readonly idleGpuHours: number;
  readonly idleCostUsd?: number;
  readonly underutilized: boolean;
  readonly rightSizing: readonly RightSizingSuggestion[];
}

/** One metric to publish. */
export interface FlowMetric {
  readonly name: string;
  readonly unit: 'Count' | 'None' | 'Percent';
  readonly value: number;
  /** Extra dimension besides Team (Cause for the by-cause metrics). */
  readonly cause?: ScrapCause;
  /**
   * The team, when not the outcome's: a Batch event completing the scrap of a run counts it for the
   * run's team (its training job's), which is the service job's in practice.
   *
   * @default - the outcome's team
   */
  readonly team?: string;
}

/** What the collector decided for one event. */
export interface CollectorOutcome {
  readonly team?: string;
  readonly metrics: FlowMetric[];
  /** Why nothing was published, when nothing was. */
  readonly skipped?: 'duplicate-event' | 'not-terminal' | 'unknown-event' | 'malformed' | 'not-a-team-resource' | 'awaiting-join';
  /** The GPU utilization of a finished run on a catalogue GPU type (undefined for other runs and duplicate deliveries). */
  readonly utilization?: RunUtilizationRecord;
}

/** Settings of the collector (from the Lambda environment). */
export interface CollectorSettings {
  readonly teams: readonly string[];
  /** How long de-duplication records live, in seconds. */
  readonly ttlSeconds: number;
  readonly pricePerInstanceHour: (instanceType: string) => number | undefined;
  readonly now: () => number;
  /** The GPU instance types (from the GpuProfile catalogue). Types not listed are not GPU runs. */
  readonly gpuCatalogue: readonly GpuCatalogueEntry[];
  /** Completed, non-scrap runs below this mean GPU utilization are under-utilized. */
  readonly underutilizedThresholdPercent: number;
  /** How long after a run's end missing host metrics count as lagging (retry) rather than absent (unmeasured). */
  readonly metricsGraceMs: number;
  /** Waits between in-invocation re-reads of lagging host metrics, before failing for an asynchronous retry. */
  readonly metricsRetryDelaysMs: readonly number[];
  readonly sleep: (ms: number) => Promise<void>;
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
  hostMetrics?: HostMetricsSource,
): Promise<CollectorOutcome> {
  const detail = event?.detail;
  if (!detail || typeof detail !== 'object') return { metrics: [], skipped: 'malformed' };
  const expiresAt = Math.floor(settings.now() / 1000) + settings.ttlSeconds;
  let outcome: CollectorOutcome;
  switch (event['detail-type']) {
    case 'SageMaker Training Job State Change':
      outcome = await trainingJobChanged(detail as TrainingJobRecord, store, sagemaker, settings, expiresAt, hostMetrics);
      break;
    case 'SageMaker Model Building Pipeline Execution Status Change':
      return pipelineChanged(detail as any, store, settings, expiresAt);
    case 'SageMaker Model Package State Change':
      return modelPackageChanged(detail as any, store, settings, expiresAt);
    case 'Batch Service Job State Change':
      outcome = await batchServiceJobChanged(detail as ServiceJobRecord, store, settings, expiresAt);
      break;
    case 'Batch Service Job Preemption Completed':
      outcome = await batchServiceJobPreemptionCompleted(detail as ServiceJobRecord, store, expiresAt);
      break;
    default:
      return { metrics: [], skipped: 'unknown-event' };
  }
  // A metric names its team only when it is not the outcome's.
  const metrics = outcome.metrics.map(({ team, ...m }) => (team === undefined || team === outcome.team ? m : { ...m, team }));
  return { ...outcome, metrics };
}

async function trainingJobChanged(
  detail: TrainingJobRecord, store: DedupStore, sagemaker: TrainingJobSource, settings: CollectorSettings, expiresAt: number,
  hostMetrics: HostMetricsSource | undefined,
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

  // Host metrics next: lagging metrics throw (a retry), so this too precedes marking the event counted.
  const entry = settings.gpuCatalogue.find((e) => e.instanceType === job.instanceType);
  const sample = entry && hostMetrics ? await measure(record, job.name, job.instanceCount, entry, hostMetrics, settings) : undefined;

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
  const cause = duplicateOf ? 'duplicate' : classifyScrap(job.status, job.secondaryStatus, job.failureReason, job.spot);
  const utilization = entry ? assessRunUtilization(job, entry, sample?.sample, settings.underutilizedThresholdPercent, sample?.reason) : undefined;
  const underutilized = utilization?.belowThreshold === true && cause === undefined && status === 'Completed';
  const runRecord: RunUtilizationRecord | undefined = utilization && {
    trainingJobName: name,
    instanceType: job.instanceType,
    instanceCount: job.instanceCount,
    measured: utilization.measured,
    unmeasuredReason: utilization.unmeasuredReason,
    gpuHours: utilization.gpuHours,
    gpuUtilizationPercent: utilization.meanPercent,
    gpuUtilizationP95Percent: utilization.p95Percent,
    peakGpuMemoryPercent: utilization.peakMemoryPercent,
    peakGpuMemoryGib: utilization.peakMemoryGib,
    cpuUtilizationPercent: sample?.sample?.cpuMeanPercent,
    idleGpuHours: utilization.idleGpuHours,
    idleCostUsd: utilization.idleCostUsd,
    underutilized,
    rightSizing: underutilized ? suggestRightSizing(job, utilization, settings.gpuCatalogue) : [],
  };
  const price = job.instanceType ? settings.pricePerInstanceHour(job.instanceType) : undefined;
  const unitPrice = typeof price === 'number' && Number.isFinite(price) ? price : undefined;
  // A training job AWS Batch stopped (Stopped, SecondaryStatus Stopped) was preempted or stopped by a
  // user: only the Batch events tell, so its scrap waits for them (batch-scrap-join.ts). Its half of
  // the join is written before the run is counted, so a failure in between cannot lose the scrap.
  const batchStopped = cause === 'userStop' && isBatchTrainingJobName(name);
  if (batchStopped) {
    const costUsd = unitPrice === undefined ? undefined : job.instanceHours * unitPrice;
    await recordStoppedBatchRun({ trainingJobName: name, team: job.team, instanceHours: job.instanceHours, costUsd }, store, expiresAt);
  }
  const first = await store.putIfAbsent(`tj#${name}#${status}`, { expiresAt, team: job.team, ...(runRecord ? utilizationAttributes(runRecord) : {}) });
  if (!first.written) {
    // The run was counted; its scrap may not be, if the invocation that counted it failed before the join.
    const joined = batchStopped ? await joinStoppedBatchRun(name, store, expiresAt) : [];
    return joined.length > 0 ? { team: job.team, metrics: joined } : { team: job.team, metrics: [], skipped: 'duplicate-event' };
  }

  const metrics: FlowMetric[] = [
    { name: 'TrainingRuns', unit: 'Count', value: 1 },
    { name: 'GpuHours', unit: 'None', value: job.instanceHours },
  ];
  if (cause === undefined) {
    metrics.push({ name: 'SuccessfulRuns', unit: 'Count', value: 1 });
  } else if (batchStopped) {
    metrics.push(...await joinStoppedBatchRun(name, store, expiresAt));
  } else {
    metrics.push(
      { name: 'ScrappedRuns', unit: 'Count', value: 1 },
      { name: 'WastedGpuHours', unit: 'None', value: job.instanceHours },
      { name: 'ScrappedRunsByCause', unit: 'Count', value: 1, cause },
      { name: 'WastedGpuHoursByCause', unit: 'None', value: job.instanceHours, cause },
    );
    if (unitPrice !== undefined) metrics.push({ name: 'WastedCostUsd', unit: 'None', value: job.instanceHours * unitPrice });
  }
  if (runRecord?.measured) {
    metrics.push(
      { name: 'MeasuredGpuRuns', unit: 'Count', value: 1 },
      { name: 'GpuUtilization', unit: 'Percent', value: runRecord.gpuUtilizationPercent! },
      { name: 'MeasuredGpuHours', unit: 'None', value: runRecord.gpuHours },
      { name: 'IdleGpuHours', unit: 'None', value: runRecord.idleGpuHours },
    );
    if (runRecord.idleCostUsd !== undefined) metrics.push({ name: 'IdleGpuCostUsd', unit: 'None', value: runRecord.idleCostUsd });
    if (runRecord.underutilized) {
      metrics.push(
        { name: 'UnderutilizedRuns', unit: 'Count', value: 1 },
        { name: 'UnderutilizedIdleGpuHours', unit: 'None', value: runRecord.idleGpuHours },
      );
      if (runRecord.idleCostUsd !== undefined) metrics.push({ name: 'UnderutilizedIdleCostUsd', unit: 'None', value: runRecord.idleCostUsd });
    }
  } else if (runRecord) {
    metrics.push({ name: 'UnmeasuredGpuRuns', unit: 'Count', value: 1 });
  }
  return { team: job.team, metrics, utilization: runRecord };
}

/** The utilization figures as attributes of the run's record in the table (numbers rounded, suggestions as JSON). */
function utilizationAttributes(r: RunUtilizationRecord): Record<string, string | number> {
  const out: Record<string, string | number> = {
    utilization: r.measured ? 'measured' : `unmeasured:${r.unmeasuredReason}`,
    instanceType: r.instanceType,
    instanceCount: r.instanceCount,
    gpuHours: round(r.gpuHours),
    idleGpuHours: round(r.idleGpuHours),
    underutilized: r.underutilized ? 1 : 0,
  };
  const optional: Array<[string, number | undefined]> = [
    ['gpuUtilizationPercent', r.gpuUtilizationPercent],
    ['gpuUtilizationP95Percent', r.gpuUtilizationP95Percent],
    ['peakGpuMemoryPercent', r.peakGpuMemoryPercent],
    ['peakGpuMemoryGib', r.peakGpuMemoryGib],
    ['idleCostUsd', r.idleCostUsd],
  ];
  for (const [key, value] of optional) if (value !== undefined && Number.isFinite(value)) out[key] = round(value);
  if (r.rightSizing.length > 0) out.rightSizing = JSON.stringify(r.rightSizing);
  return out;
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;

/**
 * Reads and summarizes a finished run's host metrics. Lagging metrics (none yet, or ending more
 * than two periods before the run did) are re-read after each of `metricsRetryDelaysMs`; still
 * lagging within `metricsGraceMs` of the run's end, the invocation fails so Lambda retries it.
 * After the grace period, what is there counts: a partial series, or unmeasured when empty.
 */
async function measure(
  record: TrainingJobRecord, name: string, instanceCount: number, entry: GpuCatalogueEntry, source: HostMetricsSource, settings: CollectorSettings,
): Promise<{ sample?: GpuUtilizationSample; reason?: UnmeasuredReason }> {
  const start = toMillis(record.TrainingStartTime);
  let end = toMillis(record.TrainingEndTime);
  if (!Number.isFinite(end)) end = toMillis(record.LastModifiedTime);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return { reason: 'no-host-metrics' };
  const run: RunWindow = { trainingJobName: name, instanceCount, start, end };
  for (let attempt = 0; ; attempt++) {
    const data = await source.get(run);
    const summary = summarizeHostMetrics(data.hosts, { start, end }, data.periodSeconds, entry);
    const complete = summary.measured && summary.lastPointAt + 2 * data.periodSeconds * 1000 >= end;
    const sinceEnd = settings.now() - end;
    if (complete || sinceEnd >= settings.metricsGraceMs) {
      return summary.measured ? { sample: summary.sample } : { reason: summary.reason };
    }
    if (attempt >= settings.metricsRetryDelaysMs.length) throw new MetricsNotYetPublishedError(name, sinceEnd / 1000);
    await settings.sleep(settings.metricsRetryDelaysMs[attempt]);
  }
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
