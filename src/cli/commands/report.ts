// `trainyard report`: throughput, cycle time, scrap rate and GPU utilization (idle GPU-hours,
// right-sizing advice) of the account's SageMaker work over a period, computed by the same
// flow-metrics core as the FlowMetrics collector. Host metrics come from CloudWatch GetMetricData;
// capacity-pool queue wait and preemptions from the metrics the FlowMetrics collector published.
//
//   trainyard report [--since 30d] [--team fraud] [--format table|json|markdown] [--region eu-west-1]
import { CloudWatchClient, GetMetricDataCommand, GetMetricDataCommandInput, ListMetricsCommand, ListMetricsCommandInput, ListMetricsCommandOutput, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import {
  DescribeModelPackageCommand,
  DescribeTrainingJobCommand,
  paginateListModelPackages,
  paginateListPipelineExecutions,
  paginateListPipelines,
  paginateListTags,
  paginateListTrainingJobs,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { TrainyardValidationError } from '../../core/errors';
import {
  computeFlowMetrics,
  FlowMetricsResult,
  GpuCatalogueEntry,
  GpuUtilizationSample,
  ModelPackageRecord,
  PipelineExecutionRecord,
  SCRAP_CAUSES,
  TeamFlowMetrics,
  TrainingJobRecord,
} from '../../metrics/flow-metrics-core';
import { gpuCatalogueEntries } from '../../metrics/gpu-catalogue';
import { summarizeHostMetrics } from '../../metrics/gpu-utilization';
import { getRunHostMetrics, GetMetricDataFn, RunWindow } from '../../metrics/host-metrics';
import { normalizeTrainingJob, toMillis } from '../../metrics/private/records';
import { TERMINAL_TRAINING_STATUSES } from '../../metrics/private/scrap-cause';
import { CliCommand, CliIo } from '../io';

const FORMATS = ['table', 'json', 'markdown'] as const;
type Format = typeof FORMATS[number];

/** Parsed arguments of `trainyard report`. */
export interface ReportArgs {
  readonly sinceMs: number;
  readonly sinceText: string;
  readonly team?: string;
  readonly format: Format;
  readonly region?: string;
}

const USAGE = 'usage: trainyard report [--since 30d] [--team NAME] [--format table|json|markdown] [--region REGION]';
const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
// How many Describe/ListTags calls run at once (the SDK's adaptive retry mode paces them further).
const CONCURRENCY = 8;
// Model packages approved in the window may have been registered before it.
const APPROVAL_LOOKBACK_MS = 30 * 86_400_000;

/** Parses the arguments; throws TrainyardValidationError naming the bad one. */
export function parseReportArgs(argv: string[]): ReportArgs {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--(since|team|format|region)(?:=(.*))?$/.exec(arg);
    if (!match) throw new TrainyardValidationError('report', `unknown argument '${arg}'. ${USAGE}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) throw new TrainyardValidationError(`--${match[1]}`, `needs a value. ${USAGE}`);
    values[match[1]] = value;
  }
  const sinceText = values.since ?? '30d';
  const since = /^(\d{1,4})([hdw])$/.exec(sinceText);
  if (!since || Number(since[1]) === 0) {
    throw new TrainyardValidationError('--since', `must be a positive number of hours, days or weeks such as 12h, 30d or 8w, got '${sinceText}'.`);
  }
  const format = (values.format ?? 'table') as Format;
  if (!FORMATS.includes(format)) throw new TrainyardValidationError('--format', `must be one of ${FORMATS.join(', ')}, got '${values.format}'.`);
  if (values.team !== undefined && !/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/.test(values.team)) {
    throw new TrainyardValidationError('--team', `'${values.team}' is not a team name (lowercase letters, digits and hyphens).`);
  }
  return { sinceMs: Number(since[1]) * UNIT_MS[since[2]], sinceText, team: values.team, format, region: values.region };
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

class Progress {
  private last = '';
  constructor(private readonly io: CliIo) {}
  update(text: string) {
    if (!this.io.isTty || text === this.last) return;
    this.last = text;
    this.io.err(`\r\x1b[2K${text}`);
  }
  done() {
    if (this.io.isTty && this.last) this.io.err('\r\x1b[2K');
  }
}

/** Reads the records of the period from SageMaker. */
export async function fetchFlowRecords(client: SageMakerClient, args: ReportArgs, now: number, progress: Progress) {
  const since = new Date(now - args.sinceMs);

  // Training jobs touched since the start (every job that ended in the window), then their details and tags.
  const names: string[] = [];
  for await (const page of paginateListTrainingJobs({ client, pageSize: 100 }, { LastModifiedTimeAfter: since })) {
    for (const summary of page.TrainingJobSummaries ?? []) if (summary.TrainingJobName) names.push(summary.TrainingJobName);
    progress.update(`report: listing training jobs (${names.length})`);
  }
  let done = 0;
  const jobs = await mapLimit(names, CONCURRENCY, async (name) => {
    const described = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    const tags: Array<{ Key?: string; Value?: string }> = [];
    if (described.TrainingJobArn) {
      for await (const page of paginateListTags({ client }, { ResourceArn: described.TrainingJobArn })) tags.push(...(page.Tags ?? []));
    }
    progress.update(`report: training jobs ${++done}/${names.length}`);
    return { ...described, Tags: tags } as TrainingJobRecord;
  });

  // Pipelines (of the team, when given: pipelines are named <team>-...), then their executions.
  const pipelines: Array<{ name: string; arn?: string }> = [];
  for await (const page of paginateListPipelines({ client, pageSize: 100 }, args.team ? { PipelineNamePrefix: args.team } : {})) {
    for (const p of page.PipelineSummaries ?? []) if (p.PipelineName) pipelines.push({ name: p.PipelineName, arn: p.PipelineArn });
  }
  const executions: PipelineExecutionRecord[] = [];
  for (const [i, pipeline] of pipelines.entries()) {
    for await (const page of paginateListPipelineExecutions({ client, pageSize: 100 }, { PipelineName: pipeline.name, CreatedAfter: since })) {
      for (const e of page.PipelineExecutionSummaries ?? []) executions.push({ ...e, PipelineArn: pipeline.arn } as PipelineExecutionRecord);
    }
    progress.update(`report: pipelines ${i + 1}/${pipelines.length}`);
  }

  // Model package versions, described for the pipeline that made them and their approval time.
  const packageArns: string[] = [];
  for await (const page of paginateListModelPackages({ client, pageSize: 100 }, { ModelPackageType: 'Versioned', CreationTimeAfter: new Date(since.getTime() - APPROVAL_LOOKBACK_MS) })) {
    for (const p of page.ModelPackageSummaryList ?? []) if (p.ModelPackageArn) packageArns.push(p.ModelPackageArn);
  }
  done = 0;
  const packages = await mapLimit(packageArns, CONCURRENCY, async (arn) => {
    const described = await client.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    progress.update(`report: model packages ${++done}/${packageArns.length}`);
    return described as ModelPackageRecord;
  });
  return { trainingJobs: jobs, pipelineExecutions: executions, modelPackages: packages };
}

/**
 * The GPU utilization of the finished runs on catalogue GPU types that ended in the period, by
 * training job name: their host metrics read with GetMetricData (batched and paginated by
 * `getRunHostMetrics`) and summarized per run. Runs without host metrics are left out (unmeasured).
 */
export async function fetchGpuUtilization(
  getMetricData: GetMetricDataFn,
  jobs: readonly TrainingJobRecord[],
  catalogue: readonly GpuCatalogueEntry[],
  windowStart: number,
  now: number,
  progress: Progress,
): Promise<Record<string, GpuUtilizationSample>> {
  const byType = new Map(catalogue.map((e) => [e.instanceType, e]));
  const runs: Array<RunWindow & { entry: GpuCatalogueEntry }> = [];
  for (const record of jobs) {
    const job = normalizeTrainingJob(record);
    const entry = job ? byType.get(job.instanceType) : undefined;
    if (!job || !entry || !TERMINAL_TRAINING_STATUSES.has(job.status) || !(job.endedAt >= windowStart)) continue;
    const start = toMillis(record.TrainingStartTime);
    const end = toMillis(record.TrainingEndTime ?? record.LastModifiedTime);
    if (Number.isFinite(start) && Number.isFinite(end) && end > start) {
      runs.push({ trainingJobName: job.name, instanceCount: job.instanceCount, start, end, entry });
    }
  }
  const samples: Record<string, GpuUtilizationSample> = {};
  if (runs.length === 0) return samples;
  progress.update(`report: host metrics of ${runs.length} GPU runs`);
  const metrics = await getRunHostMetrics(getMetricData, runs, now);
  for (const run of runs) {
    const data = metrics.get(run.trainingJobName);
    if (!data) continue;
    const summary = summarizeHostMetrics(data.hosts, run, data.periodSeconds, run.entry);
    if (summary.measured) samples[run.trainingJobName] = summary.sample;
  }
  return samples;
}

/** The namespace the FlowMetrics collector publishes to (FlowMetrics.NAMESPACE). */
const FLOW_NAMESPACE = 'Trainyard/Flow';

/** ListMetrics, one page. */
export type ListMetricsFn = (input: ListMetricsCommandInput) => Promise<ListMetricsCommandOutput | undefined>;

/**
 * Jobs queued in a TrainingCapacityPool, per team, from what the FlowMetrics collector recorded of
 * their `Batch Service Job State Change` events: how long they waited for capacity (SUBMITTED to
 * RUNNING, `QueueWaitSeconds`) and the attempts preempted so a lender could take its capacity back
 * (`Preemptions`, with their instance-hours as `WastedGpuHoursByCause` of cause `preempted`).
 */
export interface QueueFigures {
  readonly team: string;
  /** Queued jobs that started running in the period (samples of `QueueWaitSeconds`). */
  readonly startedJobs: number;
  /** Median wait, minutes; null without samples. */
  readonly waitP50Minutes: number | null;
  /** 90th percentile wait, minutes; null without samples. */
  readonly waitP90Minutes: number | null;
  /** Preempted attempts. */
  readonly preemptions: number;
  /**
   * The training runs counted as `preempted` scrap (the collector's `ScrappedRunsByCause`): a
   * preempted attempt's training job, which SageMaker's records show as a user's stop.
   */
  readonly preemptedRuns: number;
  /** The billed instance-hours of those runs (`WastedGpuHoursByCause` of cause `preempted`). */
  readonly preemptedGpuHours: number;
}

/** The report's whole-period request: one period from the hour before `windowStart` to the hour after `now`. */
function wholePeriod(windowStart: number, now: number): { start: Date; end: Date; period: number } {
  const start = Math.floor(windowStart / 3_600_000) * 3_600_000;
  const end = Math.ceil(now / 3_600_000) * 3_600_000;
  return { start: new Date(start), end: new Date(end), period: Math.max(3600, (end - start) / 1000) };
}

/**
 * The queue figures of each team that has any (the teams found with ListMetrics in the FlowMetrics
 * namespace), read with one whole-period GetMetricData statistic per figure. Empty when no team
 * trains through a pool.
 */
export async function fetchQueueFigures(
  listMetrics: ListMetricsFn,
  getMetricData: GetMetricDataFn,
  windowStart: number,
  now: number,
  team?: string,
): Promise<QueueFigures[]> {
  const teams = new Set<string>();
  for (const metricName of ['QueueWaitSeconds', 'Preemptions']) {
    let nextToken: string | undefined;
    do {
      const page = await listMetrics({ Namespace: FLOW_NAMESPACE, MetricName: metricName, NextToken: nextToken });
      for (const metric of page?.Metrics ?? []) {
        const value = metric.Dimensions?.find((d) => d.Name === 'Team')?.Value;
        if (value && (metric.Dimensions?.length ?? 0) === 1 && (!team || value === team)) teams.add(value);
      }
      nextToken = page?.NextToken;
    } while (nextToken);
  }
  const sorted = [...teams].sort();
  if (sorted.length === 0) return [];
  const { start, end, period } = wholePeriod(windowStart, now);
  const query = (id: string, metricName: string, stat: string, dimensions: Record<string, string>): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: FLOW_NAMESPACE, MetricName: metricName, Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })) },
      Period: period,
      Stat: stat,
    },
  });
  const values = new Map<string, number[]>();
  // 6 queries a team, at most 500 queries a request.
  for (let i = 0; i < sorted.length; i += 100) {
    const queries = sorted.slice(i, i + 100).flatMap((t, j) => {
      const n = i + j;
      return [
        query(`w${n}p50`, 'QueueWaitSeconds', 'p50', { Team: t }),
        query(`w${n}p90`, 'QueueWaitSeconds', 'p90', { Team: t }),
        query(`w${n}n`, 'QueueWaitSeconds', 'SampleCount', { Team: t }),
        query(`p${n}n`, 'Preemptions', 'Sum', { Team: t }),
        query(`p${n}h`, 'WastedGpuHoursByCause', 'Sum', { Team: t, Cause: 'preempted' }),
        query(`p${n}r`, 'ScrappedRunsByCause', 'Sum', { Team: t, Cause: 'preempted' }),
      ];
    });
    let nextToken: string | undefined;
    do {
      const out = await getMetricData({ MetricDataQueries: queries, StartTime: start, EndTime: end, NextToken: nextToken, ScanBy: 'TimestampAscending' });
      for (const r of out.MetricDataResults ?? []) {
        if (r.Id) values.set(r.Id, [...(values.get(r.Id) ?? []), ...(r.Values ?? [])]);
      }
      nextToken = out.NextToken;
    } while (nextToken);
  }
  // One period covers the window, so each statistic is one value (absent without data).
  const first = (id: string) => values.get(id)?.[0];
  const sum = (id: string) => (values.get(id) ?? []).reduce((a, b) => a + b, 0);
  const minutes = (seconds: number | undefined) => (seconds === undefined ? null : Math.round((seconds / 60) * 10) / 10);
  return sorted.map((t, n) => ({
    team: t,
    startedJobs: sum(`w${n}n`),
    waitP50Minutes: minutes(first(`w${n}p50`)),
    waitP90Minutes: minutes(first(`w${n}p90`)),
    preemptions: sum(`p${n}n`),
    preemptedRuns: sum(`p${n}r`),
    preemptedGpuHours: Math.round(sum(`p${n}h`) * 100) / 100,
  }));
}

/** Turns an AWS SDK failure into one line, or undefined when it is not an access problem. */
function accessProblem(error: any): string | undefined {
  const name = String(error?.name ?? '');
  const message = String(error?.message ?? '').split('\n')[0];
  if (name === 'CredentialsProviderError' || /Could not load credentials|Unable to locate credentials/i.test(message)) {
    return 'no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`.';
  }
  if (/ExpiredToken|TokenRefreshRequired|UnrecognizedClientException|InvalidClientTokenId|InvalidSignatureException/.test(name)) {
    return `the AWS credentials were rejected (${name}): refresh them and try again.`;
  }
  if (/AccessDenied|NotAuthorized|UnauthorizedOperation/i.test(name)) {
    return `not allowed to read SageMaker (${name}): ${message}. The report needs sagemaker:List*/Describe* on training jobs, pipelines and model packages, and sagemaker:ListTags.`;
  }
  if (/Region is missing/i.test(message)) {
    return 'no AWS region: pass --region or set AWS_REGION.';
  }
  return undefined;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const hours = (x: number | null) => (x === null ? '-' : x.toFixed(1));
const num = (x: number, digits = 1) => x.toFixed(digits);

function rows(result: FlowMetricsResult): Array<[string, TeamFlowMetrics]> {
  const teams = Object.entries(result.teams);
  return teams.length === 1 && teams[0][0] === result.total.team ? teams : [...teams, ['total', result.total]];
}

const HEADERS = ['team', 'runs', 'good runs/wk', 'models/wk', 'approved/wk', 'start->reg p50/p90 h', 'reg->approved p50/p90 h', 'scrap runs', 'scrap GPU-h', 'wasted GPU-h', 'wasted USD', 'GPU util', 'idle GPU-h'];
const UTILIZATION_HEADERS = ['team', 'measured runs', 'unmeasured', 'GPU util', 'idle GPU-h', 'idle USD', 'under-utilized runs', 'under-util idle GPU-h', 'under-util idle USD'];
const utilization = (x: number | null) => (x === null ? '-' : `${x.toFixed(1)}%`);

function cells(team: string, m: TeamFlowMetrics): string[] {
  return [
    team,
    String(m.scrap.runs),
    num(m.throughput.successfulRunsPerWeek),
    num(m.throughput.registeredModelsPerWeek),
    num(m.throughput.approvedModelsPerWeek),
    `${hours(m.cycleTime.pipelineToRegistration.p50Hours)} / ${hours(m.cycleTime.pipelineToRegistration.p90Hours)}`,
    `${hours(m.cycleTime.registrationToApproval.p50Hours)} / ${hours(m.cycleTime.registrationToApproval.p90Hours)}`,
    pct(m.scrap.rateByCount),
    pct(m.scrap.rateByGpuHours),
    num(m.scrap.wastedGpuHours),
    num(m.scrap.wastedCostUsd, 2),
    utilization(m.gpuUtilization.meanPercent),
    num(m.idleGpuHours.hours),
  ];
}

function utilizationCells(team: string, m: TeamFlowMetrics): string[] {
  return [
    team,
    String(m.gpuUtilization.measuredRuns),
    String(m.gpuUtilization.unmeasuredRuns),
    utilization(m.gpuUtilization.meanPercent),
    num(m.idleGpuHours.hours),
    num(m.idleGpuHours.costUsd, 2),
    `${m.gpuUtilization.underutilizedRuns} (${pct(m.gpuUtilization.underutilizedShare)})`,
    num(m.idleGpuHours.underutilizedHours),
    num(m.idleGpuHours.underutilizedCostUsd, 2),
  ];
}

/** One line per under-utilized run with its best suggestion, largest saving first. */
function rightSizingLines(result: FlowMetricsResult): string[] {
  return result.total.rightSizing.slice(0, 10).map((r) => {
    const run = `${r.trainingJobName} (${r.instanceCount} x ${r.instanceType}, GPU ${r.meanGpuUtilizationPercent.toFixed(0)}% mean / ${r.p95GpuUtilizationPercent.toFixed(0)}% p95, ` +
      `peak ${r.peakGpuMemoryGib.toFixed(1)} GiB GPU memory, ${num(r.idleGpuHours)} idle GPU-h)`;
    const best = r.suggestions[0];
    if (!best) return `${run}: nothing cheaper in the GPU catalogue fits`;
    const others = r.suggestions.slice(1).map((s) => `${s.instanceCount} x ${s.instanceType} (-${num(s.savingUsd, 2)} USD)`);
    return `${run}: ${best.instanceCount} x ${best.instanceType} would have cost ${num(best.estimatedCostUsd, 2)} instead of ${num(best.currentCostUsd, 2)} USD (-${num(best.savingUsd, 2)} USD)` +
      (others.length ? `; also ${others.join(', ')}` : '');
  });
}

/**
 * A team's scrap by cause, each run once. A preempted attempt's training job ends Stopped like a
 * user's stop, so SageMaker's records count it as `userStop`; the FlowMetrics collector, which joins
 * it with the Batch events, counted it as `preempted`. The runs and GPU-hours the collector counted
 * as preempted (and the records did not) move from `userStop` to `preempted`, with their share of
 * its cost. The metrics are dated by the event that completed the join, the records by the run's
 * end: a run ending at the window's edge may fall on different sides.
 */
export function scrapByCauseWithQueue(team: string, m: TeamFlowMetrics, queue: readonly QueueFigures[]): TeamFlowMetrics['scrapByCause'] {
  const q = queueTotal(team, queue);
  const user = m.scrapByCause.userStop;
  const own = m.scrapByCause.preempted;
  const runs = Math.min(user.runs, Math.max(0, q.preemptedRuns - own.runs));
  const moved = Math.min(user.gpuHours, Math.max(0, q.preemptedGpuHours - own.gpuHours));
  if (runs === 0 && moved === 0) return m.scrapByCause;
  const cost = user.gpuHours > 0 ? Math.round(user.costUsd * (moved / user.gpuHours) * 100) / 100 : 0;
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return {
    ...m.scrapByCause,
    userStop: { runs: user.runs - runs, gpuHours: round(user.gpuHours - moved), costUsd: Math.round((user.costUsd - cost) * 100) / 100 },
    preempted: { runs: own.runs + runs, gpuHours: round(own.gpuHours + moved), costUsd: Math.round((own.costUsd + cost) * 100) / 100 },
  };
}

function causeCells(team: string, m: TeamFlowMetrics, queue: readonly QueueFigures[]): string[] {
  const byCause = scrapByCauseWithQueue(team, m, queue);
  return [team, ...SCRAP_CAUSES.map((c) => `${byCause[c].runs} (${num(byCause[c].gpuHours)} h)`)];
}

/** The preempted runs of `team` (or of every team, for the total row). */
function queueTotal(team: string, queue: readonly QueueFigures[]): { preemptedRuns: number; preemptedGpuHours: number } {
  const of = queue.filter((q) => team === 'total' || q.team === team);
  return { preemptedRuns: of.reduce((a, q) => a + q.preemptedRuns, 0), preemptedGpuHours: of.reduce((a, q) => a + q.preemptedGpuHours, 0) };
}

const QUEUE_HEADERS = ['team', 'started jobs', 'queue wait p50/p90 min', 'preemptions', 'preempted GPU-h'];
const QUEUE_TITLE = 'Capacity pool queue (SUBMITTED -> RUNNING, preempted attempts)';
const minutesCell = (x: number | null) => (x === null ? '-' : x.toFixed(1));

function queueCells(q: QueueFigures): string[] {
  return [q.team, String(q.startedJobs), `${minutesCell(q.waitP50Minutes)} / ${minutesCell(q.waitP90Minutes)}`, String(q.preemptions), num(q.preemptedGpuHours)];
}

function plainTable(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function markdownTable(header: string[], body: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Renders the result in one of the formats. */
export function renderReport(result: FlowMetricsResult, format: Format, sinceText: string, queue: readonly QueueFigures[] = []): string {
  if (format === 'json') {
    // Preempted runs, which SageMaker's records show as user stops, move to their own cause.
    const withPreempted = (team: string, m: TeamFlowMetrics): TeamFlowMetrics => ({ ...m, scrapByCause: scrapByCauseWithQueue(team, m, queue) });
    const teams = Object.fromEntries(Object.entries(result.teams).map(([t, m]) => [t, withPreempted(t, m)]));
    return JSON.stringify({ ...result, teams, total: withPreempted('total', result.total), queue }, null, 2) + '\n';
  }
  const body = rows(result);
  const title = `Flow metrics, last ${sinceText} (${result.window.start.slice(0, 10)} to ${result.window.end.slice(0, 10)})`;
  const causeHeader = ['team', ...SCRAP_CAUSES];
  const duplicates = result.total.duplicates.slice(0, 10).map((d) => `${d.trainingJobName} repeats ${d.duplicateOf}`);
  const unpriced = result.total.scrap.unpricedGpuHours > 0 ? `Wasted cost leaves out ${num(result.total.scrap.unpricedGpuHours)} GPU-hours on instance types without a known price.` : '';
  const sizing = rightSizingLines(result);
  const utilizationTitle = `GPU utilization (GPU-hour-weighted; under-utilized: completed runs below ${result.total.gpuUtilization.thresholdPercent}%)`;
  const sizingTitle = 'Right-sizing advice (catalogue reference prices, same billed hours)';
  if (format === 'markdown') {
    return [
      `## ${title}`, '',
      markdownTable(HEADERS, body.map(([t, m]) => cells(t, m))), '',
      `### ${utilizationTitle}`, '',
      markdownTable(UTILIZATION_HEADERS, body.map(([t, m]) => utilizationCells(t, m))), '',
      ...(sizing.length ? [`### ${sizingTitle}`, '', ...sizing.map((l) => `- ${l}`), ''] : []),
      ...(queue.length ? [`### ${QUEUE_TITLE}`, '', markdownTable(QUEUE_HEADERS, queue.map(queueCells)), ''] : []),
      '### Scrapped runs by cause (runs, GPU-hours)', '',
      markdownTable(causeHeader, body.map(([t, m]) => causeCells(t, m, queue))), '',
      ...(duplicates.length ? ['### Duplicate runs', '', ...duplicates.map((d) => `- ${d}`), ''] : []),
      ...(unpriced ? [unpriced, ''] : []),
    ].join('\n');
  }
  return [
    title, '',
    plainTable(HEADERS, body.map(([t, m]) => cells(t, m))), '',
    utilizationTitle,
    plainTable(UTILIZATION_HEADERS, body.map(([t, m]) => utilizationCells(t, m))), '',
    ...(sizing.length ? [`${sizingTitle}:`, ...sizing.map((l) => `  ${l}`), ''] : []),
    ...(queue.length ? [QUEUE_TITLE, plainTable(QUEUE_HEADERS, queue.map(queueCells)), ''] : []),
    'Scrapped runs by cause (runs, GPU-hours)',
    plainTable(causeHeader, body.map(([t, m]) => causeCells(t, m, queue))), '',
    ...(duplicates.length ? ['Duplicate runs:', ...duplicates.map((d) => `  ${d}`), ''] : []),
    ...(unpriced ? [unpriced, ''] : []),
  ].join('\n');
}

/** `trainyard report`. */
export const reportCommand: CliCommand = async (argv: string[], io: CliIo): Promise<number> => {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${USAGE}\n\nThroughput, cycle time, scrap rate and GPU utilization (idle GPU-hours, right-sizing advice) of SageMaker training runs, pipelines and model packages.\n`);
    return 0;
  }
  const args = parseReportArgs(argv);
  const region = args.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  const client = new SageMakerClient({ region, retryMode: 'adaptive', maxAttempts: 10 });
  const cloudwatch = new CloudWatchClient({ region, retryMode: 'adaptive', maxAttempts: 10 });
  const progress = new Progress(io);
  const now = Date.now();
  const catalogue = gpuCatalogueEntries();
  let records;
  let gpuUtilization: Record<string, GpuUtilizationSample> = {};
  let queue: QueueFigures[] = [];
  try {
    records = await fetchFlowRecords(client, args, now, progress);
    const getMetricData = (input: GetMetricDataCommandInput) => cloudwatch.send(new GetMetricDataCommand(input));
    try {
      gpuUtilization = await fetchGpuUtilization(getMetricData, records.trainingJobs, catalogue, now - args.sinceMs, now, progress);
    } catch (error) {
      // Without CloudWatch access the rest of the report still stands: utilization shows as unmeasured.
      const problem = accessProblem(error);
      if (!problem) throw error;
      progress.done();
      io.err(`trainyard report: GPU utilization left out, CloudWatch GetMetricData failed (${String((error as any)?.name ?? 'error')}); it needs cloudwatch:GetMetricData.\n`);
    }
    try {
      progress.update('report: capacity pool queue figures');
      queue = await fetchQueueFigures((input) => cloudwatch.send(new ListMetricsCommand(input)), getMetricData, now - args.sinceMs, now, args.team);
    } catch (error) {
      const problem = accessProblem(error);
      if (!problem) throw error;
      progress.done();
      const name = String((error as any)?.name ?? 'error');
      io.err(`trainyard report: queue wait and preemptions left out, CloudWatch failed (${name}); they need cloudwatch:ListMetrics and cloudwatch:GetMetricData.\n`);
    }
  } catch (error) {
    progress.done();
    const problem = accessProblem(error);
    if (problem) {
      io.err(`trainyard report: ${problem}\n`);
      return 1;
    }
    throw error;
  } finally {
    client.destroy();
    cloudwatch.destroy();
  }
  progress.done();
  const result = computeFlowMetrics({ ...records, gpuUtilization }, { start: now - args.sinceMs, end: now }, {
    team: args.team,
    gpuCatalogue: catalogue,
  });
  io.out(renderReport(result, args.format, args.sinceText, queue));
  return 0;
};
