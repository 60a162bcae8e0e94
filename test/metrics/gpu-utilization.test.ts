import { trainingJob, WINDOW } from './fixtures';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { computeFlowMetrics } from '../../src/metrics/flow-metrics-core';
import { gpuCatalogueEntries } from '../../src/metrics/gpu-catalogue';
import {
  assessRunUtilization,
  decodeGpuCatalogue,
  encodeGpuCatalogue,
  HostSeries,
  MetricPoint,
  suggestRightSizing,
  summarizeHostMetrics,
} from '../../src/metrics/gpu-utilization';

const CATALOGUE = gpuCatalogueEntries();
const entry = (type: string) => CATALOGUE.find((e) => e.instanceType === type)!;
const MINUTE = 60_000;

/** One datapoint per minute over [start, end) with `value(i)`. */
function points(start: number, end: number, value: (i: number) => number): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (let t = start, i = 0; t < end; t += MINUTE, i++) out.push({ t, v: value(i) });
  return out;
}

/** The host metrics of a run's instances, SageMaker-scaled (GPU figures summed over the GPUs). */
function hosts(job: string, count: number, start: number, end: number, gpuSum: (i: number) => number, memorySum: number): HostSeries[] {
  return Array.from({ length: count }, (_, n) => ({
    host: `${job}/algo-${n + 1}`,
    series: {
      GPUUtilization: points(start, end, gpuSum),
      GPUMemoryUtilization: points(start, end, () => memorySum),
      CPUUtilization: points(start, end, () => 400),
      MemoryUtilization: points(start, end, () => 30),
    },
  }));
}

describe('summarizeHostMetrics: SageMaker scale (0-100 x GPUs) normalized, time-weighted', () => {
  const start = Date.UTC(2026, 10, 3, 10);
  const end = start + 2 * 3_600_000;

  test('a 4-GPU instance reporting 100 (of 400) is 25 % busy; memory 200 (of 400) is 50 % of its GPU memory', () => {
    const summary = summarizeHostMetrics(hosts('j', 1, start, end, () => 100, 200), { start, end }, 60, entry('ml.g5.12xlarge'));
    expect(summary.measured).toBe(true);
    if (!summary.measured) return;
    expect(summary.sample.meanPercent).toBeCloseTo(25, 6);
    expect(summary.sample.p95Percent).toBeCloseTo(25, 6);
    expect(summary.sample.peakMemoryPercent).toBeCloseTo(50, 6);
    // CPUUtilization is summed over the 48 vCPUs too: 400 -> 8.33 %.
    expect(summary.sample.cpuMeanPercent).toBeCloseTo(400 / 48, 6);
  });

  test('datapoints weigh by their overlap with the training window; p95 is time-weighted', () => {
    // 10 minutes at 100 % then 90 minutes at 0 %, plus a period starting 30 s before the window (half weight).
    const tail = points(start + 30_000, start + 100 * MINUTE + 30_000, (i) => (i < 10 ? 100 : 0));
    const series: MetricPoint[] = [{ t: start - 30_000, v: 100 }, ...tail];
    const summary = summarizeHostMetrics([{ host: 'j/algo-1', series: { GPUUtilization: series } }], { start, end: start + 100 * MINUTE }, 60, { gpuCount: 1, vcpus: 8 });
    if (!summary.measured) throw new Error('expected measured');
    // Weights: 30 s at 100, 10 x 60 s at 100, 89 x 60 s + 30 s at 0 (the last period is cut by the window end).
    expect(summary.sample.meanPercent).toBeCloseTo((30 + 600) * 100 / 6000, 6);
    expect(summary.sample.p95Percent).toBe(100);
  });

  test('no GPU datapoint in the window is unmeasured, never 0 %', () => {
    expect(summarizeHostMetrics([], { start, end }, 60, { gpuCount: 8, vcpus: 96 })).toEqual({ measured: false, reason: 'no-host-metrics' });
    const outside = [{ host: 'j/algo-1', series: { GPUUtilization: points(end, end + 10 * MINUTE, () => 50) } }];
    expect(summarizeHostMetrics(outside, { start, end }, 60, { gpuCount: 8, vcpus: 96 }).measured).toBe(false);
  });
});

