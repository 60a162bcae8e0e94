// GPU utilization of training runs, idle GPU-hours and right-sizing advice: the pure maths, shared by
// the FlowMetrics collector Lambda, `trainyard report`, the flow-metrics core and the benchmark.
// No AWS SDK, no I/O, no aws-cdk-lib (the collector bundles this file).
//
// Scale of the SageMaker host metrics (namespace /aws/sagemaker/TrainingJobs, dimension Host =
// `<job>/algo-<n>`): GPUUtilization and GPUMemoryUtilization are 0-100 per GPU *multiplied by the
// number of GPUs* of the instance (0-400 % on a 4-GPU instance), CPUUtilization is summed over the
// vCPUs the same way, MemoryUtilization is 0-100. See "SageMaker AI job metrics" in
// https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html and
// https://repost.aws/knowledge-center/sagemaker-cpu-gpu-utilization-100. Everything here is
// normalized to 0-100 % of the instance's GPUs.

/** The CloudWatch namespace of SageMaker training-job host metrics. */
export const TRAINING_JOB_METRICS_NAMESPACE = '/aws/sagemaker/TrainingJobs';

/** The host metrics read per instance, with the statistic used for each. */
export const HOST_METRICS = [
  { name: 'GPUUtilization', stat: 'Average' },
  { name: 'GPUMemoryUtilization', stat: 'Maximum' },
  { name: 'CPUUtilization', stat: 'Average' },
  { name: 'MemoryUtilization', stat: 'Maximum' },
] as const;

/** A host metric name. */
export type HostMetricName = typeof HOST_METRICS[number]['name'];

/** The message of the collector's structured log line per finished GPU run (the dashboard's Logs Insights tables filter on it). */
export const UTILIZATION_LOG_MESSAGE = 'gpu utilization';

/** Default threshold below which a completed run's mean GPU utilization flags it under-utilized. */
export const DEFAULT_UNDERUTILIZED_GPU_THRESHOLD_PERCENT = 40;
/** Right-sizing keeps this much GPU memory above the observed peak. */
export const RIGHT_SIZING_MEMORY_MARGIN = 0.2;
/** A run whose p95 GPU utilization reaches this is compute-bound: only the same or a newer GPU generation is suggested. */
export const COMPUTE_BOUND_P95_PERCENT = 80;

/**
 * A GPU instance type as the utilization maths needs it, built from a `GpuProfile` (the catalogue
 * is the single source: see `gpuCatalogueEntries` in gpu-catalogue.ts).
 */
export interface GpuCatalogueEntry {
  readonly instanceType: string;
  /** Accelerators per instance. */
  readonly gpuCount: number;
  /** Accelerator memory of ONE accelerator, GiB. */
  readonly gpuMemoryGib: number;
  readonly vcpus: number;
  /** CUDA compute capability (orders NVIDIA generations); undefined when unknown or not NVIDIA. */
  readonly computeCapability?: number;
  /** Whether the accelerators are NVIDIA GPUs (CUDA); Trainium needs the Neuron SDK instead. */
  readonly nvidia: boolean;
  readonly multiNode: boolean;
  /** Reference on-demand USD per instance-hour. */
  readonly pricePerHourUsd?: number;
}

/** Compact form for a Lambda environment variable (4 KB for all variables together). */
export function encodeGpuCatalogue(entries: readonly GpuCatalogueEntry[]): string {
  return JSON.stringify(entries.map((e) => [
    e.instanceType, e.gpuCount, e.gpuMemoryGib, e.vcpus, e.computeCapability ?? null, e.pricePerHourUsd ?? null,
    e.multiNode ? 1 : 0, e.nvidia ? 1 : 0,
  ]));
}

/** Reads `encodeGpuCatalogue`'s output; malformed entries are left out. */
export function decodeGpuCatalogue(text: string | undefined): GpuCatalogueEntry[] {
  let rows: unknown;
  try {
    rows = JSON.parse(text ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(rows)) return [];
  const out: GpuCatalogueEntry[] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || typeof row[0] !== 'string' || !(row[1] > 0) || !(row[2] > 0)) continue;
    out.push({
      instanceType: row[0],
      gpuCount: row[1],
      gpuMemoryGib: row[2],
      vcpus: typeof row[3] === 'number' ? row[3] : 1,
      computeCapability: typeof row[4] === 'number' ? row[4] : undefined,
      pricePerHourUsd: typeof row[5] === 'number' ? row[5] : undefined,
      multiNode: row[6] === 1,
      nvidia: row[7] === 1,
    });
  }
  return out;
}

