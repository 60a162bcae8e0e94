import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ExperimentTrackingMode } from '../../src/environment/experiment-tracking-mode';
import { GpuBatchCompute } from '../../src/environment/gpu-batch-compute';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { TrainingStudio } from '../../src/environment/training-studio';
import { FlowMetrics } from '../../src/metrics/flow-metrics';
import { IMlPlatform, MlPlatform } from '../../src/platform/ml-platform';
import { PlatformExperimentTrackingMode } from '../../src/platform/platform-experiment-tracking-mode';
import { ExperimentTracking } from '../../src/registry/experiment-tracking';
import { addStandardPipeline } from '../../templates/single-team';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

/** The SSM parameter paths a template reads, from its `AWS::SSM::Parameter::Value<String>` parameters. */
function ssmParameterPaths(template: Template): string[] {
  return Object.values<any>(template.toJSON().Parameters ?? {})
    .filter((p) => p.Type === 'AWS::SSM::Parameter::Value<String>')
    .map((p) => p.Default)
    .filter((path) => path.startsWith('/trainyard/'))
    .sort();
}

/** What a default platform publishes: no shared MLflow App, so no `experiment-tracking-arn`. */
const PUBLISHED = [
  'access-logs-bucket-name', 'artifacts-bucket-name', 'datasets-bucket-name', 'endpoint-security-group-id',
  'key-arn', 'training-subnets', 'vpc-id',
].map((name) => `/trainyard/Trainyard/${name}`);

describe('a team app of its own, importing the platform by name', () => {
  // GIVEN a CDK app holding only a team stack: the platform is deployed by another app
  let teamStack!: Stack;
  let platform!: IMlPlatform;
  const result = synthWithCompliance((app) => {
    teamStack = new Stack(app, 'Fraud');
    platform = MlPlatform.fromPlatformName(teamStack, 'Platform', 'Trainyard');
    const environment = new TrainingEnvironment(teamStack, 'Fraud', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE });
    addStandardPipeline(teamStack, environment);
    new FlowMetrics(teamStack, 'FlowMetrics', { platform, environments: [environment] });
  });
  const template = result.template(teamStack);
  const json = JSON.stringify(template.toJSON());

  test('synthesizes offline with zero unacknowledged findings from every pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
    template.resourceCountIs('AWS::SageMaker::Pipeline', 1);
  });

  test('imports nothing through CloudFormation exports', () => {
    expect(json).not.toContain('Fn::ImportValue');
  });

  test('reads every platform attribute from an SSM parameter under /trainyard/Trainyard/, resolved at deploy time', () => {
    expect(ssmParameterPaths(template)).toEqual(PUBLISHED.filter((p) => !p.endsWith('/access-logs-bucket-name')));
    expect(MlPlatform.isMlPlatform(platform)).toBe(false);
  });

  test('jobs run in the platform subnets, split from the parameter into one subnet per zone', () => {
    const pipeline = Object.values<any>(template.findResources('AWS::SageMaker::Pipeline'))[0];
    const definition = JSON.stringify(pipeline.Properties.PipelineDefinition);
    expect(definition).toMatch(/"Fn::Select":\[0,\{"Fn::Split":\[",",\{"Ref":"SsmParameterValuetrainyardTrainyardtrainingsubnets/);
    expect(definition).toMatch(/"Fn::Select":\[1,\{"Fn::Split":\[",",\{"Ref":"SsmParameterValuetrainyardTrainyardtrainingsubnets/);
  });

  test('the team security groups reach the platform endpoints through an egress rule of their own stack', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      DestinationSecurityGroupId: { Ref: Match.stringLikeRegexp('^SsmParameterValuetrainyardTrainyardendpointsecuritygroupid') },
      FromPort: 443,
      ToPort: 443,
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });
});

describe('GPU Batch compute and a Studio domain on an imported platform', () => {
  // GIVEN a team app with the other team constructs on the platform of another app
  let stack!: Stack;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Vision');
    const platform = MlPlatform.fromPlatformName(stack, 'Platform', 'Trainyard');
    new GpuBatchCompute(stack, 'Batch', { platform, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE });
    new TrainingStudio(stack, 'Studio', { platform, teamName: 'vision' });
  });
  const template = result.template(stack);

  test('synthesize with zero unacknowledged findings, no export, and nothing added to the platform', () => {
    expect(describeFindings(result.report)).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::SageMaker::Domain', {
      VpcId: { Ref: Match.stringLikeRegexp('^SsmParameterValuetrainyardTrainyardvpcid') },
      KmsKeyId: { Ref: Match.stringLikeRegexp('^SsmParameterValuetrainyardTrainyardkeyarn') },
    });
  });
});

describe('MlPlatform publishes its attributes for fromPlatformName', () => {
  const app = newApp();
  const stack = new Stack(app, 'Platform');
  const platform = new MlPlatform(stack, 'Platform');
  const template = Template.fromStack(stack);

  test('as SSM String parameters under /trainyard/<platformName>/, the ones fromPlatformName reads among them', () => {
    expect(platform.platformName).toBe('Trainyard');
    const names = Object.values<any>(template.findResources('AWS::SSM::Parameter')).map((p) => p.Properties.Name).sort();
    expect(names).toEqual(PUBLISHED);
    for (const p of Object.values<any>(template.findResources('AWS::SSM::Parameter'))) {
      expect(p.Properties.Type).toBe('String');
    }
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/trainyard/Trainyard/training-subnets',
      Value: {
        'Fn::Join': [',', [
          { 'Fn::Join': [':', [{ Ref: Match.stringLikeRegexp('^PlatformVpctrainingSubnet1') }, Match.anyValue(), { Ref: Match.stringLikeRegexp('^PlatformVpctrainingSubnet1RouteTable') }]] },
          { 'Fn::Join': [':', [{ Ref: Match.stringLikeRegexp('^PlatformVpctrainingSubnet2') }, Match.anyValue(), { Ref: Match.stringLikeRegexp('^PlatformVpctrainingSubnet2RouteTable') }]] },
        ]],
      },
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/trainyard/Trainyard/key-arn',
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformKey'), 'Arn'] },
    });
  });

  test('is recognized by isMlPlatform, and plain objects are not', () => {
    expect(MlPlatform.isMlPlatform(platform)).toBe(true);
    expect(MlPlatform.isMlPlatform({ vpc: platform.vpc })).toBe(false);
    expect(MlPlatform.isMlPlatform(undefined)).toBe(false);
  });

  test('another name publishes under its own prefix, without experiment tracking when it has none', () => {
    const other = new Stack(newApp(), 'Other');
    new MlPlatform(other, 'Platform', { platformName: 'research', experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
    const names = Object.values<any>(Template.fromStack(other).findResources('AWS::SSM::Parameter')).map((p) => p.Properties.Name);
    expect(names).toHaveLength(7);
    expect(names.every((n: string) => n.startsWith('/trainyard/research/'))).toBe(true);
  });

  test('the shared MLflow App ARN is published only by a platform that has the shared App', () => {
    const shared = new Stack(newApp(), 'Shared');
    new MlPlatform(shared, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.TEAM_AND_SHARED });
    Template.fromStack(shared).hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/trainyard/Trainyard/experiment-tracking-arn',
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformExperimentTrackingApp'), 'Arn'] },
    });
    expect(platform.hasExperimentTrackingEndpoint).toBe(true);
    expect(platform.experimentTracking).toBeUndefined();
  });
});

