// Benchmark (not a timed test) of the flow-metrics core: 100,000 training-job records plus pipeline
// executions and model packages, with time and memory reported against a baseline measured in the
// same run (JSON.parse of the same records plus a sort by creation time: the least any consumer of
// these records must do). Run with `npx projen bench:metrics`. Target: under 2 s for the core.
// With GPU utilization (default): 90 % of the runs carry a utilization sample, the GpuProfile
// catalogue is passed, and every under-utilized run gets right-sizing advice. BENCH_UTILIZATION=0
// measures the core without them, for comparison.
import { computeFlowMetrics, GpuUtilizationSample, TrainingJobRecord } from '../src/metrics/flow-metrics-core';
import { gpuCatalogueEntries } from '../src/metrics/gpu-catalogue';

const JOBS = Number(process.env.BENCH_JOBS ?? 100_000);
const UTILIZATION = process.env.BENCH_UTILIZATION !== '0';
const TEAMS = ['fraud', 'risk', 'search', 'ranking', 'vision', 'speech', 'ads', 'forecast'];
const START = Date.UTC(2026, 9, 1);
const DAY = 86_400_000;

// Deterministic pseudo-random numbers, so runs compare.
let seed = 42;
const rand = () => ((seed = (((Math.imul(seed, 1103515245) + 12345) % 2147483648) + 2147483648) % 2147483648) / 2147483648);
const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)];

const FAILURES = [
  'CapacityError: Unable to provision requested ML compute capacity. Please retry using a different ML instance type.',
  'AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage "RuntimeError: CUDA out of memory."',
  'ClientError: Data download failed:Could not download s3://trainyard-datasets/fraud/v12/train/part-0001.parquet',
  'InternalServerError: We encountered an internal error. Please try again.',
];

function generate(): { jobs: TrainingJobRecord[]; pipelines: any[]; packages: any[]; utilization: Record<string, GpuUtilizationSample> } {
  const jobs: TrainingJobRecord[] = [];
  for (let i = 0; i < JOBS; i++) {
    const team = pick(TEAMS);
    const created = START + rand() * 60 * DAY;
    const seconds = Math.round(600 + rand() * 6 * 3600);
    const r = rand();
    const status = r < 0.8 ? 'Completed' : r < 0.9 ? 'Failed' : 'Stopped';
    const name = `${team}-train-${i}`;
    jobs.push({
      TrainingJobName: name,
      TrainingJobArn: `arn:aws:sagemaker:eu-west-1:111122223333:training-job/${name}`,
      TrainingJobStatus: status,
      SecondaryStatus: status === 'Stopped' ? pick(['Stopped', 'Interrupted', 'MaxRuntimeExceeded']) : status,
      FailureReason: status === 'Failed' ? pick(FAILURES) : undefined,
      CreationTime: new Date(created).toISOString(),
      TrainingStartTime: new Date(created + 300_000).toISOString(),
      TrainingEndTime: new Date(created + 300_000 + seconds * 1000).toISOString(),
      BillableTimeInSeconds: seconds,
      EnableManagedSpotTraining: rand() < 0.5,
      ResourceConfig: { InstanceType: pick(['ml.g5.2xlarge', 'ml.g5.12xlarge', 'ml.p4d.24xlarge']), InstanceCount: 1 + Math.floor(rand() * 4) },
      HyperParameters: { 'epochs': String(5 + Math.floor(rand() * 3)), 'learning-rate': pick(['0.001', '0.01', '0.1']), 'sagemaker_job_name': name },
      InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3Uri: `s3://trainyard-datasets/${team}/v${Math.floor(rand() * 5)}/train/` } } }],
      AlgorithmSpecification: { TrainingImage: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.3.0-gpu-py311' },
      Tags: [
        { Key: 'trainyard:team', Value: team },
        { Key: 'trainyard:config-hash', Value: `cfg-${Math.floor(rand() * 50)}` },
        { Key: 'trainyard:dataset-version', Value: `v${Math.floor(rand() * 5)}` },
      ],
    });
  }
  const pipelines = [];
  const packages = [];
  for (let i = 0; i < JOBS / 10; i++) {
    const team = pick(TEAMS);
    const started = START + rand() * 60 * DAY;
    const arn = `arn:aws:sagemaker:eu-west-1:111122223333:pipeline/${team}-training/execution/e${i}`;
    pipelines.push({ PipelineArn: `arn:aws:sagemaker:eu-west-1:111122223333:pipeline/${team}-training`, PipelineExecutionArn: arn, PipelineExecutionStatus: 'Succeeded', StartTime: new Date(started).toISOString() });
    const created = started + rand() * 12 * 3_600_000;
    packages.push({
      ModelPackageArn: `arn:aws:sagemaker:eu-west-1:111122223333:model-package/${team}-models/${i}`,
      ModelPackageGroupName: `${team}-models`,
      ModelApprovalStatus: rand() < 0.5 ? 'Approved' : 'PendingManualApproval',
      CreationTime: new Date(created).toISOString(),
      LastModifiedTime: new Date(created + rand() * 3 * DAY).toISOString(),
      MetadataProperties: { GeneratedBy: arn },
    });
  }
  // Generated last, so the records above are the same with and without utilization.
  const utilization: Record<string, GpuUtilizationSample> = {};
  for (const job of jobs) {
    if (rand() < 0.1) continue; // unmeasured: no host metrics
    const mean = rand() * 100;
    utilization[job.TrainingJobName!] = { meanPercent: mean, p95Percent: Math.min(100, mean + rand() * 40), peakMemoryPercent: rand() * 100 };
  }
  return { jobs, pipelines, packages, utilization };
}

