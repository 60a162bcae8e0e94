// Which training jobs of an AWS Batch service job (a job queued in a TrainingCapacityPool) Batch
// stopped to preempt them, and which ended the job stopped for another reason. Pure: the FlowMetrics
// collector joins it with the training jobs' own events, and `computeFlowMetrics` with their records.
//
// Why a join is needed: when a lender reclaims capacity, Batch stops the running SageMaker training
// job, which ends Stopped with SecondaryStatus Stopped, exactly as if a user had called
// StopTrainingJob. Nothing in the training job says it was preempted; only Batch does.
//
// Sources (AWS Batch API reference and user guide; botocore's batch model, shapes
// DescribeServiceJobResponse, ServiceJobAttemptDetail, LatestServiceJobAttempt,
// ServiceJobPreemptionSummary, ServiceJobPreemptedAttempt, ServiceResourceId):
// - DescribeServiceJob returns `attempts[]` and `preemptionSummary.recentPreemptedAttempts[]`, each
//   with `serviceResourceId: { name: 'TrainingJobArn', value: <training job ARN> }`, `startedAt`,
//   `stoppedAt` and `statusReason`; `latestAttempt.serviceResourceId`; `isTerminated`; `status`
//   (SUBMITTED | PENDING | RUNNABLE | SCHEDULED | STARTING | RUNNING | SUCCEEDED | FAILED).
// - The `Batch Service Job State Change` event detail "resembles" the DescribeServiceJob response
//   without `tags` and `serviceRequestPayload`
//   (https://docs.aws.amazon.com/batch/latest/userguide/service-job-events.html; its example attempt
//   names the training job `AWSBatch<job name><32 hex>`).
// - The `Batch Service Job Preemption Completed` event detail has `preemptedJobArn` (the service
//   job), `preemptionSummary` (as above) and `status` (RUNNABLE in the example: the job is queued
//   again) (https://docs.aws.amazon.com/batch/latest/userguide/batch-service-job-preemption-events.html).
//   It has no job id, job name or quota share name.
// - `recentPreemptedAttempts` holds "the most recent" preempted attempts, `preemptedAttemptCount`
//   all of them: the list may be shorter than the count.

/** A timestamp as Batch hands it out (epoch millis). */
type Millis = number | string;

/** `serviceResourceId` of an attempt. */
export interface ServiceResourceIdRecord {
  /** `TrainingJobArn` for SageMaker training service jobs. */
  readonly name?: string;
  readonly value?: string;
}

/** An attempt of a service job (ServiceJobAttemptDetail / ServiceJobPreemptedAttempt). */
export interface ServiceJobAttemptRecord {
  readonly serviceResourceId?: ServiceResourceIdRecord;
  readonly startedAt?: Millis;
  readonly stoppedAt?: Millis;
  readonly statusReason?: string;
}

/**
 * A service job: DescribeServiceJob's response, the detail of a `Batch Service Job State Change`
 * event, or the detail of a `Batch Service Job Preemption Completed` event.
 */
export interface ServiceJobRecord {
  readonly jobId?: string;
  readonly jobArn?: string;
  readonly jobName?: string;
  readonly status?: string;
  readonly statusReason?: string;
  /** True when the job was terminated (TerminateServiceJob, or preempted past its retries). */
  readonly isTerminated?: boolean;
  readonly quotaShareName?: string;
  readonly createdAt?: Millis;
  readonly startedAt?: Millis;
  readonly stoppedAt?: Millis;
  readonly capacityUsage?: ReadonlyArray<{ readonly capacityUnit?: string; readonly quantity?: number }>;
  readonly attempts?: readonly ServiceJobAttemptRecord[];
  readonly latestAttempt?: { readonly serviceResourceId?: ServiceResourceIdRecord };
  readonly preemptionSummary?: {
    readonly preemptedAttemptCount?: number;
    readonly recentPreemptedAttempts?: readonly ServiceJobAttemptRecord[];
  };
  /** Preemption events: the ARN of the preempted service job. */
  readonly preemptedJobArn?: string;
}

