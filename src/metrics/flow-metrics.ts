import { Aws, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CollectorFunction } from './collector-function';
import { gpuCatalogueEntries } from './gpu-catalogue';
import { DEFAULT_UNDERUTILIZED_GPU_THRESHOLD_PERCENT, encodeGpuCatalogue } from './gpu-utilization';
import { FlowDashboardSettings, flowDashboardWidgets } from './private/dashboard';
import { flowEventRules } from './private/event-patterns';
import { SCRAP_CAUSES } from './private/scrap-cause';
import { Acknowledgements } from '../core/acknowledgements';
import { TrainyardValidationError } from '../core/errors';
import { AcknowledgementCatalogue } from '../core/private/acknowledgement-catalogue';
import { validateTeamName } from '../core/team-name';
import { TrainyardKey } from '../core/trainyard-key';
import { requireDuration, requireEmailList, requireIntegerInRange, requireRemovalPolicy, requireRetentionDays, requireWholeSeconds } from '../core/validate';
import { GpuProfile } from '../environment/gpu-profile';
import { ITrainingEnvironment } from '../environment/training-environment';
import { IMlPlatform, MlPlatform } from '../platform/ml-platform';
import { requirePlatform, requirePlatformEndpoints } from '../platform/private/platform-checks';

const DAY = Duration.days(1);
const WEEK = Duration.days(7);

/** `cause`, checked against the scrap causes the collector publishes as the `Cause` dimension. */
function requireCause(prop: string, cause: string): string {
  if (!(SCRAP_CAUSES as readonly string[]).includes(cause)) {
    throw new TrainyardValidationError(prop, `must be one of ${SCRAP_CAUSES.join(', ')}, got '${String(cause)}'.`);
  }
  return cause;
}

/** The largest p90 alarm threshold (cycle time, queue wait) FlowMetrics accepts: a year. */
const MAX_P90_THRESHOLD_SECONDS = 365 * 24 * 3600;

/**
 * Properties of `FlowMetrics`.
 */
export interface FlowMetricsProps {
  /**
   * The platform whose isolated subnets the collector runs in: an `MlPlatform`, or one imported
   * with `MlPlatform.fromPlatformName`. The collector reaches the platform's SageMaker API interface
   * endpoint and DynamoDB gateway endpoint; nothing is added to the platform's stack.
   */
  readonly platform: IMlPlatform;

  /**
   * The team environments to measure. Their `teamName` selects the events (training jobs tagged
   * `trainyard:team`, pipelines and model package groups named `<team>` or `<team>-...`) and is the
   * `Team` dimension of every metric.
   *
   * @default - none; give `environments` or `teamNames` (or both)
   */
  readonly environments?: ITrainingEnvironment[];

  /**
   * Further team names to measure, for teams whose environment lives in another app.
   *
   * @default - none
   */
  readonly teamNames?: string[];

  /**
   * Alarm when the share of scrapped training runs over one day is above this percentage (0-100).
   *
   * @default 30
   */
  readonly scrapRateThresholdPercent?: number;

  /**
   * A completed, non-scrap training run whose mean GPU utilization (from the SageMaker host metrics,
   * normalized by the instance's GPU count) is below this percentage is flagged under-utilized: its
   * idle GPU-hours and their cost are the second waste figure next to scrap, and it gets
   * right-sizing advice. The weekly utilization alarm uses the same threshold.
   *
   * @default 40
   */
  readonly underutilizedGpuThresholdPercent?: number;

  /**
   * The teams that get an alarm when their GPU-hour-weighted GPU utilization over a week is below
   * `underutilizedGpuThresholdPercent`. An empty list turns the alarm off.
   *
   * @default - every measured team
   */
  readonly gpuUtilizationAlarmTeams?: string[];

  /**
   * Alarm when the 90th percentile of the time from pipeline start to model registration, over one
   * day, is above this. A whole number of seconds, from 1 second to 365 days.
   *
   * @default Duration.hours(48)
   */
  readonly cycleTimeP90Threshold?: Duration;

  /**
   * Alarm when the 90th percentile of the time queued training jobs (a `TrainingCapacityPool`) waited
   * for capacity, from SUBMITTED to RUNNING, over one day, is above this. A whole number of seconds,
   * from 1 second to 365 days.
   *
   * @default Duration.hours(2)
   */
  readonly queueWaitP90Threshold?: Duration;

