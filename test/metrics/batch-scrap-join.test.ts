import { batchCollectorSettings, memoryStore } from './fixtures';
import { CollectorOutcome, processEvent } from '../../src/metrics/private/collector-logic';
import { attemptCauses, isBatchTrainingJobName } from '../../src/metrics/private/service-job-attempts';
import { queuedJobNamePrefix } from '../../src/pipeline/private/queued-job-name';

const settings = batchCollectorSettings((type) => (type === 'ml.g5.2xlarge' ? 1.5 : undefined));
// Batch-made training jobs carry no team tag DescribeTrainingJob could be scoped by: the event detail is used as is.
const sagemaker = { describe: async () => undefined };

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0);
const MIN = 60_000;
const JOB_NAME = `${queuedJobNamePrefix('vision', 'Team/Pipeline/QueuedTraining')}-Ab12Cd34Ef`;
const JOB_ARN = 'arn:aws:batch:us-east-1:111122223333:service-job/51f245a9-2995-4a53-bced-7b3c00028f84';
/** The name of the training job Batch makes of attempt `n`: AWSBatch<job name><32 hex>. */
const trainingName = (n: number) => `AWSBatch${JOB_NAME}${String(n).repeat(32)}`;
/** Its ARN as Batch reports it; lower-cased, as SageMaker's ARNs are, to show the join ignores case. */
const trainingArn = (n: number) => `arn:aws:sagemaker:us-east-1:111122223333:training-job/${trainingName(n).toLowerCase()}`;
const attempt = (n: number, statusReason = 'Cross-share preemption triggered to reclaim borrowed capacity') => ({
  serviceResourceId: { name: 'TrainingJobArn', value: trainingArn(n) },
  startedAt: T0 + n * 60 * MIN,
  stoppedAt: T0 + n * 60 * MIN + 30 * MIN,
  statusReason,
});

type Event = { 'detail-type': string; 'detail': Record<string, unknown> };

/** The training job of attempt `n` ended: `hours` billed on 2 x ml.g5.2xlarge (no team tag: attributed by its name). */
function trainingEnded(n: number, status: 'Stopped' | 'Completed', hours: number, name = trainingName(n)): Event {
  return {
    'detail-type': 'SageMaker Training Job State Change',
    'detail': {
      TrainingJobName: name,
      TrainingJobStatus: status,
      SecondaryStatus: status,
      BillableTimeInSeconds: hours * 3600,
      ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 2 },
    },
  };
}

/** `Batch Service Job Preemption Completed`, shaped as the AWS Batch user guide's example. */
function preemptionCompleted(...attempts: number[]): Event {
  return {
    'detail-type': 'Batch Service Job Preemption Completed',
    'detail': {
      preemptedJobArn: JOB_ARN,
      preemptionSummary: { preemptedAttemptCount: attempts.length, recentPreemptedAttempts: attempts.map((n) => attempt(n)) },
      status: 'RUNNABLE',
    },
  };
}

/** `Batch Service Job State Change` of the job. */
function serviceJob(status: string, extra: Record<string, unknown>): Event {
  return {
    'detail-type': 'Batch Service Job State Change',
    'detail': { jobArn: JOB_ARN, jobId: '51f245a9', jobName: JOB_NAME, quotaShareName: 'vision', status, createdAt: T0 - 10 * MIN, startedAt: T0, ...extra },
  };
}

async function run(events: readonly Event[], store = memoryStore()): Promise<CollectorOutcome[]> {
  const outcomes: CollectorOutcome[] = [];
  for (const e of events) outcomes.push(await processEvent(e, store, sagemaker, settings));
  return outcomes;
}

