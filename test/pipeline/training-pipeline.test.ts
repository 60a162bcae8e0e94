import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { FailStep } from '../../src/pipeline/definition/fail-step';
import { Parameter } from '../../src/pipeline/definition/parameter';
import { PipelineDefinition } from '../../src/pipeline/definition/pipeline-definition';
import { PipelineExpression } from '../../src/pipeline/definition/pipeline-expression';
import { TrainingStep } from '../../src/pipeline/definition/training-step';
import { DriftMonitor } from '../../src/pipeline/drift-monitor';
import { StandardTrainingRecipe } from '../../src/pipeline/standard-training-recipe';
import { DefinitionStorage, TrainingPipeline } from '../../src/pipeline/training-pipeline';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';
import { definitionSchemaErrors, deployedDefinition } from './definition/definition-rules';
import { platformAndTeam } from './fixtures';

const statementsOf = (template: Template, policyIdPrefix: string): any[] => {
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  const entry = Object.entries<any>(policies).find(([id]) => id.startsWith(policyIdPrefix));
  expect(entry).toBeDefined();
  return entry![1].Properties.PolicyDocument.Statement;
};
const PIPELINE_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':pipeline/fraud-pipeline']] };

describe('TrainingPipeline with the standard recipe and every trigger', () => {
  // GIVEN the platform, a team environment, the standard pipeline with schedule, new-data and drift
  // triggers; synthesized once with every compliance pack.
  let stack!: Stack;
  let pipeline!: TrainingPipeline;
  let triggers!: { schedule: scheduler.Schedule; newData: events.Rule; drift: events.Rule };
  const result = synthWithCompliance((app) => {
    const t = platformAndTeam(app);
    stack = t.teamStack;
    pipeline = new TrainingPipeline(stack, 'Pipeline', {
      environment: t.environment,
      definition: StandardTrainingRecipe.create({ environment: t.environment }),
    });
    const schedule = pipeline.triggerOnSchedule(scheduler.ScheduleExpression.expression('cron(0 3 ? * MON *)'), { parameters: { DatasetVersion: 'weekly' } });
    const newData = pipeline.triggerOnNewData({ prefix: 'transactions/' });
    const monitor = new DriftMonitor(stack, 'Drift', { environment: t.environment, endpointName: 'fraud-scoring', features: ['amount', 'merchant_risk'] });
    const drift = pipeline.triggerOnDrift(monitor, { parameters: { DatasetVersion: 'drift' } });
    triggers = { schedule, newData, drift };
  });
  const template = result.template(stack);

  test('every trigger returns its L2 (a Scheduler schedule, EventBridge rules)', () => {
    expect(triggers.schedule).toBeInstanceOf(scheduler.Schedule);
    expect(triggers.newData).toBeInstanceOf(events.Rule);
    expect(triggers.drift).toBeInstanceOf(events.Rule);
    const rules = Object.keys(template.findResources('AWS::Events::Rule'));
    const logicalIdOf = (rule: events.Rule) => stack.getLogicalId(rule.node.defaultChild as events.CfnRule);
    expect(rules).toEqual([logicalIdOf(triggers.newData), logicalIdOf(triggers.drift)]);
    expect(rules.map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['PipelineNewDataTrigger', 'PipelineDriftTrigger']);
  });

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('creates the pipeline with its name, role, parallelism and an inline definition valid by the definition rules', () => {
    template.resourceCountIs('AWS::SageMaker::Pipeline', 1);
    const [resource] = Object.values<any>(template.findResources('AWS::SageMaker::Pipeline'));
    expect(resource.Properties.PipelineName).toBe('fraud-pipeline');
    expect(resource.Properties.ParallelismConfiguration).toEqual({ MaxParallelExecutionSteps: 4 });
    expect(resource.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PipelineExecutionRole/), 'Arn'] });
    expect(resource.Properties.Tags).toEqual([
      { Key: 'trainyard:cost-center', Value: 'fraud' },
      { Key: 'trainyard:environment', Value: 'fraud-training' },
      { Key: 'trainyard:team', Value: 'fraud' },
    ]);
    const definition = deployedDefinition(resource);
    expect(definitionSchemaErrors(definition)).toEqual([]);
    expect(definition.Steps.map((s: any) => `${s.Type}:${s.Name}`)).toEqual(['Processing:ValidateData', 'Training:Train', 'Processing:Evaluate', 'Condition:QualityGate']);
    expect(pipeline.pipelineName).toBe('fraud-pipeline');
    expect(stack.resolve(pipeline.pipelineArn)).toEqual(PIPELINE_ARN);
  });

  test('the execution role is assumed by SageMaker from this account only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }],
      },
      Description: Match.stringLikeRegexp('Runs the SageMaker pipeline Team/Pipeline'),
    });
  });

  test('the execution role may start and describe only its own job types and pass only the team role to SageMaker', () => {
    const statements = statementsOf(template, 'PipelineExecutionPolicy');
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual([
      'CreateProcessingJobsOfTheTeam', 'CreateTrainingJobsOfTheTeam',
      'DecryptPropertyFiles', 'ExperimentOfThisPipeline', 'PassOnlyTheTeamExecutionRole',
      'ReadPropertyFiles', 'RegisterIntoTeamModelPackageGroups', 'TagNewProcessingJobsWithTheTeam', 'TagNewTrainingJobsWithTheTeam', 'TrialsOfThisPipeline',
      'WatchAndStopProcessingJobsOfTheTeam', 'WatchAndStopTrainingJobsOfTheTeam',
    ]);
    expect(bySid.PassOnlyTheTeamExecutionRole).toEqual({
      Sid: 'PassOnlyTheTeamExecutionRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EnvironmentExecutionRole/), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
    // Jobs: only the team's, by the trainyard:team tag (names are pipelines-* for every team).
    expect(bySid.CreateTrainingJobsOfTheTeam).toMatchObject({ Action: 'sagemaker:CreateTrainingJob', Condition: { StringEquals: { 'aws:RequestTag/trainyard:team': 'fraud' } } });
    expect(bySid.TagNewTrainingJobsWithTheTeam).toMatchObject({
      Action: 'sagemaker:AddTags',
      Condition: { StringEquals: { 'aws:RequestTag/trainyard:team': 'fraud', 'sagemaker:TaggingAction': 'CreateTrainingJob' } },
    });
    expect(bySid.WatchAndStopTrainingJobsOfTheTeam).toMatchObject({
      Action: ['sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob'],
      Condition: { StringEquals: { 'aws:ResourceTag/trainyard:team': 'fraud' } },
    });
    expect(bySid.WatchAndStopProcessingJobsOfTheTeam.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/trainyard:team': 'fraud' } });
    expect(JSON.stringify(bySid.CreateTrainingJobsOfTheTeam.Resource)).toContain(':training-job/pipelines-*');
    expect(JSON.stringify(bySid.CreateProcessingJobsOfTheTeam.Resource)).toContain(':processing-job/pipelines-*');
    expect(JSON.stringify(bySid.RegisterIntoTeamModelPackageGroups.Resource)).toContain(':model-package-group/fraud-models');
    expect(JSON.stringify(bySid.ReadPropertyFiles.Resource)).toContain('"/fraud/artifacts/pipelines/*"');
    expect(bySid.DecryptPropertyFiles.Condition).toEqual({ StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } });
    // No action wildcards, no resource '*', nothing outside SageMaker, S3, KMS and PassRole.
    for (const s of statements) {
      for (const action of [s.Action].flat()) {
        expect(action).not.toContain('*');
        expect(action).toMatch(/^(sagemaker|s3|kms|iam):/);
      }
      expect([s.Resource].flat()).not.toContain('*');
    }
    template.resourceCountIs('AWS::IAM::Policy', 0); // managed policies only: no inline policy (NIST/HIPAA IAMNoInlinePolicy)
  });

  test('the schedule trigger starts the pipeline through EventBridge Scheduler with the given parameters and a role that may start only it', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 ? * MON *)',
      State: 'ENABLED',
      Target: {
        Arn: PIPELINE_ARN,
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineScheduleTriggerRole'), 'Arn'] },
        SageMakerPipelineParameters: { PipelineParameterList: [{ Name: 'DatasetVersion', Value: 'weekly' }] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })] },
    });
    expect(statementsOf(template, 'PipelineScheduleTriggerRolePolicy')).toEqual([{ Effect: 'Allow', Action: 'sagemaker:StartPipelineExecution', Resource: PIPELINE_ARN }]);
  });

  test('the new-data trigger matches objects under the team prefix and passes the key as InputDataKey', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.s3'],
        'detail-type': ['Object Created'],
        'detail': { bucket: { name: [{ Ref: Match.stringLikeRegexp('^PlatformDatasetsBucket') }] }, object: { key: [{ prefix: 'fraud/transactions/' }] } },
      },
      Targets: [{
        Id: 'StartPipeline',
        Arn: PIPELINE_ARN,
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineNewDataTriggerRole'), 'Arn'] },
        SageMakerPipelineParameters: { PipelineParameterList: [{ Name: 'InputDataKey', Value: '$.detail.object.key' }] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      }],
    });
    expect(statementsOf(template, 'PipelineNewDataTriggerRolePolicy')).toEqual([{ Effect: 'Allow', Action: 'sagemaker:StartPipelineExecution', Resource: PIPELINE_ARN }]);
  });

  test('the drift trigger starts the pipeline when the drift alarm goes into ALARM', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        'resources': [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^DriftDriftAlarm'), 'Arn'] }],
        'detail': { state: { value: ['ALARM'] } },
      },
      Targets: [Match.objectLike({
        Arn: PIPELINE_ARN,
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineDriftTriggerRole'), 'Arn'] },
        SageMakerPipelineParameters: { PipelineParameterList: [{ Name: 'DatasetVersion', Value: 'drift' }] },
      })],
    });
    expect(statementsOf(template, 'PipelineDriftTriggerRolePolicy')).toEqual([{ Effect: 'Allow', Action: 'sagemaker:StartPipelineExecution', Resource: PIPELINE_ARN }]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' } })] },
    });
  });

  test('the drift monitor checks the endpoint hourly in the team VPC and alarms on the largest feature drift', () => {
    template.hasResourceProperties('AWS::SageMaker::DataQualityJobDefinition', {
      JobDefinitionName: 'fraud-fraud-scoring-data-quality',
      DataQualityJobInput: { EndpointInput: Match.objectLike({ EndpointName: 'fraud-scoring' }) },
      DataQualityAppSpecification: Match.objectLike({ Environment: { publish_cloudwatch_metrics: 'Enabled' } }),
      NetworkConfig: Match.objectLike({ EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: true }),
    });
    template.hasResourceProperties('AWS::SageMaker::MonitoringSchedule', {
      MonitoringScheduleName: 'fraud-fraud-scoring-drift',
      MonitoringScheduleConfig: { MonitoringJobDefinitionName: 'fraud-fraud-scoring-data-quality', MonitoringType: 'DataQuality', ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0.1,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'MAX([f0, f1])' }),
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'feature_baseline_drift_amount', Namespace: 'aws/sagemaker/Endpoints/data-metrics' }) }) }),
      ]),
    });
  });

});

