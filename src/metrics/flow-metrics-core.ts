// The pure flow-metrics core: throughput, cycle time and scrap rate of ML work, computed from
// SageMaker training-job, pipeline-execution and model-package records. Shared by the collector
// Lambda, the `trainyard report` CLI and the benchmark. No AWS SDK, no I/O.
//
// Not exported from src/index.ts: the records use SageMaker's PascalCase field names, which jsii
// structs cannot carry. TypeScript users import it from 'trainyard/lib/metrics/flow-metrics-core'.

import {
  assessRunUtilization,
  DEFAULT_UNDERUTILIZED_GPU_THRESHOLD_PERCENT,
  GpuCatalogueEntry,
  GpuUtilizationSample,
  RightSizingSuggestion,
  suggestRightSizing,
} from './gpu-utilization';
import { TRAINING_USD_PER_INSTANCE_HOUR } from '../core/prices';
import {
  ModelPackageRecord,
  normalizeModelPackage,
  normalizePipelineExecution,
  normalizeTrainingJob,
  NormalizedTrainingJob,
  PipelineExecutionRecord,
  TrainingJobRecord,
} from './private/records';
import { classifyScrap, SCRAP_CAUSES, ScrapCause, TERMINAL_TRAINING_STATUSES } from './private/scrap-cause';
import { attemptCausesOf, isBatchTrainingJobName, ServiceJobRecord, trainingJobKey } from './private/service-job-attempts';

export type { ModelPackageRecord, PipelineExecutionRecord, TrainingJobRecord, TimeValue, TagsValue } from './private/records';
export type { ScrapCause } from './private/scrap-cause';
export type { ServiceJobRecord, ServiceJobAttemptRecord, ServiceResourceIdRecord } from './private/service-job-attempts';
export { SCRAP_CAUSES } from './private/scrap-cause';
export type { GpuCatalogueEntry, GpuUtilizationSample, RightSizingSuggestion } from './gpu-utilization';

/** The period the metrics cover: records that ended (runs), started (pipelines) or were created/approved (models) in [start, end). */
export interface FlowWindow {
  readonly start: Date | number;
  readonly end: Date | number;
}

/** Options of `computeFlowMetrics`. */
export interface FlowMetricsOptions {
  /**
   * The on-demand price of one instance-hour of a SageMaker training instance type, in USD, or
   * undefined when unknown. Plug `GpuProfile` prices in here.
   *
   * @default DEFAULT_TRAINING_PRICES lookup
   */
  readonly pricePerInstanceHour?: (instanceType: string) => number | undefined;
  /**
   * Team names, used to attribute pipelines and model package groups named `<team>` or `<team>-...`
   * (their records carry no team tag). Team tags seen on training jobs are added automatically.
   *
   * @default - the teams tagged on training jobs
   */
  readonly teams?: readonly string[];
  /**
   * Restrict the result to one team (the total then covers only that team).
   *
   * @default - every team
   */
  readonly team?: string;
  /**
   * The GPU instance types (GPU count, GPU memory, generation, reference price), for utilization,
   * idle GPU-hours and right-sizing. Build it from the `GpuProfile` catalogue.
   *
   * @default - none: no utilization figures (every run counts as not a GPU instance)
   */
  readonly gpuCatalogue?: readonly GpuCatalogueEntry[];
  /**
   * A completed, non-scrap run whose mean GPU utilization is below this percentage is under-utilized.
   *
   * @default 40
   */
  readonly underutilizedGpuThresholdPercent?: number;
  /**
   * How many under-utilized runs with right-sizing suggestions to keep per team (largest saving first).
   *
   * @default 5
   */
  readonly rightSizingPerTeam?: number;
}

/** An under-utilized run and the catalogue configurations that would have fitted it. */
export interface RunRightSizing {
  readonly trainingJobName: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly meanGpuUtilizationPercent: number;
  readonly p95GpuUtilizationPercent: number;
  readonly peakGpuMemoryGib: number;
  readonly idleGpuHours: number;
  readonly idleCostUsd: number | null;
  /** Cheapest first; empty when nothing cheaper fits. */
  readonly suggestions: readonly RightSizingSuggestion[];
}