describe('computeFlowMetrics: utilization, idle GPU-hours and under-utilized runs', () => {
  // GIVEN a 4-GPU run at 25 % (g5.12xlarge, 2 instances x 3 h), a 1-GPU run at 85 %, a run without
  // host metrics and a failed run at 10 % (scrap, so not under-utilized)
  const jobs = [
    trainingJob('fraud-quad', { instanceType: 'ml.g5.12xlarge', instanceCount: 2, hours: 3, learningRate: '0.1' }),
    trainingJob('fraud-single', { instanceType: 'ml.g5.2xlarge', hours: 4, learningRate: '0.2' }),
    trainingJob('fraud-unmeasured', { instanceType: 'ml.g5.2xlarge', hours: 1, learningRate: '0.3' }),
    trainingJob('fraud-failed', { instanceType: 'ml.g5.2xlarge', hours: 2, status: 'Failed', failureReason: 'AlgorithmError: boom', learningRate: '0.4' }),
    trainingJob('risk-cpu', { team: 'risk', instanceType: 'ml.m5.xlarge', hours: 2 }),
  ];
  const sample = (mean: number, p95 = mean, memory = 50) => ({ meanPercent: mean, p95Percent: p95, peakMemoryPercent: memory });
  const result = computeFlowMetrics(
    { trainingJobs: jobs, gpuUtilization: { 'fraud-quad': sample(25), 'fraud-single': sample(85), 'fraud-failed': sample(10) } },
    WINDOW,
    { gpuCatalogue: CATALOGUE },
  );
  const fraud = result.teams.fraud;

  test('a 4-GPU run at 25 % mean leaves 0.75 x its GPU-hours idle and is under-utilized', () => {
    const quad = assessRunUtilization({ instanceType: 'ml.g5.12xlarge', instanceCount: 2, instanceHours: 6 }, entry('ml.g5.12xlarge'), sample(25));
    expect(quad.gpuHours).toBe(24); // 6 instance-hours x 4 GPUs
    expect(quad.idleGpuHours).toBeCloseTo(0.75 * 24, 9);
    expect(quad.idleCostUsd).toBeCloseTo(0.75 * 6 * 7.09, 9);
    expect(quad.belowThreshold).toBe(true);
    expect(fraud.gpuUtilization.underutilizedRuns).toBe(1);
    expect(fraud.rightSizing.map((r) => r.trainingJobName)).toEqual(['fraud-quad']);
  });

  test('a single-GPU run at 85 % is not flagged; a failed run is scrap, not under-utilized', () => {
    const single = assessRunUtilization({ instanceType: 'ml.g5.2xlarge', instanceCount: 1, instanceHours: 4 }, entry('ml.g5.2xlarge'), sample(85));
    expect(single.belowThreshold).toBe(false);
    expect(single.idleGpuHours).toBeCloseTo(0.6, 9);
    // measured: quad, single, failed; the failed one counts for utilization but not as under-utilized
    expect(fraud.gpuUtilization.measuredRuns).toBe(3);
    expect(fraud.gpuUtilization.underutilizedShare).toBe(0.3333);
  });

  test('a run without host metrics is unmeasured and leaves the mean alone; a CPU type is not a GPU run', () => {
    expect(assessRunUtilization({ instanceType: 'ml.g5.2xlarge', instanceCount: 1, instanceHours: 1 }, entry('ml.g5.2xlarge'), undefined))
      .toEqual(expect.objectContaining({ measured: false, unmeasuredReason: 'no-host-metrics', idleGpuHours: 0, belowThreshold: false }));
    expect(assessRunUtilization({ instanceType: 'ml.m5.xlarge', instanceCount: 1, instanceHours: 1 }, undefined, sample(5)).unmeasuredReason).toBe('not-a-gpu-instance');
    expect(fraud.gpuUtilization.unmeasuredRuns).toBe(1);
    expect(result.teams.risk.gpuUtilization).toEqual(expect.objectContaining({ measuredRuns: 0, unmeasuredRuns: 0, meanPercent: null }));
    // GPU-hour-weighted mean: (24 x 25 + 4 x 85 + 2 x 10) / 30
    expect(fraud.gpuUtilization.meanPercent).toBeCloseTo((24 * 25 + 4 * 85 + 2 * 10) / 30, 2);
  });

  test('idle GPU-hours of every measured run, and the under-utilized waste figure next to scrap', () => {
    expect(fraud.idleGpuHours.hours).toBeCloseTo(18 + 0.6 + 1.8, 4);
    expect(fraud.idleGpuHours.underutilizedHours).toBeCloseTo(18, 4);
    expect(fraud.idleGpuHours.underutilizedCostUsd).toBeCloseTo(0.75 * 6 * 7.09, 2);
    expect(result.total.idleGpuHours.underutilizedHours).toBeCloseTo(18, 4);
  });

  test('the threshold is an option', () => {
    const strict = computeFlowMetrics({ trainingJobs: jobs, gpuUtilization: { 'fraud-single': sample(85) } }, WINDOW, { gpuCatalogue: CATALOGUE, underutilizedGpuThresholdPercent: 90 });
    expect(strict.teams.fraud.gpuUtilization.underutilizedRuns).toBe(1);
    expect(() => computeFlowMetrics({}, WINDOW, { underutilizedGpuThresholdPercent: 0 })).toThrow(/underutilizedGpuThresholdPercent/);
  });
});

