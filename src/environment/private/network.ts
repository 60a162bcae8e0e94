import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { TrainyardValidationError } from '../../core/errors';
import { IMlPlatform } from '../../platform/ml-platform';

/**
 * Checks an S3 managed prefix list ID (`pl-` and 8 to 17 hex digits). Undefined and tokens pass.
 *
 * @internal
 */
export function requireS3PrefixListId(prop: string, value: string | undefined): void {
  if (value !== undefined && !Token.isUnresolved(value) && (typeof value !== 'string' || !/^pl-[0-9a-f]{8,17}$/.test(value))) {
    throw new TrainyardValidationError(prop, `must be a managed prefix list ID such as 'pl-63a5400a', got '${String(value)}'.`);
  }
}

/**
 * Lets `securityGroup` reach the platform's interface endpoints on HTTPS (through
 * `IMlPlatform.allowEndpointAccessFrom`: an egress rule in the workload's stack), and Amazon S3 through the
 * platform's gateway endpoint.
 *
 * @internal
 */
export function allowPlatformEndpoints(platform: IMlPlatform, securityGroup: ec2.SecurityGroup, s3PrefixListId?: string): void {
  platform.allowEndpointAccessFrom(securityGroup);
  // S3 (data, and the image layers ECR serves) is reached through the gateway endpoint, whose
  // addresses are the region's S3 prefix list. Without its id, HTTPS egress is opened to every
  // address: the isolated subnets have no route to the internet, so only S3 answers.
  const s3 = s3PrefixListId ? ec2.Peer.prefixList(s3PrefixListId) : ec2.Peer.anyIpv4();
  securityGroup.addEgressRule(s3, ec2.Port.tcp(443), 'HTTPS to Amazon S3 through the gateway endpoint (no internet route)');
}
