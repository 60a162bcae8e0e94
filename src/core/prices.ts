/**
 * Trainyard's one price table: what SageMaker training instances cost per hour (the `GpuProfile`
 * catalogue, flow metrics' wasted-GPU cost and the collector read it), and what the resources
 * Trainyard templates create cost per month when no job runs (`trainyard cost`). One region; each
 * part says when and where its prices were looked up.
 *
 * Plain data, no aws-cdk-lib: the CLI and the Lambda handlers bundle it.
 */

/**
 * When the training prices (`TRAINING_USD_PER_INSTANCE_HOUR`) were looked up: us-east-1 SageMaker
 * training on-demand list prices as published in the AWS Price List (AmazonSageMaker offer)
 * snapshot of this date. They include the mid-2025 P4d/P4de/P5 price reduction (SageMaker price =
 * EC2 on-demand price x 1.15 for those). ml.g4dn.xlarge is 0.7364 there (EC2 g4dn.xlarge 0.526 x 1.4);
 * an older flow-metrics fallback table rounded it to 0.736 and still had the pre-reduction P4d/P5 prices.
 */
export const TRAINING_PRICE_DATE = '2026-09-27';

/**
 * On-demand SageMaker *training* prices in USD per instance-hour, us-east-1, of every instance type
 * of the GpuProfile catalogue. Regional prices differ: pass your own where it matters
 * (`GpuProfile.of(..., { onDemandHourlyUsd })`, `FlowMetrics.pricesPerInstanceHour`).
 */
export const TRAINING_USD_PER_INSTANCE_HOUR: Readonly<Record<string, number>> = {
  'ml.g4dn.xlarge': 0.7364,
  'ml.g5.xlarge': 1.408,
  'ml.g5.2xlarge': 1.515,
  'ml.g5.12xlarge': 7.09,
  'ml.g5.48xlarge': 20.36,
  'ml.g6.xlarge': 1.127,
  'ml.g6.12xlarge': 5.752,
  'ml.g6e.xlarge': 2.61,
  'ml.p3.2xlarge': 3.825,
  'ml.p4d.24xlarge': 25.2513,
  'ml.p4de.24xlarge': 31.5641,
  'ml.p5.48xlarge': 63.296,
  'ml.trn1.32xlarge': 24.73,
};

/**
 * The training price of `instanceType` in this table. Throws for a type the table does not list,
 * so that a catalogue entry cannot go unpriced.
 */
export function trainingPrice(instanceType: string): number {
  const price = TRAINING_USD_PER_INSTANCE_HOUR[instanceType];
  if (price === undefined) {
    throw new Error(`The price table (src/core/prices.ts) has no training price for ${instanceType}.`);
  }
  return price;
}

// ---- Idle resources (`trainyard cost`) -----------------------------------------------------------
// List prices (on-demand, no free tier unless stated) in US East (N. Virginia), looked up on
// PRICE_DATE. A month is 730 hours, as AWS's own calculators use.

/** The region every price of this table is for. */
export const PRICE_REGION = 'us-east-1';

/** When the idle-resource prices (`PRICES`) were looked up (ISO date). */
export const PRICE_DATE = '2026-11-28';

/** Hours in the billing month used for hourly prices. */
export const HOURS_PER_MONTH = 730;

/** One price of the table. */
export interface Price {
  /** USD per unit. */
  readonly usd: number;
  /** The unit, for example `endpoint-AZ-hour` or `key-month`. */
  readonly unit: string;
  /** Where the price comes from. */
  readonly source: string;
}

