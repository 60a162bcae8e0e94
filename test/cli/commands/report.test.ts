import { CloudWatchClient, GetMetricDataCommand, GetMetricDataCommandInput, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeModelPackageCommand,
  DescribeTrainingJobCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { parseReportArgs, reportCommand } from '../../../src/cli/commands/report';
import { CliIo } from '../../../src/cli/io';
import { TrainyardValidationError } from '../../../src/core/errors';
import { trainingJob } from '../../metrics/fixtures';

const sagemaker = mockClient(SageMakerClient);
const cloudwatch = mockClient(CloudWatchClient);

function captureIo(isTty = false): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) { io.stdout += text; },
    err(text: string) { io.stderr += text; },
    isTty,
    env: { AWS_REGION: 'eu-west-1' },
    cwd: '/tmp',
  };
  return io;
}

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR);
const ACCOUNT_PREFIX = 'arn:aws:sagemaker:eu-west-1:111122223333';

/** A DescribeTrainingJob response for a job that ended `hoursAgo` ago (tags come from ListTags). */
function described(name: string, hoursAgo: number, options: Parameters<typeof trainingJob>[1] = {}) {
  const record: any = trainingJob(name, options);
  const end = ago(hoursAgo);
  return {
    ...record,
    Tags: undefined,
    CreationTime: new Date(end.getTime() - 3 * HOUR),
    TrainingStartTime: new Date(end.getTime() - 2 * HOUR),
    TrainingEndTime: end,
    LastModifiedTime: end,
    _tags: record.Tags,
  };
}

/**
 * GIVEN an account with five training jobs over two ListTrainingJobs pages (fraud: 2 good, 1 capacity failure,
 * 1 duplicate; risk: 1 user stop), a fraud pipeline with two executions over two pages, and two model packages.
 */
