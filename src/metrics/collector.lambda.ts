// The FlowMetrics collector: receives SageMaker training-job, pipeline-execution and model-package
// state changes from EventBridge, enriches training jobs with DescribeTrainingJob, de-duplicates
// with conditional writes to a DynamoDB table (TTL), and publishes CloudWatch metrics in embedded
// metric format (namespace Trainyard/Flow, dimension Team). For finished GPU runs it also reads the
// host metrics with CloudWatch GetMetricData (GPU utilization, idle GPU-hours, right-sizing advice),
// stores them with the run record and logs them for the dashboard's Logs Insights table.
// Bundled by esbuild at build time.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { EventBridgeEvent } from 'aws-lambda';
import { DEFAULT_TRAINING_PRICES } from './flow-metrics-core';
import { decodeGpuCatalogue, DEFAULT_UNDERUTILIZED_GPU_THRESHOLD_PERCENT, UTILIZATION_LOG_MESSAGE } from './gpu-utilization';
import { getRunHostMetrics } from './host-metrics';
import { CollectorSettings, DedupStore, HostMetricsSource, processEvent, TrainingJobSource } from './private/collector-logic';

/** The metric namespace. */
export const NAMESPACE = 'Trainyard/Flow';

const logger = new Logger({ serviceName: 'trainyard-flow-collector' });
const dynamodb = new DynamoDBClient({ retryMode: 'standard' });
const sagemaker = new SageMakerClient({ retryMode: 'adaptive' });
const cloudwatch = new CloudWatchClient({ retryMode: 'adaptive' });


function settingsFromEnv(env: NodeJS.ProcessEnv): CollectorSettings {
  let prices: Record<string, number> = {};
  try {
    prices = env.PRICES_JSON ? JSON.parse(env.PRICES_JSON) : {};
  } catch {
    logger.warn('PRICES_JSON is not valid JSON; using the default price table');
  }
  return {
    teams: (env.TEAMS ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    ttlSeconds: Number(env.DEDUP_TTL_SECONDS ?? 90 * 86400),
    pricePerInstanceHour: (type) => prices[type] ?? DEFAULT_TRAINING_PRICES[type],
    now: () => Date.now(),
    gpuCatalogue: decodeGpuCatalogue(env.GPU_CATALOGUE_JSON),
    underutilizedThresholdPercent: numberOr(env.UNDERUTILIZED_GPU_THRESHOLD_PERCENT, DEFAULT_UNDERUTILIZED_GPU_THRESHOLD_PERCENT),
    metricsGraceMs: numberOr(env.HOST_METRICS_GRACE_SECONDS, 180) * 1000,
    metricsRetryDelaysMs: (env.HOST_METRICS_RETRY_DELAYS_MS ?? '5000,10000').split(',').map(Number).filter((n) => Number.isFinite(n) && n >= 0),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

function numberOr(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return text !== undefined && text !== '' && Number.isFinite(n) ? n : fallback;
}

function dynamoStore(tableName: string): DedupStore {
  const toItem = (key: string, attributes: Record<string, string | number>) => {
    const item: Record<string, any> = { pk: { S: key } };
    for (const [k, v] of Object.entries(attributes)) item[k] = typeof v === 'number' ? { N: String(v) } : { S: v };
    return item;
  };
  const fromItem = (item: Record<string, any> | undefined) => {
    if (!item) return undefined;
    const out: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(item)) out[k] = v.N !== undefined ? Number(v.N) : v.S;
    return out;
  };
  return {
    async putIfAbsent(key, attributes) {
      try {
        await dynamodb.send(new PutItemCommand({
          TableName: tableName,
          Item: toItem(key, attributes),
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }));
        return { written: true };
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException || (e as Error)?.name === 'ConditionalCheckFailedException') {
          return { written: false, existing: fromItem((e as ConditionalCheckFailedException).Item) };
        }
        throw e;
      }
    },
    async put(key, attributes) {
      await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: toItem(key, attributes) }));
    },
    async get(key) {
      const result = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: key } }, ConsistentRead: true }));
      return fromItem(result.Item);
    },
  };
}