/** Sum of metric `name` (of one cause, or of none) over the outcomes, per team. */
function sum(outcomes: readonly CollectorOutcome[], name: string, cause?: string, team = 'vision'): number {
  return outcomes.flatMap((o) => o.metrics.filter((m) => (m.team ?? o.team) === team).map((m) => ({ ...m })))
    .filter((m) => m.name === name && m.cause === cause)
    .reduce((total, m) => total + m.value, 0);
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('a queued training job Batch stopped counts its scrap once, with the cause Batch gives, in any order', () => {
  test('preempted: the training job first, then the preemption event; the job\'s end adds the preemption count only', async () => {
    const store = memoryStore();
    const [stopped, preempted, ended] = await run([
      trainingEnded(1, 'Stopped', 0.5),
      preemptionCompleted(1),
      serviceJob('SUCCEEDED', { attempts: [attempt(1), attempt(2, 'Received status from SageMaker: Training job completed')], preemptionSummary: { preemptedAttemptCount: 1, recentPreemptedAttempts: [attempt(1)] } }),
    ], store);
    // The run counts at once; its scrap waits for Batch's word.
    expect(stopped).toEqual({
      team: 'vision',
      metrics: [{ name: 'TrainingRuns', unit: 'Count', value: 1 }, { name: 'GpuHours', unit: 'None', value: 1 }],
    });
    expect(preempted).toEqual({
      team: 'vision',
      metrics: [
        { name: 'ScrappedRuns', unit: 'Count', value: 1 },
        { name: 'WastedGpuHours', unit: 'None', value: 1 },
        { name: 'ScrappedRunsByCause', unit: 'Count', value: 1, cause: 'preempted' },
        { name: 'WastedGpuHoursByCause', unit: 'None', value: 1, cause: 'preempted' },
        { name: 'WastedCostUsd', unit: 'None', value: 1.5 },
      ],
    });
    expect(ended.metrics).toEqual([{ name: 'Preemptions', unit: 'Count', value: 1 }]);
    expect(store.keys()).toEqual(expect.arrayContaining([`bq#${trainingName(1).toLowerCase()}#run`, `bq#${trainingName(1).toLowerCase()}#cause`, `bq#${trainingName(1).toLowerCase()}#scrap`]));
  });

  test('preempted: the preemption event first, then the training job, which then counts as preempted scrap at once', async () => {
    const [preempted, stopped] = await run([preemptionCompleted(1), trainingEnded(1, 'Stopped', 0.5)]);
    expect(preempted).toEqual({ metrics: [], skipped: 'awaiting-join' });
    expect(stopped.team).toBe('vision');
    expect(stopped.metrics.map((m) => `${m.name}${m.cause ? `:${m.cause}` : ''}=${m.value}`)).toEqual([
      'TrainingRuns=1', 'GpuHours=1', 'ScrappedRuns=1', 'WastedGpuHours=1', 'ScrappedRunsByCause:preempted=1', 'WastedGpuHoursByCause:preempted=1', 'WastedCostUsd=1.5',
    ]);
  });

  test('every event delivered twice, interleaved: the run, its scrap and the preemptions count once', async () => {
    const events = [trainingEnded(1, 'Stopped', 0.5), preemptionCompleted(1), serviceJob('SUCCEEDED', { attempts: [attempt(1), attempt(2)], preemptionSummary: { preemptedAttemptCount: 1, recentPreemptedAttempts: [attempt(1)] } }), trainingEnded(2, 'Completed', 1)];
    const outcomes = await run([events[1], events[0], events[1], events[2], events[0], events[3], events[2], events[3]]);
    expect(sum(outcomes, 'TrainingRuns')).toBe(2);
    expect(sum(outcomes, 'SuccessfulRuns')).toBe(1);
    expect(sum(outcomes, 'ScrappedRuns')).toBe(1);
    expect(sum(outcomes, 'ScrappedRunsByCause', 'preempted')).toBe(1);
    expect(sum(outcomes, 'ScrappedRunsByCause', 'userStop')).toBe(0);
    expect(sum(outcomes, 'Preemptions')).toBe(1);
    // The repeats publish nothing (a preemption event has no per-event dedup: its join's claim is enough).
    expect([2, 4, 6, 7].map((i) => outcomes[i].metrics)).toEqual([[], [], [], []]);
  });

  test('a user\'s TerminateServiceJob stops the training job: userStop, once, in either order', async () => {
    const terminated = serviceJob('FAILED', {
      isTerminated: true,
      statusReason: 'Terminated by user',
      attempts: [attempt(1, 'Received status from SageMaker: Training job stopped')],
      latestAttempt: { serviceResourceId: attempt(1).serviceResourceId },
    });
    for (const order of [[trainingEnded(1, 'Stopped', 2), terminated], [terminated, trainingEnded(1, 'Stopped', 2)]]) {
      const outcomes = await run([...order, ...order]);
      expect(sum(outcomes, 'TrainingRuns')).toBe(1);
      expect(sum(outcomes, 'ScrappedRuns')).toBe(1);
      expect(sum(outcomes, 'ScrappedRunsByCause', 'userStop')).toBe(1);
      expect(sum(outcomes, 'WastedGpuHoursByCause', 'userStop')).toBe(4);
      expect(sum(outcomes, 'WastedCostUsd')).toBe(6);
      expect(sum(outcomes, 'ScrappedRunsByCause', 'preempted')).toBe(0);
      expect(sum(outcomes, 'Preemptions')).toBe(0);
    }
  });

  test('preempted twice, then succeeded: in every one of the 720 orders, 3 runs, 1 good, 2 preempted with their billed hours, no user stop', async () => {
    const both = { preemptedAttemptCount: 2, recentPreemptedAttempts: [attempt(1), attempt(2)] };
    const events = [
      trainingEnded(1, 'Stopped', 0.5),
      trainingEnded(2, 'Stopped', 0.25),
      trainingEnded(3, 'Completed', 2),
      preemptionCompleted(1),
      { ...preemptionCompleted(1, 2), detail: { ...preemptionCompleted(1, 2).detail, preemptionSummary: both } },
      serviceJob('SUCCEEDED', { attempts: [attempt(1), attempt(2), attempt(3)], latestAttempt: { serviceResourceId: attempt(3).serviceResourceId }, preemptionSummary: both }),
    ];
    const seen = new Set<string>();
    for (const order of permutations(events)) {
      const outcomes = await run(order);
      const figures = {
        runs: sum(outcomes, 'TrainingRuns'),
        good: sum(outcomes, 'SuccessfulRuns'),
        gpuHours: sum(outcomes, 'GpuHours'),
        scrapped: sum(outcomes, 'ScrappedRuns'),
        wasted: sum(outcomes, 'WastedGpuHours'),
        preempted: sum(outcomes, 'ScrappedRunsByCause', 'preempted'),
        preemptedHours: sum(outcomes, 'WastedGpuHoursByCause', 'preempted'),
        userStop: sum(outcomes, 'ScrappedRunsByCause', 'userStop'),
        cost: sum(outcomes, 'WastedCostUsd'),
        preemptions: sum(outcomes, 'Preemptions'),
      };
      seen.add(JSON.stringify(figures));
    }
    expect([...seen].map((f) => JSON.parse(f))).toEqual([{
      runs: 3, good: 1, gpuHours: 5.5, scrapped: 2, wasted: 1.5, preempted: 2, preemptedHours: 1.5, userStop: 0, cost: 2.25, preemptions: 2,
    }]);
  });

  test('preempted past its retries (the last attempt preempted, the job FAILED and terminated): preempted, not userStop', async () => {
    const summary = { preemptedAttemptCount: 1, recentPreemptedAttempts: [attempt(1)] };
    const failed = serviceJob('FAILED', { isTerminated: true, attempts: [attempt(1)], latestAttempt: { serviceResourceId: attempt(1).serviceResourceId }, preemptionSummary: summary });
    const outcomes = await run([failed, trainingEnded(1, 'Stopped', 1)]);
    expect(sum(outcomes, 'ScrappedRunsByCause', 'preempted')).toBe(1);
    expect(sum(outcomes, 'ScrappedRunsByCause', 'userStop')).toBe(0);
  });

  test('a preemption reported late overrides the ended job\'s user-stop fallback, when the run is not yet published', async () => {
    // The job's end lists only attempt 2 among the recent preemptions, and no count: attempt 1 falls back to userStop.
    const ended = serviceJob('SUCCEEDED', { attempts: [attempt(1), attempt(2), attempt(3)], preemptionSummary: { recentPreemptedAttempts: [attempt(2)] } });
    const outcomes = await run([ended, preemptionCompleted(1), trainingEnded(1, 'Stopped', 1)]);
    expect(sum(outcomes, 'ScrappedRunsByCause', 'preempted')).toBe(1);
    expect(sum(outcomes, 'ScrappedRunsByCause', 'userStop')).toBe(0);
    // The other way round the fallback stays: a userStop never replaces a preemption.
    const reversed = await run([preemptionCompleted(1), ended, trainingEnded(1, 'Stopped', 1)]);
    expect(sum(reversed, 'ScrappedRunsByCause', 'preempted')).toBe(1);
  });

  test('a stopped training job not made by Batch is a user stop at once, as before; so is a Batch one stopped past its runtime by its own cause', async () => {
    const [own] = await run([{ ...trainingEnded(1, 'Stopped', 1, 'vision-train-7'), detail: { ...trainingEnded(1, 'Stopped', 1, 'vision-train-7').detail, Tags: { 'trainyard:team': 'vision' } } }]);
    expect(own.metrics.filter((m) => m.cause).map((m) => `${m.name}:${m.cause}`)).toEqual(['ScrappedRunsByCause:userStop', 'WastedGpuHoursByCause:userStop']);
    const runtime = trainingEnded(1, 'Stopped', 1);
    const [capped] = await run([{ ...runtime, detail: { ...runtime.detail, SecondaryStatus: 'MaxRuntimeExceeded' } }]);
    expect(capped.metrics.filter((m) => m.cause).map((m) => `${m.name}:${m.cause}`)).toEqual(['ScrappedRunsByCause:other', 'WastedGpuHoursByCause:other']);
  });

  test('the run\'s team counts the scrap even when the Batch event names another share', async () => {
    const store = memoryStore();
    const tagged = trainingEnded(1, 'Stopped', 1);
    await run([{ ...tagged, detail: { ...tagged.detail, Tags: { 'trainyard:team': 'fraud' } } }], store);
    const [ended] = await run([serviceJob('SUCCEEDED', { preemptionSummary: { preemptedAttemptCount: 1, recentPreemptedAttempts: [attempt(1)] }, attempts: [attempt(1), attempt(2)] })], store);
    expect(ended.team).toBe('vision');
    expect(sum([ended], 'ScrappedRunsByCause', 'preempted', 'fraud')).toBe(1);
    expect(sum([ended], 'ScrappedRunsByCause', 'preempted', 'vision')).toBe(0);
    expect(sum([ended], 'Preemptions', undefined, 'vision')).toBe(1);
  });
});

describe('attemptCauses: what a service job record says of its attempts', () => {
  test('preempted attempts in any state; once ended, the last attempt is a user stop unless preempted', () => {
    const key = (n: number) => trainingName(n).toLowerCase();
    expect([...attemptCauses({ status: 'RUNNING', attempts: [attempt(1), attempt(2)], preemptionSummary: { recentPreemptedAttempts: [attempt(1)] } })]).toEqual([[key(1), 'preempted']]);
    expect([...attemptCauses({ status: 'FAILED', attempts: [attempt(1), attempt(2)], preemptionSummary: { recentPreemptedAttempts: [attempt(1)] } })]).toEqual([[key(1), 'preempted'], [key(2), 'userStop']]);
    // An earlier attempt fell off the list of recent preemptions (count 3, listed 1): preempted; without such a gap, a retried user stop.
    expect(attemptCauses({ status: 'SUCCEEDED', attempts: [attempt(1), attempt(2), attempt(3)], preemptionSummary: { preemptedAttemptCount: 3, recentPreemptedAttempts: [attempt(2)] } }).get(key(1))).toBe('preempted');
    expect(attemptCauses({ status: 'SUCCEEDED', attempts: [attempt(1), attempt(2)] }).get(key(1))).toBe('userStop');
    // Malformed input settles nothing.
    expect(attemptCauses({ status: 'FAILED', attempts: [{ serviceResourceId: { name: 'Other', value: 'x' } }] }).size).toBe(0);
    expect(attemptCauses(undefined).size).toBe(0);
  });

  test('Batch training job names: AWSBatch<job name><32 hex>, in either case', () => {
    expect(isBatchTrainingJobName(trainingName(1))).toBe(true);
    expect(isBatchTrainingJobName(trainingName(1).toLowerCase())).toBe(true);
    expect(isBatchTrainingJobName('AWSBatchmy-training-job88b610a69aa8380ca5b0a7aba3f81cb8')).toBe(true);
    expect(isBatchTrainingJobName('vision-train-7')).toBe(false);
    expect(isBatchTrainingJobName('AWSBatch-no-hash')).toBe(false);
  });
});
