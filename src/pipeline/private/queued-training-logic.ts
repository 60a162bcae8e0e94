// The logic of the queued-training submitter (queued-training.lambda.ts), free of AWS clients so
// that it can be tested with plain fakes as well as with aws-sdk-client-mock.
import { createHash } from 'crypto';
import { resolveTrainingJobRequest, TrainingJobRequestError } from './queued-training-request';

/** AWS Batch: the largest `serviceRequestPayload`, 10 KiB. */
export const MAX_PAYLOAD_BYTES = 10 * 1024;
/** SageMaker: `FailureReason` of SendPipelineExecutionStepFailure, at most 256 characters. */
const MAX_FAILURE_REASON = 256;
/** SageMaker callback tokens: 10 letters and digits. */
const CALLBACK_TOKEN = /^[A-Za-z0-9]{10}$/;

/** The message a SageMaker Callback step puts on the queue. */
export interface CallbackMessage {
  readonly token: string;
  readonly pipelineExecutionArn: string;
  readonly arguments: {
    /** The request template, a JSON string (see queued-training-request.ts). */
    readonly TrainingJobRequest: unknown;
    readonly JobQueue: string;
    readonly QuotaShareName: string;
    readonly SchedulingPriority?: number | string;
    readonly PreemptionRetries?: number | string;
    readonly StepName?: string;
    /** `RunTimeValue<n>`: the resolved run-time values the template's markers name. */
    readonly [runTimeValue: string]: unknown;
  };
}

/** The part of a `Batch Service Job State Change` event the submitter reads. */
export interface ServiceJobStateDetail {
  readonly jobId: string;
  readonly jobName: string;
  readonly jobQueue?: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly latestAttempt?: { serviceResourceId?: { name?: string; value?: string } };
  readonly attempts?: Array<{ serviceResourceId?: { name?: string; value?: string }; statusReason?: string }>;
  readonly preemptionSummary?: { preemptedAttemptCount?: number };
}

/** What the submitter needs from AWS: Batch, SageMaker and a log. */
export interface SubmitterPorts {
  /** The names of the service jobs of `jobQueue` named `jobName` (any status). */
  findJobs(jobQueue: string, jobName: string): Promise<string[]>;
  submit(request: {
    jobName: string;
    jobQueue: string;
    quotaShareName: string;
    serviceRequestPayload: string;
    schedulingPriority: number;
    preemptionRetries: number;
    tags: Record<string, string>;
    clientToken: string;
  }): Promise<string>;
  modelArtifacts(trainingJobName: string): Promise<string | undefined>;
  succeed(token: string, outputs: Record<string, string>, idempotencyToken: string): Promise<void>;
  fail(token: string, reason: string, idempotencyToken: string): Promise<void>;
  log(level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>): void;
}

/** The settings of one pipeline's submitter. */
export interface SubmitterSettings {
  /** The first part of the names of this pipeline's service jobs, `ty<hash>`; the callback token follows a `-`. */
  readonly jobNamePrefix: string;
  /** The team, tagged on every job. */
  readonly teamName: string;
}

/** An error worth retrying (throttling, a service fault): the message goes back to the queue. */
export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e?.$retryable) return true;
  if (/Throttl|TooManyRequests|ServerException|InternalServer|ServiceUnavailable|RequestTimeout/i.test(e?.name ?? '')) return true;
  const status = e?.$metadata?.httpStatusCode;
  return status !== undefined && (status === 429 || status >= 500);
}

/** A callback that SageMaker no longer accepts (expired token, step already finished): nothing to retry. */
export function isDeadCallback(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return /ValidationException|ResourceNotFound/.test(e?.name ?? '') || /token|already|not in an executing state/i.test(e?.message ?? '');
}

/** The job name of a callback token: `<prefix>-<token>`, at most 23 characters so that `AWSBatch<name><32 hex>` fits 63. */
export function jobNameFor(settings: SubmitterSettings, token: string): string {
  return `${settings.jobNamePrefix}-${token}`;
}

