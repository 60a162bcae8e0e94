import { Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { platformDataStatements } from './data-access';
import { ecrPullStatements } from '../../core/ecr-pull';
import { AcknowledgementCatalogue } from '../../core/private/acknowledgement-catalogue';
import { acknowledgeWildcards } from '../../core/private/wildcard-acknowledgement';
import { IMlPlatform } from '../../platform/ml-platform';

/** The roles of a team's `GpuBatchCompute`, and the image repository its jobs pull from. @internal */
export interface BatchRoles {
  /** The role the instances (the ECS agent) run as. */
  readonly instanceRole: iam.Role;
  /** The role ECS uses to pull the image and write logs. */
  readonly executionRole: iam.Role;
  /** The role job containers run as. */
  readonly jobRole: iam.Role;
  /** The repository the jobs pull from: the one given, or the team's repository by name. */
  readonly repository: ecr.IRepository;
}

/**
 * The roles of a team's `GpuBatchCompute`, created under `scope` (the construct: ids `InstanceRole`,
 * `InstancePolicy`, `Repository`, `ExecutionRole`, `ExecutionPolicy`, `JobRole`, `JobPolicy`), each
 * with one customer-managed policy: the ECS agent joins Batch's clusters and writes job logs; ECS
 * pulls the team image and writes job logs; job containers read and write the team's data prefixes.
 *
 * @internal
 */
export function createBatchRoles(scope: Construct, team: {
  readonly teamName: string;
  readonly platform: IMlPlatform;
  readonly imageRepository?: ecr.IRepository;
  /** The ARN of the log streams of the jobs' log group. */
  readonly logStreamsArn: string;
}): BatchRoles {
  const { teamName, platform, imageRepository, logStreamsArn } = team;
  const stack = Stack.of(scope);
  const instanceRole = new iam.Role(scope, 'InstanceRole', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: `ECS agent on the GPU Batch instances of team ${teamName}: join Batch's ECS cluster, write job logs`,
  });
  const ecsArn = (resource: string, name: string) => stack.formatArn({ service: 'ecs', resource, resourceName: name });
  const instancePolicy = new iam.ManagedPolicy(scope, 'InstancePolicy', {
    description: 'ECS container agent of AWS Batch instances (least-privilege AmazonEC2ContainerServiceforEC2Role)',
    roles: [instanceRole],
    statements: [
      new iam.PolicyStatement({
        sid: 'JoinBatchClusters',
        actions: ['ecs:RegisterContainerInstance', 'ecs:DeregisterContainerInstance', 'ecs:SubmitContainerStateChange', 'ecs:SubmitTaskStateChange', 'ecs:SubmitAttachmentStateChanges'],
        resources: [ecsArn('cluster', 'AWSBatch-*')],
      }),
      new iam.PolicyStatement({
        sid: 'RunAsContainerInstance',
        actions: ['ecs:Poll', 'ecs:StartTelemetrySession', 'ecs:UpdateContainerInstancesState'],
        resources: [ecsArn('container-instance', 'AWSBatch-*')],
      }),
      new iam.PolicyStatement({
        sid: 'DiscoverEcsEndpoint',
        actions: ['ecs:DiscoverPollEndpoint'],
        resources: ['*'],
      }),
      // On EC2, Docker's awslogs driver writes with the instance's credentials.
      new iam.PolicyStatement({
        sid: 'WriteJobLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logStreamsArn],
      }),
    ],
  });
  acknowledgeWildcards(instancePolicy, AcknowledgementCatalogue.batchInstancePolicy());

  const repository = imageRepository ?? ecr.Repository.fromRepositoryName(scope, 'Repository', teamName);
  // Grants made by CDK (image pull, log writes) would land in an inline policy; the managed policy
  // below states them explicitly instead.
  const executionRole = new iam.Role(scope, 'ExecutionRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    description: `Pulls team ${teamName}'s training image and writes its job logs`,
  });
  const executionPolicy = new iam.ManagedPolicy(scope, 'ExecutionPolicy', {
    description: 'Pull the team image from its ECR repository and write job logs',
    roles: [executionRole],
    statements: [
      ...ecrPullStatements([repository.repositoryArn], { pull: 'PullTeamImage', token: 'EcrAuthorizationToken' }),
      new iam.PolicyStatement({
        sid: 'WriteJobLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logStreamsArn],
      }),
    ],
  });
  acknowledgeWildcards(executionPolicy, AcknowledgementCatalogue.batchExecutionPolicy());

  const jobRole = new iam.Role(scope, 'JobRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    description: `Training containers of team ${teamName}: read its datasets, write its artifacts and checkpoints`,
  });
  const teamPrefix = `${teamName}/`;
  const jobPolicy = new iam.ManagedPolicy(scope, 'JobPolicy', {
    description: `Team ${teamName}'s data prefixes in the platform buckets`,
    roles: [jobRole],
    statements: platformDataStatements(platform, {
      readPrefixes: { datasets: teamPrefix, artifacts: teamPrefix },
      // The same prefixes as the team's TrainingEnvironment: artifacts and checkpoints.
      writeArtifactsPrefixes: [`${teamPrefix}artifacts/`, `${teamPrefix}checkpoints/`],
    }),
  });
  acknowledgeWildcards(jobPolicy, AcknowledgementCatalogue.dataPrefixes(true));

  return { instanceRole, executionRole, jobRole, repository };
}
