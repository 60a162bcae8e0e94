import { App, Stack, Tags } from 'aws-cdk-lib';
import { MlPlatform } from '../src/platform/ml-platform';

/**
 * `single-team` (the default template): the shared ML platform for one team.
 *
 * Stacks are environment-agnostic, so the template synthesizes with no AWS account or credentials;
 * `cdk deploy` targets the account and region of the caller's credentials.
 */
export function singleTeam(app: App): Stack[] {
  const prefix = String(app.node.tryGetContext('stackPrefix') ?? 'Trainyard');
  const platformStack = new Stack(app, `${prefix}-Platform`, {
    description: 'Trainyard shared ML platform: isolated VPC, endpoints, KMS key, datasets and artifacts buckets',
  });
  new MlPlatform(platformStack, 'Platform', { maxAzs: 2 });
  Tags.of(app).add('trainyard:template', 'single-team');
  return [platformStack];
}
