// What the FlowMetrics collector takes from AWS Batch `Batch Service Job State Change` events of a
// TrainingCapacityPool's queue: how long each job waited for capacity (SUBMITTED to RUNNING), and
// the attempts lost to preemption (a lender reclaiming its capacity).
//
// Team attribution. The AWS Batch user guide says the event detail "resembles" the DescribeServiceJob
// response without `tags` and `serviceRequestPayload`; DescribeServiceJob has `quotaShareName`, and
// Trainyard names each team's quota share after the team, but the published example event (which
// predates quota shares) does not show that field. So a job without it is attributed by its name,
// which the example does show: the submitter of a QueuedTrainingStep names each job
// `ty<team hash>...` (queued-job-name.ts).
//
// Preempted attempts. Batch stops a preempted attempt's training job, which then ends Stopped like a
// user's stop; its scrap is counted once, as `preempted`, by joining the training job's event with
// these (batch-scrap-join.ts). Every state change and every `Batch Service Job Preemption Completed`
// event settles the attempts it can; `Preemptions` counts the preempted attempts once, when the job ends.
import { settleServiceJobAttempts } from './batch-scrap-join';
import type { CollectorOutcome, CollectorSettings, DedupStore, FlowMetric } from './collector-logic';
import { toMillis } from './records';
import type { ServiceJobRecord } from './service-job-attempts';
import { teamOfQueuedJobName } from '../../pipeline/private/queued-job-name';

/**
 * Metrics of one service job state change: `QueueWaitSeconds` the first time the job runs, and on
 * its end the number of its preempted attempts (`Preemptions`); each (job, state) counts once. Any
 * state change also settles the causes of the attempts it shows and completes the scrap of their
 * stopped training jobs (`ScrappedRuns...` with cause `preempted` or `userStop`), for the run's team.
 */
export async function batchServiceJobChanged(
  detail: ServiceJobRecord, store: DedupStore, settings: CollectorSettings, expiresAt: number,
): Promise<CollectorOutcome> {
  const jobId = typeof detail.jobId === 'string' ? detail.jobId : '';
  const status = typeof detail.status === 'string' ? detail.status : '';
  if (!jobId || !status) return { metrics: [], skipped: 'malformed' };
  // The joins first, on every delivery: they are idempotent, and a repeated delivery completes a
  // join that a failed invocation left half done.
  const joined = await settleServiceJobAttempts(detail, store, expiresAt);
  const team = typeof detail.quotaShareName === 'string' ? detail.quotaShareName : teamOfQueuedJobName(detail.jobName, settings.teams) ?? '';
  const done = (metrics: FlowMetric[], skipped?: CollectorOutcome['skipped']): CollectorOutcome => {
    const all = [...joined, ...metrics];
    const outcomeTeam = settings.teams.includes(team) ? team : all[0]?.team;
    return all.length > 0 ? { team: outcomeTeam, metrics: all } : { team: outcomeTeam, metrics: all, skipped };
  };
  if (!settings.teams.includes(team)) return done([], 'not-a-team-resource');
  if (status !== 'RUNNING' && status !== 'SUCCEEDED' && status !== 'FAILED') return done([], 'not-terminal');

  const first = await store.putIfAbsent(`bsj#${jobId}#${status}`, { expiresAt, team });
  if (!first.written) return done([], 'duplicate-event');

  const metrics: FlowMetric[] = [];
  if (status === 'RUNNING') {
    const created = toMillis(detail.createdAt);
    const started = toMillis(detail.startedAt);
    if (Number.isFinite(created) && Number.isFinite(started) && started >= created) {
      metrics.push({ name: 'QueueWaitSeconds', unit: 'None', value: (started - created) / 1000 });
    }
    return done(metrics);
  }
  const listed = detail.preemptionSummary?.recentPreemptedAttempts;
  const count = detail.preemptionSummary?.preemptedAttemptCount ?? (Array.isArray(listed) ? listed.length : 0);
  if (typeof count === 'number' && count > 0) metrics.push({ name: 'Preemptions', unit: 'Count', value: count });
  return done(metrics);
}

/**
 * A `Batch Service Job Preemption Completed` event: the attempts it lists were preempted. It settles
 * their causes and completes the scrap of those whose training job already ended (the others
 * complete when it does). It counts no `Preemptions`: the job's end does, once.
 */
export async function batchServiceJobPreemptionCompleted(detail: ServiceJobRecord, store: DedupStore, expiresAt: number): Promise<CollectorOutcome> {
  if (!Array.isArray(detail.preemptionSummary?.recentPreemptedAttempts)) return { metrics: [], skipped: 'malformed' };
  const joined = await settleServiceJobAttempts(detail, store, expiresAt);
  return joined.length > 0 ? { team: joined[0].team, metrics: joined } : { metrics: [], skipped: 'awaiting-join' };
}
