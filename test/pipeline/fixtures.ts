import { App, Stack } from 'aws-cdk-lib';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment, TrainingEnvironmentProps } from '../../src/environment/training-environment';
import { MlPlatform } from '../../src/platform/ml-platform';

/** Props of the team's environment; the platform is the fixture's. */
export type TeamOptions = Partial<Omit<TrainingEnvironmentProps, 'platform'>>;

/**
 * One stack with the platform and a real TrainingEnvironment of team `fraud` on `ml.g5.2xlarge`
 * (the props a user writes first), so the pipeline tests see the prefixes, job defaults, tags and
 * guardrails a real team has. One stack keeps the tests fast; the templates test the
 * platform-and-team split across stacks.
 */
export function platformAndTeam(app: App, options: TeamOptions = {}) {
  const teamStack = new Stack(app, 'Team');
  const platformStack = teamStack;
  const platform = new MlPlatform(teamStack, 'Platform');
  const environment = new TrainingEnvironment(teamStack, 'Environment', {
    platform,
    teamName: 'fraud',
    gpu: GpuProfile.G5_2XLARGE,
    ...options,
  });
  return { platformStack, platform, teamStack, environment };
}
