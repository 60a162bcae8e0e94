import type { GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { getRunHostMetrics, periodFor } from '../../src/metrics/host-metrics';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 11, 1, 12);

describe('periodFor: CloudWatch retention and the points per series', () => {
  test.each([
    ['2 h, yesterday', NOW - DAY, NOW - DAY + 2 * HOUR, 60],
    ['3 days, last week: at most 1,440 periods', NOW - 7 * DAY, NOW - 4 * DAY, 180],
    ['2 h, 20 days ago: 5-minute data only', NOW - 20 * DAY, NOW - 20 * DAY + 2 * HOUR, 300],
    ['2 h, 90 days ago: hourly data only', NOW - 90 * DAY, NOW - 90 * DAY + 2 * HOUR, 3600],
    ['10 days, 30 days ago: a multiple of 300', NOW - 30 * DAY, NOW - 20 * DAY, 600],
  ])('%s', (_label, start, end, period) => {
    expect(periodFor(start, end, NOW)).toBe(period);
  });
});

describe('getRunHostMetrics: request windows and batching', () => {
  function recordingSend() {
    const inputs: GetMetricDataCommandInput[] = [];
    const send = async (input: GetMetricDataCommandInput) => {
      inputs.push(input);
      return { MetricDataResults: input.MetricDataQueries!.map((q) => ({ Id: q.Id, Timestamps: [input.StartTime!], Values: [42] })), $metadata: {} };
    };
    return { inputs, send };
  }

  test('runs more than a day apart get their own request; a run without a window gets none and no hosts', async () => {
    const { inputs, send } = recordingSend();
    const result = await getRunHostMetrics(send, [
      { trainingJobName: 'a', instanceCount: 2, start: NOW - 5 * DAY, end: NOW - 5 * DAY + HOUR },
      { trainingJobName: 'b', instanceCount: 1, start: NOW - 5 * DAY + 2 * HOUR, end: NOW - 5 * DAY + 3 * HOUR },
      { trainingJobName: 'c', instanceCount: 1, start: NOW - 2 * DAY, end: NOW - 2 * DAY + HOUR },
      { trainingJobName: 'never-started', instanceCount: 1, start: NaN, end: NOW },
    ], NOW);
    expect(inputs.map((i) => [i.MetricDataQueries!.length, i.StartTime, i.EndTime])).toEqual([
      [12, new Date(NOW - 5 * DAY), new Date(NOW - 5 * DAY + 3 * HOUR)],
      [4, new Date(NOW - 2 * DAY), new Date(NOW - 2 * DAY + HOUR)],
    ]);
    expect(inputs[0].MetricDataQueries!.map((q) => q.Id)).toEqual(Array.from({ length: 12 }, (_, i) => `q${i}`));
    expect(inputs.every((i) => i.MaxDatapoints === 100_800 && i.ScanBy === 'TimestampAscending')).toBe(true);
    expect(result.get('a')!.hosts.map((h) => h.host)).toEqual(['a/algo-1', 'a/algo-2']);
    expect(result.get('a')!.hosts[1].series.GPUUtilization).toEqual([{ t: NOW - 5 * DAY, v: 42 }]);
    expect(result.get('never-started')).toEqual({ periodSeconds: 60, hosts: [] });
  });
});
