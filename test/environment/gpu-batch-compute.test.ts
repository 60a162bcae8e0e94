import { App, Duration, Lazy, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { TrainyardValidationError } from '../../src/core/errors';
import { GpuBatchCompute, GpuBatchComputeProps } from '../../src/environment/gpu-batch-compute';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { MlPlatform } from '../../src/platform/ml-platform';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

/** Every statement of every managed policy in `template`, flattened. */
function managedPolicyStatements(template: Template): any[] {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function statementBySid(template: Template, description: RegExp, sid: string): any {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p: any) => description.test(p.Properties.Description));
  expect(policies).toHaveLength(1);
  const statement = (policies[0] as any).Properties.PolicyDocument.Statement.find((s: any) => s.Sid === sid);
  expect(statement).toBeDefined();
  return statement;
}

function interfaceEndpointServices(template: Template): string[] {
  const endpoints = template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } });
  return Object.values(endpoints).map((r: any) => JSON.stringify(r.Properties.ServiceName).match(/\.([a-z.-]+)"\]/)![1]).sort();
}

describe('GpuBatchCompute with default props (G5 2xlarge, one node), in a team stack', () => {
  // GIVEN a platform stack and a team stack with default GPU Batch compute, synthesized once with every pack
  let platformStack!: Stack;
  let teamStack!: Stack;
  let compute!: GpuBatchCompute;
  const result = synthWithCompliance((app) => {
    platformStack = new Stack(app, 'Platform');
    const platform = new MlPlatform(platformStack, 'Platform', { batchCompute: true });
    teamStack = new Stack(app, 'Team');
    compute = new GpuBatchCompute(teamStack, 'Batch', { platform, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE });
  });
  const team = result.template(teamStack);
  const platform = result.template(platformStack);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('scales to zero: a managed EC2 compute environment with minvCpus 0 and maxvCpus of one instance', () => {
    team.resourceCountIs('AWS::Batch::ComputeEnvironment', 1);
    team.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      Type: 'managed',
      State: 'ENABLED',
      ComputeResources: Match.objectLike({ MinvCpus: 0, MaxvCpus: 8, InstanceTypes: ['g5.2xlarge'] }),
    });
  });

  test('runs on Spot with the price-capacity-optimized strategy and the NVIDIA ECS AMI', () => {
    team.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({
        Type: 'SPOT',
        AllocationStrategy: 'SPOT_PRICE_CAPACITY_OPTIMIZED',
        Ec2Configuration: [{ ImageType: 'ECS_AL2023_NVIDIA' }],
        SpotIamFleetRole: Match.absent(),
      }),
    });
  });

  test('launches into the platform isolated subnets with its own security group and launch template', () => {
    const ce: any = Object.values(team.findResources('AWS::Batch::ComputeEnvironment'))[0];
    const subnets = ce.Properties.ComputeResources.Subnets;
    expect(subnets).toHaveLength(2);
    for (const subnet of subnets) {
      expect(subnet['Fn::ImportValue']).toMatch(/PlatformVpctrainingSubnet/);
    }
    expect(ce.Properties.ComputeResources.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/BatchSecurityGroup/), 'GroupId'] }]);
    expect(ce.Properties.ComputeResources.LaunchTemplate.LaunchTemplateId).toEqual({ Ref: expect.stringMatching(/BatchLaunchTemplate/) });
  });

  test('the launch template requires IMDSv2 (one hop) and encrypts the root volume with the platform key', () => {
    team.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        Monitoring: { Enabled: true },
        BlockDeviceMappings: [{
          DeviceName: '/dev/xvda',
          Ebs: {
            Encrypted: true,
            DeleteOnTermination: true,
            VolumeSize: 200,
            VolumeType: 'gp3',
            KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
          },
        }],
      }),
    });
  });

  test('the platform key admits EBS through EC2 and the Trainyard log groups', () => {
    platform.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowTrainyardLogGroups',
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
          Match.objectLike({
            Sid: 'AllowEbsThroughEc2ForThisAccount',
            Condition: { StringEquals: Match.objectLike({ 'kms:CallerAccount': { Ref: 'AWS::AccountId' } }) },
          }),
          Match.objectLike({ Sid: 'AllowEbsGrantsThroughEc2ForThisAccount', Action: 'kms:CreateGrant' }),
        ]),
      },
    });
  });

  test('runs on a platform created with batchCompute, which has the ECS, ECS agent and ECS telemetry endpoints', () => {
    expect(interfaceEndpointServices(platform)).toEqual([
      'ecr.api', 'ecr.dkr', 'ecs', 'ecs-agent', 'ecs-telemetry', 'experiments', 'logs', 'monitoring', 'sagemaker.api', 'sagemaker.runtime', 'sts',
    ]);
  });

  test('the security group has no internet egress rule except HTTPS, and reaches the endpoints on HTTPS', () => {
    const groups = team.findResources('AWS::EC2::SecurityGroup');
    expect(Object.keys(groups)).toHaveLength(1);
    const group: any = Object.values(groups)[0];
    for (const rule of group.Properties.SecurityGroupEgress) {
      expect([rule.IpProtocol, rule.FromPort, rule.ToPort]).toEqual(['tcp', 443, 443]);
    }
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    // The endpoint group admits the training subnets; the Batch group's egress, in the team stack, does the rest.
    team.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    team.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      DestinationSecurityGroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformEndpointSecurityGroup') },
    });
  });

  test('one job queue on the compute environment, and a GPU job definition with retries on Spot reclaim', () => {
    team.resourceCountIs('AWS::Batch::JobQueue', 1);
    team.hasResourceProperties('AWS::Batch::JobQueue', {
      ComputeEnvironmentOrder: [{ ComputeEnvironment: { 'Fn::GetAtt': [Match.stringLikeRegexp('BatchComputeEnvironment'), 'ComputeEnvironmentArn'] }, Order: 1 }],
    });
    team.resourceCountIs('AWS::Batch::JobDefinition', 1);
    team.hasResourceProperties('AWS::Batch::JobDefinition', {
      Type: 'container',
      PlatformCapabilities: ['EC2'],
      Timeout: { AttemptDurationSeconds: 86400 },
      RetryStrategy: {
        Attempts: 3,
        EvaluateOnExit: [
          { Action: 'RETRY', OnStatusReason: 'Host EC2*' },
          { Action: 'EXIT', OnReason: 'CannotPullContainerError:*' },
          { Action: 'EXIT', OnExitCode: '*' },
        ],
      },
      ContainerProperties: Match.objectLike({
        ResourceRequirements: [
          // 90% of the instance's 32 GiB, so ECS can place the job next to its agent.
          { Type: 'MEMORY', Value: '29440' },
          { Type: 'VCPU', Value: '8' },
          { Type: 'GPU', Value: '1' },
        ],
        Image: { 'Fn::Join': ['', Match.arrayWith(['/vision:latest'])] },
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
      }),
    });
    expect(compute.multiNodeJobDefinition).toBeUndefined();
    expect(compute.multiNodeJobQueue).toBeUndefined();
    team.resourceCountIs('AWS::EC2::PlacementGroup', 0);
  });

  test('the job log group is encrypted with the platform key, kept a year and retained', () => {
    team.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/trainyard/vision/batch',
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('no role has an AWS managed policy, an inline policy or a wildcard action', () => {
    for (const role of Object.values(team.findResources('AWS::IAM::Role')) as any[]) {
      expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
      expect(role.Properties.Policies).toBeUndefined();
    }
    team.resourceCountIs('AWS::IAM::Policy', 0);
    for (const statement of managedPolicyStatements(team)) {
      for (const action of [statement.Action].flat()) {
        expect(action).not.toContain('*');
      }
    }
  });

  test('the job role reads and writes only the team prefix', () => {
    const read = statementBySid(team, /data prefixes/, 'ReadDataObjects');
    expect(read.Resource).toHaveLength(2);
    for (const resource of read.Resource) {
      expect(JSON.stringify(resource)).toMatch(/\/vision\/\*"\]\]\}$/);
    }
    const write = statementBySid(team, /data prefixes/, 'WriteArtifactObjects');
    expect(write.Resource).toHaveLength(2);
    expect(JSON.stringify(write.Resource[0])).toMatch(/ArtifactsBucket.*\/vision\/artifacts\/\*/);
    expect(JSON.stringify(write.Resource[1])).toMatch(/ArtifactsBucket.*\/vision\/checkpoints\/\*/);
    expect(JSON.stringify(write.Resource)).not.toMatch(/DatasetsBucket/);
    const list = statementBySid(team, /data prefixes/, 'ListDataPrefix0');
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['vision/*'] } });
  });

  test('the instance role joins only Batch clusters and the execution role pulls only the team repository', () => {
    const join = statementBySid(team, /ECS container agent/, 'JoinBatchClusters');
    expect(JSON.stringify(join.Resource)).toMatch(/:cluster\/AWSBatch-\*/);
    const pull = statementBySid(team, /Pull the team image/, 'PullTeamImage');
    expect(JSON.stringify(pull.Resource)).toMatch(/repository\/vision"/);
  });

  test('exposes its parts for escape hatches and other constructs', () => {
    expect(compute.maxInstanceCount).toBe(1);
    expect(compute.teamName).toBe('vision');
    expect(compute.connections.securityGroups).toHaveLength(1);
    expect(compute.jobQueue.jobQueueArn).toBeDefined();
  });
});