/** The 50th and 90th percentile (nearest rank) of a set of durations in hours; null when empty. */
export interface Percentiles {
  readonly count: number;
  readonly p50Hours: number | null;
  readonly p90Hours: number | null;
}

/** Scrapped runs and the instance-hours and cost they consumed, for one cause. */
export interface ScrapTally {
  readonly runs: number;
  readonly gpuHours: number;
  readonly costUsd: number;
}

/** The flow metrics of one team, or of all teams together. */
export interface TeamFlowMetrics {
  readonly team: string;
  readonly throughput: {
    /** Completed training runs that were not duplicates. */
    readonly successfulRuns: number;
    /** Model package versions created in the window. */
    readonly registeredModels: number;
    /** Model package versions approved in the window. */
    readonly approvedModels: number;
    readonly successfulRunsPerWeek: number;
    readonly registeredModelsPerWeek: number;
    readonly approvedModelsPerWeek: number;
  };
  readonly cycleTime: {
    /** Pipeline execution start -> model package created by it (linked by MetadataProperties.GeneratedBy). */
    readonly pipelineToRegistration: Percentiles;
    /** Model package created -> approved (LastModifiedTime of an Approved package). */
    readonly registrationToApproval: Percentiles;
  };
  readonly scrap: {
    /** Finished (Completed, Failed or Stopped) training runs in the window. */
    readonly runs: number;
    readonly scrappedRuns: number;
    /** scrappedRuns / runs, 0..1 (0 when there were no runs). */
    readonly rateByCount: number;
    /** Billed instance-hours of every finished run (BillableTimeInSeconds x InstanceCount). */
    readonly gpuHours: number;
    /** Billed instance-hours of scrapped runs: the wasted GPU-hours. */
    readonly wastedGpuHours: number;
    /** wastedGpuHours / gpuHours, 0..1. */
    readonly rateByGpuHours: number;
    /** Estimated cost of the wasted hours (instance types without a price count 0, see unpricedGpuHours). */
    readonly wastedCostUsd: number;
    /** Wasted hours on instance types the price lookup did not know. */
    readonly unpricedGpuHours: number;
  };
  readonly scrapByCause: Readonly<Record<ScrapCause, ScrapTally>>;
  /** Runs that repeated an earlier successful run (same image, hyperparameters, inputs, dataset version and code hash). */
  readonly duplicates: ReadonlyArray<{ readonly trainingJobName: string; readonly duplicateOf: string }>;
  readonly pipelines: { readonly started: number; readonly succeeded: number; readonly failed: number; readonly stopped: number };
  /** GPU utilization of finished runs on catalogue GPU instance types (never 0 % for a run without host metrics: it is unmeasured). */
  readonly gpuUtilization: {
    readonly measuredRuns: number;
    /** Runs on a catalogue GPU type without host metrics (too short, not published). */
    readonly unmeasuredRuns: number;
    /** GPU-hours (billed instance-hours x GPUs per instance) of the measured runs. */
    readonly measuredGpuHours: number;
    /** GPU-hour-weighted mean utilization of the measured runs, 0..100; null when none was measured. */
    readonly meanPercent: number | null;
    /** Completed, non-scrap measured runs below the threshold. */
    readonly underutilizedRuns: number;
    /** underutilizedRuns / measuredRuns, 0..1. */
    readonly underutilizedShare: number;
    readonly thresholdPercent: number;
  };
  /** GPU-hours paid for and not used: the second waste figure, next to scrap. */
  readonly idleGpuHours: {
    /** Idle GPU-hours of every measured run: GPU-hours x (1 - mean utilization). */
    readonly hours: number;
    readonly costUsd: number;
    /** Idle GPU-hours of the under-utilized runs (the waste figure). */
    readonly underutilizedHours: number;
    readonly underutilizedCostUsd: number;
  };
  /** The under-utilized runs with the largest possible saving, and what would have fitted them. */
  readonly rightSizing: readonly RunRightSizing[];
}