describe('MlPlatform.fromPlatformName options and validation', () => {
  test('maxAzs splits the subnet list into that many subnets; experimentTracking false reads no MLflow ARN', () => {
    const stack = new Stack(newApp(), 'Team');
    const platform = MlPlatform.fromPlatformName(stack, 'Platform', 'research', { maxAzs: 3, experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
    expect(platform.vpc.selectSubnets(platform.trainingSubnets).subnetIds).toHaveLength(3);
    expect(platform.experimentTracking).toBeUndefined();
    // Touch the lazily read values, as a team construct would.
    new ec2.SecurityGroup(stack, 'Sg', { vpc: platform.vpc });
    platform.encryptionKey.keyArn.toString();
    const paths = ssmParameterPaths(Template.fromStack(stack));
    expect(paths).toContain('/trainyard/research/training-subnets');
    expect(paths).not.toContain('/trainyard/research/experiment-tracking-arn');
  });

  test.each([
    ['', /MlPlatform\.platformName: must be 1 to 48 letters/],
    ['has space', /MlPlatform\.platformName: must be 1 to 48 letters/],
    ['1abc', /MlPlatform\.platformName: must be 1 to 48 letters/],
    ['a'.repeat(49), /MlPlatform\.platformName: must be 1 to 48 letters/],
  ])('a platform name %j is refused, naming the prop', (name, message) => {
    expect(() => MlPlatform.fromPlatformName(new Stack(newApp(), 'T'), 'Platform', name)).toThrow(message);
    expect(() => new MlPlatform(new Stack(newApp(), 'P'), 'Platform', { platformName: name })).toThrow(message);
  });

  test('by default the platform has the MLflow endpoint (teams get their own App) and no shared App: no ARN is read', () => {
    const stack = new Stack(newApp(), 'Team');
    const platform = MlPlatform.fromPlatformName(stack, 'Platform', 'Trainyard');
    expect(platform.hasExperimentTrackingEndpoint).toBe(true);
    expect(platform.experimentTracking).toBeUndefined();
    const env = new TrainingEnvironment(stack, 'Fraud', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE, createRegistries: false });
    expect(env.experimentTracking).toBeDefined();
    Template.fromStack(stack).resourceCountIs('AWS::SageMaker::MlflowApp', 1);
    expect(ssmParameterPaths(Template.fromStack(stack))).not.toContain('/trainyard/Trainyard/experiment-tracking-arn');
  });

  test('TEAM_AND_SHARED reads the shared App ARN the platform publishes; a team may choose it', () => {
    const stack = new Stack(newApp(), 'Team');
    const platform = MlPlatform.fromPlatformName(stack, 'Platform', 'Trainyard', { experimentTrackingMode: PlatformExperimentTrackingMode.TEAM_AND_SHARED });
    const env = new TrainingEnvironment(stack, 'Fraud', {
      platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE, createRegistries: false, experimentTrackingMode: ExperimentTrackingMode.SHARED,
    });
    expect(env.experimentTracking).toBe(platform.experimentTracking);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SageMaker::MlflowApp', 0);
    expect(ssmParameterPaths(template)).toContain('/trainyard/Trainyard/experiment-tracking-arn');
  });

  test('a team cannot choose TEAM tracking on a platform without the MLflow endpoint, nor SHARED without the shared App', () => {
    const noEndpoint = MlPlatform.fromPlatformName(new Stack(newApp(), 'A'), 'Platform', 'Trainyard', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
    expect(noEndpoint.hasExperimentTrackingEndpoint).toBe(false);
    expect(() => new TrainingEnvironment(noEndpoint.node.scope as Stack, 'Fraud', {
      platform: noEndpoint, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE, experimentTrackingMode: ExperimentTrackingMode.TEAM,
    })).toThrow(/^TrainingEnvironment\.experimentTrackingMode: is TEAM, but the platform has no MLflow endpoint/);
    const noShared = MlPlatform.fromPlatformName(new Stack(newApp(), 'B'), 'Platform', 'Trainyard');
    expect(() => new TrainingEnvironment(noShared.node.scope as Stack, 'Fraud', {
      platform: noShared, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE, experimentTrackingMode: ExperimentTrackingMode.SHARED,
    })).toThrow(/^TrainingEnvironment\.experimentTrackingMode: is SHARED, but the platform has no shared MLflow App.*fromPlatformName/);
  });

  test('an experimentTrackingMode that is not one is refused, naming the option and the modes', () => {
    expect(() => MlPlatform.fromPlatformName(new Stack(newApp(), 'T'), 'Platform', 'Trainyard', { experimentTrackingMode: true as any }))
      .toThrow(/^MlPlatform\.fromPlatformName options\.experimentTrackingMode: must be a PlatformExperimentTrackingMode \(TEAM, TEAM_AND_SHARED, NONE\), got true/);
  });

  test('maxAzs out of range is refused, naming the option', () => {
    expect(() => MlPlatform.fromPlatformName(new Stack(newApp(), 'T'), 'Platform', 'Trainyard', { maxAzs: 0 })).toThrow(/MlPlatform\.fromPlatformName options\.maxAzs/);
  });
});

describe('MlPlatform.fromMlPlatformAttributes', () => {
  test('takes explicit values; a team environment builds on them', () => {
    const stack = new Stack(newApp(), 'Team');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      isolatedSubnetIds: ['subnet-0a', 'subnet-0b'],
      isolatedSubnetRouteTableIds: ['rtb-0a', 'rtb-0b'],
    });
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const platform = MlPlatform.fromMlPlatformAttributes(stack, 'Platform', {
      platformName: 'shared',
      vpc,
      encryptionKey: key,
      datasetsBucket: s3.Bucket.fromBucketName(stack, 'Datasets', 'shared-datasets'),
      artifactsBucket: s3.Bucket.fromBucketName(stack, 'Artifacts', 'shared-artifacts'),
      accessLogsBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'shared-logs'),
      endpointSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Endpoints', 'sg-0123456789abcdef0', { mutable: false }),
    });
    const env = new TrainingEnvironment(stack, 'Vision', { platform, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE, createRegistries: false });
    expect(env.trainingJobDefaults.vpcConfig.subnets).toEqual(['subnet-0a', 'subnet-0b']);
    // The MLflow endpoint is assumed, as MlPlatform has it by default: the team gets its own App.
    expect(platform.hasExperimentTrackingEndpoint).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::SageMaker::MlflowApp', { Name: 'vision-mlflow' });
    expect(env.trainingJobDefaults.outputDataConfig.s3OutputPath).toBe('s3://shared-artifacts/vision/artifacts/');
  });

  test('refuses missing attributes, naming them', () => {
    const stack = new Stack(newApp(), 'Team');
    expect(() => MlPlatform.fromMlPlatformAttributes(stack, 'P', { platformName: 'shared' } as any)).toThrow(/MlPlatformAttributes\.vpc: is required/);
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0a', availabilityZones: ['us-east-1a'], isolatedSubnetIds: ['subnet-0a'] });
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'shared-bucket');
    const base = {
      platformName: 'shared',
      vpc,
      encryptionKey: kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
      datasetsBucket: bucket,
      artifactsBucket: bucket,
      accessLogsBucket: bucket,
      endpointSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0a', { mutable: false }),
    };
    const shared = ExperimentTracking.fromTrackingArn(stack, 'Shared', 'arn:aws:sagemaker:us-east-1:111111111111:mlflow-app/app-ABC');
    expect(() => MlPlatform.fromMlPlatformAttributes(stack, 'P2', { ...base, hasExperimentTrackingEndpoint: false, experimentTracking: shared }))
      .toThrow(/^MlPlatformAttributes\.experimentTracking: needs MlPlatformAttributes\.hasExperimentTrackingEndpoint/);
  });
});