/** One datapoint: the statistic over [t, t + period). */
export interface MetricPoint {
  /** Epoch millis of the period start. */
  readonly t: number;
  readonly v: number;
}

/** The host metrics of one instance (`<job>/algo-<n>`) of a run. */
export interface HostSeries {
  readonly host: string;
  readonly series: Readonly<Partial<Record<HostMetricName, readonly MetricPoint[]>>>;
}

/** What the host metrics say about one run, normalized to 0-100 % of the instance's GPUs. */
export interface GpuUtilizationSample {
  /** Time-weighted mean GPU utilization over the training window, all instances and GPUs. */
  readonly meanPercent: number;
  /** 95th percentile (time-weighted) of the per-period GPU utilization. */
  readonly p95Percent: number;
  /** Highest GPU memory use of any instance, % of that instance's GPU memory. */
  readonly peakMemoryPercent: number;
  /** Time-weighted mean CPU utilization, % of the instance's vCPUs; undefined without data. */
  readonly cpuMeanPercent?: number;
  /** Highest host memory use, %; undefined without data. */
  readonly peakHostMemoryPercent?: number;
}

/** Why a run has no utilization figures. */
export type UnmeasuredReason = 'not-a-gpu-instance' | 'no-host-metrics';

/** The result of `summarizeHostMetrics`. */
export type HostMetricsSummary =
  | { readonly measured: true; readonly sample: GpuUtilizationSample; readonly lastPointAt: number }
  | { readonly measured: false; readonly reason: UnmeasuredReason };

const clampPercent = (v: number) => Math.min(100, Math.max(0, v));

interface Weighted { v: number; w: number }

function weightedMean(points: Weighted[]): number | undefined {
  let sw = 0;
  let s = 0;
  for (const p of points) { sw += p.w; s += p.v * p.w; }
  return sw > 0 ? s / sw : undefined;
}

/** The smallest value whose cumulative weight reaches `p` % of the total. */
function weightedPercentile(points: Weighted[], p: number): number {
  const sorted = points.slice().sort((a, b) => a.v - b.v);
  const total = sorted.reduce((s, x) => s + x.w, 0);
  let cumulative = 0;
  for (const x of sorted) {
    cumulative += x.w;
    if (cumulative >= (p / 100) * total - 1e-9) return x.v;
  }
  return sorted[sorted.length - 1].v;
}

/**
 * Summarizes the host metrics of one run over its training window [start, end).
 *
 * Each datapoint covers [t, t + period) and weighs by its overlap with the window, so partial
 * periods at either end count for the time they cover (time-weighted mean and p95). Values are
 * divided by the instance's GPU (vCPU) count. No GPU datapoint in the window means unmeasured, never 0 %.
 */
export function summarizeHostMetrics(
  hosts: readonly HostSeries[],
  window: { readonly start: number; readonly end: number },
  periodSeconds: number,
  instance: Pick<GpuCatalogueEntry, 'gpuCount' | 'vcpus'>,
): HostMetricsSummary {
  const periodMs = periodSeconds * 1000;
  const gpu: Weighted[] = [];
  const cpu: Weighted[] = [];
  let peakMemory = -1;
  let peakHostMemory = -1;
  let lastPointAt = -Infinity;
  const overlap = (t: number) => Math.max(0, Math.min(t + periodMs, window.end) - Math.max(t, window.start)) / 1000;
  for (const host of hosts) {
    for (const p of host.series.GPUUtilization ?? []) {
      const w = overlap(p.t);
      if (w <= 0 || !Number.isFinite(p.v)) continue;
      gpu.push({ v: clampPercent(p.v / instance.gpuCount), w });
      lastPointAt = Math.max(lastPointAt, p.t);
    }
    for (const p of host.series.GPUMemoryUtilization ?? []) {
      if (overlap(p.t) > 0 && Number.isFinite(p.v)) peakMemory = Math.max(peakMemory, clampPercent(p.v / instance.gpuCount));
    }
    for (const p of host.series.CPUUtilization ?? []) {
      const w = overlap(p.t);
      if (w > 0 && Number.isFinite(p.v)) cpu.push({ v: clampPercent(p.v / Math.max(1, instance.vcpus)), w });
    }
    for (const p of host.series.MemoryUtilization ?? []) {
      if (overlap(p.t) > 0 && Number.isFinite(p.v)) peakHostMemory = Math.max(peakHostMemory, clampPercent(p.v));
    }
  }
  const mean = weightedMean(gpu);
  if (mean === undefined) return { measured: false, reason: 'no-host-metrics' };
  return {
    measured: true,
    lastPointAt,
    sample: {
      meanPercent: mean,
      p95Percent: weightedPercentile(gpu, 95),
      peakMemoryPercent: Math.max(0, peakMemory),
      cpuMeanPercent: weightedMean(cpu),
      peakHostMemoryPercent: peakHostMemory >= 0 ? peakHostMemory : undefined,
    },
  };
}

