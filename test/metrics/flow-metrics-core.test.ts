import { at, modelPackage, pipelineExecution, trainingJob, trainingJobEvent, WINDOW } from './fixtures';
import { computeFlowMetrics, DEFAULT_TRAINING_PRICES, SCRAP_CAUSES } from '../../src/metrics/flow-metrics-core';
import { classifyScrap } from '../../src/metrics/private/scrap-cause';

describe('computeFlowMetrics: scrap by cause, classified from real SageMaker statuses', () => {
  // GIVEN one finished run per cause, each 2 instance-hours on ml.g5.2xlarge, plus two good runs
  const jobs = [
    trainingJob('fraud-ok-1', { createdAtHour: 10 }),
    trainingJob('fraud-ok-2', { createdAtHour: 20, learningRate: '0.01' }),
    trainingJob('fraud-data', {
      status: 'Failed',
      learningRate: '0.02',
      failureReason: 'ClientError: No S3 objects found under S3 URL "s3://trainyard-datasets/fraud/transactions/v13/train/" given in input data source.',
    }),
    trainingJob('fraud-capacity', {
      status: 'Failed',
      learningRate: '0.03',
      failureReason: 'CapacityError: Unable to provision requested ML compute capacity. Please retry using a different ML instance type.',
    }),
    trainingJob('fraud-spot', { status: 'Stopped', secondaryStatus: 'Interrupted', spot: true, learningRate: '0.04', hours: 5 }),
    trainingJob('fraud-stop', { status: 'Stopped', secondaryStatus: 'Stopped', learningRate: '0.05' }),
    trainingJob('fraud-algo', {
      status: 'Failed',
      learningRate: '0.06',
      failureReason: 'AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage "RuntimeError: CUDA out of memory."',
    }),
    trainingJob('fraud-dup', { createdAtHour: 30 }),
    trainingJob('fraud-internal', { status: 'Failed', learningRate: '0.07', failureReason: 'InternalServerError: We encountered an internal error. Please try again.' }),
  ];

  // WHEN
  const result = computeFlowMetrics({ trainingJobs: jobs }, WINDOW);
  const causes = result.total.scrapByCause;

  test.each([
    ['dataValidation', 'fraud-data'],
    ['capacity', 'fraud-capacity'],
    ['spotInterruption', 'fraud-spot'],
    ['userStop', 'fraud-stop'],
    ['algorithmError', 'fraud-algo'],
    ['duplicate', 'fraud-dup'],
    ['other', 'fraud-internal'],
  ] as const)('%s: exactly one run (%s)', (cause, _job) => {
    expect(causes[cause].runs).toBe(1);
  });

  test('counts 2 good and 7 scrapped runs, and the rate by count', () => {
    expect(result.total.scrap.runs).toBe(9);
    expect(result.total.scrap.scrappedRuns).toBe(7);
    expect(result.total.scrap.rateByCount).toBeCloseTo(7 / 9, 4);
    expect(result.total.throughput.successfulRuns).toBe(2);
  });

  test('wasted GPU-hours use billable time: the spot run billed 40% of its 5 hours', () => {
    expect(causes.spotInterruption.gpuHours).toBeCloseTo(2, 3);
    // 2 ok x 2h + 6 scrapped x 2h + spot 2h billed
    expect(result.total.scrap.gpuHours).toBeCloseTo(18, 3);
    expect(result.total.scrap.wastedGpuHours).toBeCloseTo(14, 3);
    expect(result.total.scrap.rateByGpuHours).toBeCloseTo(14 / 18, 4);
  });

  test('wasted cost uses the default price table for ml.g5.2xlarge', () => {
    expect(result.total.scrap.wastedCostUsd).toBeCloseTo(14 * DEFAULT_TRAINING_PRICES['ml.g5.2xlarge'], 1);
    expect(result.total.scrap.unpricedGpuHours).toBe(0);
  });

  test('every cause is reported, even with zero runs', () => {
    expect(Object.keys(causes).sort()).toEqual([...SCRAP_CAUSES].sort());
  });
});

