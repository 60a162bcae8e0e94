import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { grantExperimentTracking } from './experiment-access';
import { Acknowledgements } from '../../core/acknowledgements';
import { ecrPullStatements } from '../../core/ecr-pull';
import { AcknowledgementCatalogue } from '../../core/private/acknowledgement-catalogue';
import { acknowledgeWildcards } from '../../core/private/wildcard-acknowledgement';
import { prefixListStatement } from '../../core/s3-prefix-statements';
import { IMlPlatform } from '../../platform/ml-platform';
import { IExperimentTracking } from '../../registry/experiment-tracking';

/** The log groups SageMaker training and processing jobs write to. */
const SAGEMAKER_LOG_GROUPS = ['/aws/sagemaker/TrainingJobs', '/aws/sagemaker/ProcessingJobs'];

/** What a team's execution policies are built from. @internal */
export interface ExecutionPolicyInputs {
  /** The team's name, in the policies' descriptions and its CloudWatch namespace. */
  readonly teamName: string;
  /** The execution role the policies are attached to. */
  readonly role: iam.Role;
  /** The platform whose VPC, key and buckets the role uses. */
  readonly platform: IMlPlatform;
  /** The security group of the team's jobs. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The team's prefixes, each ending in `/`. */
  readonly datasetsPrefix: string;
  readonly artifactsPrefix: string;
  readonly checkpointsPrefix: string;
  /** The team's image repository, if any: the role may pull from it and from no other. */
  readonly repository?: ecr.IRepository;
  /** The experiment tracking the team uses, if any. */
  readonly tracking?: IExperimentTracking;
}

/**
 * The customer-managed policies of a team's execution role, one per concern, created under `scope`
 * (the `TrainingEnvironment`: ids `DataAccessPolicy`, `NetworkPolicy`, `ObservabilityPolicy`,
 * `ImagePullPolicy` and, with experiment tracking, the MLflow policy), attached to the role and
 * acknowledged where a wildcard is scoped by the team's prefixes, the VPC or the SageMaker log groups.
 *
 * @internal
 */
export function createExecutionPolicies(scope: Construct, team: ExecutionPolicyInputs): iam.IManagedPolicy[] {
  const { teamName, role, platform, securityGroup, datasetsPrefix, artifactsPrefix, checkpointsPrefix, repository, tracking } = team;
  const stack = Stack.of(scope);
  const vpcArn = stack.formatArn({ service: 'ec2', resource: 'vpc', resourceName: platform.vpc.vpcId });
  const eniArn = stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' });
  const subnetArns = platform.vpc.selectSubnets(platform.trainingSubnets).subnetIds.map((subnetId) =>
    stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: subnetId }));
  const securityGroupArn = stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: securityGroup.securityGroupId });

  const data = new iam.ManagedPolicy(scope, 'DataAccessPolicy', {
    description: `Trainyard ${teamName}: read the team's datasets, write its artifacts and checkpoints, use the platform key`,
    statements: [
      new iam.PolicyStatement({
        sid: 'ReadTeamDatasets',
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'],
        resources: [platform.datasetsBucket.arnForObjects(`${datasetsPrefix}*`)],
      }),
      prefixListStatement('ListTeamDatasets', platform.datasetsBucket.bucketArn, [datasetsPrefix]),
      new iam.PolicyStatement({
        sid: 'WriteTeamArtifactsAndCheckpoints',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [
          platform.artifactsBucket.arnForObjects(`${artifactsPrefix}*`),
          platform.artifactsBucket.arnForObjects(`${checkpointsPrefix}*`),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'PruneTeamCheckpoints',
        actions: ['s3:DeleteObject'],
        resources: [platform.artifactsBucket.arnForObjects(`${checkpointsPrefix}*`)],
      }),
      prefixListStatement('ListTeamArtifacts', platform.artifactsBucket.bucketArn, [artifactsPrefix, checkpointsPrefix]),
      new iam.PolicyStatement({
        sid: 'UsePlatformKey',
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [platform.encryptionKey.keyArn],
      }),
      new iam.PolicyStatement({
        sid: 'GrantPlatformKeyToSageMakerVolumes',
        actions: ['kms:CreateGrant'],
        resources: [platform.encryptionKey.keyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    ],
  });

  const network = new iam.ManagedPolicy(scope, 'NetworkPolicy', {
    description: `Trainyard ${teamName}: manage the job ENIs in the platform VPC only`,
    statements: [
      new iam.PolicyStatement({
        sid: 'CreateJobEnisInPlatformVpc',
        actions: ['ec2:CreateNetworkInterface'],
        resources: [eniArn, ...subnetArns, securityGroupArn],
        conditions: { ArnEquals: { 'ec2:Vpc': vpcArn } },
      }),
      new iam.PolicyStatement({
        sid: 'ManageJobEnisInPlatformVpc',
        actions: ['ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission'],
        resources: [eniArn],
        conditions: { ArnEquals: { 'ec2:Vpc': vpcArn } },
      }),
      new iam.PolicyStatement({
        sid: 'DescribeNetwork',
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
        resources: ['*'],
      }),
    ],
  });

  const logGroups = SAGEMAKER_LOG_GROUPS.map((name) => `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${name}`);
  const logStreams = logGroups.map((arn) => `${arn}:log-stream:*`);
  const observability = new iam.ManagedPolicy(scope, 'ObservabilityPolicy', {
    description: `Trainyard ${teamName}: write job logs and metrics`,
    statements: [
      new iam.PolicyStatement({
        sid: 'CreateSageMakerJobLogGroups',
        actions: ['logs:CreateLogGroup', 'logs:DescribeLogStreams'],
        resources: logGroups,
      }),
      new iam.PolicyStatement({
        sid: 'WriteSageMakerJobLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: logStreams,
      }),
      new iam.PolicyStatement({
        sid: 'PutSageMakerJobMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', `Trainyard/${teamName}`] } },
      }),
    ],
  });

  const policies: iam.IManagedPolicy[] = [data, network, observability];
  if (repository) {
    policies.push(new iam.ManagedPolicy(scope, 'ImagePullPolicy', {
      description: `Trainyard ${teamName}: pull images from the team repository only`,
      statements: ecrPullStatements([repository.repositoryArn], { pull: 'PullTeamImages', token: 'GetEcrAuthorizationToken' }),
    }));
  }
  for (const policy of policies) {
    role.addManagedPolicy(policy);
  }
  if (tracking) {
    // Attached by the policy itself (its Roles), as every ManagedPolicyGrantee is.
    policies.push(grantExperimentTracking(scope, tracking, role, `Trainyard ${teamName}: log runs, metrics and models to MLflow, read and write its artifacts`).policy);
  }
  Acknowledgements.acknowledge(scope, AcknowledgementCatalogue.actionsWithoutResourceLevelPermissions());
  // The other wildcard resources are acknowledged one by one, under the name cdk-nag gives them.
  acknowledgeWildcards(data, AcknowledgementCatalogue.teamPrefixObjects([
    platform.datasetsBucket.arnForObjects(`${datasetsPrefix}*`),
    platform.artifactsBucket.arnForObjects(`${artifactsPrefix}*`),
    platform.artifactsBucket.arnForObjects(`${checkpointsPrefix}*`),
  ]));
  acknowledgeWildcards(network, AcknowledgementCatalogue.sageMakerJobNetworkInterfaces(eniArn));
  acknowledgeWildcards(observability, AcknowledgementCatalogue.sageMakerJobLogStreams(logStreams));
  return policies;
}
