import { App, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { definitionSchemaErrors, deployedDefinition } from './definition/definition-rules';
import { Acknowledgements } from '../../src/core/acknowledgements';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { DriftMonitor } from '../../src/pipeline/drift-monitor';
import { MlPlatform } from '../../src/platform/ml-platform';
import { addStandardPipeline } from '../../templates/single-team';
import { describeFindings, synthWithCompliance } from '../helpers/synth';

describe('the standard pipeline on the real TrainingEnvironment, laid out as templates/single-team.ts', () => {
  // GIVEN the template's two stacks (platform, team) with the real TrainingEnvironment, plus the snippet
  let teamStack!: Stack;
  let team!: TrainingEnvironment;
  const result = synthWithCompliance((app: App) => {
    const platformStack = new Stack(app, 'Trainyard-Platform');
    const platform = new MlPlatform(platformStack, 'Platform', { maxAzs: 2 });
    teamStack = new Stack(app, 'Trainyard-Team-ml');
    team = new TrainingEnvironment(teamStack, 'Ml', {
      platform,
      teamName: 'ml',
      gpu: GpuProfile.G5_2XLARGE,
      monthlyBudgetUsd: 1000,
      costCenter: 'ml-research', // MlOps GpuResourceCostTagged: GPU pipelines carry trainyard:cost-center
    });
    const pipeline = addStandardPipeline(teamStack, team);
    // A drift monitor on the team's G5 environment: its CPU instance has an EBS volume, which must be
    // encrypted although G5 training jobs (local NVMe) carry no volume key.
    pipeline.triggerOnDrift(new DriftMonitor(teamStack, 'Drift', { environment: team, endpointName: 'ml-scoring', features: ['amount'] }));
    Tags.of(app).add('trainyard:template', 'single-team');
  });
  const template: Template = result.template(teamStack);

  test('the pipeline\'s execution and trigger roles (schedule, new data, drift) carry the team guardrails; their instance types are the profile and the recipe\'s steps', () => {
    const boundaryId = teamStack.resolve((team.permissionsBoundary!.node.defaultChild as iam.CfnManagedPolicy).logicalId);
    const roles = Object.entries<any>(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('TrainingPipeline'));
    expect(roles.map(([id, r]) => [id.replace(/[0-9A-F]{8}$/, ''), r.Properties.PermissionsBoundary])).toEqual([
      ['TrainingPipelineExecutionRole', { Ref: boundaryId }],
      ['TrainingPipelineScheduleTriggerRole', { Ref: boundaryId }],
      ['TrainingPipelineNewDataTriggerRole', { Ref: boundaryId }],
      ['TrainingPipelineDriftTriggerRole', { Ref: boundaryId }],
    ]);
    const deny = template.toJSON().Resources[boundaryId].Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'DenyInstanceTypesOutsideProfiles');
    expect(deny.Condition['ForAnyValue:StringNotLike']['sagemaker:InstanceTypes']).toEqual(['ml.g5.2xlarge', 'ml.m5.xlarge']);
  });

  test('synthesizes with zero unacknowledged findings from every pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('the drift monitor encrypts its volume with the platform key', () => {
    template.hasResourceProperties('AWS::SageMaker::DataQualityJobDefinition', {
      JobResources: { ClusterConfig: Match.objectLike({ InstanceType: 'ml.m5.large', VolumeKmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') } }) },
    });
  });

  test('the deployed definition is valid and starts training from the environment defaults', () => {
    const definition = deployedDefinition(Object.values<any>(template.findResources('AWS::SageMaker::Pipeline'))[0]);
    expect(definitionSchemaErrors(definition)).toEqual([]);
    const train = definition.Steps.find((s: any) => s.Name === 'Train').Arguments;
    expect(train.ResourceConfig.InstanceType).toBe(team.trainingJobDefaults.resourceConfig.instanceType);
    expect(train.EnableManagedSpotTraining).toBe(team.trainingJobDefaults.enableManagedSpotTraining);
    expect(definition.Parameters.find((p: any) => p.Name === 'InputDataKey').DefaultValue).toBe(team.datasetsPrefix);
    // Models go to the group the environment created; isolated jobs are not pointed at MLflow.
    expect(JSON.stringify(definition)).toContain('"ModelPackageGroupName":"ml-models"'); // in the gate's Register step
    expect(JSON.stringify(definition)).not.toContain('MLFLOW_TRACKING_URI');
  });

  test('the pipeline carries the team and cost-centre tags (MlOps GpuResourceCostTagged)', () => {
    const [resource] = Object.values<any>(template.findResources('AWS::SageMaker::Pipeline'));
    expect(resource.Properties.Tags).toEqual(expect.arrayContaining([
      { Key: 'trainyard:cost-center', Value: 'ml-research' },
      { Key: 'trainyard:team', Value: 'ml' },
    ]));
  });

  test('the new-data rule watches the team prefix of the platform datasets bucket', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { object: { key: [{ prefix: team.datasetsPrefix }] } } },
    });
  });
});