describe('classifyScrap', () => {
  test.each([
    ['Failed', 'Failed', 'InsufficientCapacityError: Insufficient capacity for ml.p4d.24xlarge in the requested Availability Zones.', false, 'capacity'],
    ['Failed', 'Failed', "ResourceLimitExceeded: The account-level service limit 'ml.p5.48xlarge for training job usage' is 0 Instances", false, 'capacity'],
    ['Stopped', 'MaxWaitTimeExceeded', '', true, 'spotInterruption'],
    ['Stopped', 'MaxWaitTimeExceeded', '', false, 'capacity'],
    ['Stopped', 'MaxRuntimeExceeded', '', false, 'other'],
    ['Failed', 'Failed', 'ClientError: Data download failed:Could not download s3://trainyard-datasets/fraud/v2/train.csv', false, 'dataValidation'],
    ['Failed', 'Failed', 'AlgorithmError: framework error: Traceback (most recent call last)', false, 'algorithmError'],
    ['Failed', 'Failed', 'Training job was interrupted because the Spot instance was reclaimed', true, 'spotInterruption'],
    ['Completed', 'Completed', '', false, undefined],
    ['InProgress', 'Training', '', false, undefined],
  ])('%s / %s / %j (spot %s) -> %s', (status, secondary, reason, spot, expected) => {
    expect(classifyScrap(status, secondary, reason, spot)).toBe(expected);
  });
});

describe('computeFlowMetrics: duplicate runs', () => {
  test('a rerun with the same image, hyperparameters, inputs, dataset version and code hash as an earlier success is scrap', () => {
    // GIVEN an original success, an identical rerun that only differs in SageMaker-injected hyperparameters
    const result = computeFlowMetrics({
      trainingJobs: [
        trainingJob('fraud-rerun', { createdAtHour: 50 }),
        trainingJob('fraud-original', { createdAtHour: 10 }),
      ],
    }, WINDOW);
    // THEN the later one is the duplicate, whatever the input order
    expect(result.total.duplicates).toEqual([{ trainingJobName: 'fraud-rerun', duplicateOf: 'fraud-original' }]);
    expect(result.total.throughput.successfulRuns).toBe(1);
    expect(result.total.scrapByCause.duplicate.runs).toBe(1);
  });

  test.each([
    ['another dataset version', { datasetVersion: '2026-11-08' }],
    ['another code hash', { configHash: 'cfg-77aa01' }],
    ['another hyperparameter', { learningRate: '0.1' }],
  ])('a rerun with %s is not a duplicate', (_, change) => {
    const result = computeFlowMetrics({
      trainingJobs: [trainingJob('fraud-a', { createdAtHour: 10 }), trainingJob('fraud-b', { createdAtHour: 50, ...change })],
    }, WINDOW);
    expect(result.total.duplicates).toEqual([]);
    expect(result.total.throughput.successfulRuns).toBe(2);
  });

  test('runs without a code hash tag are never judged duplicates', () => {
    const result = computeFlowMetrics({
      trainingJobs: [trainingJob('fraud-a', { configHash: null, createdAtHour: 10 }), trainingJob('fraud-b', { configHash: null, createdAtHour: 50 })],
    }, WINDOW);
    expect(result.total.duplicates).toEqual([]);
  });

  test('a repeat of a failed run is not a duplicate (only successful runs are originals)', () => {
    const result = computeFlowMetrics({
      trainingJobs: [
        trainingJob('fraud-a', { createdAtHour: 10, status: 'Stopped', secondaryStatus: 'Stopped' }),
        trainingJob('fraud-b', { createdAtHour: 50 }),
      ],
    }, WINDOW);
    expect(result.total.duplicates).toEqual([]);
    expect(result.total.scrapByCause.userStop.runs).toBe(1);
  });

  test('the original may precede the window', () => {
    const result = computeFlowMetrics({
      trainingJobs: [trainingJob('fraud-old', { createdAtHour: -100 }), trainingJob('fraud-new', { createdAtHour: 50 })],
    }, WINDOW);
    expect(result.total.scrap.runs).toBe(1);
    expect(result.total.duplicates).toEqual([{ trainingJobName: 'fraud-new', duplicateOf: 'fraud-old' }]);
  });
});