/** The callback token in a job name of this pipeline, or undefined when the job is not one of its jobs. */
export function tokenOf(settings: SubmitterSettings, jobName: string): string | undefined {
  const prefix = `${settings.jobNamePrefix}-`;
  if (typeof jobName !== 'string' || !jobName.startsWith(prefix)) return undefined;
  const token = jobName.slice(prefix.length);
  return CALLBACK_TOKEN.test(token) ? token : undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function integer(value: unknown, fallback: number): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : fallback;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Submits the training job a Callback step asks for. Returns normally when the message is done with
 * (submitted, a duplicate, or failed back to the pipeline); throws a retryable error to have the
 * message delivered again.
 */
export async function submitCallback(body: string, settings: SubmitterSettings, ports: SubmitterPorts): Promise<void> {
  let message: CallbackMessage;
  try {
    message = JSON.parse(body);
  } catch {
    ports.log('error', 'Callback message is not JSON; dropped', { body: truncate(body, 500) });
    return;
  }
  const token = message?.token;
  if (typeof token !== 'string' || !CALLBACK_TOKEN.test(token)) {
    ports.log('error', 'Callback message without a valid token; dropped', { token });
    return;
  }
  const args = message.arguments ?? ({} as CallbackMessage['arguments']);
  const failOnce = `${token}:submit-failed`;
  const fail = async (reason: string) => {
    try {
      await ports.fail(token, truncate(reason, MAX_FAILURE_REASON), sha256(failOnce).slice(0, 64));
    } catch (e) {
      if (isDeadCallback(e)) {
        ports.log('warn', 'The pipeline no longer waits for this step (callback token expired or step ended)', { token, error: String(e) });
        return;
      }
      throw e;
    }
  };
  if (typeof args.JobQueue !== 'string' || typeof args.QuotaShareName !== 'string' || args.TrainingJobRequest === undefined) {
    await fail('Trainyard queued training: the callback message lacks JobQueue, QuotaShareName or TrainingJobRequest.');
    return;
  }
  let request: Record<string, any>;
  try {
    request = resolveTrainingJobRequest(args);
  } catch (e) {
    if (!(e instanceof TrainingJobRequestError)) throw e;
    await fail(`Trainyard queued training: cannot rebuild the CreateTrainingJob request: ${e.message}`);
    return;
  }
  // AWS Batch names the training job (AWSBatch<jobName><hash>).
  delete (request as any).TrainingJobName;
  // As the SageMaker Python SDK's TrainingQueue does, the job's tags go on the service job (Batch's
  // service-linked role tags the training job with them when it creates it), not in the payload.
  const payloadTags: Array<{ Key?: unknown; Value?: unknown }> = Array.isArray((request as any).Tags) ? (request as any).Tags : [];
  delete (request as any).Tags;
  const payload = JSON.stringify(request);
  const bytes = Buffer.byteLength(payload, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) {
    await fail(`The CreateTrainingJob request is ${bytes} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit of an AWS Batch service job; use fewer or shorter hyperparameters, channels or environment variables.`);
    return;
  }

  const jobName = jobNameFor(settings, token);
  const existing = await ports.findJobs(args.JobQueue, jobName);
  if (existing.length > 0) {
    ports.log('info', 'Already submitted (a repeated delivery); nothing to do', { jobName, jobIds: existing });
    return;
  }
  const tags: Record<string, string> = {
    ...Object.fromEntries(payloadTags
      .filter((t) => typeof t?.Key === 'string' && typeof t?.Value === 'string' && !(t.Key as string).startsWith('aws:'))
      .map((t) => [t.Key as string, truncate(t.Value as string, 256)])),
    'trainyard:team': settings.teamName,
    'trainyard:pipeline-execution': truncate(message.pipelineExecutionArn ?? 'unknown', 256),
    'trainyard:step': truncate(String(args.StepName ?? 'unknown'), 256),
  };
  try {
    const jobId = await ports.submit({
      jobName,
      jobQueue: args.JobQueue,
      quotaShareName: args.QuotaShareName,
      serviceRequestPayload: payload,
      schedulingPriority: integer(args.SchedulingPriority, 100),
      preemptionRetries: integer(args.PreemptionRetries, 3),
      tags,
      // The same message always carries the same token: a repeated submission is recognised by Batch.
      clientToken: sha256(`${token}:${message.pipelineExecutionArn}`).slice(0, 64),
    });
    ports.log('info', 'Submitted to the capacity pool', { jobName, jobId, quotaShareName: args.QuotaShareName });
  } catch (e) {
    if (isRetryable(e)) throw e;
    await fail(`AWS Batch refused the job: ${(e as Error)?.message ?? String(e)}`);
  }
}

/**
 * Reports a finished job of this pipeline back to its Callback step. Jobs of other pipelines and
 * states other than SUCCEEDED and FAILED are ignored; repeated events report the same result with
 * the same idempotency token.
 */
export async function reportJobState(detail: ServiceJobStateDetail, settings: SubmitterSettings, ports: SubmitterPorts): Promise<void> {
  const token = tokenOf(settings, detail?.jobName);
  if (!token) {
    ports.log('info', 'Not a job of this pipeline; ignored', { jobName: detail?.jobName });
    return;
  }
  if (detail.status !== 'SUCCEEDED' && detail.status !== 'FAILED') {
    return;
  }
  const once = sha256(`${detail.jobId}:${detail.status}`).slice(0, 64);
  try {
    if (detail.status === 'SUCCEEDED') {
      const trainingJobArn = trainingJobArnOf(detail);
      if (!trainingJobArn) {
        await ports.fail(token, `AWS Batch job ${detail.jobId} succeeded but names no SageMaker training job.`, once);
        return;
      }
      const trainingJobName = trainingJobArn.split('/').pop()!;
      const artifacts = await ports.modelArtifacts(trainingJobName);
      if (!artifacts) {
        await ports.fail(token, `Training job ${trainingJobName} succeeded but has no model artifacts.`, once);
        return;
      }
      await ports.succeed(token, { ModelArtifacts: artifacts, TrainingJobName: trainingJobName, TrainingJobArn: trainingJobArn }, once);
      ports.log('info', 'Reported success to the pipeline', { jobId: detail.jobId, trainingJobName });
      return;
    }
    await ports.fail(token, truncate(failureReason(detail), MAX_FAILURE_REASON), once);
    ports.log('info', 'Reported failure to the pipeline', { jobId: detail.jobId, statusReason: detail.statusReason });
  } catch (e) {
    if (isDeadCallback(e)) {
      ports.log('warn', 'The pipeline no longer waits for this step (callback token expired or step ended)', { jobId: detail.jobId, error: String(e) });
      return;
    }
    throw e;
  }
}

/** The SageMaker training job of the latest attempt. */
export function trainingJobArnOf(detail: ServiceJobStateDetail): string | undefined {
  const ids = [detail.latestAttempt?.serviceResourceId, ...[...(detail.attempts ?? [])].reverse().map((a) => a.serviceResourceId)];
  return ids.find((id) => id?.name === 'TrainingJobArn' && typeof id.value === 'string')?.value;
}

/** Why the job failed, in the words an ML engineer looks for (waited too long, preempted, the job's own error). */
export function failureReason(detail: ServiceJobStateDetail): string {
  const reason = detail.statusReason ?? detail.attempts?.[detail.attempts.length - 1]?.statusReason ?? 'no reason given';
  const preempted = detail.preemptionSummary?.preemptedAttemptCount ?? 0;
  const prefix = /RUNNABLE|maxRunnableWait|JobStateTimeLimit/i.test(reason)
    ? 'Waited too long for capacity in the pool'
    : preempted > 0 && /preempt/i.test(reason)
      ? `Preempted ${preempted} time(s), past the step's preemptionRetries`
      : 'The training job failed';
  const history = preempted > 0 && !/preempt/i.test(reason) ? `, after ${preempted} preemption(s)` : '';
  return `${prefix}: ${reason} (AWS Batch job ${detail.jobId}${history})`;
}
