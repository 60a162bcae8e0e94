import { App, Duration, Stack } from 'aws-cdk-lib';
import { teamsFromContext } from './config/teams-config';
import { addPlatformStack, importPlatform, stackPrefix } from './platform';
import { addTeamEnvironment, addTeamShare, addTeamStack, withConfigPath } from './team';
import { TrainingCapacityPool } from '../src/environment/training-capacity-pool';
import { FlowMetrics } from '../src/metrics/flow-metrics';

/**
 * `multi-team`: one shared platform stack and one stack per team, from a teams file.
 *
 *   npx cdk synth -c template=multi-team                                   # templates/config/teams.example.yaml
 *   npx cdk synth -c template=multi-team -c teams=path/to/teams.yaml       # or .json
 *   npx cdk synth -c template=multi-team -c generatedTeams=100             # team-001 ... team-100
 *
 * Partitioning: each team is its own stack, so no stack grows with the number of teams. Team stacks
 * read the platform's VPC subnets, endpoint security group, key and buckets from the SSM parameters
 * it publishes (`MlPlatform.fromPlatformName`), resolved at deploy time: no CloudFormation export ties
 * them, so the platform can change any of those values without waiting for a team stack. Each team
 * stack depends on the platform stack, so `cdk deploy '*'` deploys the platform first. The endpoints
 * admit the training subnets, and each team's egress rule to them lives in the team's stack, so the
 * platform never references a team and a team can be added or removed without touching the platform
 * stack. The `team` template builds one of these team stacks alone, with the same logical ids.
 *
 * The platform construct keeps the id and stack name of `single-team`, so the logical ids of the
 * platform's stateful resources are the same in both templates: moving from one to the other
 * replaces nothing.
 */
/** The most teams one flow-metrics stack measures. */
export const FLOW_METRICS_TEAMS_PER_STACK = 50;

export function multiTeam(app: App): Stack[] {
  const prefix = stackPrefix(app);
  const config = teamsFromContext(app);
  const { platformStack, platform } = addPlatformStack(app, 'multi-team');
  const stacks: Stack[] = [platformStack];
  // The shared GPU pool lives with the platform; each team's quota share lives in the team's stack and
  // reads the pool's queue from the SSM parameters the pool publishes under the platform's prefix (no
  // export), so adding a team adds nothing to the platform stack.
  const pool = config.capacity === undefined ? undefined : withConfigPath(`${config.source}: /capacity`, () => new TrainingCapacityPool(platformStack, 'GpuPool', {
    platformName: platform.platformName,
    capacity: config.capacity!.instances,
    maxRunnableWait: config.capacity!.maxRunnableWaitMinutes === undefined ? undefined : Duration.minutes(config.capacity!.maxRunnableWaitMinutes),
  }));

  config.teams.forEach((team, index) => {
    const stack = addTeamStack(app, team);
    const where = `${config.source}: /teams/${index}`;
    const environment = addTeamEnvironment(stack, importPlatform(stack, platformStack), team, where);
    if (pool) {
      addTeamShare(pool, environment, team, where);
    }
    stacks.push(stack);
  });

  // Throughput, cycle time and scrap rate of every team, from the first deploy. FlowMetrics selects
  // events by team name, so its stacks read the platform's parameters and reference no team stack;
  // each holds at most FLOW_METRICS_TEAMS_PER_STACK teams (up to four alarms each: scrap rate, cycle time, GPU utilization, queue wait), far inside the
  // 500-resource stack limit. Teams are grouped in file order: append new teams at the end to keep
  // the others in place.
  for (let first = 0; first < config.teams.length; first += FLOW_METRICS_TEAMS_PER_STACK) {
    const group = first / FLOW_METRICS_TEAMS_PER_STACK;
    const flowStack = new Stack(app, `${prefix}-FlowMetrics${group === 0 ? '' : `-${group + 1}`}`, {
      description: 'Trainyard flow metrics of the teams: throughput, cycle time and scrap rate, with a dashboard and alarms',
    });
    new FlowMetrics(flowStack, 'FlowMetrics', {
      platform: importPlatform(flowStack, platformStack),
      teamNames: config.teams.slice(first, first + FLOW_METRICS_TEAMS_PER_STACK).map((team) => team.name),
    });
    stacks.push(flowStack);
  }
  return stacks;
}