  /**
   * Where alarms go. Give your own topic to route them to an existing on-call channel.
   *
   * @default - a new SNS topic, encrypted with the metrics key, that accepts only TLS publishers
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Email addresses subscribed to the alarm topic (each must confirm the subscription).
   *
   * @default - none
   */
  readonly alarmEmails?: string[];

  /**
   * The key that encrypts the de-duplication table, the dead-letter queue, the alarm topic, the
   * collector's log group and its environment variables.
   *
   * @default - a new customer-managed key with rotation, retained on delete
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * On-demand USD prices per instance-hour by SageMaker instance type, used for the wasted-cost
   * metric. Merged over the reference prices of the `GpuProfile` catalogue (`onDemandHourlyUsd`),
   * which are merged over the core's fallback table (`DEFAULT_TRAINING_PRICES`).
   *
   * @default - the GpuProfile catalogue prices, then the core's fallback table
   */
  readonly pricesPerInstanceHour?: { [instanceType: string]: number };

  /**
   * How long the collector's logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * How long de-duplication records (and the fingerprints used to detect duplicate runs) are kept.
   *
   * @default Duration.days(90)
   */
  readonly deduplicationTtl?: Duration;

  /**
   * The most concurrent executions the collector may use (reserved from the account's pool).
   *
   * @default 5
   */
  readonly reservedConcurrency?: number;

  /**
   * What happens to the table, key and log group when the construct is removed.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Throughput, cycle time and scrap rate of ML work, measured from real SageMaker events.
 *
 * EventBridge rules send the teams' training-job, pipeline-execution and model-package state
 * changes to a collector Lambda (in the platform's isolated subnets), which enriches training jobs
 * with DescribeTrainingJob, de-duplicates events with conditional writes to a DynamoDB table (TTL),
 * and publishes metrics in the `Trainyard/Flow` namespace with a `Team` dimension. A dashboard
 * shows the numbers; alarms on scrap rate and cycle-time p90 go to an SNS topic.
 */
export class FlowMetrics extends Construct {
  /** The CloudWatch namespace of every flow metric. */
  public static readonly NAMESPACE = 'Trainyard/Flow';

  /** The teams measured. */
  public readonly teamNames: string[];
  /** The collector function. */
  public readonly collector: lambda.IFunction;
  /** The de-duplication table (partition key `pk`, TTL attribute `expiresAt`). */
  public readonly table: dynamodb.ITable;
  /** Events the collector failed to process after its retries. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** Where alarms go. */
  public readonly alarmTopic: sns.ITopic;
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The key that encrypts the table, queue, topic, logs and environment. */
  public readonly encryptionKey: kms.IKey;
  /** The alarms, per team: scrap rate, cycle-time p90 and (for `gpuUtilizationAlarmTeams`) weekly GPU utilization. */
  public readonly alarms: cloudwatch.IAlarm[] = [];
  /** What the dashboard widgets show besides the metrics. */
  private readonly dashboardSettings: FlowDashboardSettings;

