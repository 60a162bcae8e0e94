import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { MlPlatform } from '../../platform/ml-platform';

/**
 * Lets `securityGroup` reach the platform's interface endpoints on HTTPS, and Amazon S3 through the
 * platform's gateway endpoint.
 *
 * `MlPlatform.allowEndpointAccessFrom` puts both rules in the platform's stack, which references the
 * workload's security group: when the workload lives in a team stack (which already depends on the
 * platform stack) that is a dependency cycle. So for a workload in another stack, the ingress rule is
 * created here, in the workload's stack, as a standalone `AWS::EC2::SecurityGroupIngress` on the
 * endpoint group; in the platform's own stack the platform method is used.
 *
 * @internal
 */
export function allowPlatformEndpoints(scope: Construct, platform: MlPlatform, securityGroup: ec2.SecurityGroup, s3PrefixListId?: string): void {
  if (Stack.of(scope) === Stack.of(platform)) {
    platform.allowEndpointAccessFrom(securityGroup);
  } else {
    new ec2.CfnSecurityGroupIngress(scope, 'EndpointIngress', {
      groupId: platform.endpointSecurityGroup.securityGroupId,
      sourceSecurityGroupId: securityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: `HTTPS to AWS service endpoints from ${scope.node.path}`,
    });
    securityGroup.addEgressRule(platform.endpointSecurityGroup, ec2.Port.tcp(443), 'HTTPS to AWS service endpoints');
  }
  // S3 (data, and the image layers ECR serves) is reached through the gateway endpoint, whose
  // addresses are the region's S3 prefix list. Without its id, HTTPS egress is opened to every
  // address: the isolated subnets have no route to the internet, so only S3 answers.
  const s3 = s3PrefixListId ? ec2.Peer.prefixList(s3PrefixListId) : ec2.Peer.anyIpv4();
  securityGroup.addEgressRule(s3, ec2.Port.tcp(443), 'HTTPS to Amazon S3 through the gateway endpoint (no internet route)');
}