/** What Batch says ended one of its training jobs Stopped. */
export type AttemptCause = 'preempted' | 'userStop';

/**
 * Whether `name` is the name of a training job AWS Batch created for a service job:
 * `AWSBatch<job name><32 hex>` (the user guide's example event; matched case-insensitively,
 * as SageMaker lower-cases names in ARNs).
 */
export function isBatchTrainingJobName(name: unknown): boolean {
  return typeof name === 'string' && /^awsbatch.+[0-9a-f]{32}$/i.test(name);
}

/**
 * The key of a training job in a join: its name, lower-cased (the same job may be named in mixed
 * case by its own event and in lower case by an ARN; SageMaker names are unique regardless of case).
 */
export function trainingJobKey(name: string): string {
  return name.toLowerCase();
}

/** The training job key of an attempt, or undefined when it names no training job. */
function attemptKey(attempt: { readonly serviceResourceId?: ServiceResourceIdRecord } | undefined): string | undefined {
  const id = attempt?.serviceResourceId;
  if (!id || typeof id.value !== 'string' || (id.name !== undefined && id.name !== 'TrainingJobArn')) return undefined;
  const at = id.value.indexOf(':training-job/');
  const name = at >= 0 ? id.value.slice(at + ':training-job/'.length) : '';
  return name ? trainingJobKey(name) : undefined;
}

const TERMINAL_SERVICE_JOB_STATUSES = new Set(['SUCCEEDED', 'FAILED']);

/**
 * What the service job record says about its attempts' training jobs, by training job key.
 * Only meaningful for a training job that ended Stopped with SecondaryStatus Stopped:
 *
 * - every attempt in `recentPreemptedAttempts` was preempted, in any state of the job;
 * - once the job has ended (SUCCEEDED or FAILED), its last attempt, when not preempted, was stopped
 *   by somebody else: a user's TerminateServiceJob (Batch stops the training job) or a
 *   StopTrainingJob on it. An earlier attempt that is neither listed as preempted nor last is
 *   taken as preempted when the list is shorter than `preemptedAttemptCount` (it fell off the list
 *   of recent ones), else as a user's stop that Batch retried.
 *
 * Before the job ends, attempts that are not listed as preempted get no cause: they may still be.
 */
export function attemptCauses(job: ServiceJobRecord | undefined): Map<string, AttemptCause> {
  const causes = new Map<string, AttemptCause>();
  if (!job || typeof job !== 'object') return causes;
  const recent = Array.isArray(job.preemptionSummary?.recentPreemptedAttempts) ? job.preemptionSummary!.recentPreemptedAttempts : [];
  for (const attempt of recent) {
    const key = attemptKey(attempt);
    if (key) causes.set(key, 'preempted');
  }
  if (!TERMINAL_SERVICE_JOB_STATUSES.has(String(job.status))) return causes;
  const attempts = (Array.isArray(job.attempts) ? job.attempts : []).map(attemptKey).filter((k): k is string => k !== undefined);
  const last = attemptKey(job.latestAttempt) ?? attempts[attempts.length - 1];
  const count = typeof job.preemptionSummary?.preemptedAttemptCount === 'number' ? job.preemptionSummary.preemptedAttemptCount : recent.length;
  const listShort = count > recent.length;
  for (const key of new Set([...attempts, ...(last ? [last] : [])])) {
    if (causes.has(key)) continue;
    causes.set(key, key !== last && listShort ? 'preempted' : 'userStop');
  }
  return causes;
}

/**
 * The causes of several service job records together (DescribeServiceJob responses of a report):
 * `preempted` from any record wins over `userStop` from another.
 */
export function attemptCausesOf(jobs: readonly ServiceJobRecord[] | undefined): Map<string, AttemptCause> {
  const all = new Map<string, AttemptCause>();
  for (const job of Array.isArray(jobs) ? jobs : []) {
    for (const [key, cause] of attemptCauses(job)) {
      if (all.get(key) !== 'preempted') all.set(key, cause);
    }
  }
  return all;
}
