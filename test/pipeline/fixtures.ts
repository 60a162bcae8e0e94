import { App, ArnFormat, CfnResource, Resource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ITrainingEnvironment } from '../../src/environment/training-environment';
import { TrainingJobDefaults } from '../../src/environment/training-job-defaults';
import { acknowledgeWildcardResources } from '../../src/pipeline/private/wildcard-acknowledgement';
import { MlPlatform } from '../../src/platform/ml-platform';

/** Options of the fixture environment. */
export interface FixtureEnvironmentOptions {
  teamName?: string;
  /** null: no model registry. */
  modelPackageGroupName?: string | null;
  spot?: boolean;
}

/**
 * A stand-in for TrainingEnvironment (written in parallel): a least-privilege SageMaker role, a
 * security group without internet egress, the team prefixes and realistic training-job defaults.
 * The lead swaps it for the real TrainingEnvironment at merge.
 */
export class FixtureTrainingEnvironment extends Resource implements ITrainingEnvironment {
  public readonly teamName: string;
  public readonly executionRole: iam.IRole;
  public readonly securityGroup: ec2.ISecurityGroup;
  public readonly datasetsBucket: s3.IBucket;
  public readonly artifactsBucket: s3.IBucket;
  public readonly encryptionKey: kms.IKey;
  public readonly datasetsPrefix: string;
  public readonly artifactsPrefix: string;
  public readonly checkpointsPrefix: string;
  public readonly trainingJobDefaults: TrainingJobDefaults;
  public readonly modelPackageGroupName?: string;
  public readonly grantPrincipal: iam.IPrincipal;
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: FixtureEnvironmentOptions & { platform: MlPlatform }) {
    super(scope, id);
    const { platform } = props;
    this.teamName = props.teamName ?? 'fraud';
    this.datasetsBucket = platform.datasetsBucket;
    this.artifactsBucket = platform.artifactsBucket;
    this.encryptionKey = platform.encryptionKey;
    this.datasetsPrefix = `${this.teamName}/`;
    this.artifactsPrefix = `${this.teamName}/`;
    this.checkpointsPrefix = `${this.teamName}/checkpoints/`;
    this.modelPackageGroupName = props.modelPackageGroupName === null ? undefined : (props.modelPackageGroupName ?? `${this.teamName}-models`);

    const sg = new ec2.SecurityGroup(this, 'JobSecurityGroup', {
      vpc: platform.vpc,
      description: `Training jobs of team ${this.teamName}: HTTPS to AWS endpoints only`,
      allowAllOutbound: false,
    });
    platform.allowEndpointAccessFrom(sg);
    sg.addEgressRule(platform.endpointSecurityGroup, ec2.Port.tcp(443), 'HTTPS to interface endpoints');
    sg.addIngressRule(sg, ec2.Port.allTcp(), 'Multi-node training between the job instances');
    sg.addEgressRule(sg, ec2.Port.allTcp(), 'Multi-node training between the job instances');
    this.securityGroup = sg;
    this.connections = sg.connections;

    const role = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker jobs of team ${this.teamName}`,
    });
    const stack = Stack.of(this);
    const policy = new iam.ManagedPolicy(this, 'ExecutionPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:ListBucket'], resources: [this.datasetsBucket.bucketArn, this.datasetsBucket.arnForObjects(`${this.datasetsPrefix}*`)] }),
        new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'], resources: [this.artifactsBucket.bucketArn, this.artifactsBucket.arnForObjects(`${this.artifactsPrefix}*`)] }),
        new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [this.encryptionKey.keyArn] }),
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          // arn:...:log-group:/aws/sagemaker/* (MlOps-IamPolicyMatchesServiceReference caught the slash format here,
          // log-group//aws/sagemaker/*, which fits no log-stream ARN: the job could not have written its logs).
          resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        }),
        new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': '/aws/sagemaker/TrainingJobs' } } }),
        new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
        new iam.PolicyStatement({ actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], resources: ['arn:aws:ecr:*:*:repository/pytorch-*'] }),
        new iam.PolicyStatement({
          actions: ['ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission',
            'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
          resources: ['*'],
        }),
      ],
    });
    const suffixes = [`/${this.teamName}/*`, '/aws/sagemaker/*', 'repository/pytorch-*', '*'];
    acknowledgeWildcardResources(policy.node.defaultChild as CfnResource, suffixes, (ids) => ids.map((findingId) => ({
      id: findingId,
      reason: 'Test fixture: team prefixes, SageMaker log groups, DLC repositories, and EC2/ECR/CloudWatch actions without resource-level permissions.',
    })));
    this.executionRole = role;
    this.grantPrincipal = role;

    const subnets = platform.vpc.selectSubnets(platform.trainingSubnets).subnetIds;
    this.trainingJobDefaults = {
      roleArn: role.roleArn,
      vpcConfig: { securityGroupIds: [sg.securityGroupId], subnets },
      enableNetworkIsolation: true,
      enableInterContainerTrafficEncryption: true,
      resourceConfig: { instanceType: 'ml.g5.2xlarge', instanceCount: 1, volumeSizeInGb: 100, volumeKmsKeyId: this.encryptionKey.keyArn },
      outputDataConfig: { s3OutputPath: `s3://${this.artifactsBucket.bucketName}/${this.artifactsPrefix}models/`, kmsKeyId: this.encryptionKey.keyArn },
      stoppingCondition: { maxRuntimeInSeconds: 86_400, maxWaitTimeInSeconds: 172_800 },
      enableManagedSpotTraining: props.spot ?? true,
      checkpointS3Uri: `s3://${this.artifactsBucket.bucketName}/${this.checkpointsPrefix}`,
      maximumRetryAttempts: 3,
      tags: { 'trainyard:team': this.teamName, 'trainyard:cost-center': `ml-${this.teamName}` },
    };
  }

  /** No guardrails on the fixture: nothing to widen. */
  public allowInstanceTypes(..._instanceTypes: string[]): void {}
}

/**
 * One stack with the platform and the fixture environment (the endpoint security group admits the
 * team's, which would be a reference cycle across two stacks of this fixture).
 */
export function platformAndTeam(app: App, options: FixtureEnvironmentOptions = {}) {
  const teamStack = new Stack(app, 'Team');
  const platformStack = teamStack;
  const platform = new MlPlatform(teamStack, 'Platform');
  const environment = new FixtureTrainingEnvironment(teamStack, 'Environment', { platform, ...options });
  return { platformStack, platform, teamStack, environment };
}
