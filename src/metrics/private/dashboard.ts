import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SCRAP_CAUSES } from './scrap-cause';
import { UTILIZATION_LOG_MESSAGE } from '../gpu-utilization';

/** The typed metrics of `FlowMetrics` the dashboard shows: every metric comes from one of them. @internal */
export interface FlowMetricSource {
  metricSuccessfulRuns(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricModelsRegistered(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricModelsApproved(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricCycleTimeToRegistration(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricCycleTimeToApproval(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricScrapRate(team: string, props?: cloudwatch.MetricOptions): cloudwatch.MathExpression;
  metricWastedGpuHours(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricWastedCost(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricScrappedRunsByCause(team: string, cause: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricWastedGpuHoursByCause(team: string, cause: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricQueueWait(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricPreemptions(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricGpuUtilization(team: string, props?: cloudwatch.MetricOptions): cloudwatch.MathExpression;
  metricIdleGpuHours(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricUnderutilizedIdleGpuHours(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricIdleGpuCost(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricUnderutilizedRuns(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricMeasuredGpuRuns(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** What the widgets show besides the metrics. @internal */
export interface FlowDashboardSettings {
  readonly title: string;
  readonly teamNames: string[];
  readonly scrapRateThresholdPercent: number;
  readonly queueWaitThresholdSeconds: number;
  readonly underutilizedGpuThresholdPercent: number;
  readonly logGroupName: string;
}

const WEEK = Duration.days(7);
const DAY = Duration.days(1);

/**
 * The widgets of the flow dashboard, one full-width `Row` per line: flow (throughput, cycle time,
 * scrap, waste, queue wait) then GPU utilization (utilization, idle GPU-hours, top idle runs).
 * Fresh widgets on each call, so they can go on several dashboards.
 *
 * @internal
 */
export function flowDashboardWidgets(flow: FlowMetricSource, settings: FlowDashboardSettings): cloudwatch.Row[] {
  return [...flowWidgets(flow, settings), ...gpuUtilizationWidgets(flow, settings)];
}

function flowWidgets(flow: FlowMetricSource, s: FlowDashboardSettings): cloudwatch.Row[] {
  const teams = s.teamNames;
  return [
    new cloudwatch.Row(new cloudwatch.TextWidget({
      markdown: `# ${s.title}\nThroughput, cycle time and scrap rate of teams ${teams.join(', ')}. ` +
        'Scrap = training runs that failed, were stopped or repeated an earlier successful run. GPU-hours are billed instance-hours.',
      width: 24,
      height: 2,
    })),
    new cloudwatch.Row(
      new cloudwatch.GraphWidget({
        title: 'Throughput per week: successful runs, registered and approved models',
        left: teams.flatMap((t) => [
          flow.metricSuccessfulRuns(t, { period: WEEK, label: `${t} SuccessfulRuns` }),
          flow.metricModelsRegistered(t, { period: WEEK, label: `${t} ModelsRegistered` }),
          flow.metricModelsApproved(t, { period: WEEK, label: `${t} ModelsApproved` }),
        ]),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Cycle time (hours): pipeline start -> registration, registration -> approval (p50, p90)',
        left: teams.flatMap((t) => [
          ...['p50', 'p90'].map((stat) => flow.metricCycleTimeToRegistration(t, { statistic: stat, period: DAY, label: `${t} PipelineToRegistration ${stat}` })),
          ...['p50', 'p90'].map((stat) => flow.metricCycleTimeToApproval(t, { statistic: stat, period: DAY, label: `${t} RegistrationToApproval ${stat}` })),
        ]),
        width: 12,
      }),
    ),
    new cloudwatch.Row(
      new cloudwatch.GraphWidget({
        title: 'Scrap rate (% of training runs, daily)',
        left: teams.map((t) => flow.metricScrapRate(t, { period: DAY })),
        leftYAxis: { min: 0, max: 100 },
        leftAnnotations: [{ value: s.scrapRateThresholdPercent, label: 'alarm' }],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Wasted GPU-hours and their estimated cost (USD), daily',
        left: teams.map((t) => flow.metricWastedGpuHours(t, { period: DAY, label: `${t} wasted GPU-hours` })),
        right: teams.map((t) => flow.metricWastedCost(t, { period: DAY, label: `${t} USD` })),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Scrapped runs by cause, weekly',
        left: teams.flatMap((t) => SCRAP_CAUSES.map((cause) => flow.metricScrappedRunsByCause(t, cause, { period: WEEK, label: `${t} ${cause}` }))),
        stacked: true,
        width: 8,
      }),
    ),
    new cloudwatch.Row(
      new cloudwatch.GraphWidget({
        title: 'Queue wait for GPU capacity (minutes, SUBMITTED -> RUNNING, p50 and p90, daily)',
        left: teams.flatMap((t, i) => ['p50', 'p90'].map((stat) => new cloudwatch.MathExpression({
          // Expression ids are unique per graph: one per team and statistic.
          expression: `wait${i}${stat} / 60`,
          usingMetrics: { [`wait${i}${stat}`]: flow.metricQueueWait(t, { statistic: stat, period: DAY }) },
          label: `${t} ${stat}`,
          period: DAY,
        }))),
        leftAnnotations: [{ value: s.queueWaitThresholdSeconds / 60, label: 'alarm (p90)' }],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Preempted attempts and their instance-hours, weekly',
        left: teams.map((t) => flow.metricPreemptions(t, { period: WEEK, label: `${t} preemptions` })),
        right: teams.map((t) => flow.metricWastedGpuHoursByCause(t, 'preempted', { period: WEEK, label: `${t} preempted GPU-hours` })),
        width: 12,
      }),
    ),
  ];
}

function gpuUtilizationWidgets(flow: FlowMetricSource, s: FlowDashboardSettings): cloudwatch.Row[] {
  const teams = s.teamNames;
  return [
    new cloudwatch.Row(new cloudwatch.TextWidget({
      markdown: '## GPU utilization\nFrom the SageMaker host metrics of finished runs, per GPU (SageMaker reports the sum over an instance\'s GPUs). ' +
        `Idle GPU-hours = GPU-hours x (1 - mean utilization). Completed runs below ${s.underutilizedGpuThresholdPercent}% are under-utilized: paid for, not used. ` +
        'Runs without host metrics are unmeasured, not 0 %.',
      width: 24,
      height: 2,
    })),
    new cloudwatch.Row(
      new cloudwatch.GraphWidget({
        title: 'GPU utilization per team (%, GPU-hour-weighted), weekly',
        left: teams.map((t) => flow.metricGpuUtilization(t, { period: WEEK })),
        leftYAxis: { min: 0, max: 100 },
        leftAnnotations: [{ value: s.underutilizedGpuThresholdPercent, label: 'under-utilized' }],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Idle GPU-hours (all and under-utilized runs) and their estimated cost (USD), weekly',
        left: teams.flatMap((t) => [
          flow.metricIdleGpuHours(t, { period: WEEK, label: `${t} idle GPU-hours` }),
          flow.metricUnderutilizedIdleGpuHours(t, { period: WEEK, label: `${t} idle GPU-hours of under-utilized runs` }),
        ]),
        right: teams.map((t) => flow.metricIdleGpuCost(t, { period: WEEK, label: `${t} idle USD` })),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Under-utilized runs (% of measured GPU runs), weekly',
        left: teams.map((t) => {
          const teamId = t.replace(/-/g, '_');
          return new cloudwatch.MathExpression({
            expression: `100 * under_${teamId} / measured_${teamId}`,
            usingMetrics: {
              [`under_${teamId}`]: flow.metricUnderutilizedRuns(t, { period: WEEK }),
              [`measured_${teamId}`]: flow.metricMeasuredGpuRuns(t, { period: WEEK }),
            },
            period: WEEK,
            label: `${t} under-utilized %`,
          });
        }),
        leftYAxis: { min: 0, max: 100 },
        width: 8,
      }),
    ),
    // The collector logs one structured line per finished GPU run: a table of the runs that left
    // the most GPU-hours idle, with the cheapest catalogue configuration that would have fitted.
    new cloudwatch.Row(...teams.map((t) => new cloudwatch.LogQueryWidget({
      title: `Top idle GPU-hours: ${t} (right-sizing advice)`,
      logGroupNames: [s.logGroupName],
      view: cloudwatch.LogQueryVisualizationType.TABLE,
      queryLines: [
        'fields @timestamp, trainingJobName, instanceCount, instanceType, gpuUtilizationPercent, peakGpuMemoryGib, idleGpuHours, idleCostUsd, suggestedInstanceType, suggestedSavingUsd',
        `filter message = "${UTILIZATION_LOG_MESSAGE}" and team = "${t}" and isPresent(gpuUtilizationPercent)`,
        'sort idleGpuHours desc',
        'limit 10',
      ],
      width: 12,
      height: 6,
    }))),
  ];
}