describe('GpuBatchCompute with maxInstanceCount 4 (multi-node)', () => {
  // GIVEN multi-node compute on a P4d profile, synthesized once with every pack
  let teamStack!: Stack;
  let compute!: GpuBatchCompute;
  const result = synthWithCompliance((app) => {
    const platformStack = new Stack(app, 'Platform');
    const platform = new MlPlatform(platformStack, 'Platform', { batchCompute: true });
    teamStack = new Stack(app, 'Team');
    compute = new GpuBatchCompute(teamStack, 'Batch', {
      platform,
      teamName: 'llm',
      gpu: GpuProfile.P4D_24XLARGE,
      maxInstanceCount: 4,
      maxvCpus: 192,
      maxRuntime: Duration.hours(48),
      volumeSize: Size.gibibytes(500),
      imageTag: 'v1.2',
    });
  });
  const team = result.template(teamStack);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('adds an on-demand compute environment in one subnet with a cluster placement group, scaling to zero', () => {
    team.resourceCountIs('AWS::Batch::ComputeEnvironment', 2);
    team.hasResourceProperties('AWS::EC2::PlacementGroup', { Strategy: 'cluster' });
    team.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({
        Type: 'EC2',
        AllocationStrategy: 'BEST_FIT_PROGRESSIVE',
        MinvCpus: 0,
        MaxvCpus: 384,
        Subnets: [Match.anyValue()],
        PlacementGroup: { 'Fn::GetAtt': [Match.stringLikeRegexp('BatchPlacementGroup'), 'GroupName'] },
      }),
    });
    // The single-node environment stays on Spot with the maxvCpus given.
    team.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ Type: 'SPOT', MaxvCpus: 192, MinvCpus: 0 }),
    });
  });

  test('adds a multi-node parallel job definition with 4 nodes of 8 GPUs, on its own queue', () => {
    team.resourceCountIs('AWS::Batch::JobQueue', 2);
    team.hasResourceProperties('AWS::Batch::JobDefinition', {
      Type: 'multinode',
      Timeout: { AttemptDurationSeconds: 172800 },
      NodeProperties: {
        MainNode: 0,
        NumNodes: 4,
        NodeRangeProperties: [Match.objectLike({
          TargetNodes: '0:3',
          Container: Match.objectLike({
            InstanceType: 'p4d.24xlarge',
            Image: { 'Fn::Join': ['', Match.arrayWith(['/llm:v1.2'])] },
            ResourceRequirements: Match.arrayWith([{ Type: 'GPU', Value: '8' }]),
          }),
        })],
      },
    });
    expect(compute.multiNodeJobDefinition).toBeDefined();
    expect(compute.multiNodeComputeEnvironment).toBeDefined();
  });

  test('nodes reach each other on every TCP port within the group, and only there', () => {
    team.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 0,
      ToPort: 65535,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('BatchSecurityGroup'), 'GroupId'] },
    });
    team.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ VolumeSize: 500 }) })] }),
    });
  });
});