/** The result of `computeFlowMetrics`. */
export interface FlowMetricsResult {
  readonly window: { readonly start: string; readonly end: string; readonly weeks: number };
  readonly total: TeamFlowMetrics;
  /** Per team, by team name (sorted). */
  readonly teams: Readonly<Record<string, TeamFlowMetrics>>;
  /** Records left out because they had no name/ARN or were not objects. */
  readonly skipped: { readonly trainingJobs: number; readonly pipelineExecutions: number; readonly modelPackages: number };
}

/** The records `computeFlowMetrics` reads. Each list may be missing. */
export interface FlowRecords {
  readonly trainingJobs?: readonly TrainingJobRecord[];
  readonly pipelineExecutions?: readonly PipelineExecutionRecord[];
  readonly modelPackages?: readonly ModelPackageRecord[];
  /** Per training job name: its GPU utilization (from `summarizeHostMetrics` or the collector's run record). */
  readonly gpuUtilization?: Readonly<Record<string, GpuUtilizationSample>>;
  /**
   * AWS Batch service jobs (DescribeServiceJob responses, or service job event details) of jobs queued
   * in a TrainingCapacityPool. A training job Batch stopped (Stopped, SecondaryStatus Stopped) counts
   * as `preempted` scrap when one of them lists it among its preempted attempts, as `userStop`
   * otherwise: once either way, never under both causes.
   */
  readonly serviceJobs?: readonly ServiceJobRecord[];
}

/**
 * On-demand SageMaker *training* prices in USD per instance-hour, us-east-1: the one price table
 * (src/core/prices.ts). A fallback only: pass `pricePerInstanceHour` (GpuProfile prices) for real estimates.
 */
export const DEFAULT_TRAINING_PRICES: Readonly<Record<string, number>> = TRAINING_USD_PER_INSTANCE_HOUR;

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

function defaultPrice(instanceType: string): number | undefined {
  return DEFAULT_TRAINING_PRICES[instanceType];
}

const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

function percentiles(values: number[]): Percentiles {
  const sorted = values.slice().sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p90 = percentile(sorted, 90);
  return { count: sorted.length, p50Hours: p50 === null ? null : round(p50), p90Hours: p90 === null ? null : round(p90) };
}

interface Accumulator {
  successfulRuns: number;
  registeredModels: number;
  approvedModels: number;
  toRegistration: number[];
  toApproval: number[];
  runs: number;
  scrappedRuns: number;
  gpuHours: number;
  wastedGpuHours: number;
  wastedCostUsd: number;
  unpricedGpuHours: number;
  byCause: Record<ScrapCause, { runs: number; gpuHours: number; costUsd: number }>;
  duplicates: Array<{ trainingJobName: string; duplicateOf: string }>;
  pipelines: { started: number; succeeded: number; failed: number; stopped: number };
  measuredRuns: number;
  unmeasuredRuns: number;
  measuredGpuHours: number;
  busyGpuHours: number;
  underutilizedRuns: number;
  idleGpuHours: number;
  idleCostUsd: number;
  underutilizedIdleGpuHours: number;
  underutilizedIdleCostUsd: number;
  rightSizing: RunRightSizing[];
}

function newAccumulator(): Accumulator {
  const byCause = {} as Accumulator['byCause'];
  for (const cause of SCRAP_CAUSES) byCause[cause] = { runs: 0, gpuHours: 0, costUsd: 0 };
  return {
    successfulRuns: 0,
    registeredModels: 0,
    approvedModels: 0,
    toRegistration: [],
    toApproval: [],
    runs: 0,
    scrappedRuns: 0,
    gpuHours: 0,
    wastedGpuHours: 0,
    wastedCostUsd: 0,
    unpricedGpuHours: 0,
    byCause,
    duplicates: [],
    pipelines: { started: 0, succeeded: 0, failed: 0, stopped: 0 },
    measuredRuns: 0,
    unmeasuredRuns: 0,
    measuredGpuHours: 0,
    busyGpuHours: 0,
    underutilizedRuns: 0,
    idleGpuHours: 0,
    idleCostUsd: 0,
    underutilizedIdleGpuHours: 0,
    underutilizedIdleCostUsd: 0,
    rightSizing: [],
  };
}


const bestSaving = (r: RunRightSizing) => (r.suggestions.length > 0 ? r.suggestions[0].savingUsd : 0);