  constructor(scope: Construct, id: string, props: FlowMetricsProps) {
    super(scope, id);
    if (!props) {
      throw new TrainyardValidationError('FlowMetrics.platform', 'is required: the MlPlatform whose isolated subnets the collector runs in.');
    }
    const platform = requirePlatform('FlowMetrics.platform', props.platform);
    this.teamNames = resolveTeams(props);
    const scrapThreshold = props.scrapRateThresholdPercent ?? 30;
    if (!Token.isUnresolved(scrapThreshold) && (typeof scrapThreshold !== 'number' || !(scrapThreshold > 0 && scrapThreshold <= 100))) {
      throw new TrainyardValidationError('FlowMetrics.scrapRateThresholdPercent', `must be a percentage above 0 and at most 100, got ${String(scrapThreshold)}.`);
    }
    const thresholdRule = { unit: 'seconds', min: 1, max: MAX_P90_THRESHOLD_SECONDS, maxNote: '365 days', literalReason: 'the alarm threshold is set at synth' } as const;
    const cycleThresholdHours = requireDuration('FlowMetrics.cycleTimeP90Threshold', props.cycleTimeP90Threshold ?? Duration.hours(48), thresholdRule) / 3600;
    const queueWaitSeconds = requireDuration('FlowMetrics.queueWaitP90Threshold', props.queueWaitP90Threshold ?? Duration.hours(2), thresholdRule);
    const utilizationThreshold = props.underutilizedGpuThresholdPercent ?? DEFAULT_UNDERUTILIZED_GPU_THRESHOLD_PERCENT;
    if (typeof utilizationThreshold !== 'number' || !(utilizationThreshold > 0 && utilizationThreshold <= 100)) {
      throw new TrainyardValidationError('FlowMetrics.underutilizedGpuThresholdPercent', `must be a percentage above 0 and at most 100, got ${String(utilizationThreshold)}.`);
    }
    const utilizationAlarmTeams = props.gpuUtilizationAlarmTeams ?? this.teamNames;
    if (!Array.isArray(utilizationAlarmTeams)) {
      throw new TrainyardValidationError('FlowMetrics.gpuUtilizationAlarmTeams', 'must be a list of measured team names.');
    }
    for (const team of utilizationAlarmTeams) {
      if (!this.teamNames.includes(team)) {
        throw new TrainyardValidationError('FlowMetrics.gpuUtilizationAlarmTeams', `must name measured teams (${this.teamNames.join(', ')}), got '${String(team)}'.`);
      }
    }
    const reservedConcurrency = props.reservedConcurrency ?? 5;
    requireIntegerInRange('FlowMetrics.reservedConcurrency', reservedConcurrency, 1, 1000);
    const ttl = props.deduplicationTtl ?? Duration.days(90);
    let ttlSeconds = requireWholeSeconds('FlowMetrics.deduplicationTtl', ttl, 3600, 5 * 365 * 86400);
    if (ttl.isUnresolved()) {
      // A token is passed to the collector as is: only a token in seconds converts without arithmetic.
      try {
        ttlSeconds = ttl.toSeconds();
      } catch {
        throw new TrainyardValidationError('FlowMetrics.deduplicationTtl', 'a Duration from a token must be given in seconds (Duration.seconds(token)).');
      }
    }
    for (const [type, price] of Object.entries(props.pricesPerInstanceHour ?? {})) {
      if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
        throw new TrainyardValidationError('FlowMetrics.pricesPerInstanceHour', `the price of ${type} must be a non-negative number of USD, got ${String(price)}.`);
      }
    }
    const removalPolicy = requireRemovalPolicy('FlowMetrics.removalPolicy', props.removalPolicy);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    requireRetentionDays('FlowMetrics.logRetention', logRetention);
    const alarmEmails = requireEmailList('FlowMetrics.alarmEmails', props.alarmEmails);
    const stack = Stack.of(this);

    // ---- Encryption ----------------------------------------------------------------------------
    this.encryptionKey = props.encryptionKey ?? this.createKey(removalPolicy);

    // ---- De-duplication table ----------------------------------------------------------------
    const table = new dynamodb.Table(this, 'DedupTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    Acknowledgements.acknowledge(table, AcknowledgementCatalogue.flowMetricsDedupTable());
    this.table = table;

    // ---- Dead-letter queue ----------------------------------------------------------------------
    const dlq = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Marks it as a dead-letter queue (of the function and the rule targets), which is what
      // CT.SQS.PR.1 accepts instead of a DLQ of its own. Only queues of this account could redrive
      // into it, and none does.
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
    });
    Acknowledgements.acknowledge(dlq, AcknowledgementCatalogue.deadLetterQueue());
    this.deadLetterQueue = dlq;

    // ---- Network: isolated subnets, endpoints only ------------------------------------------------
    // The platform has the DynamoDB gateway endpoint (always) and, by default, the SageMaker API and
    // CloudWatch monitoring endpoints: nothing is added to the platform's stack.
    requirePlatformEndpoints('FlowMetrics.platform', platform, [ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API],
      'the collector describes training jobs through it. Keep it in MlPlatform.interfaceEndpoints.');
    requirePlatformEndpoints('FlowMetrics.platform', platform, [ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING],
      'the collector reads training-job host metrics (GetMetricData) through it. Keep it in MlPlatform.interfaceEndpoints.');
    const securityGroup = new ec2.SecurityGroup(this, 'CollectorSecurityGroup', {
      vpc: platform.vpc,
      description: 'Trainyard flow-metrics collector: HTTPS to the VPC endpoints only',
      allowAllOutbound: false,
    });
    // The subnets are isolated (no NAT, no internet gateway): HTTPS can only reach the interface
    // endpoints and the DynamoDB gateway endpoint (whose prefix list is not known at synth).
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to VPC endpoints (isolated subnets: no route beyond them)');
    platform.allowEndpointAccessFrom(securityGroup);

