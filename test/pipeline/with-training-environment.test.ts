import { App, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { ITrainingEnvironment, TrainingEnvironment } from '../../src/environment/training-environment';
import { StandardTrainingRecipe } from '../../src/pipeline/standard-training-recipe';
import { TrainingPipeline } from '../../src/pipeline/training-pipeline';
import { MlPlatform } from '../../src/platform/ml-platform';
import { ModelRegistry } from '../../src/registry/model-registry';
import { describeFindings, synthWithCompliance } from '../helpers/synth';
import { definitionSchemaErrors, deployedDefinition } from './definition/definition-rules';

/** The snippet for templates/single-team.ts (see the pipeline report). */
function addStandardPipeline(teamStack: Stack, team: ITrainingEnvironment): TrainingPipeline {
  const pipeline = new TrainingPipeline(teamStack, 'TrainingPipeline', {
    environment: team,
    definition: StandardTrainingRecipe.create({ environment: team, scope: teamStack }),
  });
  pipeline.triggerOnSchedule(scheduler.ScheduleExpression.cron({ weekDay: 'MON', hour: '3', minute: '0' }));
  pipeline.triggerOnNewData();
  return pipeline;
}

describe('the standard pipeline on the real TrainingEnvironment, laid out as templates/single-team.ts', () => {
  // GIVEN the template's two stacks (platform, team) with the real TrainingEnvironment, plus the snippet
  let teamStack!: Stack;
  let team!: TrainingEnvironment;
  const result = synthWithCompliance((app: App) => {
    const platformStack = new Stack(app, 'Trainyard-Platform');
    const platform = new MlPlatform(platformStack, 'Platform', { maxAzs: 2 });
    teamStack = new Stack(app, 'Trainyard-Team-ml');
    const models = new ModelRegistry(teamStack, 'Models', { groupName: ModelRegistry.groupNameForTeam('ml'), key: platform.key });
    team = new TrainingEnvironment(teamStack, 'Ml', {
      platform,
      teamName: 'ml',
      gpu: GpuProfile.G5_2XLARGE,
      monthlyBudgetUsd: 1000,
      modelPackageGroupName: models.modelPackageGroupName,
      costCenter: 'ml-research', // MlOps GpuResourceCostTagged: GPU pipelines carry trainyard:cost-center
    });
    addStandardPipeline(teamStack, team);
    Tags.of(app).add('trainyard:template', 'single-team');
  });
  const template: Template = result.template(teamStack);

  test('synthesizes with zero unacknowledged findings from every pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('the deployed definition is valid and starts training from the environment defaults', () => {
    const definition = deployedDefinition(Object.values<any>(template.findResources('AWS::SageMaker::Pipeline'))[0]);
    expect(definitionSchemaErrors(definition)).toEqual([]);
    const train = definition.Steps.find((s: any) => s.Name === 'Train').Arguments;
    expect(train.ResourceConfig.InstanceType).toBe(team.trainingJobDefaults.resourceConfig.instanceType);
    expect(train.EnableManagedSpotTraining).toBe(team.trainingJobDefaults.enableManagedSpotTraining);
    expect(definition.Parameters.find((p: any) => p.Name === 'InputDataKey').DefaultValue).toBe(team.datasetsPrefix);
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