interface QueueGiven { team: string; preemptions: number; preemptedRuns: number; preemptedGpuHours: number }
function givenAccount(queue: QueueGiven = { team: 'fraud', preemptions: 2, preemptedRuns: 2, preemptedGpuHours: 3.5 }) {
  const jobs = [
    described('fraud-train-1', 100),
    described('fraud-train-2', 90, { learningRate: '0.01' }),
    described('fraud-train-3', 80, { status: 'Failed', learningRate: '0.02', failureReason: 'CapacityError: Unable to provision requested ML compute capacity. Please retry using a different ML instance type.' }),
    described('fraud-train-4', 70),
    described('risk-train-1', 60, { team: 'risk', status: 'Stopped', secondaryStatus: 'Stopped', learningRate: '0.3' }),
  ];
  sagemaker.on(ListTrainingJobsCommand).callsFake((input) => {
    const page = input.NextToken === 'page-2' ? jobs.slice(3) : jobs.slice(0, 3);
    return {
      TrainingJobSummaries: page.map((j) => ({
        TrainingJobName: j.TrainingJobName, TrainingJobArn: j.TrainingJobArn, CreationTime: j.CreationTime, TrainingJobStatus: j.TrainingJobStatus,
      })),
      NextToken: input.NextToken === 'page-2' ? undefined : 'page-2',
    };
  });
  sagemaker.on(DescribeTrainingJobCommand).callsFake((input) => {
    const { _tags, ...job } = jobs.find((j) => j.TrainingJobName === input.TrainingJobName)!;
    void _tags;
    return job;
  });
  sagemaker.on(ListTagsCommand).callsFake((input) => ({ Tags: jobs.find((j) => j.TrainingJobArn === input.ResourceArn)!._tags }));
  sagemaker.on(ListPipelinesCommand).resolves({ PipelineSummaries: [{ PipelineName: 'fraud-training', PipelineArn: `${ACCOUNT_PREFIX}:pipeline/fraud-training` }] });
  const execution = (id: string, startHoursAgo: number) => ({
    PipelineExecutionArn: `${ACCOUNT_PREFIX}:pipeline/fraud-training/execution/${id}`,
    PipelineExecutionStatus: 'Succeeded',
    StartTime: ago(startHoursAgo),
  });
  sagemaker.on(ListPipelineExecutionsCommand).callsFake((input) => (input.NextToken === 'exec-2'
    ? { PipelineExecutionSummaries: [execution('e2', 50)] }
    : { PipelineExecutionSummaries: [execution('e1', 110)], NextToken: 'exec-2' }));
  sagemaker.on(ListModelPackagesCommand).resolves({
    ModelPackageSummaryList: [1, 2].map((v) => ({ ModelPackageArn: `${ACCOUNT_PREFIX}:model-package/fraud-models/${v}`, ModelPackageGroupName: 'fraud-models', CreationTime: ago(10), ModelPackageStatus: 'Completed' })),
  });
  sagemaker.on(DescribeModelPackageCommand).callsFake((input) => {
    const version = Number(String(input.ModelPackageName).split('/').pop());
    // v1: registered 4 h after execution e1 started, approved 10 h later; v2: registered 2 h after e2, pending.
    const created = version === 1 ? ago(106) : ago(48);
    return {
      ModelPackageArn: input.ModelPackageName,
      ModelPackageGroupName: 'fraud-models',
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: version === 1 ? 'Approved' : 'PendingManualApproval',
      CreationTime: created,
      LastModifiedTime: version === 1 ? ago(96) : created,
      MetadataProperties: { GeneratedBy: `${ACCOUNT_PREFIX}:pipeline/fraud-training/execution/${version === 1 ? 'e1' : 'e2'}` },
    };
  });
  // Host metrics (SageMaker scale; ml.g5.2xlarge has one GPU): fraud-train-1 at 20 % with 10 % of its
  // 24 GiB, fraud-train-2 at 90 %; the other runs published none (unmeasured).
  const gpu: Record<string, number> = { 'fraud-train-1/algo-1': 20, 'fraud-train-2/algo-1': 90 };
  // The FlowMetrics collector's queue figures (by default): fraud's queued jobs waited 12 min (p50) / 45 min (p90)
  // over 6 starts and lost 2 attempts, 2 runs of 3.5 instance-hours, to preemption; risk queues nothing.
  cloudwatch.on(ListMetricsCommand).callsFake((input) => (input.NextToken === 'more'
    ? { Metrics: [{ Namespace: 'Trainyard/Flow', MetricName: input.MetricName, Dimensions: [{ Name: 'Team', Value: queue.team }] }] }
    : { Metrics: [{ Namespace: 'Trainyard/Flow', MetricName: input.MetricName, Dimensions: [{ Name: 'Team', Value: queue.team }, { Name: 'Cause', Value: 'x' }] }], NextToken: 'more' }));
  const flow: Record<string, number> = { p50: 720, p90: 2700, SampleCount: 6, Sum: 0 };
  cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: input.MetricDataQueries!.map((q) => {
      const metric = q.MetricStat!.Metric!;
      if (metric.Namespace === 'Trainyard/Flow') {
        const byName: Record<string, number> = {
          Preemptions: queue.preemptions,
          ScrappedRunsByCause: queue.preemptedRuns,
          WastedGpuHoursByCause: queue.preemptedGpuHours,
        };
        const value = byName[metric.MetricName!] ?? flow[q.MetricStat!.Stat!];
        return { Id: q.Id, Timestamps: [input.StartTime!], Values: [value] };
      }
      const host = q.MetricStat!.Metric!.Dimensions![0].Value!;
      const value = gpu[host] === undefined ? undefined : q.MetricStat!.Metric!.MetricName === 'GPUUtilization' ? gpu[host] : 10;
      const timestamps: Date[] = [];
      const step = q.MetricStat!.Period! * 1000;
      if (value !== undefined) for (let t = input.StartTime!.getTime(); t < input.EndTime!.getTime(); t += step) timestamps.push(new Date(t));
      return { Id: q.Id, Timestamps: timestamps, Values: timestamps.map(() => value!) };
    }),
  }));
}