describe('computeFlowMetrics: throughput and cycle time', () => {
  // GIVEN ten pipeline executions registering ten models 1..10 hours after their start, four approved
  const executions = Array.from({ length: 10 }, (_, i) => pipelineExecution('fraud-training', `exec${i}`, 100 + i * 24));
  const packages = executions.map((e, i) => modelPackage('fraud-models', i + 1, 100 + i * 24 + (i + 1), i < 4 ? 'Approved' : 'PendingManualApproval', {
    generatedBy: e.PipelineExecutionArn,
    approvedHour: 100 + i * 24 + (i + 1) + 24 * (i + 1),
  }));
  const result = computeFlowMetrics({
    trainingJobs: [trainingJob('fraud-a'), trainingJob('risk-a', { team: 'risk' })],
    pipelineExecutions: executions,
    modelPackages: packages,
  }, WINDOW);
  const fraud = result.teams.fraud;

  test('pipeline start -> registration: nearest-rank p50 is 5 h and p90 is 9 h', () => {
    expect(fraud.cycleTime.pipelineToRegistration).toEqual({ count: 10, p50Hours: 5, p90Hours: 9 });
  });

  test('registration -> approval: over the four approved packages (24, 48, 72, 96 h)', () => {
    expect(fraud.cycleTime.registrationToApproval).toEqual({ count: 4, p50Hours: 48, p90Hours: 96 });
  });

  test('throughput per week over a four-week window', () => {
    expect(result.window.weeks).toBe(4);
    expect(fraud.throughput).toEqual(expect.objectContaining({
      registeredModels: 10,
      approvedModels: 4,
      successfulRuns: 1,
      registeredModelsPerWeek: 2.5,
      approvedModelsPerWeek: 1,
      successfulRunsPerWeek: 0.25,
    }));
  });

  test('pipelines and model package groups are attributed to the team their name starts with', () => {
    expect(fraud.pipelines).toEqual({ started: 10, succeeded: 10, failed: 0, stopped: 0 });
    expect(result.teams.risk.throughput.registeredModels).toBe(0);
    expect(result.total.throughput.registeredModels).toBe(10);
    expect(Object.keys(result.teams)).toEqual(['fraud', 'risk']);
  });

  test('options.team restricts the result to one team', () => {
    const only = computeFlowMetrics({ trainingJobs: [trainingJob('fraud-a'), trainingJob('risk-a', { team: 'risk' })] }, WINDOW, { team: 'risk' });
    expect(Object.keys(only.teams)).toEqual(['risk']);
    expect(only.total.team).toBe('risk');
    expect(only.total.scrap.runs).toBe(1);
  });
});

describe('computeFlowMetrics: edges', () => {
  test('an empty window yields zeros and null percentiles, not NaN', () => {
    const result = computeFlowMetrics({}, WINDOW);
    expect(result.total.scrap).toEqual({
      runs: 0, scrappedRuns: 0, rateByCount: 0, gpuHours: 0, wastedGpuHours: 0, rateByGpuHours: 0, wastedCostUsd: 0, unpricedGpuHours: 0,
    });
    expect(result.total.cycleTime.pipelineToRegistration).toEqual({ count: 0, p50Hours: null, p90Hours: null });
    expect(result.teams).toEqual({});
    expect(JSON.stringify(result)).not.toMatch(/NaN|Infinity/);
  });

  test('runs that ended outside the window, or are still in progress, are left out', () => {
    const result = computeFlowMetrics({
      trainingJobs: [
        trainingJob('fraud-before', { createdAtHour: -48 }),
        trainingJob('fraud-after', { createdAtHour: 28 * 24 + 1 }),
        trainingJob('fraud-running', { status: 'InProgress' }),
      ],
    }, WINDOW);
    expect(result.total.scrap.runs).toBe(0);
  });

  test('malformed records are skipped or degraded, never thrown on', () => {
    const result = computeFlowMetrics({
      trainingJobs: [
        null as any, 42 as any, {} as any,
        { TrainingJobName: 'fraud-bare', TrainingJobStatus: 'Failed', TrainingEndTime: 'not a date' },
        { TrainingJobName: 'fraud-partial', TrainingJobStatus: 'Failed', TrainingEndTime: at(40).toISOString(), ResourceConfig: { InstanceType: 'ml.x99.unknown', InstanceCount: 'two' as any }, BillableTimeInSeconds: 7200, Tags: 'oops' as any, HyperParameters: 'x' as any, InputDataConfig: {} as any },
      ],
      pipelineExecutions: [{} as any, { PipelineExecutionArn: 'arn:aws:sagemaker:eu-west-1:111122223333:pipeline/x/execution/1', StartTime: 'garbage' }],
      modelPackages: [undefined as any, { ModelPackageArn: 'arn:aws:sagemaker:eu-west-1:111122223333:model-package/fraud-models/1', CreationTime: {} as any }],
    }, WINDOW);
    expect(result.skipped).toEqual({ trainingJobs: 3, pipelineExecutions: 1, modelPackages: 1 });
    // fraud-bare has no end time, so it is left out of the window; fraud-partial counts: team unassigned, 2 instance-hours on an unpriced type
    expect(result.teams.unassigned.scrap).toEqual(expect.objectContaining({
      runs: 1, scrappedRuns: 1, wastedGpuHours: 2, wastedCostUsd: 0, unpricedGpuHours: 2,
    }));
    expect(JSON.stringify(result)).not.toMatch(/NaN/);
  });

  test('event-shaped records: Tags as a map and epoch-millis strings', () => {
    const detail = trainingJobEvent('fraud-evt', 'Failed', { FailureReason: 'CapacityError: Unable to provision requested ML compute capacity.' }).detail;
    const end = Number(detail.TrainingEndTime);
    const result = computeFlowMetrics({ trainingJobs: [detail as any] }, { start: end - 1000, end: end + 1000 });
    expect(result.teams.fraud.scrapByCause.capacity).toEqual({ runs: 1, gpuHours: 4, costUsd: expect.any(Number) });
  });

  test('a price lookup overrides the default table', () => {
    const result = computeFlowMetrics({ trainingJobs: [trainingJob('fraud-x', { status: 'Stopped', instanceType: 'ml.p5.48xlarge', instanceCount: 2 })] }, WINDOW, {
      pricePerInstanceHour: (type) => (type === 'ml.p5.48xlarge' ? 55 : undefined),
    });
    expect(result.total.scrap.wastedCostUsd).toBe(4 * 55);
  });

  test('a window whose end precedes its start is rejected', () => {
    expect(() => computeFlowMetrics({}, { start: WINDOW.end, end: WINDOW.start })).toThrow(/window must have a start before its end/);
  });
});