test('grantStartExecution lets a principal start this pipeline only', () => {
  // GIVEN a pipeline and an operator role (its inline grant policy is the caller's to govern)
  const t = platformAndTeam(newApp());
  const pipeline = new TrainingPipeline(t.teamStack, 'Pipeline', { environment: t.environment, definition: StandardTrainingRecipe.create({ environment: t.environment }) });
  const operator = new iam.Role(t.teamStack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
  // WHEN
  pipeline.grantStartExecution(operator);
  // THEN
  Template.fromStack(t.teamStack).hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: [{ Action: 'sagemaker:StartPipelineExecution', Effect: 'Allow', Resource: PIPELINE_ARN }] },
    Roles: [{ Ref: Match.stringLikeRegexp('^Operator') }],
  });
});

describe('TrainingPipeline metrics', () => {
  // GIVEN a pipeline named fraud-pipeline
  const t = platformAndTeam(newApp());
  const pipeline = new TrainingPipeline(t.teamStack, 'Pipeline', {
    environment: t.environment, definition: StandardTrainingRecipe.create({ environment: t.environment }), pipelineName: 'fraud-pipeline',
  });

  test.each([
    ['metricExecutionStarted', pipeline.metricExecutionStarted(), 'ExecutionStarted', 'Sum'],
    ['metricExecutionFailed', pipeline.metricExecutionFailed(), 'ExecutionFailed', 'Sum'],
    ['metricExecutionSucceeded', pipeline.metricExecutionSucceeded(), 'ExecutionSucceeded', 'Sum'],
    ['metricExecutionStopped', pipeline.metricExecutionStopped(), 'ExecutionStopped', 'Sum'],
    ['metricExecutionDuration', pipeline.metricExecutionDuration(), 'ExecutionDuration', 'Average'],
  ])('%s is SageMaker\'s metric of this pipeline (AWS/Sagemaker/ModelBuildingPipeline, PipelineName)', (_method, metric, name, statistic) => {
    // THEN the identity SageMaker publishes (developer guide, "SageMaker Pipelines Metrics")
    expect(metric.namespace).toBe('AWS/Sagemaker/ModelBuildingPipeline');
    expect(metric.metricName).toBe(name);
    expect(metric.dimensions).toEqual({ PipelineName: 'fraud-pipeline' });
    expect(metric.statistic).toBe(statistic);
    expect(metric.period.toMinutes()).toBe(5);
  });

  test('props override the defaults but not the pipeline dimension', () => {
    const metric = pipeline.metricExecutionFailed({ period: Duration.hours(1), statistic: 'Maximum', dimensionsMap: { PipelineName: 'other' } });
    expect([metric.period.toMinutes(), metric.statistic, metric.dimensions]).toEqual([60, 'Maximum', { PipelineName: 'fraud-pipeline' }]);
  });

  test('an alarm on failed executions synthesizes with the pipeline\'s name', () => {
    pipeline.metricExecutionFailed().createAlarm(t.teamStack, 'PipelineFailed', { threshold: 1, evaluationPeriods: 1 });
    Template.fromStack(t.teamStack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Sagemaker/ModelBuildingPipeline',
      MetricName: 'ExecutionFailed',
      Dimensions: [{ Name: 'PipelineName', Value: 'fraud-pipeline' }],
    });
  });
});