interface Sample { ms: number; heapDeltaMb: number; rssPeakMb: number }

function measure(fn: () => unknown): Sample {
  (globalThis as any).gc?.();
  const before = process.memoryUsage();
  const t0 = process.hrtime.bigint();
  const keep = fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const after = process.memoryUsage();
  void keep;
  return { ms, heapDeltaMb: (after.heapUsed - before.heapUsed) / 1048576, rssPeakMb: process.resourceUsage().maxRSS / 1024 };
}

const generated = generate();
const { jobs, pipelines, packages } = generated;
const utilization = UTILIZATION ? generated.utilization : undefined;
const json = JSON.stringify({ jobs, pipelines, packages, utilization });
const window = { start: START + 30 * DAY, end: START + 60 * DAY };
const options = UTILIZATION ? { gpuCatalogue: gpuCatalogueEntries() } : {};

// Warm-up (JIT) on a slice, then one measured run each.
computeFlowMetrics({ trainingJobs: jobs.slice(0, 5000), gpuUtilization: utilization }, window, options);

const baseline = measure(() => {
  const parsed = JSON.parse(json);
  // ISO-8601 UTC strings sort lexicographically.
  return parsed.jobs.sort((a: any, b: any) => (a.CreationTime < b.CreationTime ? -1 : a.CreationTime > b.CreationTime ? 1 : 0));
});
const core = measure(() => {
  const parsed = JSON.parse(json);
  const parsedRecords = {
    trainingJobs: parsed.jobs, pipelineExecutions: parsed.pipelines, modelPackages: parsed.packages, gpuUtilization: parsed.utilization,
  };
  return computeFlowMetrics(parsedRecords, window, options);
});
const records = { trainingJobs: jobs, pipelineExecutions: pipelines, modelPackages: packages, gpuUtilization: utilization };
const coreOnly = measure(() => computeFlowMetrics(records, window, options));

const result = computeFlowMetrics(records, window, options);
const fmt = (s: Sample) => `${s.ms.toFixed(0).padStart(6)} ms   heap +${s.heapDeltaMb.toFixed(1).padStart(6)} MB`;
process.stdout.write([
  `flow-metrics core${UTILIZATION ? ' with GPU utilization' : ' WITHOUT GPU utilization'}, ${JOBS.toLocaleString('en')} training jobs, ${pipelines.length.toLocaleString('en')} pipeline executions, ${packages.length.toLocaleString('en')} model packages (${(json.length / 1048576).toFixed(1)} MB JSON), Node ${process.version}`,
  `  baseline  JSON.parse + sort        ${fmt(baseline)}`,
  `  core      JSON.parse + compute     ${fmt(core)}   time x${(core.ms / baseline.ms).toFixed(2)} of baseline`,
  `  core      compute only             ${fmt(coreOnly)}   ${coreOnly.ms < 2000 ? 'under' : 'OVER'} the 2 s target`,
  `  peak RSS of the process            ${coreOnly.rssPeakMb.toFixed(0)} MB`,
  `  sanity: ${result.total.scrap.runs} runs in window, scrap ${(result.total.scrap.rateByCount * 100).toFixed(1)}%, ${result.total.duplicates.length} duplicates, ${Object.keys(result.teams).length} teams`,
  `  utilization: ${result.total.gpuUtilization.measuredRuns} measured, ${result.total.gpuUtilization.unmeasuredRuns} unmeasured, ` +
    `${result.total.gpuUtilization.meanPercent ?? '-'}% GPU-hour-weighted, ${result.total.gpuUtilization.underutilizedRuns} under-utilized, ` +
    `${result.total.idleGpuHours.underutilizedHours} idle GPU-h of under-utilized runs, top right-sizing saving ${result.total.rightSizing[0]?.suggestions[0]?.savingUsd ?? '-'} USD`,
  '',
].join('\n'));