describe('computeFlowMetrics: training jobs AWS Batch stopped, with the service jobs that say why', () => {
  // Two attempts of a queued job: the first preempted, the second stopped when a user terminated the
  // service job; and a training job a user stopped outside Batch. Each 2 instance-hours on ml.g5.2xlarge.
  const batchName = (n: number) => `AWSBatchty1a2b3c4d5e-Ab12Cd34Ef${String(n).repeat(32)}`;
  const arn = (n: number) => `arn:aws:sagemaker:eu-west-1:111122223333:training-job/${batchName(n).toLowerCase()}`;
  const jobs = [
    trainingJob(batchName(1), { status: 'Stopped', secondaryStatus: 'Stopped', learningRate: '0.1' }),
    trainingJob(batchName(2), { status: 'Stopped', secondaryStatus: 'Stopped', learningRate: '0.2' }),
    trainingJob('fraud-stop', { status: 'Stopped', secondaryStatus: 'Stopped', learningRate: '0.3' }),
  ];
  const serviceJob = {
    jobId: 'job-1',
    status: 'FAILED',
    isTerminated: true,
    attempts: [1, 2].map((n) => ({ serviceResourceId: { name: 'TrainingJobArn', value: arn(n) } })),
    latestAttempt: { serviceResourceId: { name: 'TrainingJobArn', value: arn(2) } },
    preemptionSummary: { preemptedAttemptCount: 1, recentPreemptedAttempts: [{ serviceResourceId: { name: 'TrainingJobArn', value: arn(1) } }] },
  };

  test('the preempted attempt counts as preempted, the terminated one and the plain stop as userStop: each run once', () => {
    const result = computeFlowMetrics({ trainingJobs: jobs, serviceJobs: [serviceJob] }, WINDOW);
    expect(result.total.scrap).toEqual(expect.objectContaining({ runs: 3, scrappedRuns: 3, wastedGpuHours: 6 }));
    expect(result.total.scrapByCause.preempted).toEqual({ runs: 1, gpuHours: 2, costUsd: 3.03 });
    expect(result.total.scrapByCause.userStop).toEqual({ runs: 2, gpuHours: 4, costUsd: 6.06 });
  });

  test('without the service jobs every stop is a user stop, as SageMaker shows it', () => {
    const result = computeFlowMetrics({ trainingJobs: jobs }, WINDOW);
    expect(result.total.scrapByCause.preempted.runs).toBe(0);
    expect(result.total.scrapByCause.userStop.runs).toBe(3);
  });
});
