import { Aws, CfnMapping, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { Acknowledgements } from '../core/acknowledgements';
import { TrainyardValidationError } from '../core/errors';
import { boundedName } from '../core/physical-name';
import { AcknowledgementCatalogue } from '../core/private/acknowledgement-catalogue';
import { requireName } from '../core/validate';
import { ITrainingEnvironment } from '../environment/training-environment';
import { requireInstanceType } from './definition/private/instance-type';

/** Data-quality job definition and monitoring schedule names: at most 63 characters. */
const SAGEMAKER_NAME_MAX = 63;

/** CloudWatch metric names: at most 255 ASCII characters, of which `feature_baseline_drift_` takes 23. */
const MAX_FEATURE_NAME_LENGTH = 255 - 'feature_baseline_drift_'.length;
const FEATURE_NAME = /^[\x20-\x7e]+$/;

/**
 * Properties of a drift monitor.
 */
export interface DriftMonitorProps {
  /** The team environment: role, VPC placement, KMS key and output location of the monitoring jobs. */
  readonly environment: ITrainingEnvironment;
  /** The name of the SageMaker endpoint whose captured traffic is checked (data capture must be on). */
  readonly endpointName: string;
  /**
   * The features whose drift from the baseline raises the alarm (Model Monitor publishes
   * `feature_baseline_drift_<feature>`): 1 to 10 distinct names of printable ASCII without leading or
   * trailing spaces, at most 232 characters (the CloudWatch metric name limit of 255, less the prefix).
   */
  readonly features: string[];
  /**
   * The drift distance above which the alarm fires.
   *
   * @default 0.1
   */
  readonly driftThreshold?: number;
  /**
   * The S3 URI of the baseline statistics (`statistics.json` of a baselining job).
   *
   * @default - s3://<artifacts bucket>/<team artifacts prefix>monitoring/<endpoint>/baseline/statistics.json
   */
  readonly baselineStatisticsUri?: string;
  /**
   * The S3 URI of the baseline constraints (`constraints.json`).
   *
   * @default - s3://<artifacts bucket>/<team artifacts prefix>monitoring/<endpoint>/baseline/constraints.json
   */
  readonly baselineConstraintsUri?: string;
  /**
   * When the monitoring job runs (a SageMaker monitoring cron expression).
   *
   * @default 'cron(0 * ? * * *)' (hourly)
   */
  readonly scheduleExpression?: string;
  /**
   * The monitoring job's instance type.
   *
   * @default 'ml.m5.large'
   */
  readonly instanceType?: string;
  /**
   * Actions when the alarm fires besides retraining, for example an SNS topic of the team.
   *
   * @default - none: the alarm's only consumer is the EventBridge rule of `TrainingPipeline.triggerOnDrift`
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
  /**
   * The Model Monitor analyzer image.
   *
   * @default - `sagemaker-model-monitor-analyzer` of the stack's region (regions listed in `DriftMonitor.ANALYZER_ACCOUNTS`)
   */
  readonly analyzerImageUri?: string;
}

/**
 * Data-quality monitoring of an endpoint: a Model Monitor data-quality job definition, an hourly
 * monitoring schedule, and a CloudWatch alarm on the features' drift from the baseline. Pass it to
 * `TrainingPipeline.triggerOnDrift` to retrain when the alarm fires.
 */
export class DriftMonitor extends Construct {
  /**
   * The accounts of the Model Monitor analyzer image per region, from the SageMaker Python SDK's
   * `image_uri_config/model-monitor.json`. Other regions: set `analyzerImageUri`.
   */
  public static readonly ANALYZER_ACCOUNTS: { [region: string]: string } = {
    'us-east-1': '156813124566',
    'us-east-2': '777275614652',
    'us-west-1': '890145073186',
    'us-west-2': '159807026194',
    'eu-west-1': '468650794304',
    'eu-west-2': '749857270468',
    'eu-west-3': '680080141114',
    'eu-north-1': '895015795356',
    'sa-east-1': '539772159869',
  };

  /** The alarm that goes into ALARM when any watched feature drifts past the threshold. */
  public readonly alarm: cloudwatch.Alarm;
  /** The monitoring schedule's name. */
  public readonly monitoringScheduleName: string;
  /** The data-quality job definition. */
  public readonly jobDefinition: sagemaker.CfnDataQualityJobDefinition;

  constructor(scope: Construct, id: string, props: DriftMonitorProps) {
    super(scope, id);
    if (!props || !props.environment || !props.environment.trainingJobDefaults) {
      throw new TrainyardValidationError('DriftMonitor.environment', 'is required: the team environment (a TrainingEnvironment) the monitoring jobs run in.');
    }
    const env = props.environment;
    requireName('DriftMonitor.endpointName', props.endpointName, {
      pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, minLength: 1, maxLength: 63, description: 'a SageMaker endpoint name',
    });
    if (!Array.isArray(props.features) || props.features.length === 0 || props.features.length > 10) {
      throw new TrainyardValidationError('DriftMonitor.features', 'must name 1 to 10 features whose drift raises the alarm (CloudWatch metric math takes at most 10 metrics here).');
    }
    const seenFeatures = new Set<string>();
    for (const feature of props.features) {
      // Each feature becomes the CloudWatch metric `feature_baseline_drift_<feature>`: at most 255 ASCII characters.
      if (typeof feature !== 'string' || Token.isUnresolved(feature) || !FEATURE_NAME.test(feature) || feature.trim() !== feature
        || feature.length > MAX_FEATURE_NAME_LENGTH) {
        throw new TrainyardValidationError(
          'DriftMonitor.features',
          `${JSON.stringify(feature) ?? String(feature)} is not a feature name: 1 to ${MAX_FEATURE_NAME_LENGTH} printable ASCII characters, `
          + 'no leading or trailing space (it becomes the CloudWatch metric feature_baseline_drift_<feature>).',
        );
      }
      if (seenFeatures.has(feature)) {
        throw new TrainyardValidationError('DriftMonitor.features', `"${feature}" is listed twice; list each feature once.`);
      }
      seenFeatures.add(feature);
    }
    const threshold = props.driftThreshold ?? 0.1;
    if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) {
      throw new TrainyardValidationError('DriftMonitor.driftThreshold', `must be a distance above 0 and at most 1, got ${JSON.stringify(threshold) ?? String(threshold)}.`);
    }
    const schedule = props.scheduleExpression ?? 'cron(0 * ? * * *)';
    if (!Token.isUnresolved(schedule) && !/^cron\(.+\)$/.test(schedule)) {
      throw new TrainyardValidationError('DriftMonitor.scheduleExpression', `must be a cron(...) expression, for example 'cron(0 * ? * * *)', got '${schedule}'.`);
    }
    requireInstanceType('DriftMonitor.instanceType', props.instanceType);
    const d = env.trainingJobDefaults;
    const root = `s3://${env.artifactsBucket.bucketName}/${env.artifactsPrefix}monitoring/${props.endpointName}`;

    // SageMaker names: 63 characters. `<team>-<endpoint>` is shortened with a hash when the suffix would not fit.
    const base = `${env.teamName}-${props.endpointName}`;
    const jobDefinitionName = boundedName(base, { maxLength: SAGEMAKER_NAME_MAX - '-data-quality'.length }) + '-data-quality';
    this.jobDefinition = new sagemaker.CfnDataQualityJobDefinition(this, 'JobDefinition', {
      jobDefinitionName,
      roleArn: env.executionRole.roleArn,
      dataQualityAppSpecification: {
        imageUri: props.analyzerImageUri ?? this.analyzerImage(),
        environment: { publish_cloudwatch_metrics: 'Enabled' },
      },
      dataQualityBaselineConfig: {
        constraintsResource: { s3Uri: props.baselineConstraintsUri ?? `${root}/baseline/constraints.json` },
        statisticsResource: { s3Uri: props.baselineStatisticsUri ?? `${root}/baseline/statistics.json` },
      },
      dataQualityJobInput: {
        endpointInput: { endpointName: props.endpointName, localPath: '/opt/ml/processing/input/endpoint', s3InputMode: 'File', s3DataDistributionType: 'FullyReplicated' },
      },
      dataQualityJobOutputConfig: {
        kmsKeyId: d.outputDataConfig.kmsKeyId,
        monitoringOutputs: [{ s3Output: { s3Uri: `${root}/reports`, localPath: '/opt/ml/processing/output', s3UploadMode: 'EndOfJob' } }],
      },
      jobResources: {
        // The monitoring instance has an EBS volume whatever GPU the team trains on: always encrypt it
        // with the team's key (the training defaults leave it out for GPUs with local NVMe storage).
        clusterConfig: { instanceCount: 1, instanceType: props.instanceType ?? 'ml.m5.large', volumeSizeInGb: 20, volumeKmsKeyId: env.key.keyArn },
      },
      networkConfig: {
        enableNetworkIsolation: true,
        enableInterContainerTrafficEncryption: true,
        vpcConfig: { securityGroupIds: [...d.vpcConfig.securityGroupIds], subnets: [...d.vpcConfig.subnets] },
      },
      stoppingCondition: { maxRuntimeInSeconds: 3600 },
      tags: [{ key: 'trainyard:team', value: env.teamName }],
    });

    this.monitoringScheduleName = boundedName(base, { maxLength: SAGEMAKER_NAME_MAX - '-drift'.length }) + '-drift';
    const monitoringSchedule = new sagemaker.CfnMonitoringSchedule(this, 'Schedule', {
      monitoringScheduleName: this.monitoringScheduleName,
      monitoringScheduleConfig: {
        monitoringJobDefinitionName: jobDefinitionName,
        monitoringType: 'DataQuality',
        scheduleConfig: { scheduleExpression: schedule },
      },
      tags: [{ key: 'trainyard:team', value: env.teamName }],
    });
    monitoringSchedule.node.addDependency(this.jobDefinition);

    const metrics: { [id: string]: cloudwatch.IMetric } = {};
    props.features.forEach((feature, i) => {
      metrics[`f${i}`] = new cloudwatch.Metric({
        namespace: 'aws/sagemaker/Endpoints/data-metrics',
        metricName: `feature_baseline_drift_${feature}`,
        dimensionsMap: { Endpoint: props.endpointName, MonitoringSchedule: this.monitoringScheduleName },
        statistic: 'Maximum',
        period: Duration.hours(1),
      });
    });
    const drift = new cloudwatch.MathExpression({
      expression: `MAX([${Object.keys(metrics).join(', ')}])`,
      usingMetrics: metrics,
      label: `largest baseline drift of ${props.features.join(', ')}`,
      period: Duration.hours(1),
    });
    this.alarm = new cloudwatch.Alarm(this, 'DriftAlarm', {
      metric: drift,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Data drift on endpoint ${props.endpointName} (team ${env.teamName}): a feature moved more than ${threshold} from its baseline`,
    });
    this.alarm.node.addDependency(monitoringSchedule);
    if (props.alarmActions && props.alarmActions.length > 0) {
      this.alarm.addAlarmAction(...props.alarmActions);
    } else {
      Acknowledgements.acknowledge(this.alarm, AcknowledgementCatalogue.driftAlarmConsumedByEventBridge());
    }
  }

  private analyzerImage(): string {
    const stack = Stack.of(this);
    const id = 'TrainyardModelMonitorAnalyzer';
    const mapping = (stack.node.tryFindChild(id) as CfnMapping | undefined) ?? new CfnMapping(stack, id, {
      mapping: Object.fromEntries(Object.entries(DriftMonitor.ANALYZER_ACCOUNTS).map(([region, account]) => [region, { account }])),
    });
    const region = stack.region;
    const account = Token.isUnresolved(region) ? mapping.findInMap(Aws.REGION, 'account') : DriftMonitor.ANALYZER_ACCOUNTS[region];
    if (account === undefined) {
      throw new TrainyardValidationError('DriftMonitor.analyzerImageUri', `no Model Monitor analyzer account is known for region ${region}; set analyzerImageUri.`);
    }
    return `${account}.dkr.ecr.${Token.isUnresolved(region) ? Aws.REGION : region}.${Aws.URL_SUFFIX}/sagemaker-model-monitor-analyzer`;
  }
}
