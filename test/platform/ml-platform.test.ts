import { RemovalPolicy, Stack, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { TrainyardValidationError } from '../../src/core/errors';
import { MlPlatform } from '../../src/platform/ml-platform';
import { PlatformExperimentTrackingMode } from '../../src/platform/platform-experiment-tracking-mode';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

describe('MlPlatform with default props', () => {
  // GIVEN a platform with default props, synthesized once with every compliance pack
  let platform!: MlPlatform;
  let stack!: Stack;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Platform');
    platform = new MlPlatform(stack, 'Platform');
  });
  const template = result.template(stack);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('creates an isolated VPC across two AZs with no NAT gateway and no internet gateway', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    // No route in any route table leads out of the VPC.
    template.resourceCountIs('AWS::EC2::Route', 0);
    expect(platform.vpc.isolatedSubnets).toHaveLength(2);
    expect(platform.vpc.publicSubnets).toHaveLength(0);
    expect(platform.vpc.privateSubnets).toHaveLength(0);
  });

  test('closes the default security group and logs all VPC traffic to the access-logs bucket', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 's3',
      LogDestination: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
  });

  test('adds an S3 gateway endpoint, the seven interface endpoints training needs and the MLflow one', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('\\.s3$')])] }),
    });
    const interfaces = template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } });
    const services = Object.values(interfaces).map((r: any) => JSON.stringify(r.Properties.ServiceName).match(/\.([a-z.-]+)"\]/)![1]);
    expect(services.sort()).toEqual(['ecr.api', 'ecr.dkr', 'experiments', 'logs', 'monitoring', 'sagemaker.api', 'sagemaker.runtime', 'sts']);
    for (const r of Object.values(interfaces) as any[]) {
      expect(r.Properties.PrivateDnsEnabled).toBe(true);
      expect(r.Properties.SecurityGroupIds).toHaveLength(1);
    }
    expect(platform.interfaceEndpointServices).toHaveLength(8);
    // The MLflow endpoint is the SageMaker one, `aws.sagemaker.<region>.experiments`.
    expect(JSON.stringify(Object.values(interfaces).map((r: any) => r.Properties.ServiceName))).toContain('"aws.sagemaker."');
  });

  test('the endpoint security group admits HTTPS from the two training subnets only (one rule each, whatever the number of teams), and has no egress', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('interface endpoints'),
      SecurityGroupIngress: [
        { CidrIp: '10.64.0.0/20', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() },
        { CidrIp: '10.64.16.0/20', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() },
      ],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  test('creates a customer-managed key with rotation that denies grants not made for AWS resources', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'kms:CreateGrant',
            Principal: { AWS: '*' },
            Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
          }),
        ]),
      },
    });
  });

  test('datasets and artifacts buckets are versioned, KMS-encrypted with the platform key, access-logged, private and expire old versions', () => {
    const buckets = template.findResources('AWS::S3::Bucket', {
      Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } },
    });
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const bucket of Object.values(buckets) as any[]) {
      const p = bucket.Properties;
      expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].BucketKeyEnabled).toBe(true);
      expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID).toBeDefined();
      expect(p.LoggingConfiguration.DestinationBucketName).toBeDefined();
      expect(p.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      });
      expect(p.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      expect(p.LifecycleConfiguration.Rules).toEqual(expect.arrayContaining([
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' }),
      ]));
      expect(p.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
    }
  });

  test('the access-logs bucket uses SSE-S3 (the only encryption log delivery supports) and admits log delivery by bucket policy', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      AccessControl: Match.absent(),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Effect: 'Allow' }),
          Match.objectLike({ Principal: { Service: 'delivery.logs.amazonaws.com' }, Action: 's3:PutObject', Effect: 'Allow' }),
        ]),
      },
    });
  });

  test('every bucket denies requests without TLS', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(3);
    for (const policy of Object.values(policies) as any[]) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]));
    }
  });

  test('retains every stateful resource on delete and replace', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      const resources = template.findResources(type);
      expect(Object.keys(resources).length).toBeGreaterThan(0);
      for (const r of Object.values(resources) as any[]) {
        expect(r.DeletionPolicy).toBe('Retain');
        expect(r.UpdateReplacePolicy).toBe('Retain');
      }
    }
  });

  test('creates no MLflow App by default (each team gets its own), only the MLflow endpoint', () => {
    template.resourceCountIs('AWS::SageMaker::MlflowApp', 0);
    template.resourceCountIs('AWS::SageMaker::MlflowTrackingServer', 0);
    expect(platform.experimentTracking).toBeUndefined();
    expect(platform.hasExperimentTrackingEndpoint).toBe(true);
  });

  test('TEAM_AND_SHARED creates the organisation-wide serverless MLflow App on mlflow/ of the artifacts bucket, retained, under its old id', () => {
    const sharedStack = new Stack(newApp(), 'Shared');
    const shared = new MlPlatform(sharedStack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.TEAM_AND_SHARED });
    const t = Template.fromStack(sharedStack);
    t.resourceCountIs('AWS::SageMaker::MlflowApp', 1);
    const [id, app] = Object.entries<any>(t.findResources('AWS::SageMaker::MlflowApp'))[0];
    // The logical id platforms deployed before per-team tracking have: turning the option on keeps their App.
    expect(id).toBe('PlatformExperimentTrackingApp972775D5');
    expect(app.Properties.ArtifactStoreUri).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^PlatformArtifactsBucket/) }, '/mlflow/']] });
    expect(app.Properties.ModelRegistrationMode).toBe('AutoModelRegistrationDisabled');
    expect(app.Properties.WeeklyMaintenanceWindowStart).toBe('Sun:02:00');
    expect(app.DeletionPolicy).toBe('Retain');
    expect(shared.experimentTracking?.trackingUri).toBeDefined();
    expect(() => new MlPlatform(new Stack(newApp(), 'Bad'), 'Platform', { experimentTrackingMode: 'SHARED' as any }))
      .toThrow(/^MlPlatform\.experimentTrackingMode: must be a PlatformExperimentTrackingMode \(TEAM, TEAM_AND_SHARED, NONE\), got SHARED/);
  });

  test('exposes the key, buckets, VPC and endpoint security group for later constructs', () => {
    expect(platform.encryptionKey).toBeDefined();
    expect(platform.datasetsBucket).toBeDefined();
    expect(platform.artifactsBucket).toBeDefined();
    expect(platform.endpointSecurityGroup.securityGroupId).toBeDefined();
  });
});

