// Reads SageMaker training-job host metrics (GPU, GPU memory, CPU, memory per `<job>/algo-<n>`)
// with CloudWatch GetMetricData, batched to the API's limits and paginated. Shared by the
// FlowMetrics collector (one run) and `trainyard report` (every run of a period). The client is
// passed in as a `send` function, so both wire a real CloudWatchClient and the tests mock it.
import type { GetMetricDataCommandInput, GetMetricDataCommandOutput, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { HOST_METRICS, HostMetricName, HostSeries, MetricPoint, TRAINING_JOB_METRICS_NAMESPACE } from './gpu-utilization';

/** GetMetricData takes at most 500 queries per request (CloudWatch API reference). */
export const MAX_QUERIES_PER_REQUEST = 500;
/** ... and returns at most 100,800 datapoints per call before it paginates with NextToken. */
export const MAX_DATAPOINTS_PER_CALL = 100_800;
/** Series longer than this many periods get a coarser period (keeps a 500-query call near the datapoint limit). */
const MAX_POINTS_PER_SERIES = 1440;
/** Runs whose windows lie within this span share requests (one request window, one period). */
const MAX_BATCH_SPAN_MS = 24 * 3_600_000;

/** One run whose host metrics to read. */
export interface RunWindow {
  readonly trainingJobName: string;
  readonly instanceCount: number;
  /** TrainingStartTime, epoch millis. */
  readonly start: number;
  /** TrainingEndTime, epoch millis. */
  readonly end: number;
}

/** The host metrics of one run. */
export interface RunHostMetrics {
  readonly periodSeconds: number;
  readonly hosts: HostSeries[];
}

/** Calls GetMetricData once (one page). */
export type GetMetricDataFn = (input: GetMetricDataCommandInput) => Promise<GetMetricDataCommandOutput>;

/**
 * The period for a request window: 60 s while CloudWatch keeps one-minute data (start less than
 * 15 days ago), 300 s up to 63 days, 3600 s beyond (GetMetricData's retention rules), and coarser
 * when the window would exceed MAX_POINTS_PER_SERIES periods.
 */
export function periodFor(start: number, end: number, now: number): number {
  const age = now - start;
  const retention = age > 63 * 86_400_000 ? 3600 : age > 15 * 86_400_000 ? 300 : 60;
  const bySpan = Math.ceil((end - start) / 1000 / MAX_POINTS_PER_SERIES / 60) * 60;
  const period = Math.max(retention, bySpan, 60);
  return Math.ceil(period / retention) * retention;
}

/**
 * Reads the host metrics of `runs`. Runs close in time share requests of at most 500 queries
 * (4 per instance); each request is followed through NextToken until it is complete. Runs with
 * no instances or no window come back with no hosts.
 */
export async function getRunHostMetrics(send: GetMetricDataFn, runs: readonly RunWindow[], now: number): Promise<Map<string, RunHostMetrics>> {
  const out = new Map<string, RunHostMetrics>();
  const valid = runs
    .map((run, index) => ({ run, index }))
    .filter(({ run }) => Number.isFinite(run.start) && Number.isFinite(run.end) && run.end > run.start && run.instanceCount >= 1)
    .sort((a, b) => a.run.start - b.run.start);
  for (const run of runs) out.set(run.trainingJobName, { periodSeconds: 60, hosts: [] });

  // Groups of runs sharing one request window.
  const groups: Array<{ runs: typeof valid; end: number }> = [];
  for (const item of valid) {
    const group = groups[groups.length - 1];
    if (group && Math.max(group.end, item.run.end) - group.runs[0].run.start <= MAX_BATCH_SPAN_MS) {
      group.runs.push(item);
      group.end = Math.max(group.end, item.run.end);
    } else {
      groups.push({ runs: [item], end: item.run.end });
    }
  }

  for (const { runs: group, end: groupEnd } of groups) {
    const start = Math.floor(group[0].run.start / 60_000) * 60_000;
    const end = Math.ceil(groupEnd / 60_000) * 60_000;
    const period = periodFor(start, end, now);
    const alignedStart = Math.floor(start / (period * 1000)) * period * 1000;
    const series = new Map<string, Map<HostMetricName, MetricPoint[]>>();
    const queries: MetricDataQuery[] = [];
    for (const { run } of group) {
      const count = Math.floor(run.instanceCount);
      for (let host = 1; host <= count; host++) {
        const hostName = `${run.trainingJobName}/algo-${host}`;
        series.set(hostName, new Map());
        for (const metric of HOST_METRICS) {
          queries.push({
            Id: '',
            MetricStat: {
              Metric: { Namespace: TRAINING_JOB_METRICS_NAMESPACE, MetricName: metric.name, Dimensions: [{ Name: 'Host', Value: hostName }] },
              Period: period,
              Stat: metric.stat,
            },
            ReturnData: true,
          });
        }
      }
    }
    for (let offset = 0; offset < queries.length; offset += MAX_QUERIES_PER_REQUEST) {
      const chunk = queries.slice(offset, offset + MAX_QUERIES_PER_REQUEST);
      const byId = new Map<string, { hostName: string; metric: HostMetricName }>();
      const metricDataQueries = chunk.map((query, i) => {
        const id = `q${i}`;
        const dimension = query.MetricStat!.Metric!.Dimensions![0].Value!;
        byId.set(id, { hostName: dimension, metric: query.MetricStat!.Metric!.MetricName as HostMetricName });
        return { ...query, Id: id };
      });
      let nextToken: string | undefined;
      do {
        const page = await send({
          MetricDataQueries: metricDataQueries,
          StartTime: new Date(alignedStart),
          EndTime: new Date(end),
          ScanBy: 'TimestampAscending',
          MaxDatapoints: MAX_DATAPOINTS_PER_CALL,
          NextToken: nextToken,
        });
        for (const result of page?.MetricDataResults ?? []) {
          const target = result.Id ? byId.get(result.Id) : undefined;
          if (!target) continue;
          const metrics = series.get(target.hostName)!;
          const list = metrics.get(target.metric) ?? [];
          const timestamps = result.Timestamps ?? [];
          const values = result.Values ?? [];
          for (let i = 0; i < Math.min(timestamps.length, values.length); i++) {
            const t = new Date(timestamps[i] as any).getTime();
            if (Number.isFinite(t) && Number.isFinite(values[i])) list.push({ t, v: values[i] });
          }
          metrics.set(target.metric, list);
        }
        nextToken = page?.NextToken || undefined;
      } while (nextToken);
    }
    for (const { run } of group) {
      const hosts: HostSeries[] = [];
      for (let host = 1; host <= Math.floor(run.instanceCount); host++) {
        const hostName = `${run.trainingJobName}/algo-${host}`;
        const metrics = series.get(hostName)!;
        const entries: Partial<Record<HostMetricName, MetricPoint[]>> = {};
        for (const [metric, points] of metrics) entries[metric] = points.sort((a, b) => a.t - b.t);
        hosts.push({ host: hostName, series: entries });
      }
      out.set(run.trainingJobName, { periodSeconds: period, hosts });
    }
  }
  return out;
}