function finish(team: string, a: Accumulator, weeks: number, thresholdPercent: number, rightSizingLimit: number): TeamFlowMetrics {
  const perWeek = (n: number) => round(weeks > 0 ? n / weeks : 0);
  const scrapByCause = {} as Record<ScrapCause, ScrapTally>;
  for (const cause of SCRAP_CAUSES) {
    const c = a.byCause[cause];
    scrapByCause[cause] = { runs: c.runs, gpuHours: round(c.gpuHours), costUsd: round(c.costUsd, 2) };
  }
  return {
    team,
    throughput: {
      successfulRuns: a.successfulRuns,
      registeredModels: a.registeredModels,
      approvedModels: a.approvedModels,
      successfulRunsPerWeek: perWeek(a.successfulRuns),
      registeredModelsPerWeek: perWeek(a.registeredModels),
      approvedModelsPerWeek: perWeek(a.approvedModels),
    },
    cycleTime: { pipelineToRegistration: percentiles(a.toRegistration), registrationToApproval: percentiles(a.toApproval) },
    scrap: {
      runs: a.runs,
      scrappedRuns: a.scrappedRuns,
      rateByCount: a.runs > 0 ? round(a.scrappedRuns / a.runs) : 0,
      gpuHours: round(a.gpuHours),
      wastedGpuHours: round(a.wastedGpuHours),
      rateByGpuHours: a.gpuHours > 0 ? round(a.wastedGpuHours / a.gpuHours) : 0,
      wastedCostUsd: round(a.wastedCostUsd, 2),
      unpricedGpuHours: round(a.unpricedGpuHours),
    },
    scrapByCause,
    duplicates: a.duplicates,
    pipelines: { ...a.pipelines },
    gpuUtilization: {
      measuredRuns: a.measuredRuns,
      unmeasuredRuns: a.unmeasuredRuns,
      measuredGpuHours: round(a.measuredGpuHours),
      meanPercent: a.measuredGpuHours > 0 ? round(100 * a.busyGpuHours / a.measuredGpuHours, 2) : null,
      underutilizedRuns: a.underutilizedRuns,
      underutilizedShare: a.measuredRuns > 0 ? round(a.underutilizedRuns / a.measuredRuns) : 0,
      thresholdPercent,
    },
    idleGpuHours: {
      hours: round(a.idleGpuHours),
      costUsd: round(a.idleCostUsd, 2),
      underutilizedHours: round(a.underutilizedIdleGpuHours),
      underutilizedCostUsd: round(a.underutilizedIdleCostUsd, 2),
    },
    rightSizing: a.rightSizing
      .sort((x, y) => bestSaving(y) - bestSaving(x) || y.idleGpuHours - x.idleGpuHours || x.trainingJobName.localeCompare(y.trainingJobName))
      .slice(0, rightSizingLimit),
  };
}

/**
 * Computes throughput, cycle time and scrap per team and in total over `window`.
 *
 * Tolerant: records that are not objects or lack their name/ARN are counted in `skipped`; missing
 * times, hours, prices or tags degrade the figures they feed (an unknown end time leaves a run out
 * of the window, a missing price leaves its cost at 0 and adds its hours to `unpricedGpuHours`)
 * instead of failing.
 */