describe('trainyard report, end to end against mocked paginated SageMaker responses', () => {
  beforeEach(() => {
    sagemaker.reset();
    cloudwatch.reset();
    givenAccount();
  });

  test('--format json: every page is read and the metrics are computed by the core', async () => {
    // WHEN
    const io = captureIo();
    const code = await reportCommand(['--since', '7d', '--format', 'json'], io);
    // THEN
    expect(code).toBe(0);
    expect(sagemaker.commandCalls(ListTrainingJobsCommand)).toHaveLength(2);
    expect(sagemaker.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(2);
    expect(sagemaker.commandCalls(DescribeTrainingJobCommand)).toHaveLength(5);
    expect(sagemaker.commandCalls(ListTrainingJobsCommand)[0].args[0].input.LastModifiedTimeAfter).toBeInstanceOf(Date);
    const result = JSON.parse(io.stdout);
    expect(Object.keys(result.teams)).toEqual(['fraud', 'risk']);
    const fraud = result.teams.fraud;
    expect(fraud.scrap).toEqual(expect.objectContaining({ runs: 4, scrappedRuns: 2, rateByCount: 0.5 }));
    expect(fraud.scrapByCause.capacity.runs).toBe(1);
    expect(fraud.duplicates).toEqual([{ trainingJobName: 'fraud-train-4', duplicateOf: 'fraud-train-1' }]);
    expect(fraud.throughput).toEqual(expect.objectContaining({ successfulRuns: 2, registeredModels: 2, approvedModels: 1 }));
    expect(fraud.cycleTime.pipelineToRegistration).toEqual({ count: 2, p50Hours: 2, p90Hours: 4 });
    expect(fraud.cycleTime.registrationToApproval).toEqual({ count: 1, p50Hours: 10, p90Hours: 10 });
    expect(result.teams.risk.scrapByCause.userStop.runs).toBe(1);
    expect(result.total.scrap.runs).toBe(5);
    expect(io.stderr).toBe('');
  });

  test('--format json carries gpuUtilization, idleGpuHours and rightSizing per team, from batched GetMetricData', async () => {
    const io = captureIo();
    expect(await reportCommand(['--since', '7d', '--format', 'json'], io)).toBe(0);
    // Runs ending within a day of each other share a request: fraud-train-1..3, then fraud-train-4 and risk-train-1.
    const calls = cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input)
      .filter((c) => c.MetricDataQueries![0].MetricStat!.Metric!.Namespace !== 'Trainyard/Flow');
    expect(calls.map((c) => c.MetricDataQueries!.length)).toEqual([12, 8]);
    expect(calls[0].MetricDataQueries!.map((q) => q.MetricStat!.Metric!.Dimensions![0].Value)).toContain('fraud-train-3/algo-1');
    const { fraud, risk } = JSON.parse(io.stdout).teams;
    // 2 GPU-hours at 20 % and 2 at 90 %: 55 % GPU-hour-weighted, 1.6 + 0.2 idle GPU-hours
    expect(fraud.gpuUtilization).toEqual({
      measuredRuns: 2, unmeasuredRuns: 2, measuredGpuHours: 4, meanPercent: 55, underutilizedRuns: 1, underutilizedShare: 0.5, thresholdPercent: 40,
    });
    expect(fraud.idleGpuHours).toEqual({ hours: 1.8, costUsd: 2.73, underutilizedHours: 1.6, underutilizedCostUsd: 2.42 });
    expect(fraud.rightSizing).toHaveLength(1);
    expect(fraud.rightSizing[0]).toEqual(expect.objectContaining({ trainingJobName: 'fraud-train-1', meanGpuUtilizationPercent: 20, peakGpuMemoryGib: 2.4 }));
    expect(fraud.rightSizing[0].suggestions[0]).toEqual(expect.objectContaining({ instanceType: 'ml.g4dn.xlarge', instanceCount: 1, currentCostUsd: 3.03, estimatedCostUsd: 1.47, savingUsd: 1.56 }));
    expect(risk.gpuUtilization).toEqual(expect.objectContaining({ measuredRuns: 0, unmeasuredRuns: 1, meanPercent: null }));
    expect(risk.rightSizing).toEqual([]);
  });

  test('without CloudWatch access the report still prints, with utilization unmeasured and a one-line warning', async () => {
    cloudwatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('not authorized to perform: cloudwatch:GetMetricData'), { name: 'AccessDenied' }));
    const io = captureIo();
    expect(await reportCommand(['--since', '7d', '--format', 'json'], io)).toBe(0);
    expect(io.stderr).toBe('trainyard report: GPU utilization left out, CloudWatch GetMetricData failed (AccessDenied); it needs cloudwatch:GetMetricData.\n' +
      'trainyard report: queue wait and preemptions left out, CloudWatch failed (AccessDenied); they need cloudwatch:ListMetrics and cloudwatch:GetMetricData.\n');
    const fraud = JSON.parse(io.stdout).teams.fraud;
    expect(fraud.gpuUtilization).toEqual(expect.objectContaining({ measuredRuns: 0, unmeasuredRuns: 4, meanPercent: null }));
  });

  test('--format table prints a row per team, the total and scrap by cause', async () => {
    const io = captureIo();
    expect(await reportCommand(['--since=7d'], io)).toBe(0);
    const lines = io.stdout.split('\n');
    expect(lines[0]).toMatch(/^Flow metrics, last 7d \(\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}\)$/);
    expect(lines.find((l) => l.startsWith('fraud '))).toMatch(/^fraud\s+4\s+2\.0\s+2\.0\s+1\.0\s+2\.0 \/ 4\.0\s+10\.0 \/ 10\.0\s+50\.0%\s+50\.0%\s+4\.0\s+6\.06\s+55\.0%\s+1\.8$/);
    expect(lines.find((l) => l.startsWith('total '))).toMatch(/^total\s+5\s/);
    expect(io.stdout).toMatch(/Scrapped runs by cause/);
    expect(io.stdout).toMatch(/fraud-train-4 repeats fraud-train-1/);
    expect(io.stdout).toContain('GPU utilization (GPU-hour-weighted; under-utilized: completed runs below 40%)');
    expect(lines.filter((l) => l.startsWith('fraud '))[1]).toMatch(/^fraud\s+2\s+2\s+55\.0%\s+1\.8\s+2\.73\s+1 \(50\.0%\)\s+1\.6\s+2\.42$/);
    expect(io.stdout).toContain('fraud-train-1 (1 x ml.g5.2xlarge, GPU 20% mean / 20% p95, peak 2.4 GiB GPU memory, 1.6 idle GPU-h): ' +
      '1 x ml.g4dn.xlarge would have cost 1.47 instead of 3.03 USD (-1.56 USD); also 1 x ml.g6.xlarge (-0.78 USD), 1 x ml.g5.xlarge (-0.21 USD)');
  });

  test('--format markdown --team fraud: one team, markdown tables', async () => {
    const io = captureIo();
    expect(await reportCommand(['--team', 'fraud', '--format', 'markdown', '--since', '7d'], io)).toBe(0);
    expect(io.stdout).toMatch(/^## Flow metrics, last 7d/);
    expect(io.stdout).toContain('| team | runs | good runs/wk |');
    expect(io.stdout).toMatch(/\| fraud \| 4 \| 2\.0 \|/);
    expect(io.stdout).not.toMatch(/\| risk \|/);
    expect(io.stdout).toContain('| team | measured runs | unmeasured | GPU util | idle GPU-h |');
    expect(io.stdout).toMatch(/### Right-sizing advice.*\n\n- fraud-train-1 \(1 x ml\.g5\.2xlarge/);
    expect(sagemaker.commandCalls(ListPipelinesCommand)[0].args[0].input.PipelineNamePrefix).toBe('fraud');
  });

  test('queue wait per team (p50/p90 of SUBMITTED -> RUNNING); preempted runs move from userStop to preempted, counted once, in every format', async () => {
    // GIVEN risk's one stopped run (2 instance-hours, SageMaker says Stopped/Stopped) was a preempted attempt, as the collector counted it
    sagemaker.reset();
    cloudwatch.reset();
    givenAccount({ team: 'risk', preemptions: 1, preemptedRuns: 1, preemptedGpuHours: 2 });
    // json: the queue figures; the run counts under preempted, no longer under userStop
    const json = captureIo();
    expect(await reportCommand(['--since', '7d', '--format', 'json'], json)).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result.queue).toEqual([{ team: 'risk', startedJobs: 6, waitP50Minutes: 12, waitP90Minutes: 45, preemptions: 1, preemptedRuns: 1, preemptedGpuHours: 2 }]);
    expect(result.teams.risk.scrapByCause.preempted).toEqual({ runs: 1, gpuHours: 2, costUsd: 3.03 });
    expect(result.teams.risk.scrapByCause.userStop).toEqual({ runs: 0, gpuHours: 0, costUsd: 0 });
    expect(result.teams.risk.scrap).toEqual(expect.objectContaining({ runs: 1, scrappedRuns: 1, wastedGpuHours: 2 }));
    expect(result.teams.fraud.scrapByCause.preempted).toEqual(expect.objectContaining({ runs: 0, gpuHours: 0 }));
    expect(result.total.scrapByCause.preempted).toEqual(expect.objectContaining({ runs: 1, gpuHours: 2 }));
    expect(result.total.scrapByCause.userStop).toEqual(expect.objectContaining({ runs: 0, gpuHours: 0 }));
    // Only the Team-only series count (the collector's by-cause series carry a Cause too), every page read.
    expect(cloudwatch.commandCalls(ListMetricsCommand).map((c) => [c.args[0].input.MetricName, c.args[0].input.Namespace])).toEqual([
      ['QueueWaitSeconds', 'Trainyard/Flow'], ['QueueWaitSeconds', 'Trainyard/Flow'], ['Preemptions', 'Trainyard/Flow'], ['Preemptions', 'Trainyard/Flow'],
    ]);
    const [flowCall] = cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input).filter((c) => c.MetricDataQueries![0].MetricStat!.Metric!.Namespace === 'Trainyard/Flow');
    expect(flowCall.MetricDataQueries!.map((q) => `${q.MetricStat!.Metric!.MetricName}:${q.MetricStat!.Stat}`)).toEqual([
      'QueueWaitSeconds:p50', 'QueueWaitSeconds:p90', 'QueueWaitSeconds:SampleCount', 'Preemptions:Sum', 'WastedGpuHoursByCause:Sum', 'ScrappedRunsByCause:Sum',
    ]);
    expect(flowCall.MetricDataQueries![4].MetricStat!.Metric!.Dimensions).toEqual([{ Name: 'Team', Value: 'risk' }, { Name: 'Cause', Value: 'preempted' }]);
    expect(flowCall.MetricDataQueries![5].MetricStat!.Metric!.Dimensions).toEqual([{ Name: 'Team', Value: 'risk' }, { Name: 'Cause', Value: 'preempted' }]);
    // One period spans the whole window (whole hours around the last 7 days).
    expect(flowCall.MetricDataQueries![0].MetricStat!.Period).toBe((flowCall.EndTime!.getTime() - flowCall.StartTime!.getTime()) / 1000);
    expect(flowCall.EndTime!.getTime() - flowCall.StartTime!.getTime()).toBeGreaterThanOrEqual(7 * 24 * HOUR);

    // table
    const table = captureIo();
    expect(await reportCommand(['--since', '7d'], table)).toBe(0);
    expect(table.stdout).toContain('Capacity pool queue (SUBMITTED -> RUNNING, preempted attempts)');
    expect(table.stdout).toMatch(/\nrisk\s+6\s+12\.0 \/ 45\.0\s+1\s+2\.0\n/);
    const causes = table.stdout.split('Scrapped runs by cause')[1].split('\n');
    const column = (cause: string) => causes[1].split(/\s{2,}/).indexOf(cause);
    expect(column('preempted')).toBeGreaterThan(0);
    for (const team of ['risk', 'total']) {
      const row = causes.find((l) => l.startsWith(team))!.split(/\s{2,}/);
      expect([row[column('userStop')], row[column('preempted')]]).toEqual(['0 (0.0 h)', '1 (2.0 h)']);
    }

    // markdown, one team
    const markdown = captureIo();
    expect(await reportCommand(['--since', '7d', '--format', 'markdown', '--team', 'risk'], markdown)).toBe(0);
    expect(markdown.stdout).toContain('### Capacity pool queue (SUBMITTED -> RUNNING, preempted attempts)\n\n| team | started jobs | queue wait p50/p90 min | preemptions | preempted GPU-h |');
    expect(markdown.stdout).toContain('| risk | 6 | 12.0 / 45.0 | 1 | 2.0 |');
    expect(markdown.stdout).toMatch(/\| risk \| (?:\d+ \([\d.]+ h\) \| ){3}0 \(0\.0 h\) \| (?:\d+ \([\d.]+ h\) \| ){2}1 \(2\.0 h\) \|/);
  });

  test('preempted runs the records do not show as user stops are not invented: the cause table stays within the team\'s scrap', async () => {
    // The default figures: fraud's collector counted 2 preempted runs, but fraud's records in the window have no user stop.
    const io = captureIo();
    expect(await reportCommand(['--since', '7d', '--format', 'json'], io)).toBe(0);
    const result = JSON.parse(io.stdout);
    expect(result.queue[0]).toEqual(expect.objectContaining({ team: 'fraud', preemptions: 2, preemptedRuns: 2, preemptedGpuHours: 3.5 }));
    expect(result.teams.fraud.scrapByCause.preempted).toEqual({ runs: 0, gpuHours: 0, costUsd: 0 });
    expect(result.teams.risk.scrapByCause.userStop.runs).toBe(1);
    const byCause = Object.values<any>(result.teams.fraud.scrapByCause).reduce((a, c) => a + c.runs, 0);
    expect(byCause).toBe(result.teams.fraud.scrap.scrappedRuns);
  });

  test('without CloudWatch ListMetrics the report still prints, without queue figures and with a one-line warning', async () => {
    cloudwatch.on(ListMetricsCommand).rejects(Object.assign(new Error('not authorized to perform: cloudwatch:ListMetrics'), { name: 'AccessDenied' }));
    const io = captureIo();
    expect(await reportCommand(['--since', '7d', '--format', 'json'], io)).toBe(0);
    expect(io.stderr).toBe('trainyard report: queue wait and preemptions left out, CloudWatch failed (AccessDenied); they need cloudwatch:ListMetrics and cloudwatch:GetMetricData.\n');
    expect(JSON.parse(io.stdout).queue).toEqual([]);
  });

  test('on a TTY, progress goes to stderr and stdout holds only the result', async () => {
    const io = captureIo(true);
    expect(await reportCommand(['--format', 'json', '--since', '7d'], io)).toBe(0);
    expect(io.stderr).toMatch(/training jobs 5\/5/);
    expect(() => JSON.parse(io.stdout)).not.toThrow();
  });
});