describe('MlPlatform options', () => {
  test('allowEndpointAccessFrom opens HTTPS from the workload to the endpoint security group only, and adds no endpoint rule', () => {
    // GIVEN
    const app = newApp();
    const stack = new Stack(app, 'S');
    const platform = new MlPlatform(stack, 'Platform');
    const workload = new ec2.SecurityGroup(stack, 'Workload', { vpc: platform.vpc, allowAllOutbound: false });
    // WHEN
    platform.allowEndpointAccessFrom(workload);
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Workload'), 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('EndpointSecurityGroup'), 'GroupId'] },
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('an imported VPC without subnet or VPC ranges is refused, naming MlPlatform.vpc', () => {
    const stack = new Stack(newApp(), 'S');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-12345678', availabilityZones: ['us-east-1a'], isolatedSubnetIds: ['subnet-12345678'], isolatedSubnetRouteTableIds: ['rtb-12345678'],
    });
    expect(() => new MlPlatform(stack, 'Platform', { vpc })).toThrow(/MlPlatform\.vpc: an imported VPC must give its CIDR block/);
    const withRanges = ec2.Vpc.fromVpcAttributes(stack, 'Vpc2', {
      vpcId: 'vpc-12345678',
      availabilityZones: ['us-east-1a'],
      isolatedSubnetIds: ['subnet-12345678'],
      isolatedSubnetRouteTableIds: ['rtb-12345678'],
      isolatedSubnetIpv4CidrBlocks: ['10.1.0.0/20'],
    });
    new MlPlatform(stack, 'Platform2', { vpc: withRanges });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.1.0.0/20', FromPort: 443 })],
    });
  });

  test('allowEndpointAccessFrom a workload in another stack keeps its rule in the workload stack (no cycle)', () => {
    // GIVEN
    const app = newApp();
    const platformStack = new Stack(app, 'P');
    const teamStack = new Stack(app, 'T');
    const platform = new MlPlatform(platformStack, 'Platform');
    const workload = new ec2.SecurityGroup(teamStack, 'Workload', { vpc: platform.vpc, allowAllOutbound: false });
    // WHEN (twice: idempotent)
    platform.allowEndpointAccessFrom(workload);
    platform.allowEndpointAccessFrom(workload);
    // THEN
    const team = Template.fromStack(teamStack);
    team.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    team.resourceCountIs('AWS::EC2::SecurityGroupEgress', 1);
    team.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Workload'), 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('EndpointSecurityGroup') },
    });
    Template.fromStack(platformStack).resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(platformStack.dependencies).toEqual([]);
  });

  test('addGatewayEndpoint is idempotent per service and reuses the S3 one', () => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform', { interfaceEndpoints: [] });
    const a = platform.addGatewayEndpoint(ec2.GatewayVpcEndpointAwsService.DYNAMODB);
    expect(platform.addGatewayEndpoint(ec2.GatewayVpcEndpointAwsService.DYNAMODB)).toBe(a);
    platform.addGatewayEndpoint(ec2.GatewayVpcEndpointAwsService.S3);
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }))).toHaveLength(2);
  });

  test('addInterfaceEndpoint is idempotent per service', () => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform', { interfaceEndpoints: [] });
    const a = platform.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.ECS);
    const b = platform.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.ECS);
    expect(a).toBe(b);
    // Experiment tracking (on by default) brings the MLflow endpoint even with a custom list.
    expect(platform.interfaceEndpointServices).toEqual(['experiments', 'ecs']);
  });

  test('removalPolicy DESTROY opts out of retention', () => {
    const stack = new Stack(newApp(), 'S');
    new MlPlatform(stack, 'Platform', { removalPolicy: RemovalPolicy.DESTROY, noncurrentVersionExpiration: Duration.days(7) });
    const t = Template.fromStack(stack);
    for (const r of Object.values(t.findResources('AWS::S3::Bucket')) as any[]) {
      expect(r.DeletionPolicy).toBe('Delete');
    }
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 7 } })]) },
    });
  });

  test('reuses an existing VPC that has isolated subnets', () => {
    const stack = new Stack(newApp(), 'S');
    const vpc = new ec2.Vpc(stack, 'Existing', {
      natGateways: 0, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const platform = new MlPlatform(stack, 'Platform', { vpc });
    expect(platform.vpc).toBe(vpc);
  });
});