/** A run as the utilization maths sees it. */
export interface GpuRun {
  readonly instanceType: string;
  readonly instanceCount: number;
  /** Billed instance-hours (all instances). */
  readonly instanceHours: number;
}

/** The utilization figures of one run. */
export interface RunUtilization {
  readonly measured: boolean;
  /** Why the run is unmeasured (undefined when measured). */
  readonly unmeasuredReason?: UnmeasuredReason;
  /** GPUs per instance (0 when the instance type is not in the catalogue). */
  readonly gpusPerInstance: number;
  /** Billed instance-hours x GPUs per instance. */
  readonly gpuHours: number;
  readonly meanPercent?: number;
  readonly p95Percent?: number;
  readonly peakMemoryPercent?: number;
  /** Peak GPU memory in use on the busiest instance, GiB (its GPUs together). */
  readonly peakMemoryGib?: number;
  /** gpuHours x (1 - mean utilization); 0 when unmeasured. */
  readonly idleGpuHours: number;
  /** Idle GPU-hours at the catalogue reference price; undefined without a price. */
  readonly idleCostUsd?: number;
  /** Mean utilization below the threshold (only for measured runs; the caller decides which statuses count). */
  readonly belowThreshold: boolean;
}

/**
 * The utilization figures of a run from its summary. An instance type outside the catalogue is
 * unmeasured ('not-a-gpu-instance'); so is a run without a sample.
 */
export function assessRunUtilization(
  run: GpuRun,
  entry: GpuCatalogueEntry | undefined,
  sample: GpuUtilizationSample | undefined,
  thresholdPercent: number = DEFAULT_UNDERUTILIZED_GPU_THRESHOLD_PERCENT,
  unmeasuredReason: UnmeasuredReason = 'no-host-metrics',
): RunUtilization {
  if (!entry) return { measured: false, unmeasuredReason: 'not-a-gpu-instance', gpusPerInstance: 0, gpuHours: 0, idleGpuHours: 0, belowThreshold: false };
  const gpuHours = run.instanceHours * entry.gpuCount;
  if (!sample) return { measured: false, unmeasuredReason, gpusPerInstance: entry.gpuCount, gpuHours, idleGpuHours: 0, belowThreshold: false };
  const idleShare = 1 - clampPercent(sample.meanPercent) / 100;
  const idleGpuHours = gpuHours * idleShare;
  return {
    measured: true,
    gpusPerInstance: entry.gpuCount,
    gpuHours,
    meanPercent: sample.meanPercent,
    p95Percent: sample.p95Percent,
    peakMemoryPercent: sample.peakMemoryPercent,
    peakMemoryGib: (sample.peakMemoryPercent / 100) * entry.gpuCount * entry.gpuMemoryGib,
    idleGpuHours,
    idleCostUsd: entry.pricePerHourUsd === undefined ? undefined : run.instanceHours * idleShare * entry.pricePerHourUsd,
    belowThreshold: sample.meanPercent < thresholdPercent,
  };
}

/** One right-sizing suggestion: a catalogue configuration the run would have fitted. */
export interface RightSizingSuggestion {
  readonly instanceType: string;
  readonly instanceCount: number;
  /** GPUs of the suggestion in total. */
  readonly gpus: number;
  /** GPU memory of the suggestion in total, GiB. */
  readonly gpuMemoryGib: number;
  /** The run's cost at the catalogue reference price of its own type, USD. */
  readonly currentCostUsd: number;
  /** The same billed time on the suggestion, USD. */
  readonly estimatedCostUsd: number;
  /** currentCostUsd - estimatedCostUsd (> 0). */
  readonly savingUsd: number;
  readonly reason: string;
}