describe('trainyard report errors are one line', () => {
  beforeEach(() => {
    sagemaker.reset();
    cloudwatch.reset();
  });

  test('no credentials', async () => {
    sagemaker.on(ListTrainingJobsCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const io = captureIo();
    expect(await reportCommand([], io)).toBe(1);
    expect(io.stderr).toBe('trainyard report: no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`.\n');
    expect(io.stdout).toBe('');
  });

  test('no permission', async () => {
    sagemaker.on(ListTrainingJobsCommand).rejects(Object.assign(new Error('User: arn:aws:sts::111122223333:assumed-role/dev/me is not authorized to perform: sagemaker:ListTrainingJobs'), { name: 'AccessDeniedException' }));
    const io = captureIo();
    expect(await reportCommand([], io)).toBe(1);
    expect(io.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(io.stderr).toMatch(/^trainyard report: not allowed to read SageMaker \(AccessDeniedException\): User: .* is not authorized to perform: sagemaker:ListTrainingJobs\./);
  });

  test.each([
    [['--since', '30x'], /--since: must be a positive number of hours, days or weeks/],
    [['--since', '0d'], /--since/],
    [['--format', 'csv'], /--format: must be one of table, json, markdown, got 'csv'/],
    [['--team', 'Fraud Team'], /--team: 'Fraud Team' is not a team name/],
    [['--verbose'], /report: unknown argument '--verbose'/],
    [['--team'], /--team: needs a value/],
  ])('bad arguments %j throw a TrainyardValidationError naming the argument', (argv, message) => {
    expect(() => parseReportArgs(argv)).toThrow(TrainyardValidationError);
    expect(() => parseReportArgs(argv)).toThrow(message);
  });

  test('the defaults are the last 30 days as a table', () => {
    expect(parseReportArgs([])).toEqual({ sinceMs: 30 * 24 * HOUR, sinceText: '30d', team: undefined, format: 'table', region: undefined });
  });
});
