// What the FlowMetrics collector takes from AWS Batch `Batch Service Job State Change` events of a
// TrainingCapacityPool's queue: how long each job waited for capacity (SUBMITTED to RUNNING), and
// the attempts lost to preemption (a lender reclaiming its capacity) with the instance hours they
// used.
//
// Team attribution. The AWS Batch user guide says the event detail "resembles" the DescribeServiceJob
// response without `tags` and `serviceRequestPayload`; DescribeServiceJob has `quotaShareName`, and
// Trainyard names each team's quota share after the team, but the published example event (which
// predates quota shares) does not show that field. So a job without it is attributed by its name,
// which the example does show: the submitter of a QueuedTrainingStep names each job
// `ty<team hash>...` (queued-job-name.ts).
import type { CollectorOutcome, CollectorSettings, DedupStore, FlowMetric } from './collector-logic';
import { toMillis } from './records';
import { teamOfQueuedJobName } from '../../pipeline/private/queued-job-name';

/** The fields of the event detail the collector reads. */
export interface ServiceJobEventDetail {
  readonly jobId?: string;
  readonly jobName?: string;
  readonly status?: string;
  readonly quotaShareName?: string;
  readonly createdAt?: number | string;
  readonly startedAt?: number | string;
  readonly capacityUsage?: ReadonlyArray<{ readonly capacityUnit?: string; readonly quantity?: number }>;
  readonly preemptionSummary?: {
    readonly preemptedAttemptCount?: number;
    readonly recentPreemptedAttempts?: ReadonlyArray<{ readonly startedAt?: number | string; readonly stoppedAt?: number | string }>;
  };
}

const HOUR_MS = 3_600_000;

/**
 * Metrics of one service job state change: `QueueWaitSeconds` the first time the job runs, and on
 * its end the preempted attempts (`ScrappedRunsByCause` and `WastedGpuHoursByCause` with cause
 * `preempted`). Each (job, state) counts once.
 */
export async function batchServiceJobChanged(
  detail: ServiceJobEventDetail, store: DedupStore, settings: CollectorSettings, expiresAt: number,
): Promise<CollectorOutcome> {
  const jobId = typeof detail.jobId === 'string' ? detail.jobId : '';
  const status = typeof detail.status === 'string' ? detail.status : '';
  if (!jobId || !status) return { metrics: [], skipped: 'malformed' };
  const team = typeof detail.quotaShareName === 'string' ? detail.quotaShareName : teamOfQueuedJobName(detail.jobName, settings.teams) ?? '';
  if (!settings.teams.includes(team)) return { metrics: [], skipped: 'not-a-team-resource' };
  if (status !== 'RUNNING' && status !== 'SUCCEEDED' && status !== 'FAILED') return { team, metrics: [], skipped: 'not-terminal' };

  const first = await store.putIfAbsent(`bsj#${jobId}#${status}`, { expiresAt, team });
  if (!first.written) return { team, metrics: [], skipped: 'duplicate-event' };

  const metrics: FlowMetric[] = [];
  if (status === 'RUNNING') {
    const created = toMillis(detail.createdAt);
    const started = toMillis(detail.startedAt);
    if (Number.isFinite(created) && Number.isFinite(started) && started >= created) {
      metrics.push({ name: 'QueueWaitSeconds', unit: 'None', value: (started - created) / 1000 });
    }
    return { team, metrics };
  }
  const instances = (detail.capacityUsage ?? []).reduce((sum, c) => sum + (typeof c.quantity === 'number' ? c.quantity : 0), 0) || 1;
  const attempts = detail.preemptionSummary?.recentPreemptedAttempts ?? [];
  const count = detail.preemptionSummary?.preemptedAttemptCount ?? attempts.length;
  if (count > 0) {
    const hours = attempts.reduce((sum, a) => {
      const start = toMillis(a.startedAt);
      const stop = toMillis(a.stoppedAt);
      return Number.isFinite(start) && Number.isFinite(stop) && stop > start ? sum + ((stop - start) / HOUR_MS) * instances : sum;
    }, 0);
    metrics.push(
      { name: 'Preemptions', unit: 'Count', value: count },
      { name: 'ScrappedRunsByCause', unit: 'Count', value: count, cause: 'preempted' },
      { name: 'WastedGpuHoursByCause', unit: 'None', value: hours, cause: 'preempted' },
    );
  }
  return { team, metrics };
}