    // ---- Collector ---------------------------------------------------------------------------
    const logGroup = new logs.LogGroup(this, 'CollectorLogs', {
      retention: logRetention,
      encryptionKey: this.encryptionKey,
      removalPolicy,
    });
    const role = new iam.Role(this, 'CollectorRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Trainyard flow-metrics collector: read training jobs, write the dedup table, log',
    });
    const fn = new CollectorFunction(this, 'Collector', {
      description: 'Trainyard flow metrics: SageMaker events -> Trainyard/Flow metrics',
      role,
      logGroup,
      vpc: platform.vpc,
      vpcSubnets: platform.trainingSubnets,
      securityGroups: [securityGroup],
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      // DescribeTrainingJob, GetMetricData with up to two re-reads of lagging metrics (5 s, 10 s), DynamoDB.
      timeout: Duration.seconds(60),
      reservedConcurrentExecutions: reservedConcurrency,
      environmentEncryption: this.encryptionKey,
      environment: {
        TABLE_NAME: table.tableName,
        TEAMS: this.teamNames.join(','),
        DEDUP_TTL_SECONDS: String(ttlSeconds),
        PRICES_JSON: JSON.stringify({ ...gpuProfilePrices(), ...(props.pricesPerInstanceHour ?? {}) }),
        GPU_CATALOGUE_JSON: encodeGpuCatalogue(gpuCatalogueEntries(GpuProfile.all(), props.pricesPerInstanceHour ?? {})),
        UNDERUTILIZED_GPU_THRESHOLD_PERCENT: String(utilizationThreshold),
        // Host metrics missing this long after a run ended mean the run has none (too short): unmeasured.
        // Before that the invocation fails and Lambda's asynchronous retries (about 1 and 2 minutes later) re-read them.
        HOST_METRICS_GRACE_SECONDS: '180',
        POWERTOOLS_SERVICE_NAME: 'trainyard-flow',
        POWERTOOLS_METRICS_NAMESPACE: FlowMetrics.NAMESPACE,
      },
    });
    // Dead-letter queue and X-Ray tracing on the L1: the L2 props would grant them through an
    // inline policy with wildcard actions; the managed policy below grants exactly what is needed.
    const cfnFunction = fn.node.defaultChild as lambda.CfnFunction;
    cfnFunction.deadLetterConfig = { targetArn: dlq.queueArn };
    cfnFunction.tracingConfig = { mode: 'Active' };
    this.collector = fn;
    if (!MlPlatform.isMlPlatform(platform) || Stack.of(platform) !== stack) {
      Acknowledgements.acknowledge(fn, AcknowledgementCatalogue.vpcFunctionInAnotherStack());
    }

    const account = Aws.ACCOUNT_ID;
    const partition = Aws.PARTITION;
    const region = Aws.REGION;
    const policy = new iam.ManagedPolicy(this, 'CollectorPolicy', {
      description: 'Least privilege of the Trainyard flow-metrics collector',
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        new iam.PolicyStatement({
          sid: 'DeduplicateEvents',
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          resources: [table.tableArn],
        }),
        new iam.PolicyStatement({
          sid: 'UseMetricsKey',
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
          resources: [this.encryptionKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'SendToDeadLetterQueue',
          actions: ['sqs:SendMessage'],
          resources: [dlq.queueArn],
        }),
        new iam.PolicyStatement({
          // Training job names are chosen by pipelines at run time (pipelines-<execution>-<step>-...):
          // the team tag, not the name, says whose job it is.
          sid: 'DescribeTeamTrainingJobs',
          actions: ['sagemaker:DescribeTrainingJob'],
          resources: [`arn:${partition}:sagemaker:${region}:${account}:training-job/*`],
          conditions: { StringEquals: { 'aws:ResourceTag/trainyard:team': this.teamNames } },
        }),
        new iam.PolicyStatement({
          // Host metrics of finished training jobs (/aws/sagemaker/TrainingJobs). GetMetricData's only
          // resource type is a CloudWatch dataset (OTLP/PromQL data), not classic metrics, and it has no
          // namespace condition key: classic metrics can only be granted on '*'.
          sid: 'ReadTrainingJobHostMetrics',
          actions: ['cloudwatch:GetMetricData'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          // ENIs in the isolated subnets and X-Ray traces: these APIs have no resource-level permissions.
          sid: 'VpcNetworkInterfacesAndTracing',
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
            'xray:PutTraceSegments',
            'xray:PutTelemetryRecords',
          ],
          resources: ['*'],
        }),
      ],
    });
    Acknowledgements.acknowledge(policy, AcknowledgementCatalogue.flowMetricsCollectorPolicy());
    // The function must not be created before it may write logs and reach its ENIs.
    fn.node.addDependency(policy);

    // ---- Rules: the teams' resources only ------------------------------------------------------
    const target = new targets.LambdaFunction(fn, {
      deadLetterQueue: dlq,
      retryAttempts: 8,
      maxEventAge: Duration.hours(6),
    });
    const pipelineArnPrefix = `arn:${partition}:sagemaker:${region}:${account}:pipeline/`;
    // Group names of the environments; a token from another stack is left out (the reference would
    // make the stacks depend on each other both ways): the `<team>-...` matchers still apply.
    const groupNames = [...new Set((props.environments ?? [])
      .filter((e) => !!e.modelPackageGroupName && (!Token.isUnresolved(e.modelPackageGroupName) || Stack.of(e) === stack))
      .map((e) => e.modelPackageGroupName as string))];
    for (const [ruleId, rule] of Object.entries(flowEventRules(this.teamNames, pipelineArnPrefix, groupNames))) {
      new events.Rule(this, ruleId, { ...rule, targets: [target] });
    }

    // ---- Alarms ---------------------------------------------------------------------------------
    if (props.alarmTopic) {
      this.alarmTopic = props.alarmTopic;
    } else {
      const topic = new sns.Topic(this, 'AlarmTopic', {
        displayName: 'Trainyard flow-metrics alarms',
        masterKey: this.encryptionKey,
        enforceSSL: true,
      });
      // The SSL-only topic policy replaces SNS's default policy: let this account's alarms publish.
      topic.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }));
      this.alarmTopic = topic;
    }
    for (const email of alarmEmails) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    const alarmAction = new cloudwatchActions.SnsAction(this.alarmTopic);
    for (const team of this.teamNames) {
      const scrapAlarm = this.metricScrapRate(team).createAlarm(this, `ScrapRateAlarm-${team}`, {
        alarmDescription: `Team ${team}: more than ${scrapThreshold}% of training runs in a day were scrap (failed, stopped or duplicated). See the scrap-by-cause widget of the Trainyard flow dashboard.`,
        threshold: scrapThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      const cycleAlarm = this.metricCycleTimeToRegistration(team).createAlarm(this, `CycleTimeP90Alarm-${team}`, {
        alarmDescription: `Team ${team}: the 90th percentile of pipeline start -> model registration exceeded ${cycleThresholdHours} hours over a day.`,
        threshold: cycleThresholdHours,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      const queueAlarm = this.metricQueueWait(team).createAlarm(this, `QueueWaitP90Alarm-${team}`, {
        alarmDescription: `Team ${team}: the 90th percentile of the time its queued training jobs waited for GPU capacity exceeded ${queueWaitSeconds / 60} minutes over a day. ` +
          'Raise its guarantee in the capacity pool, or the pool.',
        threshold: queueWaitSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      const alarms = [scrapAlarm, cycleAlarm, queueAlarm];
      if (utilizationAlarmTeams.includes(team)) {
        alarms.push(this.metricGpuUtilization(team).createAlarm(this, `GpuUtilizationAlarm-${team}`, {
          alarmDescription: `Team ${team}: GPU-hour-weighted GPU utilization of its training runs over a week was below ${utilizationThreshold}%. ` +
            'See the top idle GPU-hours table of the Trainyard flow dashboard (or `trainyard report`) for right-sizing advice.',
          threshold: utilizationThreshold,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }));
      }
      for (const alarm of alarms) {
        alarm.addAlarmAction(alarmAction);
        alarm.addOkAction(alarmAction);
        this.alarms.push(alarm);
      }
    }

    // ---- Dashboard ------------------------------------------------------------------------------
    this.dashboardSettings = {
      title: `Trainyard flow metrics (${stack.stackName})`,
      teamNames: this.teamNames,
      scrapRateThresholdPercent: scrapThreshold,
      queueWaitThresholdSeconds: queueWaitSeconds,
      underutilizedGpuThresholdPercent: utilizationThreshold,
      logGroupName: logGroup.logGroupName,
    };
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(28),
    });
    for (const row of this.widgets()) {
      this.dashboard.addWidgets(row);
    }
  }

  /**
   * The widgets of the flow dashboard, one full-width row each, to put on your own dashboards
   * (`for (const row of flow.widgets()) dashboard.addWidgets(row)`): throughput, cycle time, scrap
   * rate, wasted GPU-hours, scrap by cause, queue wait and preemptions, then GPU utilization, idle
   * GPU-hours and the top idle runs of each team. Each call returns new widgets.
   */
  public widgets(): cloudwatch.IWidget[] {
    return flowDashboardWidgets(this, this.dashboardSettings);
  }

  // ---- Typed metrics: what the collector publishes (namespace Trainyard/Flow, dimension Team) -------

  /**
   * Throughput: completed training runs of `team` that were not duplicates (`SuccessfulRuns`).
   *
   * @default - Sum over 7 days
   */
  public metricSuccessfulRuns(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('SuccessfulRuns', team, WEEK, 'Sum', props);
  }

  /**
   * Throughput: model versions registered by `team`'s pipelines (`ModelsRegistered`).
   *
   * @default - Sum over 7 days
   */
  public metricModelsRegistered(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('ModelsRegistered', team, WEEK, 'Sum', props);
  }

  /**
   * Throughput: model versions of `team` approved (`ModelsApproved`).
   *
   * @default - Sum over 7 days
   */
  public metricModelsApproved(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('ModelsApproved', team, WEEK, 'Sum', props);
  }

  /**
   * Cycle time in hours from pipeline start to the registration of the model it produced
   * (`CycleTimePipelineToRegistrationHours`, one value per model). Give `statistic: 'p50'` for the median.
   *
   * @default - p90 over 1 day
   */
  public metricCycleTimeToRegistration(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('CycleTimePipelineToRegistrationHours', team, DAY, 'p90', props);
  }

  /**
   * Cycle time in hours from model registration to approval (`CycleTimeRegistrationToApprovalHours`,
   * one value per approved model). Give `statistic: 'p50'` for the median.
   *
   * @default - p90 over 1 day
   */
  public metricCycleTimeToApproval(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('CycleTimeRegistrationToApprovalHours', team, DAY, 'p90', props);
  }

  /**
   * Finished training runs of `team` (`TrainingRuns`): completed, failed or stopped.
   *
   * @default - Sum over 1 day
   */
  public metricTrainingRuns(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('TrainingRuns', team, DAY, 'Sum', props);
  }

  /**
   * Scrapped training runs of `team` (`ScrappedRuns`): failed, stopped or duplicates of an earlier success.
   *
   * @default - Sum over 1 day
   */
  public metricScrappedRuns(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('ScrappedRuns', team, DAY, 'Sum', props);
  }

  /**
   * Scrapped runs of `team` attributed to `cause` (`ScrappedRunsByCause`, dimensions Team and
   * Cause): dataValidation, capacity, spotInterruption, userStop, algorithmError, duplicate,
   * preempted or other.
   *
   * @default - Sum over 7 days
   */
  public metricScrappedRunsByCause(team: string, cause: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('ScrappedRunsByCause', team, WEEK, 'Sum', props, requireCause('FlowMetrics.metricScrappedRunsByCause(cause)', cause));
  }

  /**
   * The scrap rate of `team` in percent: 100 x ScrappedRuns / TrainingRuns over the period (0 with
   * no runs). Of `props`, `period`, `label` and `color` apply.
   *
   * @default - over 1 day
   */
  public metricScrapRate(team: string, props?: cloudwatch.MetricOptions): cloudwatch.MathExpression {
    const period = props?.period ?? DAY;
    // Ids are unique per team, so several teams' rates share one graph.
    const id = team.replace(/-/g, '_');
    return new cloudwatch.MathExpression({
      expression: `IF(runs_${id} > 0, 100 * scrapped_${id} / runs_${id}, 0)`,
      usingMetrics: {
        [`scrapped_${id}`]: this.metricScrappedRuns(team, { period }),
        [`runs_${id}`]: this.metricTrainingRuns(team, { period }),
      },
      period,
      label: props?.label ?? `${team} scrap rate %`,
      color: props?.color,
    });
  }

  /**
   * Wasted GPU-hours of `team`: billed instance-hours of scrapped runs (`WastedGpuHours`).
   *
   * @default - Sum over 1 day
   */
  public metricWastedGpuHours(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('WastedGpuHours', team, DAY, 'Sum', props);
  }

  /**
   * Wasted GPU-hours of `team` attributed to `cause` (`WastedGpuHoursByCause`, dimensions Team and Cause).
   *
   * @default - Sum over 7 days
   */
  public metricWastedGpuHoursByCause(team: string, cause: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('WastedGpuHoursByCause', team, WEEK, 'Sum', props, requireCause('FlowMetrics.metricWastedGpuHoursByCause(cause)', cause));
  }

  /**
   * The estimated on-demand cost in USD of `team`'s wasted GPU-hours (`WastedCostUsd`).
   *
   * @default - Sum over 1 day
   */
  public metricWastedCost(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('WastedCostUsd', team, DAY, 'Sum', props);
  }

  /**
   * Seconds `team`'s queued training jobs (`TrainingCapacityPool`) waited for capacity, from
   * SUBMITTED to RUNNING (`QueueWaitSeconds`, one value per job).
   *
   * @default - p90 over 1 day
   */
  public metricQueueWait(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('QueueWaitSeconds', team, DAY, 'p90', props);
  }

  /**
   * Attempts of `team`'s queued jobs preempted so a lender could take its capacity back (`Preemptions`).
   *
   * @default - Sum over 7 days
   */
  public metricPreemptions(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('Preemptions', team, WEEK, 'Sum', props);
  }

  /**
   * The GPU-hour-weighted GPU utilization of `team` in percent:
   * 100 x (MeasuredGpuHours - IdleGpuHours) / MeasuredGpuHours. No data when no run was measured.
   * Of `props`, `period`, `label` and `color` apply.
   *
   * @default - over 7 days
   */
  public metricGpuUtilization(team: string, props?: cloudwatch.MetricOptions): cloudwatch.MathExpression {
    const period = props?.period ?? WEEK;
    const id = team.replace(/-/g, '_');
    return new cloudwatch.MathExpression({
      expression: `100 * (gpuh_${id} - idle_${id}) / gpuh_${id}`,
      usingMetrics: {
        [`gpuh_${id}`]: this.metricMeasuredGpuHours(team, { period }),
        [`idle_${id}`]: this.metricIdleGpuHours(team, { period }),
      },
      period,
      label: props?.label ?? `${team} GPU utilization %`,
      color: props?.color,
    });
  }

  /**
   * GPU-hours of `team`'s runs whose GPU utilization was measured (`MeasuredGpuHours`).
   *
   * @default - Sum over 7 days
   */
  public metricMeasuredGpuHours(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('MeasuredGpuHours', team, WEEK, 'Sum', props);
  }

  /**
   * GPU-hours paid for and left idle by `team`'s measured runs: GPU-hours x (1 - mean utilization) (`IdleGpuHours`).
   *
   * @default - Sum over 7 days
   */
  public metricIdleGpuHours(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('IdleGpuHours', team, WEEK, 'Sum', props);
  }

  /**
   * The idle GPU-hours of `team`'s under-utilized runs only (`UnderutilizedIdleGpuHours`).
   *
   * @default - Sum over 7 days
   */
  public metricUnderutilizedIdleGpuHours(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('UnderutilizedIdleGpuHours', team, WEEK, 'Sum', props);
  }

  /**
   * The estimated on-demand cost in USD of `team`'s idle GPU-hours (`IdleGpuCostUsd`).
   *
   * @default - Sum over 7 days
   */
  public metricIdleGpuCost(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('IdleGpuCostUsd', team, WEEK, 'Sum', props);
  }

  /**
   * The estimated on-demand cost in USD of the idle GPU-hours of `team`'s under-utilized runs (`UnderutilizedIdleCostUsd`).
   *
   * @default - Sum over 7 days
   */
  public metricUnderutilizedIdleCost(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('UnderutilizedIdleCostUsd', team, WEEK, 'Sum', props);
  }

  /**
   * Completed runs of `team` below the under-utilized threshold (`UnderutilizedRuns`).
   *
   * @default - Sum over 7 days
   */
  public metricUnderutilizedRuns(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('UnderutilizedRuns', team, WEEK, 'Sum', props);
  }

  /**
   * Runs of `team` whose GPU utilization was measured (`MeasuredGpuRuns`).
   *
   * @default - Sum over 7 days
   */
  public metricMeasuredGpuRuns(team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric('MeasuredGpuRuns', team, WEEK, 'Sum', props);
  }

  /**
   * Any flow metric of one team in the `Trainyard/Flow` namespace by name, for the metrics without a
   * typed method (for example `GpuHours`, `UnmeasuredGpuRuns` or `PipelineExecutionsFailed`).
   *
   * @default - Sum over 1 day
   */
  public metric(metricName: string, team: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.flowMetric(metricName, team, DAY, 'Sum', props);
  }

  /** A metric of the collector: namespace `Trainyard/Flow`, dimension `Team` (and `Cause` for the by-cause metrics). */
  private flowMetric(
    metricName: string, team: string, period: Duration, statistic: string, props?: cloudwatch.MetricOptions, cause?: string,
  ): cloudwatch.Metric {
    if (typeof team !== 'string' || !this.teamNames.includes(team)) {
      throw new TrainyardValidationError(`FlowMetrics team of metric ${metricName}`, `must be a measured team (${this.teamNames.join(', ')}), got '${String(team)}'.`);
    }
    return new cloudwatch.Metric({
      namespace: FlowMetrics.NAMESPACE,
      metricName,
      statistic,
      period,
      ...props,
      dimensionsMap: cause === undefined ? { Team: team } : { Team: team, Cause: cause },
    });
  }

  private createKey(removalPolicy: RemovalPolicy): kms.Key {
    const key = new TrainyardKey(this, 'Key', { description: `Trainyard flow metrics key (${this.node.path})`, removalPolicy });
    const stack = Stack.of(this);
    // Services that encrypt with the key on the construct's behalf: CloudWatch Logs (the log group),
    // CloudWatch (alarm notifications to the topic), EventBridge (failed deliveries to the DLQ).
    // No kms:DescribeKey here: its request never carries kms:EncryptionContext:aws:logs:arn (Service
    // Authorization Reference), so under this condition it would never be allowed.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogs',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      // No kms:DescribeKey: it carries no encryption context (SAR), so this condition would never let it through.
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowAlarmAndEventDelivery',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    return key;
  }
}

/** The reference training prices of the GpuProfile catalogue, by instance type. */
function gpuProfilePrices(): Record<string, number> {
  const prices: Record<string, number> = {};
  for (const profile of GpuProfile.all()) {
    if (typeof profile.onDemandHourlyUsd === 'number') prices[profile.instanceType] = profile.onDemandHourlyUsd;
  }
  return prices;
}

function resolveTeams(props: FlowMetricsProps): string[] {
  const names: string[] = [];
  for (const env of props.environments ?? []) {
    if (!env || typeof env.teamName !== 'string') {
      throw new TrainyardValidationError('FlowMetrics.environments', 'each entry must be a TrainingEnvironment (an ITrainingEnvironment with a teamName).');
    }
    names.push(env.teamName);
  }
  for (const name of props.teamNames ?? []) names.push(name);
  for (const name of names) validateTeamName('FlowMetrics.teamNames', name);
  const unique = [...new Set(names)];
  if (unique.length === 0) {
    throw new TrainyardValidationError('FlowMetrics.environments', 'name at least one team: give environments or teamNames.');
  }
  return unique;
}