describe('MlPlatform rejects bad props at synth, naming the prop', () => {
  const make = (props: any) => () => new MlPlatform(new Stack(newApp(), 'S'), 'Platform', props);

  test.each([
    [{ maxAzs: 0 }, /MlPlatform\.maxAzs: must be from 1 to 6, got 0/],
    [{ maxAzs: -1 }, /MlPlatform\.maxAzs/],
    [{ maxAzs: 1.5 }, /MlPlatform\.maxAzs: must be a whole number/],
    [{ maxAzs: NaN }, /MlPlatform\.maxAzs: must be a whole number/],
    [{ maxAzs: 3 }, /MlPlatform\.maxAzs: is 3, but stack S knows only 2 Availability Zones/],
    [{ vpcCidr: '10.0.0.0/8' }, /MlPlatform\.vpcCidr: must be an IPv4 CIDR block/],
    [{ noncurrentVersionExpiration: Duration.hours(1) }, /MlPlatform\.noncurrentVersionExpiration/],
    [{ interfaceEndpoints: 'sts' }, /MlPlatform\.interfaceEndpoints/],
  ])('%j', (props, message) => {
    expect(make(props)).toThrow(TrainyardValidationError);
    expect(make(props)).toThrow(message);
  });

  test('a VPC with no isolated subnets', () => {
    const stack = new Stack(newApp(), 'S');
    const vpc = new ec2.Vpc(stack, 'Public', { subnetConfiguration: [{ name: 'pub', subnetType: ec2.SubnetType.PUBLIC }] });
    expect(() => new MlPlatform(stack, 'Platform', { vpc })).toThrow(/MlPlatform\.vpc: VPC S\/Public has no private isolated subnets/);
  });

  test('vpc together with maxAzs names both props', () => {
    const stack = new Stack(newApp(), 'S');
    const vpc = new ec2.Vpc(stack, 'V', { subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    expect(() => new MlPlatform(stack, 'Platform', { vpc, maxAzs: 2 })).toThrow(/MlPlatform\.maxAzs: cannot be combined with MlPlatform\.vpc/);
  });

  test('three AZs work when the stack has an environment whose zones are in context', () => {
    const app = newApp({
      'availability-zones:account=111111111111:region=eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    });
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const platform = new MlPlatform(stack, 'Platform', { maxAzs: 3 });
    expect(platform.vpc.isolatedSubnets).toHaveLength(3);
  });
});

describe('MlPlatform with cross-region replication', () => {
  // GIVEN destination buckets and a key in a second region
  let stack!: Stack;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Replicated');
    const dr = (name: string) => s3.Bucket.fromBucketAttributes(stack, name, { bucketArn: `arn:aws:s3:::acme-dr-${name.toLowerCase()}`, region: 'eu-west-1' });
    new MlPlatform(stack, 'Platform', {
      replication: {
        datasetsDestination: dr('Datasets'),
        artifactsDestination: dr('Artifacts'),
        accessLogsDestination: dr('Logs'),
        destinationEncryptionKey: kms.Key.fromKeyArn(stack, 'DrKey', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
      },
    });
  });
  const template = result.template(stack);

  test('replicates every bucket, KMS-encrypting replicas, without replicating deletes', () => {
    const buckets = Object.values<any>(template.findResources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(3);
    for (const b of buckets) {
      const rule = b.Properties.ReplicationConfiguration.Rules[0];
      expect(rule.Status).toBe('Enabled');
      expect(rule.DeleteMarkerReplication).toEqual({ Status: 'Disabled' });
      expect(rule.Destination.EncryptionConfiguration.ReplicaKmsKeyID).toMatch(/^arn:aws:kms:eu-west-1:/);
    }
  });

  test('the replication role has a managed policy scoped to the buckets and keys, and no inline policy', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const statements = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const allows = (action: string, resource: string) => statements.some((st) =>
      st.Effect === 'Allow' && [st.Action].flat().includes(action) && [st.Resource].flat().some((r) => JSON.stringify(r).includes(resource)));
    expect(allows('s3:ReplicateObject', 'arn:aws:s3:::acme-dr-datasets/*')).toBe(true);
    expect(allows('s3:ReplicateObject', 'arn:aws:s3:::acme-dr-logs/*')).toBe(true);
    expect(allows('kms:Encrypt', 'arn:aws:kms:eu-west-1:111111111111:key/')).toBe(true);
    expect(allows('kms:Decrypt', 'PlatformKey')).toBe(true);
    expect(allows('s3:GetObjectVersionForReplication', 'PlatformDatasetsBucket')).toBe(true);
    // No action wildcards, and object wildcards only under named buckets.
    for (const st of statements) {
      expect([st.Action].flat().filter((a: string) => a.includes('*'))).toEqual([]);
      expect([st.Resource].flat().filter((r: unknown) => r === '*')).toEqual([]);
    }
  });

  test('needs no replication acknowledgement and passes every pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });
});
