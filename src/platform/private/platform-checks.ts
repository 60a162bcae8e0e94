import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { TrainyardValidationError } from '../../core/errors';
import { IMlPlatform, MlPlatform } from '../ml-platform';

/**
 * Checks that `platform` is an `IMlPlatform` (an `MlPlatform`, or one imported with
 * `MlPlatform.fromPlatformName` / `fromMlPlatformAttributes`), by shape rather than `instanceof`,
 * so two copies of the package in one app agree.
 *
 * @internal
 */
export function requirePlatform(prop: string, platform: unknown): IMlPlatform {
  const p = platform as IMlPlatform | undefined;
  // `in`, not a read: an imported platform reads an attribute (adds its SSM parameter) on first use only.
  const attributes = ['vpc', 'encryptionKey', 'datasetsBucket', 'artifactsBucket', 'endpointSecurityGroup'];
  if (!p || typeof p !== 'object' || attributes.some((name) => !(name in p)) || typeof p.allowEndpointAccessFrom !== 'function') {
    throw new TrainyardValidationError(
      prop,
      'is required: an MlPlatform, or the platform of another app imported with MlPlatform.fromPlatformName(scope, id, platformName) or MlPlatform.fromMlPlatformAttributes.',
    );
  }
  return p;
}

/**
 * Checks that an `MlPlatform` of this app has the interface endpoints `services`. Team constructs
 * never add endpoints to the platform (that would change the platform's stack on a team deploy):
 * the platform is created with them. An imported platform cannot be checked at synth; its
 * `interfaceEndpoints` are the platform team's to keep complete.
 *
 * @internal
 */
export function requirePlatformEndpoints(prop: string, platform: IMlPlatform, services: ec2.InterfaceVpcEndpointAwsService[], remedy: string): void {
  if (!MlPlatform.isMlPlatform(platform)) {
    return;
  }
  const present = new Set(platform.interfaceEndpointServices);
  const missing = services.map((service) => service.shortName).filter((name) => !present.has(name));
  if (missing.length > 0) {
    throw new TrainyardValidationError(prop, `platform ${platform.node.path} has no interface endpoint for ${missing.join(', ')}: ${remedy}`);
  }
}