/** Options of `suggestRightSizing`. */
export interface RightSizingOptions {
  /** @default RIGHT_SIZING_MEMORY_MARGIN (0.2) */
  readonly memoryMargin?: number;
  /** @default COMPUTE_BOUND_P95_PERCENT (80) */
  readonly computeBoundP95Percent?: number;
  /** @default 3 */
  readonly maxSuggestions?: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Catalogue configurations that would have fitted a measured run, cheapest first (advice, not a change):
 * - GPU memory: the peak (on the busiest instance, times the instance count) plus `memoryMargin`,
 *   in total and per GPU (the peak spread over the run's GPUs);
 * - GPUs: enough for the busy share of the run's GPUs at its p95 utilization (at least one);
 * - never more instances than the run used; several only where the type supports multi-node;
 * - the same accelerator kind (CUDA or Neuron); for a compute-bound run (p95 >= `computeBoundP95Percent`)
 *   the same or a newer CUDA compute capability.
 * Cost assumes the run would have taken as long (billed instance-hours per instance); only
 * cheaper configurations are suggested. None without a price or measurement.
 */
export function suggestRightSizing(
  run: GpuRun,
  utilization: RunUtilization,
  catalogue: readonly GpuCatalogueEntry[],
  options: RightSizingOptions = {},
): RightSizingSuggestion[] {
  const current = catalogue.find((e) => e.instanceType === run.instanceType);
  if (!current || current.pricePerHourUsd === undefined || !utilization.measured) return [];
  if (utilization.p95Percent === undefined || utilization.peakMemoryGib === undefined) return [];
  const margin = 1 + (options.memoryMargin ?? RIGHT_SIZING_MEMORY_MARGIN);
  const computeBound = utilization.p95Percent >= (options.computeBoundP95Percent ?? COMPUTE_BOUND_P95_PERCENT);
  const instances = Math.max(1, Math.round(run.instanceCount));
  const hoursPerInstance = run.instanceHours / instances;
  const currentCost = instances * current.pricePerHourUsd * hoursPerInstance;
  const totalGpus = instances * current.gpuCount;
  const neededGpus = Math.max(1, Math.ceil(totalGpus * (utilization.p95Percent / 100) - 1e-9));
  const neededMemoryGib = utilization.peakMemoryGib * instances * margin;
  const neededMemoryPerGpuGib = (utilization.peakMemoryGib / current.gpuCount) * margin;

  const suggestions: RightSizingSuggestion[] = [];
  for (const candidate of catalogue) {
    if (candidate.pricePerHourUsd === undefined || candidate.nvidia !== current.nvidia) continue;
    if (candidate.gpuMemoryGib < neededMemoryPerGpuGib) continue;
    const sameType = candidate.instanceType === current.instanceType;
    if (computeBound && !sameType && (candidate.computeCapability === undefined || current.computeCapability === undefined
      || candidate.computeCapability < current.computeCapability)) continue;
    const maxCount = candidate.multiNode ? instances : 1;
    for (let count = 1; count <= maxCount; count++) {
      const gpus = count * candidate.gpuCount;
      const memory = gpus * candidate.gpuMemoryGib;
      if (gpus < neededGpus || memory < neededMemoryGib) continue;
      const cost = count * candidate.pricePerHourUsd * hoursPerInstance;
      if (cost < currentCost - 0.005 && !(sameType && count === instances)) {
        suggestions.push({
          instanceType: candidate.instanceType,
          instanceCount: count,
          gpus,
          gpuMemoryGib: memory,
          currentCostUsd: round2(currentCost),
          estimatedCostUsd: round2(cost),
          savingUsd: round2(currentCost - cost),
          reason: `${gpus} GPU(s) for ${neededGpus} busy at p95 ${utilization.p95Percent.toFixed(0)}%; ${memory} GiB GPU memory for a ${(utilization.peakMemoryGib * instances).toFixed(1)} GiB peak` +
            (computeBound ? '; compute-bound: same or newer GPU generation' : ''),
        });
      }
      break; // the smallest count that fits is the cheapest of this type
    }
  }
  return suggestions
    .sort((a, b) => b.savingUsd - a.savingUsd || a.gpus - b.gpus || a.instanceType.localeCompare(b.instanceType))
    .slice(0, options.maxSuggestions ?? 3);
}