const describer: TrainingJobSource = {
  async describe(trainingJobName) {
    try {
      return await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: trainingJobName })) as any;
    } catch (e) {
      const name = (e as Error)?.name;
      // Not allowed (a job of another team) or gone: count from the event detail alone.
      if (name === 'AccessDeniedException' || name === 'ResourceNotFound' || name === 'ValidationException') {
        logger.warn('DescribeTrainingJob failed; using the event detail', { trainingJobName, error: name });
        return undefined;
      }
      throw e;
    }
  },
};

const hostMetrics: HostMetricsSource = {
  async get(run) {
    const result = await getRunHostMetrics((input) => cloudwatch.send(new GetMetricDataCommand(input)), [run], Date.now());
    return result.get(run.trainingJobName) ?? { periodSeconds: 60, hosts: [] };
  },
};

/** The Lambda entry point (EventBridge target). */
export async function handler(event: EventBridgeEvent<string, unknown>): Promise<void> {
  const settings = settingsFromEnv(process.env);
  const outcome = await processEvent(event, dynamoStore(process.env.TABLE_NAME ?? ''), describer, settings, hostMetrics);
  logger.info('processed', { eventId: event?.id, detailType: event?.['detail-type'], team: outcome.team, skipped: outcome.skipped, metrics: outcome.metrics.length });
  if (outcome.utilization && outcome.metrics.length > 0) {
    const u = outcome.utilization;
    const best = u.rightSizing[0];
    // Flat fields: Logs Insights discovers them (the dashboard sorts runs by idleGpuHours).
    logger.info(UTILIZATION_LOG_MESSAGE, {
      team: outcome.team,
      trainingJobName: u.trainingJobName,
      instanceType: u.instanceType,
      instanceCount: u.instanceCount,
      measured: u.measured,
      unmeasuredReason: u.unmeasuredReason,
      gpuUtilizationPercent: u.gpuUtilizationPercent,
      gpuUtilizationP95Percent: u.gpuUtilizationP95Percent,
      peakGpuMemoryGib: u.peakGpuMemoryGib,
      cpuUtilizationPercent: u.cpuUtilizationPercent,
      gpuHours: u.gpuHours,
      idleGpuHours: u.idleGpuHours,
      idleCostUsd: u.idleCostUsd,
      underutilized: u.underutilized ? 1 : 0,
      suggestedInstanceType: best ? `${best.instanceCount} x ${best.instanceType}` : undefined,
      suggestedSavingUsd: best?.savingUsd,
      rightSizing: u.rightSizing,
    });
  }
  if (!outcome.team || outcome.metrics.length === 0) return;

  // Metrics of another team (a Batch event completing a run's scrap names the run's team) go out under that team.
  const teams = [...new Set(outcome.metrics.map((m) => m.team ?? outcome.team!))];
  for (const team of teams) {
    const metrics = new Metrics({ namespace: NAMESPACE, serviceName: 'trainyard-flow' });
    // Team is the only dimension: drop Powertools' default `service` dimension.
    metrics.clearDefaultDimensions();
    metrics.addDimension('Team', team);
    for (const m of outcome.metrics.filter((x) => (x.team ?? outcome.team) === team)) {
      const unit = m.unit === 'Count' ? MetricUnit.Count : m.unit === 'Percent' ? MetricUnit.Percent : MetricUnit.NoUnit;
      if (m.cause) {
        const single = metrics.singleMetric();
        single.clearDefaultDimensions();
        single.addDimensions({ Team: team, Cause: m.cause });
        single.addMetric(m.name, unit, m.value);
      } else {
        metrics.addMetric(m.name, unit, m.value);
      }
    }
    metrics.publishStoredMetrics();
  }
}
