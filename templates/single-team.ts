import { App, Stack, Tags } from 'aws-cdk-lib';
import { GpuProfile } from '../src/environment/gpu-profile';
import { TrainingEnvironment } from '../src/environment/training-environment';
import { MlPlatform } from '../src/platform/ml-platform';

/**
 * `single-team` (the default template): the shared ML platform and one team's training environment.
 *
 * Stacks are environment-agnostic, so the template synthesizes with no AWS account or credentials;
 * `cdk deploy` targets the account and region of the caller's credentials. `-c s3PrefixListId=pl-...`
 * passes the Region's Amazon S3 prefix list, which lets the team's jobs reach S3 through the
 * gateway endpoint.
 */
export function singleTeam(app: App): Stack[] {
  const prefix = String(app.node.tryGetContext('stackPrefix') ?? 'Trainyard');
  const platformStack = new Stack(app, `${prefix}-Platform`, {
    description: 'Trainyard shared ML platform: isolated VPC, endpoints, KMS key, datasets and artifacts buckets',
  });
  const platform = new MlPlatform(platformStack, 'Platform', { maxAzs: 2 });

  const teamStack = new Stack(app, `${prefix}-Team-ml`, {
    description: 'Trainyard training environment of team ml: execution role, security group, job defaults, budget',
  });
  const s3PrefixListId = app.node.tryGetContext('s3PrefixListId');
  new TrainingEnvironment(teamStack, 'Ml', {
    platform,
    teamName: 'ml',
    gpu: GpuProfile.G5_2XLARGE,
    monthlyBudgetUsd: 1000,
    s3PrefixListId: s3PrefixListId === undefined ? undefined : String(s3PrefixListId),
  });

  Tags.of(app).add('trainyard:template', 'single-team');
  return [platformStack, teamStack];
}
