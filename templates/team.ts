import { App, Stack } from 'aws-cdk-lib';
import { TeamConfig, teamsFromContext } from './config/teams-config';
import { importPlatform, platformNameFromContext, stackPrefix, tagStacksAndResources } from './platform';
import { addStandardPipeline } from './single-team';
import { TrainyardValidationError } from '../src/core/errors';
import { GpuProfile } from '../src/environment/gpu-profile';
import { SharingStrategy, TeamCapacityShare } from '../src/environment/team-capacity-share';
import { ITrainingCapacityPool, TrainingCapacityPool } from '../src/environment/training-capacity-pool';
import { TrainingEnvironment } from '../src/environment/training-environment';
import { FlowMetrics } from '../src/metrics/flow-metrics';
import { IMlPlatform } from '../src/platform/ml-platform';

/**
 * `team`: one team's stack, for the team's own repository: its training environment (role,
 * security group, job defaults, budget, model registry and image repository), the standard training
 * pipeline and the team's flow metrics. The team comes from the teams file, the platform is found by
 * name through the SSM parameters the `platform` template publishes: the app holds no platform stack
 * and imports no CloudFormation export, so a platform change never waits for a team stack.
 *
 *   npx cdk deploy -c template=team -c team=fraud                                   # templates/config/teams.example.yaml
 *   npx cdk deploy -c template=team -c team=fraud -c teams=teams.yaml -c platformName=Research
 *
 * The stack and the environment have the names `multi-team` gives the team, so the logical ids of
 * the team's stateful resources are the same in both templates.
 */
export function teamTemplate(app: App): Stack[] {
  const name = app.node.tryGetContext('team');
  if (typeof name !== 'string' || name.trim() === '') {
    throw new TrainyardValidationError('-c team', 'is required with -c template=team: the name of a team of the teams file (-c teams=..., default templates/config/teams.example.yaml)');
  }
  const config = teamsFromContext(app);
  const index = config.teams.findIndex((t) => t.name === name);
  if (index < 0) {
    throw new TrainyardValidationError('-c team', `'${name}' is not a team of ${config.source}. Teams: ${config.teams.map((t) => t.name).join(', ')}`);
  }
  const team = config.teams[index];
  const stack = addTeamStack(app, team);
  const platform = importPlatform(stack);
  const where = `${config.source}: /teams/${index}`;
  const environment = addTeamEnvironment(stack, platform, team, where);
  // The team's share of the platform's capacity pool (multi-team's `GpuPool`), found by name through
  // the pool's SSM parameters; the teams file's capacity section gives what is checked at synth.
  const pool = config.capacity === undefined ? undefined : withConfigPath(`${config.source}: /capacity`,
    () => TrainingCapacityPool.fromPoolName(stack, 'GpuPool', 'GpuPool', {
      capacity: config.capacity!.instances,
      platformName: platformNameFromContext(app),
    }));
  const share = pool === undefined ? undefined : addTeamShare(pool, environment, team, where);
  addStandardPipeline(stack, environment, share);
  // Throughput, cycle time and scrap rate of the team, in the team's own stack.
  new FlowMetrics(stack, 'FlowMetrics', { platform, environments: [environment] });
  tagStacksAndResources(app, 'trainyard:template', 'team');
  return [stack];
}

/** The stack of a team of the teams file, `<prefix>-Team-<name>`, tagged with the team. */
export function addTeamStack(app: App, team: TeamConfig): Stack {
  const stack = new Stack(app, `${stackPrefix(app)}-Team-${team.name}`, {
    description: `Trainyard training environment of team ${team.name}: execution role, security group, job defaults, budget`,
  });
  // Read by `trainyard cost` (per-team marginal cost) and by cost allocation.
  tagStacksAndResources(stack, 'trainyard:team', team.name);
  return stack;
}

/** The training environment of a team of the teams file; a value the constructs reject is reported at `where`. */
export function addTeamEnvironment(stack: Stack, platform: IMlPlatform, team: TeamConfig, where: string): TrainingEnvironment {
  const s3PrefixListId = stack.node.tryGetContext('s3PrefixListId');
  let environment: TrainingEnvironment | undefined;
  withConfigPath(where, () => {
    environment = new TrainingEnvironment(stack, pascalCase(team.name), {
      platform,
      teamName: team.name,
      gpu: gpuOf(team, where),
      maxInstanceCount: team.maxInstanceCount,
      monthlyBudgetUsd: team.monthlyBudgetUsd,
      costCenter: team.costCenter,
      alertEmails: team.alertEmails,
      s3PrefixListId: s3PrefixListId === undefined ? undefined : String(s3PrefixListId),
    });
  });
  return environment!;
}

/** The team's quota share of the capacity pool, from the team's `capacityShare` in the teams file. */
export function addTeamShare(
  pool: ITrainingCapacityPool, environment: TrainingEnvironment, team: TeamConfig, where: string,
): TeamCapacityShare | undefined {
  if (!team.capacityShare) return undefined;
  return withConfigPath(`${where}/capacityShare`, () => pool.addTeamShare(environment, {
    guaranteed: team.capacityShare!.guaranteed,
    strategy: team.capacityShare!.strategy as SharingStrategy | undefined,
    borrowLimitPercent: team.capacityShare!.borrowLimitPercent,
  }));
}

function gpuOf(team: TeamConfig, where: string): GpuProfile {
  try {
    return GpuProfile.of(team.gpu);
  } catch (e) {
    if (e instanceof TrainyardValidationError) {
      throw new TrainyardValidationError(`${where}/gpu`, e.message);
    }
    throw e;
  }
}

/** Runs `build`; a TrainyardValidationError it throws is reported at `where` (a place in the teams file). */
export function withConfigPath<T>(where: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof TrainyardValidationError && !e.message.startsWith(where)) {
      throw new TrainyardValidationError(where, e.message);
    }
    throw e;
  }
}

/** `search-ranking` -> `SearchRanking`: the construct id single-team uses for its team (`ml` -> `Ml`). */
function pascalCase(name: string): string {
  return name.split('-').filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