export function computeFlowMetrics(records: FlowRecords, window: FlowWindow, options: FlowMetricsOptions = {}): FlowMetricsResult {
  const start = window.start instanceof Date ? window.start.getTime() : Number(window.start);
  const end = window.end instanceof Date ? window.end.getTime() : Number(window.end);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) {
    throw new RangeError(`computeFlowMetrics: window must have a start before its end, got ${String(window.start)} .. ${String(window.end)}.`);
  }
  const weeks = (end - start) / WEEK;
  const threshold = options.underutilizedGpuThresholdPercent ?? DEFAULT_UNDERUTILIZED_GPU_THRESHOLD_PERCENT;
  if (!(threshold > 0 && threshold <= 100)) {
    throw new RangeError(`computeFlowMetrics: underutilizedGpuThresholdPercent must be above 0 and at most 100, got ${String(threshold)}.`);
  }
  const rightSizingLimit = Math.max(0, Math.floor(options.rightSizingPerTeam ?? 5));
  const catalogue = new Map((options.gpuCatalogue ?? []).map((e) => [e.instanceType, e]));
  const samples = records?.gpuUtilization ?? {};
  const price = options.pricePerInstanceHour ?? defaultPrice;
  const inWindow = (t: number) => t >= start && t < end;

  const trainingJobs = Array.isArray(records?.trainingJobs) ? records.trainingJobs : [];
  const pipelineExecutions = Array.isArray(records?.pipelineExecutions) ? records.pipelineExecutions : [];
  const modelPackages = Array.isArray(records?.modelPackages) ? records.modelPackages : [];

  // Teams: given ones plus every team tag, so pipelines and groups named after them are attributed.
  const teamSet = new Set(options.teams ?? []);
  const jobs: NormalizedTrainingJob[] = [];
  let skippedJobs = 0;
  for (const record of trainingJobs) {
    const job = normalizeTrainingJob(record, options.teams ?? []);
    if (!job) { skippedJobs++; continue; }
    jobs.push(job);
  }
  for (const job of jobs) teamSet.add(job.team);
  teamSet.delete('unassigned');
  const teams = [...teamSet];

  const total = newAccumulator();
  const perTeam = new Map<string, Accumulator>();
  const accumulatorsFor = (team: string): Accumulator[] => {
    if (options.team !== undefined && team !== options.team) return [];
    let acc = perTeam.get(team);
    if (!acc) { acc = newAccumulator(); perTeam.set(team, acc); }
    return [acc, total];
  };

  // ---- Training runs: scrap, duplicates, successful runs --------------------------------------
  // Duplicate detection walks runs in creation order, remembering the first successful run of each
  // fingerprint. Runs without a creation time sort last and can only be duplicates, never originals.
  const createdOrLast = (job: NormalizedTrainingJob) => (Number.isFinite(job.createdAt) ? job.createdAt : Infinity);
  const ordered = jobs.slice().sort((a, b) => createdOrLast(a) - createdOrLast(b));
  const firstSuccess = new Map<string, NormalizedTrainingJob>();
  const batchCauses = attemptCausesOf(records?.serviceJobs);
  for (const job of ordered) {
    const terminal = TERMINAL_TRAINING_STATUSES.has(job.status);
    let duplicateOf: string | undefined;
    if (job.fingerprint !== undefined) {
      const original = firstSuccess.get(job.fingerprint);
      if (original && original.name !== job.name && !(original.createdAt >= job.createdAt)) duplicateOf = original.name;
      else if (job.status === 'Completed' && !original) firstSuccess.set(job.fingerprint, job);
    }
    if (!terminal || !inWindow(job.endedAt)) continue;
    let cause: ScrapCause | undefined = duplicateOf ? 'duplicate' : classifyScrap(job.status, job.secondaryStatus, job.failureReason, job.spot);
    // Batch stops a preempted attempt's training job like a user would: the service job says which it was.
    if (cause === 'userStop' && isBatchTrainingJobName(job.name)) cause = batchCauses.get(trainingJobKey(job.name)) ?? 'userStop';
    const unitPrice = job.instanceType ? price(job.instanceType) : undefined;
    const priced = typeof unitPrice === 'number' && Number.isFinite(unitPrice);
    const cost = priced ? job.instanceHours * (unitPrice as number) : 0;
    const entry = catalogue.get(job.instanceType);
    const sample = entry ? samples[job.name] : undefined;
    const utilization = entry ? assessRunUtilization(job, entry, sample, threshold) : undefined;
    const underutilized = utilization?.belowThreshold === true && cause === undefined && job.status === 'Completed';
    let sizing: RunRightSizing | undefined;
    if (underutilized && utilization && rightSizingLimit > 0) {
      sizing = {
        trainingJobName: job.name,
        instanceType: job.instanceType,
        instanceCount: job.instanceCount,
        meanGpuUtilizationPercent: round(utilization.meanPercent ?? 0, 2),
        p95GpuUtilizationPercent: round(utilization.p95Percent ?? 0, 2),
        peakGpuMemoryGib: round(utilization.peakMemoryGib ?? 0, 2),
        idleGpuHours: round(utilization.idleGpuHours),
        idleCostUsd: utilization.idleCostUsd === undefined ? null : round(utilization.idleCostUsd, 2),
        suggestions: suggestRightSizing(job, utilization, options.gpuCatalogue ?? []),
      };
    }
    for (const acc of accumulatorsFor(job.team)) {
      if (utilization?.measured) {
        acc.measuredRuns++;
        acc.measuredGpuHours += utilization.gpuHours;
        acc.busyGpuHours += utilization.gpuHours - utilization.idleGpuHours;
        acc.idleGpuHours += utilization.idleGpuHours;
        acc.idleCostUsd += utilization.idleCostUsd ?? 0;
        if (underutilized) {
          acc.underutilizedRuns++;
          acc.underutilizedIdleGpuHours += utilization.idleGpuHours;
          acc.underutilizedIdleCostUsd += utilization.idleCostUsd ?? 0;
          if (sizing) acc.rightSizing.push(sizing);
        }
      } else if (utilization) {
        acc.unmeasuredRuns++;
      }
      acc.runs++;
      acc.gpuHours += job.instanceHours;
      if (cause === undefined) {
        acc.successfulRuns++;
        continue;
      }
      acc.scrappedRuns++;
      acc.wastedGpuHours += job.instanceHours;
      acc.wastedCostUsd += cost;
      if (!priced) acc.unpricedGpuHours += job.instanceHours;
      const tally = acc.byCause[cause];
      tally.runs++;
      tally.gpuHours += job.instanceHours;
      tally.costUsd += cost;
      if (duplicateOf) acc.duplicates.push({ trainingJobName: job.name, duplicateOf });
    }
  }

  // ---- Pipeline executions ----------------------------------------------------------------------
  const pipelineStart = new Map<string, number>();
  let skippedPipelines = 0;
  for (const record of pipelineExecutions) {
    const execution = normalizePipelineExecution(record, teams);
    if (!execution) { skippedPipelines++; continue; }
    if (Number.isFinite(execution.startedAt)) pipelineStart.set(execution.arn, execution.startedAt);
    if (!inWindow(execution.startedAt)) continue;
    for (const acc of accumulatorsFor(execution.team)) {
      acc.pipelines.started++;
      if (execution.status === 'Succeeded') acc.pipelines.succeeded++;
      else if (execution.status === 'Failed') acc.pipelines.failed++;
      else if (execution.status === 'Stopped') acc.pipelines.stopped++;
    }
  }

  // ---- Model packages: registrations, approvals, cycle times -------------------------------------
  let skippedPackages = 0;
  for (const record of modelPackages) {
    const pkg = normalizeModelPackage(record, teams);
    if (!pkg) { skippedPackages++; continue; }
    const accs = accumulatorsFor(pkg.team);
    if (inWindow(pkg.createdAt)) {
      const startedAt = pipelineStart.get(pkg.generatedBy);
      for (const acc of accs) {
        acc.registeredModels++;
        if (startedAt !== undefined && pkg.createdAt >= startedAt) acc.toRegistration.push((pkg.createdAt - startedAt) / HOUR);
      }
    }
    if (pkg.approvalStatus === 'Approved' && inWindow(pkg.modifiedAt)) {
      for (const acc of accs) {
        acc.approvedModels++;
        if (Number.isFinite(pkg.createdAt) && pkg.modifiedAt >= pkg.createdAt) acc.toApproval.push((pkg.modifiedAt - pkg.createdAt) / HOUR);
      }
    }
  }

  const teamResults: Record<string, TeamFlowMetrics> = {};
  for (const team of [...perTeam.keys()].sort()) teamResults[team] = finish(team, perTeam.get(team)!, weeks, threshold, rightSizingLimit);
  return {
    window: { start: new Date(start).toISOString(), end: new Date(end).toISOString(), weeks: round(weeks) },
    total: finish(options.team ?? 'total', total, weeks, threshold, rightSizingLimit),
    teams: teamResults,
    skipped: { trainingJobs: skippedJobs, pipelineExecutions: skippedPipelines, modelPackages: skippedPackages },
  };
}