/** Every price the estimate uses. */
export const PRICES = {
  /** An interface VPC endpoint bills per hour in each Availability Zone it has an ENI in. */
  interfaceEndpointAzHour: {
    usd: 0.01,
    unit: 'endpoint-AZ-hour',
    source: 'https://aws.amazon.com/privatelink/pricing/ (billed per endpoint per AZ per hour); $0.01/h per AZ in us-east-1 per https://c3x.dev/resources/aws/aws_vpc_endpoint',
  },
  natGatewayHour: {
    usd: 0.045,
    unit: 'NAT-gateway-hour',
    source: 'https://basavytix.com/blog/aws-nat-gateway-pricing (us-east-1 $0.045/h; data processing $0.045/GB extra)',
  },
  publicIpv4Hour: {
    usd: 0.005,
    unit: 'public-IPv4-hour',
    source: 'https://cloudburn.io/blog/aws-nat-gateway-pricing (public IPv4 address $0.005/h)',
  },
  kmsKeyMonth: {
    usd: 1,
    unit: 'key-month',
    source: 'AWS KMS pricing, $1 per customer managed key per month (https://gist.github.com/dasgoll/b88d5be05dcc0deb052ad40446c2fb40); rotations in the first two years add $1 each, not included',
  },
  secretMonth: {
    usd: 0.4,
    unit: 'secret-month',
    source: 'https://aws.amazon.com/secrets-manager/pricing/ ($0.40 per secret per month)',
  },
  alarmMetricMonth: {
    usd: 0.1,
    unit: 'alarm-metric-month',
    source: 'https://aws.amazon.com/cloudwatch/pricing/ standard-resolution alarm $0.10 per alarm metric per month (https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm); first 10 alarm metrics per account free, not deducted',
  },
  compositeAlarmMonth: {
    usd: 0.5,
    unit: 'composite-alarm-month',
    source: 'https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm ($0.50 per composite alarm per month)',
  },
  dashboardMonth: {
    usd: 3,
    unit: 'dashboard-month',
    source: 'https://aws.amazon.com/cloudwatch/pricing/ ($3 per custom dashboard per month; the first 3 per account are free and are deducted from the total only)',
  },
  mlflowTrackingServerHour: {
    // Not confirmed by a fetched page: check https://aws.amazon.com/sagemaker/pricing/ before relying on it.
    Small: { usd: 0.642, unit: 'tracking-server-hour', source: 'SageMaker pricing page, MLflow tracking server Small (unverified here: re-check)' },
    Medium: { usd: 1.264, unit: 'tracking-server-hour', source: 'SageMaker pricing page, MLflow tracking server Medium (unverified here: re-check)' },
    Large: { usd: 2.528, unit: 'tracking-server-hour', source: 'SageMaker pricing page, MLflow tracking server Large (unverified here: re-check)' },
  } as Record<string, Price>,
  efsStandardGbMonth: {
    usd: 0.3,
    unit: 'GB-month',
    source: 'https://aws.amazon.com/efs/pricing/ ($0.30/GB-month Standard storage)',
  },
} satisfies Record<string, Price | Record<string, Price>>;

/**
 * Resource types that cost nothing while idle (they bill per request, per GB stored or per run).
 * Listed so the report can say they were considered.
 */
export const FREE_AT_IDLE: Record<string, string> = {
  'AWS::S3::Bucket': 'per GB stored and per request',
  'AWS::DynamoDB::Table': 'on-demand: per request and per GB stored (provisioned capacity is flagged)',
  'AWS::Lambda::Function': 'per request and per GB-second',
  'AWS::SageMaker::Pipeline': 'per step run',
  'AWS::SageMaker::ModelPackageGroup': 'free; model artifacts bill as S3 storage',
  'AWS::SageMaker::MlflowApp': 'serverless MLflow: no instance while idle',
  'AWS::SageMaker::Domain': 'the domain is free; its home EFS volume bills per GB stored ($0.30/GB-month) and apps per hour while running',
  'AWS::EFS::FileSystem': 'per GB stored ($0.30/GB-month Standard); empty at deploy',
  'AWS::ECR::Repository': 'per GB stored',
  'AWS::Logs::LogGroup': 'per GB ingested and stored',
  'AWS::SNS::Topic': 'per message',
  'AWS::SQS::Queue': 'per request',
  'AWS::Events::Rule': 'per event',
  'AWS::Scheduler::Schedule': 'per invocation',
  'AWS::StepFunctions::StateMachine': 'per state transition',
  'AWS::Batch::ComputeEnvironment': 'scales to zero instances (minvCpus 0); EC2 bills while jobs run',
  'AWS::Batch::JobQueue': 'free',
  'AWS::Batch::ServiceEnvironment': 'capacity pool (TrainingCapacityPool): free; SageMaker bills the training jobs it runs',
  'AWS::Batch::SchedulingPolicy': 'free',
  'AWS::Batch::QuotaShare': 'free',
  'AWS::Lambda::EventSourceMapping': 'free (SQS polling requests are part of the queue\'s per-request price)',
  'AWS::EC2::VPC': 'free',
  'AWS::EC2::Subnet': 'free',
  'AWS::EC2::SecurityGroup': 'free',
  'AWS::EC2::FlowLog': 'per GB of logs delivered',
  'AWS::Budgets::Budget': 'budgets without actions are free',
};

/**
 * Resource types that bill by the hour but that the table cannot price from the template alone
 * (the price depends on an instance type or capacity). They are listed as not estimated.
 */
export const HOURLY_NOT_PRICED: Record<string, string> = {
  'AWS::EC2::Instance': 'EC2 instance hours',
  'AWS::SageMaker::Endpoint': 'real-time endpoint instance hours',
  'AWS::SageMaker::NotebookInstance': 'notebook instance hours',
  'AWS::RDS::DBInstance': 'database instance hours',
  'AWS::RDS::DBCluster': 'database cluster hours',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'load balancer hours and LCUs',
  'AWS::ElastiCache::CacheCluster': 'cache node hours',
  'AWS::OpenSearchService::Domain': 'search instance hours',
  'AWS::EKS::Cluster': 'cluster hours',
  'AWS::EC2::TransitGatewayAttachment': 'attachment hours',
  'AWS::EC2::ClientVpnEndpoint': 'association hours',
};
