import { App, Stack, Tags } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TrainyardValidationError } from '../src/core/errors';
import { IMlPlatform, MlPlatform, MlPlatformProps } from '../src/platform/ml-platform';

/**
 * `platform`: the shared ML platform alone, for the platform team's repository. Team apps find it
 * by name (`-c platformName`, default `Trainyard`) through the SSM parameters it publishes under
 * `/trainyard/<platformName>/`; nothing is exported.
 *
 *   npx cdk deploy -c template=platform                          # once, by the platform team
 *   npx cdk deploy -c template=team -c team=fraud '*'            # then each team, from its own repository
 *
 * Every template builds its platform here, with the construct id and stack name of `single-team`, so
 * the logical ids of the platform's stateful resources are the same in all of them.
 */
export function platformTemplate(app: App): Stack[] {
  const { platformStack } = addPlatformStack(app, 'platform');
  return [platformStack];
}

/** The platform name of the app's `platformName` context, or `MlPlatform.DEFAULT_PLATFORM_NAME`. */
export function platformNameFromContext(app: App): string {
  const name = app.node.tryGetContext('platformName') ?? MlPlatform.DEFAULT_PLATFORM_NAME;
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_.-]{0,47}$/.test(name)) {
    throw new TrainyardValidationError('-c platformName', `must be 1 to 48 letters, digits, '_', '.' or '-', starting with a letter, got '${String(name)}'`);
  }
  return name;
}

/** The stack name prefix of the app's `stackPrefix` context (`Trainyard`). */
export function stackPrefix(app: App): string {
  return String(app.node.tryGetContext('stackPrefix') ?? 'Trainyard');
}

/**
 * The platform stack `<prefix>-Platform` with the `MlPlatform` (id `Platform`, two zones) that
 * every template shares. With `-c legacyExports=true` the stack also keeps the CloudFormation
 * exports team stacks imported before they read SSM parameters (see the README's migration steps).
 */
export function addPlatformStack(app: App, template: string, props: MlPlatformProps = {}): { platformStack: Stack; platform: MlPlatform } {
  const platformStack = new Stack(app, `${stackPrefix(app)}-Platform`, {
    description: 'Trainyard shared ML platform: isolated VPC, endpoints, KMS key, datasets and artifacts buckets, MLflow',
  });
  // During the migration off exports, the platform keeps the shared MLflow App the old team stacks import
  // the ARN of (issue 19 moved each team to its own App): CloudFormation refuses to remove an export in use.
  const migrating = legacyExports(app) ? { sharedExperimentTracking: true } : {};
  const platform = new MlPlatform(platformStack, 'Platform', { maxAzs: 2, platformName: platformNameFromContext(app), ...migrating, ...props });
  if (legacyExports(app)) {
    keepLegacyExports(platformStack, platform);
  }
  tagStacksAndResources(app, 'trainyard:template', template);
  return { platformStack, platform };
}

/**
 * Tags every stack under `scope` and every taggable resource in them. cdk.json sets CDK's
 * `@aws-cdk/core:explicitStackTags`, under which `Tags.of(scope).add` no longer tags the stacks themselves;
 * the templates' stacks keep the stack tags they have always carried (CloudFormation propagates them, and
 * `trainyard cost` reads them), so a deployed stack sees no tag change.
 */
export function tagStacksAndResources(scope: IConstruct, key: string, value: string): void {
  Tags.of(scope).add(key, value);
  Tags.of(scope).add(key, value, { includeResourceTypes: ['aws:cdk:stack'] });
}

/**
 * The platform as a team stack sees it: imported by name through SSM parameters (never exports),
 * with the team stack deployed after the platform stack when both are in this app.
 */
export function importPlatform(teamStack: Stack, platformStack?: Stack): IMlPlatform {
  if (platformStack) {
    teamStack.addStackDependency(platformStack, 'the team reads the SSM parameters the platform publishes');
  }
  return MlPlatform.fromPlatformName(teamStack, 'Platform', platformNameFromContext(teamStack.node.root as App), { maxAzs: 2 });
}

function legacyExports(app: App): boolean {
  const value = app.node.tryGetContext('legacyExports');
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new TrainyardValidationError('-c legacyExports', `must be true or false, got '${String(value)}'`);
}

/**
 * The exports team stacks of Trainyard 0.x imported from the platform stack (CDK's automatic
 * cross-stack references), under the same export names (`Stack.exportValue` names them the way the
 * automatic references did). Deploy the platform with them, then the team stacks (which now read
 * SSM parameters), then the platform without them: CloudFormation refuses to delete an export
 * another stack still imports.
 */
function keepLegacyExports(platformStack: Stack, platform: MlPlatform): void {
  const subnets = platform.vpc.selectSubnets(platform.trainingSubnets).subnets;
  const values = [
    platform.vpc.vpcId,
    ...subnets.map((subnet) => subnet.subnetId),
    platform.endpointSecurityGroup.securityGroupId,
    platform.key.keyArn,
    platform.datasetsBucket.bucketArn,
    platform.datasetsBucket.bucketName,
    platform.artifactsBucket.bucketArn,
    platform.artifactsBucket.bucketName,
    ...(platform.experimentTracking ? [platform.experimentTracking.trackingArn] : []),
  ];
  for (const value of values) {
    platformStack.exportValue(value);
  }
}