describe('the standard pipeline on an environment without network isolation, to log to MLflow from the job', () => {
  const ISOLATION_REASON = 'Team ml logs metrics to the shared MLflow App from inside its jobs; the VPC has no route to the internet.';
  // GIVEN team ml with networkIsolation: false, synthesized with every compliance pack
  const build = (acknowledged: boolean) => (app: App) => {
    const platformStack = new Stack(app, 'Trainyard-Platform');
    const platform = new MlPlatform(platformStack, 'Platform', { maxAzs: 2 });
    const teamStack = new Stack(app, 'Trainyard-Team-ml');
    const team = new TrainingEnvironment(teamStack, 'Ml', {
      platform, teamName: 'ml', gpu: GpuProfile.G5_2XLARGE, costCenter: 'ml-research', networkIsolation: false,
    });
    const pipeline = addStandardPipeline(teamStack, team);
    if (acknowledged) {
      Acknowledgements.acknowledge(pipeline, [{ id: 'MlOps-SageMakerTrainingNetworkIsolated', reason: ISOLATION_REASON }]);
    }
    return teamStack;
  };
  let teamStack!: Stack;
  const result = synthWithCompliance((app) => {
    teamStack = build(true)(app);
  });
  const definition = deployedDefinition(Object.values<any>(result.template(teamStack).findResources('AWS::SageMaker::Pipeline'))[0]);

  test("every job gets MLFLOW_TRACKING_URI, the ARN of the team's own MLflow App, and training runs without isolation", () => {
    const jobs = definition.Steps.filter((s: any) => s.Type === 'Training' || s.Type === 'Processing');
    expect(jobs.length).toBeGreaterThanOrEqual(3);
    for (const job of jobs) {
      expect(job.Arguments.Environment).toHaveProperty('MLFLOW_TRACKING_URI');
    }
    // The value is the ARN of the team's own app, in the team's stack (no other team's, no platform one).
    const [pipeline] = Object.values<any>(result.template(teamStack).findResources('AWS::SageMaker::Pipeline'));
    expect(JSON.stringify(pipeline.Properties)).toMatch(/MLFLOW_TRACKING_URI[^{]*\{"Fn::GetAtt":\["MlExperimentTrackingApp[0-9A-F]{8}","Arn"\]/);
    expect(JSON.stringify(pipeline.Properties)).not.toMatch(/Fn::ImportValue[^}]*ExperimentTrackingApp/);
    expect(definition.Steps.find((s: any) => s.Name === 'Train').Arguments.EnableNetworkIsolation).toBe(false);
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('without the acknowledgement the compliance gate stops synth on MlOps-SageMakerTrainingNetworkIsolated', () => {
    expect(() => synthWithCompliance((app) => {
      build(false)(app);
    })).toThrow(/MlOps-SageMakerTrainingNetworkIsolated/);
  });
});
