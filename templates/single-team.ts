import { App, Stack, Tags } from 'aws-cdk-lib';
import { MlPlatform } from '../src/platform/ml-platform';
import { ImageRegistry } from '../src/registry/image-registry';
import { ModelRegistry } from '../src/registry/model-registry';

/**
 * `single-team` (the default template): the shared ML platform (with its serverless MLflow App) and
 * team `ml`'s registries.
 *
 * Stacks are environment-agnostic, so the template synthesizes with no AWS account or credentials;
 * `cdk deploy` targets the account and region of the caller's credentials.
 */
export function singleTeam(app: App): Stack[] {
  const prefix = String(app.node.tryGetContext('stackPrefix') ?? 'Trainyard');
  const platformStack = new Stack(app, `${prefix}-Platform`, {
    description: 'Trainyard shared ML platform: isolated VPC, endpoints, KMS key, datasets and artifacts buckets, MLflow',
  });
  const platform = new MlPlatform(platformStack, 'Platform', { maxAzs: 2 });

  const team = 'ml';
  const teamStack = new Stack(app, `${prefix}-Team-${team}`, {
    description: `Trainyard team ${team}: model registry and training image repository`,
  });
  new ModelRegistry(teamStack, 'Models', {
    groupName: `${team}-models`,
    description: `Models of team ${team}`,
    key: platform.key,
  });
  new ImageRegistry(teamStack, 'Images', {
    repositoryName: `${team}/training`,
    key: platform.key,
  });

  Tags.of(app).add('trainyard:template', 'single-team');
  return [platformStack, teamStack];
}
