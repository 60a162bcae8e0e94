import { App, Stack } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { addPlatformStack, importPlatform, stackPrefix } from './platform';
import { TrainyardValidationError } from '../src/core/errors';
import { GpuProfile } from '../src/environment/gpu-profile';
import { ITeamCapacityShare } from '../src/environment/team-capacity-share';
import { TrainingCapacityPool } from '../src/environment/training-capacity-pool';
import { ITrainingEnvironment, TrainingEnvironment } from '../src/environment/training-environment';
import { FlowMetrics } from '../src/metrics/flow-metrics';
import { StandardTrainingRecipe } from '../src/pipeline/standard-training-recipe';
import { TrainingPipeline } from '../src/pipeline/training-pipeline';

/**
 * `single-team` (the default template): the shared ML platform (with the MLflow endpoint), one
 * team's training environment with its model registry, image repository and MLflow App, a GPU
 * capacity pool with the team's share of it (`-c capacityPool=false` leaves it out), the standard
 * training pipeline (training through the share) with schedule and new-data triggers, and the
 * team's flow metrics.
 *
 * Stacks are environment-agnostic, so the template synthesizes with no AWS account or credentials;
 * `cdk deploy` targets the account and region of the caller's credentials. `-c s3PrefixListId=pl-...`
 * passes the Region's Amazon S3 prefix list, which lets the team's jobs reach S3 through the
 * gateway endpoint.
 */
/**
 * The standard validate -> train -> evaluate -> gate -> register pipeline of a team, retrained every
 * Monday and whenever new data lands under the team's dataset prefix.
 */
export function addStandardPipeline(teamStack: Stack, environment: ITrainingEnvironment, capacityShare?: ITeamCapacityShare): TrainingPipeline {
  const pipeline = new TrainingPipeline(teamStack, 'TrainingPipeline', {
    environment,
    definition: StandardTrainingRecipe.create({ environment, scope: teamStack, capacityShare }),
  });
  pipeline.triggerOnSchedule(scheduler.ScheduleExpression.cron({ weekDay: 'MON', hour: '3', minute: '0' }));
  pipeline.triggerOnNewData();
  return pipeline;
}

export function singleTeam(app: App): Stack[] {
  const { platformStack, platform } = addPlatformStack(app, 'single-team');

  const team = 'ml';
  const teamStack = new Stack(app, `${stackPrefix(app)}-Team-${team}`, {
    description: `Trainyard training environment of team ${team}: execution role, security group, job defaults, budget, registries`,
  });
  const s3PrefixListId = app.node.tryGetContext('s3PrefixListId');
  // The environment creates the team's model registry (`ml-models`) and image repository
  // (`ml/training`) and its own serverless MLflow App, which only its roles may use. It finds the
  // platform through its SSM parameters, as a team app of its own would (the `team` template).
  const environment = new TrainingEnvironment(teamStack, 'Ml', {
    platform: importPlatform(teamStack, platformStack),
    teamName: team,
    gpu: GpuProfile.G5_2XLARGE,
    monthlyBudgetUsd: 1000,
    s3PrefixListId: s3PrefixListId === undefined ? undefined : String(s3PrefixListId),
  });

  // A GPU capacity pool for the team (free while idle): its training jobs queue for the pool's
  // instances instead of starting straight against the account's quota, and more teams can share it
  // later. `-c capacityPool=false` leaves it out: the pipeline then starts its training job directly.
  const withPool = capacityPoolFromContext(app);
  const share = withPool ? new TrainingCapacityPool(platformStack, 'GpuPool', {
    platformName: platform.platformName,
    capacity: [{ instanceType: GpuProfile.G5_2XLARGE.instanceType, maxInstances: 4 }],
  }).addTeamShare(environment, { guaranteed: [{ instanceType: GpuProfile.G5_2XLARGE.instanceType, maxInstances: 4 }] }) : undefined;

  addStandardPipeline(teamStack, environment, share);

  // Throughput, cycle time and scrap rate of the team's ML work, from the first deploy. In the
  // platform's stack (where it has always been), selecting the team's events by name.
  new FlowMetrics(platformStack, 'FlowMetrics', { platform, environments: [environment] });
  return [platformStack, teamStack];
}

/** `-c capacityPool` (default true): whether single-team builds a capacity pool and trains through it. */
function capacityPoolFromContext(app: App): boolean {
  const value = app.node.tryGetContext('capacityPool');
  if (value === undefined || value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new TrainyardValidationError('-c capacityPool', `must be true or false, got '${String(value)}'`);
}