describe('TrainingPipeline rejects bad input at synth, naming the prop', () => {
  type Options = Partial<{ pipelineName: string; maxParallelExecutionSteps: number; definitionStorage: DefinitionStorage }>;
  const make = (props: Options = {}, definition?: PipelineDefinition) => {
    const t = platformAndTeam(newApp());
    const def = definition ?? new PipelineDefinition({ steps: [new FailStep({ name: 'Stop', errorMessage: Parameter.string('Why', { defaultValue: 'x' }) })] });
    return { ...t, pipeline: new TrainingPipeline(t.teamStack, 'Pipeline', { environment: t.environment, definition: def, ...props }) };
  };

  test.each([
    [{ pipelineName: '-starts-with-hyphen' }, /TrainingPipeline\.pipelineName: "-starts-with-hyphen" is not allowed/],
    [{ pipelineName: 'under_score' }, /TrainingPipeline\.pipelineName/],
    [{ pipelineName: 'x'.repeat(257) }, /TrainingPipeline\.pipelineName: must be 1 to 256 characters/],
    [{ pipelineName: 'x'.repeat(121) }, /TrainingPipeline\.pipelineName: is 121 characters, but each execution's SageMaker experiment is named after the pipeline/],
    [{ maxParallelExecutionSteps: 0 }, /TrainingPipeline\.maxParallelExecutionSteps: must be from 1 to 256/],
  ])('%j', (props, message) => {
    expect(() => make(props)).toThrow(message);
  });

  test('a pipeline name of 121 to 256 characters is accepted when the definition names its experiment', () => {
    const definition = new PipelineDefinition({
      steps: [new FailStep({ name: 'Stop', errorMessage: Parameter.string('Why', { defaultValue: 'x' }) })],
      experimentConfig: { experimentName: PipelineExpression.fromString('fraud-experiments') },
    });
    expect(make({ pipelineName: 'x'.repeat(256) }, definition).pipeline.pipelineName).toHaveLength(256);
  });

  test.each([
    ['cron(0 3 * * MON *)', /needs '\?' in exactly one of day-of-month and day-of-week/],
    ['cron(0 3 ? * MON)', /cron needs 6 fields/],
    ['cron(61 3 ? * MON *)', /cron minutes must be from 0 to 59, got '61'/],
    ['rate(0 days)', /rate must be at least 1/],
    ['rate(1 days)', /use '1 day'/],
    ['every monday', /must be rate\(/],
    // Found by the schedule properties (test/properties/pipeline-schedule.property.test.ts):
    ['at(2027-13-01T00:00:00)', /at month must be from 01 to 12, got 13/],
    ['at(2027-02-29T00:00:00)', /at day must be from 01 to 28 in 2027-02, got 29/],
    ['at(2027-01-01T24:00:00)', /at hour must be from 00 to 23, got 24/],
    ['at(2027-01-01T00:60:00)', /at minutes and seconds must be from 00 to 59/],
    ['cron(0 3 32W * ? *)', /cron day-of-month must be from 1 to 31, got '32' in '32W'/],
    ['cron(0 3 ? * XYZ#2 *)', /cron day-of-week field 'XYZ#2' names no day of the week/],
    ['cron(0 3 ? * MON#6 *)', /must ask for occurrence #1 to #5/],
    ['cron(1/2/3 3 ? * MON *)', /cron minutes field '1\/2\/3' does not parse/],
    ['cron(*/0 3 ? * MON *)', /cron minutes field '\*\/0' has an invalid step '0'/],
  ])('a schedule expression that does not parse: %s', (expression, message) => {
    const { pipeline } = make();
    expect(() => pipeline.triggerOnSchedule(scheduler.ScheduleExpression.expression(expression))).toThrow(message);
    expect(() => pipeline.triggerOnSchedule(scheduler.ScheduleExpression.expression(expression))).toThrow(/TrainingPipeline\.triggerOnSchedule\(schedule\)/);
  });

  test('schedule expressions that parse', () => {
    const { pipeline } = make();
    for (const e of ['rate(1 day)', 'rate(12 hours)', 'cron(0/15 8-18 ? * MON-FRI *)', 'cron(0 0 1 * ? *)', 'at(2027-01-01T00:00:00)',
      'at(2028-02-29T23:59:59)', 'cron(0 3 ? * L *)', 'cron(0 3 ? * FRI#3 *)', 'cron(0 3 ? * 6L *)', 'cron(0 3 15W * ? *)', 'cron(0 3 LW * ? *)']) {
      expect(() => pipeline.triggerOnSchedule(scheduler.ScheduleExpression.expression(e))).not.toThrow();
    }
    expect(() => pipeline.triggerOnSchedule(scheduler.ScheduleExpression.rate(Duration.days(7)))).not.toThrow();
  });

  test('trigger parameters must be parameters of the definition, of the right type', () => {
    const { pipeline } = make();
    expect(() => pipeline.triggerOnSchedule(scheduler.ScheduleExpression.expression('rate(1 day)'), { parameters: { Nope: 'x' } }))
      .toThrow(/TrainingPipeline\.triggerOnSchedule\(options\.parameters\): 'Nope' is not a parameter of the pipeline definition \(it has Why\)/);
    const { pipeline: recipe } = (() => {
      const t = platformAndTeam(newApp());
      return { pipeline: new TrainingPipeline(t.teamStack, 'P', { environment: t.environment, definition: StandardTrainingRecipe.create({ environment: t.environment }) }) };
    })();
    expect(() => recipe.triggerOnSchedule(scheduler.ScheduleExpression.expression('rate(1 day)'), { parameters: { MetricThreshold: 'high' } }))
      .toThrow(/'MetricThreshold' is a Float parameter, got 'high'/);
  });

  test('the new-data trigger needs a String parameter for the key', () => {
    const { pipeline } = make();
    expect(() => pipeline.triggerOnNewData()).toThrow(/TrainingPipeline\.triggerOnNewData\(options\.keyParameterName\): the definition has no String parameter 'InputDataKey'/);
    expect(() => pipeline.triggerOnNewData({ keyParameterName: 'Why', prefix: '/abs' })).toThrow(/triggerOnNewData\(options\.prefix\)/);
  });

  test('definition errors fail the synth with the step name', () => {
    const { pipeline, teamStack } = make({}, new PipelineDefinition({ steps: [new FailStep({ name: 'A' }), new FailStep({ name: 'A' })] }));
    expect(pipeline).toBeDefined();
    expect(() => Template.fromStack(teamStack)).toThrow(/TrainingPipeline Team\/Pipeline: Step 'A': the name is used by 2 steps/);
  });

  test('a definition with deploy-time values cannot be an S3 asset; a literal one can', () => {
    const t = platformAndTeam(newApp());
    const recipe = StandardTrainingRecipe.create({ environment: t.environment });
    expect(() => new TrainingPipeline(t.teamStack, 'P', { environment: t.environment, definition: recipe, definitionStorage: DefinitionStorage.S3_ASSET }))
      .toThrow(/TrainingPipeline\.definitionStorage: the definition \(about \d+ characters\) is to be stored as an S3 asset, but holds \d+ deploy-time values/);
    const { teamStack } = make({ definitionStorage: DefinitionStorage.S3_ASSET });
    Template.fromStack(teamStack).hasResourceProperties('AWS::SageMaker::Pipeline', {
      PipelineDefinition: { PipelineDefinitionS3Location: { Bucket: Match.anyValue(), Key: Match.stringLikeRegexp('\\.json$') } },
    });
  });

  test('steps added later are deployed; new step types fail the synth (the role would not cover them)', () => {
    const { pipeline, teamStack } = make();
    pipeline.definition.addStep(new FailStep({ name: 'Later', errorMessage: PipelineExpression.fromString('x') }));
    const [resource] = Object.values<any>(Template.fromStack(teamStack).findResources('AWS::SageMaker::Pipeline'));
    expect(deployedDefinition(resource).Steps.map((s: any) => s.Name)).toEqual(['Stop', 'Later']);
    const t2 = make();
    t2.pipeline.definition.addStep(new TrainingStep({ name: 'T', environment: t2.environment, imageUri: 'i' }));
    expect(() => Template.fromStack(t2.teamStack)).toThrow(/steps were added to the definition after the pipeline was created/);
  });
});