describe('GpuBatchCompute options', () => {
  const build = (props: Partial<GpuBatchComputeProps>, app: App = newApp()) => {
    const stack = new Stack(app, 'S');
    const platform = new MlPlatform(stack, 'Platform', { batchCompute: true });
    const compute = new GpuBatchCompute(stack, 'Batch', { platform, teamName: 'fraud', gpu: GpuProfile.G5_XLARGE, ...props });
    return { compute, template: Template.fromStack(stack) };
  };

  test('useSpot false runs on-demand with best-fit-progressive', () => {
    const { template } = build({ useSpot: false });
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ Type: 'EC2', AllocationStrategy: 'BEST_FIT_PROGRESSIVE' }),
    });
  });

  test('a P3 profile falls back to the Amazon Linux 2 NVIDIA AMI, which AL2023 does not support for P3', () => {
    const { template } = build({ gpu: GpuProfile.P3_2XLARGE });
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ Ec2Configuration: [{ ImageType: 'ECS_AL2_NVIDIA' }], InstanceTypes: ['p3.2xlarge'] }),
    });
  });

  test('a given repository, command and removal policy are used', () => {
    const app = newApp();
    const stack = new Stack(app, 'S');
    const platform = new MlPlatform(stack, 'Platform', { batchCompute: true });
    const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'shared/trainer');
    new GpuBatchCompute(stack, 'Batch', {
      platform, teamName: 'fraud', gpu: GpuProfile.G5_XLARGE, imageRepository: repository, command: ['python', 'train.py'], removalPolicy: RemovalPolicy.DESTROY,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      ContainerProperties: Match.objectLike({
        Command: ['python', 'train.py'],
        Image: { 'Fn::Join': ['', Match.arrayWith(['/shared/trainer:latest'])] },
      }),
    });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  test('two computes on one platform add no endpoint or key statement of their own', () => {
    const app = newApp();
    const stack = new Stack(app, 'S');
    const platform = new MlPlatform(stack, 'Platform', { batchCompute: true });
    new GpuBatchCompute(stack, 'A', { platform, teamName: 'team-a', gpu: GpuProfile.G5_XLARGE });
    new GpuBatchCompute(stack, 'B', { platform, teamName: 'team-b', gpu: GpuProfile.G5_XLARGE });
    const template = Template.fromStack(stack);
    expect(interfaceEndpointServices(template).filter((s) => s.startsWith('ecs'))).toEqual(['ecs', 'ecs-agent', 'ecs-telemetry']);
    const key: any = Object.values(template.findResources('AWS::KMS::Key'))[0];
    const sids = key.Properties.KeyPolicy.Statement.map((s: any) => s.Sid).filter(Boolean);
    expect(sids.filter((s: string) => s === 'AllowEbsThroughEc2ForThisAccount')).toHaveLength(1);
  });
});

