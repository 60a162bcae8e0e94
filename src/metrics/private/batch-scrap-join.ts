// The FlowMetrics collector's join of a stopped Batch training job with what AWS Batch says about
// it, so its scrap is counted once, with the right cause, whichever event arrives first.
//
// A training job AWS Batch made for a queued job (`AWSBatch<job name><32 hex>`) that ends Stopped
// with SecondaryStatus Stopped was either preempted (a lender reclaimed its capacity) or stopped by
// a user (TerminateServiceJob stops it too); only the Batch events tell which (service-job-attempts.ts).
// EventBridge does not order the SageMaker and the Batch events, so each side writes its half to the
// dedup table and then tries to complete the join:
//
//   bq#<job>#run    the training side: team, billed instance-hours, cost (written before the run is counted)
//   bq#<job>#cause  the Batch side: preempted or userStop (preempted overwrites userStop; first userStop stays)
//   bq#<job>#scrap  the claim: whichever side completes the join first publishes the scrap metrics
//
// Each side writes its half and then reads the other's (consistent reads): of two concurrent
// invocations at least one sees both halves, and the conditional claim lets only one publish.
// A retried or repeated delivery repeats the writes and the join, which the claim keeps idempotent.
//
// The join never completes if the Batch side does not arrive within the table's TTL. It arrives:
// every ended service job sends a SUCCEEDED or FAILED state change, and at that point every attempt
// gets a cause (the last one userStop unless preempted), so no periodic sweep is needed. If it still
// never came (the rule missed it, the event failed to the dead-letter queue), the run stays counted
// in TrainingRuns and GpuHours but not in the scrap metrics, and both records expire with the TTL:
// an undercount of one run's scrap, never a double count.
import type { DedupStore, FlowMetric } from './collector-logic';
import type { ScrapCause } from './scrap-cause';
import { AttemptCause, attemptCauses, ServiceJobRecord, trainingJobKey } from './service-job-attempts';

const runKey = (job: string) => `bq#${job}#run`;
const causeKey = (job: string) => `bq#${job}#cause`;
const claimKey = (job: string) => `bq#${job}#scrap`;

/** The training side's half: the run whose scrap cause Batch decides. */
export interface StoppedBatchRun {
  readonly trainingJobName: string;
  readonly team: string;
  readonly instanceHours: number;
  /** Cost of the instance-hours; undefined when the instance type has no price. */
  readonly costUsd?: number;
}

/** Writes the training side's half. Idempotent; call it before the run is counted. */
export async function recordStoppedBatchRun(run: StoppedBatchRun, store: DedupStore, expiresAt: number): Promise<void> {
  const attributes: Record<string, string | number> = { expiresAt, team: run.team, instanceHours: run.instanceHours };
  if (run.costUsd !== undefined && Number.isFinite(run.costUsd)) attributes.costUsd = run.costUsd;
  await store.put(runKey(trainingJobKey(run.trainingJobName)), attributes);
}

/** The training side's join: the scrap metrics when Batch's half is there and nobody published them yet. */
export async function joinStoppedBatchRun(trainingJobName: string, store: DedupStore, expiresAt: number): Promise<FlowMetric[]> {
  return join(trainingJobKey(trainingJobName), store, expiresAt);
}

/**
 * The Batch side: writes the cause of every attempt the service job record settles and joins each
 * with its run. The metrics carry the run's team (`team`).
 */
export async function settleServiceJobAttempts(job: ServiceJobRecord, store: DedupStore, expiresAt: number): Promise<FlowMetric[]> {
  const metrics: FlowMetric[] = [];
  for (const [key, cause] of attemptCauses(job)) {
    await writeCause(key, cause, store, expiresAt);
    metrics.push(...await join(key, store, expiresAt));
  }
  return mergeMetrics(metrics);
}

/** Sums metrics of the same name, cause and team (two runs of one service job joined by one event). */
export function mergeMetrics(metrics: readonly FlowMetric[]): FlowMetric[] {
  const merged = new Map<string, FlowMetric>();
  for (const m of metrics) {
    const key = `${m.name}\u0000${m.cause ?? ''}\u0000${m.team ?? ''}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, value: seen.value + m.value } : m);
  }
  return [...merged.values()];
}

async function writeCause(key: string, cause: AttemptCause, store: DedupStore, expiresAt: number): Promise<void> {
  // A preemption is a fact about the attempt, whatever else was said before; a userStop is only the
  // fallback of an ended job, so it never replaces a preemption.
  if (cause === 'preempted') await store.put(causeKey(key), { expiresAt, cause });
  else await store.putIfAbsent(causeKey(key), { expiresAt, cause });
}

async function join(key: string, store: DedupStore, expiresAt: number): Promise<FlowMetric[]> {
  const run = await store.get(runKey(key));
  if (!run) return [];
  const verdict = await store.get(causeKey(key));
  const cause = verdict?.cause === 'preempted' || verdict?.cause === 'userStop' ? verdict.cause as ScrapCause : undefined;
  if (!cause) return [];
  const claim = await store.putIfAbsent(claimKey(key), { expiresAt, cause });
  if (!claim.written) return [];
  const team = String(run.team);
  const hours = Number(run.instanceHours) || 0;
  const metrics: FlowMetric[] = [
    { name: 'ScrappedRuns', unit: 'Count', value: 1, team },
    { name: 'WastedGpuHours', unit: 'None', value: hours, team },
    { name: 'ScrappedRunsByCause', unit: 'Count', value: 1, cause, team },
    { name: 'WastedGpuHoursByCause', unit: 'None', value: hours, cause, team },
  ];
  if (typeof run.costUsd === 'number' && Number.isFinite(run.costUsd)) metrics.push({ name: 'WastedCostUsd', unit: 'None', value: run.costUsd, team });
  return metrics;
}
