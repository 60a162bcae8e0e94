import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import { TeamConfig, teamsFromContext } from './config/teams-config';
import { TrainyardValidationError } from '../src/core/errors';
import { GpuProfile } from '../src/environment/gpu-profile';
import { SharingStrategy } from '../src/environment/team-capacity-share';
import { TrainingCapacityPool } from '../src/environment/training-capacity-pool';
import { TrainingEnvironment } from '../src/environment/training-environment';
import { FlowMetrics } from '../src/metrics/flow-metrics';
import { MlPlatform } from '../src/platform/ml-platform';

/**
 * `multi-team`: one shared platform stack and one stack per team, from a teams file.
 *
 *   npx cdk synth -c template=multi-team                                   # templates/config/teams.example.yaml
 *   npx cdk synth -c template=multi-team -c teams=path/to/teams.yaml       # or .json
 *   npx cdk synth -c template=multi-team -c generatedTeams=100             # team-001 ... team-100
 *
 * Partitioning: each team is its own stack, so no stack grows with the number of teams. Team stacks
 * reference the platform's VPC subnets, endpoint security group, key and buckets; every team uses
 * the same attributes, so the platform stack exports the same dozen values at 1 team or 500 (CDK
 * creates one export per referenced attribute, shared by all importers). The endpoints admit the
 * training subnets, and each team's egress rule to them lives in the team's stack, so the platform
 * never references a team and a team can be added or removed without touching the platform stack.
 *
 * The platform construct keeps the id and stack name of `single-team`, so the logical ids of the
 * platform's stateful resources are the same in both templates: moving from one to the other
 * replaces nothing.
 */
/** The most teams one flow-metrics stack measures. */
export const FLOW_METRICS_TEAMS_PER_STACK = 50;

export function multiTeam(app: App): Stack[] {
  const prefix = String(app.node.tryGetContext('stackPrefix') ?? 'Trainyard');
  const config = teamsFromContext(app);
  const s3PrefixListId = app.node.tryGetContext('s3PrefixListId');

  const platformStack = new Stack(app, `${prefix}-Platform`, {
    description: 'Trainyard shared ML platform: isolated VPC, endpoints, KMS key, datasets and artifacts buckets',
  });
  const platform = new MlPlatform(platformStack, 'Platform', { maxAzs: 2 });
  const stacks: Stack[] = [platformStack];
  // The shared GPU pool lives with the platform; each team's quota share lives in the team's stack and
  // refers to the pool's queue by ARN, so adding a team adds nothing to the platform stack.
  const pool = config.capacity === undefined ? undefined : withConfigPath(`${config.source}: /capacity`, () => new TrainingCapacityPool(platformStack, 'GpuPool', {
    capacity: config.capacity!.instances,
    maxRunnableWait: config.capacity!.maxRunnableWaitMinutes === undefined ? undefined : Duration.minutes(config.capacity!.maxRunnableWaitMinutes),
  }));

  config.teams.forEach((team, index) => {
    const where = `${config.source}: /teams/${index}`;
    const stack = new Stack(app, `${prefix}-Team-${team.name}`, {
      description: `Trainyard training environment of team ${team.name}: execution role, security group, job defaults, budget`,
    });
    // Read by `trainyard cost` (per-team marginal cost) and by cost allocation.
    Tags.of(stack).add('trainyard:team', team.name);
    // A teams-file value the constructs reject is reported at its place in the file.
    withConfigPath(where, () => {
      const environment = new TrainingEnvironment(stack, pascalCase(team.name), {
        platform,
        teamName: team.name,
        gpu: gpuOf(team, where),
        maxInstanceCount: team.maxInstanceCount,
        monthlyBudgetUsd: team.monthlyBudgetUsd,
        costCenter: team.costCenter,
        alertEmails: team.alertEmails,
        s3PrefixListId: s3PrefixListId === undefined ? undefined : String(s3PrefixListId),
      });
      if (pool && team.capacityShare) {
        pool.addTeamShare(environment, {
          guaranteed: team.capacityShare.guaranteed,
          strategy: team.capacityShare.strategy as SharingStrategy | undefined,
          borrowLimitPercent: team.capacityShare.borrowLimitPercent,
        });
      }
    });
    stacks.push(stack);
  });

  // Throughput, cycle time and scrap rate of every team, from the first deploy. FlowMetrics selects
  // events by team name, so its stacks reference the platform and no team stack; each holds at most
  // FLOW_METRICS_TEAMS_PER_STACK teams (two alarms each), far inside the 500-resource stack limit.
  // Teams are grouped in file order: append new teams at the end to keep the others in place.
  for (let first = 0; first < config.teams.length; first += FLOW_METRICS_TEAMS_PER_STACK) {
    const group = first / FLOW_METRICS_TEAMS_PER_STACK;
    const flowStack = new Stack(app, `${prefix}-FlowMetrics${group === 0 ? '' : `-${group + 1}`}`, {
      description: 'Trainyard flow metrics of the teams: throughput, cycle time and scrap rate, with a dashboard and alarms',
    });
    new FlowMetrics(flowStack, 'FlowMetrics', {
      platform,
      teamNames: config.teams.slice(first, first + FLOW_METRICS_TEAMS_PER_STACK).map((team) => team.name),
    });
    stacks.push(flowStack);
  }

  Tags.of(app).add('trainyard:template', 'multi-team');
  return stacks;
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

function withConfigPath<T>(where: string, build: () => T): T {
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