describe('GpuBatchCompute on a platform not prepared for it', () => {
  test('fails at synth naming the prop and batchCompute', () => {
    const app = newApp();
    const platform = new MlPlatform(new Stack(app, 'Platform'), 'Platform');
    expect(() => new GpuBatchCompute(new Stack(app, 'Team'), 'Batch', { platform, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE }))
      .toThrow(/^GpuBatchCompute\.platform: platform Platform\/Platform was created without batchCompute: true/);
  });

  test('fails when the platform dropped an endpoint Batch needs', () => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform', { batchCompute: true, interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API] });
    expect(() => new GpuBatchCompute(stack, 'Batch', { platform, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE }))
      .toThrow(/GpuBatchCompute\.platform: platform S\/Platform has no interface endpoint for ecr\.api, ecr\.dkr, logs/);
  });
});

describe('GpuBatchCompute rejects bad props at synth, naming the prop', () => {
  const make = (props: any) => () => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform', { batchCompute: true });
    return new GpuBatchCompute(stack, 'Batch', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE, ...props });
  };
  const singleNode = GpuProfile.custom({
    instanceType: 'ml.g5.2xlarge',
    acceleratorModel: 'NVIDIA A10G',
    acceleratorCount: 1,
    acceleratorMemoryGib: 24,
    vcpus: 8,
    memoryGib: 32,
    multiNodeSupported: false,
  });

  test.each([
    [{ maxvCpus: 4 }, /GpuBatchCompute\.maxvCpus: must be at least the 8 vCPUs of one g5\.2xlarge instance/],
    [{ maxvCpus: 0 }, /GpuBatchCompute\.maxvCpus: must be from 1/],
    [{ maxvCpus: 8.5 }, /GpuBatchCompute\.maxvCpus: must be a whole number/],
    [{ maxInstanceCount: 0 }, /GpuBatchCompute\.maxInstanceCount: must be from 1 to 1000, got 0/],
    [{ maxInstanceCount: -2 }, /GpuBatchCompute\.maxInstanceCount/],
    [{ maxInstanceCount: 1.5 }, /GpuBatchCompute\.maxInstanceCount: must be a whole number/],
    [{ maxInstanceCount: NaN }, /GpuBatchCompute\.maxInstanceCount: must be a whole number/],
    [{ gpu: singleNode, maxInstanceCount: 2 }, /GpuBatchCompute\.maxInstanceCount: is 2, but ml\.g5\.2xlarge does not support multi-node/],
    [{ gpu: GpuProfile.TRN1_32XLARGE }, /GpuBatchCompute\.gpu: ml\.trn1\.32xlarge has AWS Trainium/],
    [{ gpu: undefined }, /GpuBatchCompute\.gpu: is required/],
    [{ teamName: '' }, /GpuBatchCompute\.teamName: is required and must not be empty/],
    [{ teamName: 'Fraud_Team' }, /GpuBatchCompute\.teamName: "Fraud_Team" is not allowed/],
    [{ teamName: 'a'.repeat(33) }, /GpuBatchCompute\.teamName: must be 2 to 32 characters/],
    // The rule of TrainingEnvironment.teamName: a letter first, at least 2 characters, single hyphens.
    [{ teamName: 'a' }, /GpuBatchCompute\.teamName: must be 2 to 32 characters/],
    [{ teamName: '1fraud' }, /GpuBatchCompute\.teamName: "1fraud" is not allowed/],
    [{ teamName: 'fraud--x' }, /GpuBatchCompute\.teamName: "fraud--x" is not allowed/],
    [{ teamName: undefined }, /GpuBatchCompute\.teamName: is required/],
    [{ teamName: Lazy.string({ produce: () => 'x' }) }, /GpuBatchCompute\.teamName: must be a literal string/],
    [{ retryAttempts: 0 }, /GpuBatchCompute\.retryAttempts/],
    [{ maxRuntime: Duration.seconds(10) }, /GpuBatchCompute\.maxRuntime/],
    [{ volumeSize: Size.gibibytes(10) }, /GpuBatchCompute\.volumeSize/],
    [{ imageTag: 'bad tag' }, /GpuBatchCompute\.imageTag/],
    // Found by the props properties (test/properties/batch-and-registries.property.test.ts):
    [{ maxRuntime: Duration.millis(90_500) }, /GpuBatchCompute\.maxRuntime \(seconds\): must be a whole number from 60 to 1209600, got 90\.5/],
    [{ maxRuntime: Duration.seconds(NaN) }, /GpuBatchCompute\.maxRuntime \(seconds\): must be a whole number/],
    [{ costCenter: 'cc*1' }, /GpuBatchCompute\.costCenter: "cc\*1" is not allowed: a tag value/],
    [{ costCenter: '' }, /GpuBatchCompute\.costCenter: must be 1 to 256 characters/],
    [{ s3PrefixListId: 'pl-nope' }, /GpuBatchCompute\.s3PrefixListId: must be a managed prefix list ID/],
    [{ imageTag: 5 }, /GpuBatchCompute\.imageTag: must be a Docker image tag/],
    [{ command: 'python3 train.py' }, /GpuBatchCompute\.command: must be a list of strings/],
    [{ gpu: GpuProfile.custom({ instanceType: 'ml.g9.xlarge', acceleratorModel: 'NVIDIA T4', acceleratorCount: 1, acceleratorMemoryGib: 16, vcpus: 4, memoryGib: 0.25 }) },
      /GpuBatchCompute\.gpu: ml\.g9\.xlarge has 0\.25 GiB of memory; the job container gets 90% of it rounded down to 256 MiB, which must be at least 256 MiB/],
    [{ gpu: GpuProfile.P5_48XLARGE, maxInstanceCount: 600, maxvCpus: 192 }, /GpuBatchCompute\.maxInstanceCount: is 600: 600 p5\.48xlarge instances have 115200 vCPUs, over the 100000 .* Use at most 520\./],
  ])('%p', (props, message) => {
    expect(make(props)).toThrow(TrainyardValidationError);
    expect(make(props)).toThrow(message);
  });

  test('a missing platform names the prop', () => {
    expect(() => new GpuBatchCompute(new Stack(newApp(), 'S'), 'Batch', { teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE } as any))
      .toThrow(/GpuBatchCompute\.platform: is required/);
  });
});