describe('suggestRightSizing: catalogue configurations that would have fitted', () => {
  const p4dRun = { instanceType: 'ml.p4d.24xlarge', instanceCount: 1, instanceHours: 10 };

  test('a p4d.24xlarge run with a 9 GiB peak at 11 % gets smaller suggestions with their saving', () => {
    // GIVEN 9 GiB of 320 GiB at peak, 11 % mean, 18 % p95 (2 of 8 A100s busy at most)
    const utilization = assessRunUtilization(p4dRun, entry('ml.p4d.24xlarge'), { meanPercent: 11, p95Percent: 18, peakMemoryPercent: (9 / 320) * 100 });
    expect(utilization.peakMemoryGib).toBeCloseTo(9, 9);
    // WHEN
    const suggestions = suggestRightSizing(p4dRun, utilization, CATALOGUE);
    // THEN cheapest first: 4 x L4 (ml.g6.12xlarge), then 4 x A10G (ml.g5.12xlarge); one instance each
    expect(suggestions.map((s) => s.instanceType)).toEqual(['ml.g6.12xlarge', 'ml.g5.12xlarge', 'ml.g5.48xlarge']);
    expect(suggestions[0]).toEqual(expect.objectContaining({
      instanceCount: 1, gpus: 4, currentCostUsd: 252.51, estimatedCostUsd: 57.52, savingUsd: 194.99,
    }));
    for (const s of suggestions) expect(s.savingUsd).toBeCloseTo(s.currentCostUsd - s.estimatedCostUsd, 2);
  });

  test('a compute-bound run only gets the same or a newer GPU generation', () => {
    // GIVEN a 1-GPU A10G run (compute capability 8.6) at 35 % mean, 2.4 GiB peak
    const run = { instanceType: 'ml.g5.2xlarge', instanceCount: 1, instanceHours: 10 };
    const bursty = assessRunUtilization(run, entry('ml.g5.2xlarge'), { meanPercent: 35, p95Percent: 85, peakMemoryPercent: 10 });
    const idle = assessRunUtilization(run, entry('ml.g5.2xlarge'), { meanPercent: 35, p95Percent: 50, peakMemoryPercent: 10 });
    // THEN compute-bound (p95 >= 80 %): L4 (8.9) and A10G (8.6), not the older T4 (7.5)
    expect(suggestRightSizing(run, bursty, CATALOGUE).map((s) => s.instanceType)).toEqual(['ml.g6.xlarge', 'ml.g5.xlarge']);
    // not compute-bound: the T4 too, cheapest first
    expect(suggestRightSizing(run, idle, CATALOGUE).map((s) => s.instanceType)).toEqual(['ml.g4dn.xlarge', 'ml.g6.xlarge', 'ml.g5.xlarge']);
  });

  test('a run near its memory limit gets none', () => {
    const utilization = assessRunUtilization(p4dRun, entry('ml.p4d.24xlarge'), { meanPercent: 11, p95Percent: 18, peakMemoryPercent: 92 });
    expect(suggestRightSizing(p4dRun, utilization, CATALOGUE)).toEqual([]);
  });

  test('an unmeasured run, or one on an unpriced type, gets none', () => {
    const unmeasured = assessRunUtilization(p4dRun, entry('ml.p4d.24xlarge'), undefined);
    expect(suggestRightSizing(p4dRun, unmeasured, CATALOGUE)).toEqual([]);
  });

  test('the entries come from the GpuProfile catalogue: its plain data (the CLI) and GpuProfile.all() (the construct) agree', () => {
    expect(gpuCatalogueEntries(GpuProfile.all())).toEqual(CATALOGUE);
    expect(CATALOGUE).toHaveLength(GpuProfile.all().length);
    expect(entry('ml.p4d.24xlarge')).toEqual({
      instanceType: 'ml.p4d.24xlarge', gpuCount: 8, gpuMemoryGib: 40, vcpus: 96, computeCapability: 8.0, nvidia: true, multiNode: true, pricePerHourUsd: 25.2513,
    });
    expect(entry('ml.trn1.32xlarge')).toEqual(expect.objectContaining({ nvidia: false, computeCapability: undefined }));
    expect(gpuCatalogueEntries(GpuProfile.all(), { 'ml.g5.2xlarge': 1.2 }).find((e) => e.instanceType === 'ml.g5.2xlarge')!.pricePerHourUsd).toBe(1.2);
  });

  test('the compact catalogue encoding round-trips and fits a Lambda environment', () => {
    const text = encodeGpuCatalogue(CATALOGUE);
    expect(text.length).toBeLessThan(1200);
    expect(decodeGpuCatalogue(text)).toEqual(CATALOGUE.map((e) => ({ ...e, computeCapability: e.computeCapability })));
    expect(decodeGpuCatalogue('not json')).toEqual([]);
  });
});
