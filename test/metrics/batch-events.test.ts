import { batchCollectorSettings, memoryStore } from './fixtures';
import { processEvent } from '../../src/metrics/private/collector-logic';
import { normalizeTrainingJob } from '../../src/metrics/private/records';
import { queuedJobNamePrefix } from '../../src/pipeline/private/queued-job-name';

const settings = batchCollectorSettings(() => 1.5);
const noSageMaker = { describe: async () => { throw new Error('not called for Batch events'); } };
const event = (detail: Record<string, unknown>) => ({ 'detail-type': 'Batch Service Job State Change', 'detail': { jobId: 'job-1', quotaShareName: 'vision', ...detail } });
const T0 = Date.UTC(2026, 11, 1, 8, 0, 0);

describe('collector: Batch service job events of a capacity pool', () => {
  test('the first RUNNING state gives the queue wait (SUBMITTED to RUNNING) of the share\'s team; a repeat counts nothing', async () => {
    const store = memoryStore();
    const running = event({ status: 'RUNNING', createdAt: T0, startedAt: T0 + 25 * 60_000 });
    const outcome = await processEvent(running, store, noSageMaker, settings);
    expect(outcome).toEqual({ team: 'vision', metrics: [{ name: 'QueueWaitSeconds', unit: 'None', value: 1500 }] });
    expect((await processEvent(running, store, noSageMaker, settings)).skipped).toBe('duplicate-event');
  });

  test('a finished job that was preempted twice counts its 2 preemptions once; their scrap waits for the training jobs', async () => {
    const store = memoryStore();
    const ended = event({
      status: 'SUCCEEDED',
      preemptionSummary: {
        preemptedAttemptCount: 2,
        recentPreemptedAttempts: [
          { startedAt: T0, stoppedAt: T0 + 30 * 60_000 },
          { startedAt: T0 + 60 * 60_000, stoppedAt: T0 + 90 * 60_000 },
        ],
      },
    });
    expect((await processEvent(ended, store, noSageMaker, settings)).metrics).toEqual([{ name: 'Preemptions', unit: 'Count', value: 2 }]);
    expect((await processEvent(ended, store, noSageMaker, settings)).skipped).toBe('duplicate-event');
  });

  test('a job without preemptions ends with no metrics; shares of unmeasured teams and queued states are skipped', async () => {
    expect((await processEvent(event({ status: 'FAILED' }), memoryStore(), noSageMaker, settings)).metrics).toEqual([]);
    expect((await processEvent(event({ status: 'RUNNING', quotaShareName: 'other' }), memoryStore(), noSageMaker, settings)).skipped).toBe('not-a-team-resource');
    expect((await processEvent(event({ status: 'RUNNABLE' }), memoryStore(), noSageMaker, settings)).skipped).toBe('not-terminal');
    expect((await processEvent(event({ status: undefined }), memoryStore(), noSageMaker, settings)).skipped).toBe('malformed');
  });

  test('without quotaShareName (the published example event does not show it), a queued step\'s job is attributed by the team hash in its name', async () => {
    // The event as the AWS Batch user guide's example shows it: jobName, jobQueue, status, createdAt, startedAt, attempts.
    const jobName = `${queuedJobNamePrefix('fraud', 'Team/Pipeline/QueuedTraining')}-Ab12Cd34Ef`;
    const running = {
      'detail-type': 'Batch Service Job State Change',
      'detail': {
        jobId: 'job-9', jobName, jobQueue: 'arn:aws:batch:us-east-1:111122223333:job-queue/Gpus', status: 'RUNNING', createdAt: T0, startedAt: T0 + 60_000,
      },
    };
    expect(await processEvent(running, memoryStore(), noSageMaker, settings)).toEqual({ team: 'fraud', metrics: [{ name: 'QueueWaitSeconds', unit: 'None', value: 60 }] });
    // A name without a known team hash (a notebook's TrainingQueue job, another platform's team) is not counted.
    const foreign = { ...running, detail: { ...running.detail, jobName: `${queuedJobNamePrefix('other', 'x')}-Ab12Cd34Ef` } };
    expect((await processEvent(foreign, memoryStore(), noSageMaker, settings)).skipped).toBe('not-a-team-resource');
    const notebook = { ...running, detail: { ...running.detail, jobName: 'my-notebook-job' } };
    expect((await processEvent(notebook, memoryStore(), noSageMaker, settings)).skipped).toBe('not-a-team-resource');
    // When the field is there it decides: the name is only the fallback.
    expect((await processEvent({ ...running, detail: { ...running.detail, quotaShareName: 'vision' } }, memoryStore(), noSageMaker, settings)).team).toBe('vision');
  });

  test('the training job Batch makes of a queued job (AWSBatch<job name><32 hex>) is attributed by name when it carries no team tag', () => {
    const jobName = `${queuedJobNamePrefix('vision', 'Team/Pipeline/QueuedTraining')}-Ab12Cd34Ef`;
    const trainingJobName = `AWSBatch${jobName}0123456789abcdef0123456789abcdef`;
    expect(trainingJobName).toHaveLength(63);
    const record = { TrainingJobName: trainingJobName, TrainingJobStatus: 'Completed', ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 1 } };
    expect(normalizeTrainingJob(record as any, settings.teams)?.team).toBe('vision');
    // The team tag, when Batch copied it, wins.
    expect(normalizeTrainingJob({ ...record, Tags: { 'trainyard:team': 'fraud' } } as any, settings.teams)?.team).toBe('fraud');
    expect(normalizeTrainingJob({ ...record, TrainingJobName: 'AWSBatchsomeone-elses-job0123456789abcdef0123456789abcdef' } as any, settings.teams)?.team).toBe('unassigned');
  });
});
