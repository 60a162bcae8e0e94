import { Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TrainyardValidationError } from '../../src/core/errors';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { TrainingStudio, TrainingStudioProps } from '../../src/environment/training-studio';
import { MlPlatform } from '../../src/platform/ml-platform';
import { PlatformExperimentTrackingMode } from '../../src/platform/platform-experiment-tracking-mode';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

function studioStatement(template: Template, sid: string): any {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy', {
    Properties: { Description: Match.stringLikeRegexp('^Trainyard Studio apps: own apps') },
  })) as any[];
  expect(policies).toHaveLength(1);
  const statement = policies[0].Properties.PolicyDocument.Statement.find((s: any) => s.Sid === sid);
  expect(statement).toBeDefined();
  return statement;
}

describe('TrainingStudio with default props, in its own stack', () => {
  // GIVEN a platform stack and a Studio stack with default props, synthesized once with every pack
  let platformStack!: Stack;
  let stack!: Stack;
  let studio!: TrainingStudio;
  const result = synthWithCompliance((app) => {
    platformStack = new Stack(app, 'Platform');
    const platform = new MlPlatform(platformStack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
    stack = new Stack(app, 'Studio');
    studio = new TrainingStudio(stack, 'Studio', { platform });
  });
  const template = result.template(stack);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('the domain is VpcOnly with IAM auth, in the platform isolated subnets, encrypted with the platform key', () => {
    template.resourceCountIs('AWS::SageMaker::Domain', 1);
    template.hasResourceProperties('AWS::SageMaker::Domain', {
      DomainName: 'trainyard-studio',
      AuthMode: 'IAM',
      AppNetworkAccessType: 'VpcOnly',
      VpcId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformVpc') },
      SubnetIds: [
        { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformVpctrainingSubnet1') },
        { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformVpctrainingSubnet2') },
      ],
      KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
    });
  });

  test('JupyterLab and Code Editor apps shut down after 60 idle minutes; users may choose 60 to 240', () => {
    const idle = {
      AppLifecycleManagement: {
        IdleSettings: { LifecycleManagement: 'ENABLED', IdleTimeoutInMinutes: 60, MinIdleTimeoutInMinutes: 60, MaxIdleTimeoutInMinutes: 240 },
      },
    };
    template.hasResourceProperties('AWS::SageMaker::Domain', {
      DefaultUserSettings: Match.objectLike({ JupyterLabAppSettings: idle, CodeEditorAppSettings: idle }),
      DefaultSpaceSettings: Match.objectLike({ JupyterLabAppSettings: idle }),
    });
    expect(studio.idleTimeout.toMinutes()).toBe(60);
  });

  test('users and shared spaces run as the execution role in the Studio security group, with notebook sharing off', () => {
    template.hasResourceProperties('AWS::SageMaker::Domain', {
      DefaultUserSettings: Match.objectLike({
        ExecutionRole: { 'Fn::GetAtt': [Match.stringLikeRegexp('StudioExecutionRole'), 'Arn'] },
        SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('StudioSecurityGroup'), 'GroupId'] }],
        SharingSettings: { NotebookOutputOption: 'Disabled' },
      }),
      DefaultSpaceSettings: Match.objectLike({
        ExecutionRole: { 'Fn::GetAtt': [Match.stringLikeRegexp('StudioExecutionRole'), 'Arn'] },
      }),
    });
  });

  test('the domain is retained on delete and replace', () => {
    template.hasResource('AWS::SageMaker::Domain', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('the security group has no internet egress except HTTPS and admits only app-to-app traffic', () => {
    const group: any = Object.values(template.findResources('AWS::EC2::SecurityGroup'))[0];
    for (const rule of group.Properties.SecurityGroupEgress ?? []) {
      expect([rule.IpProtocol, rule.FromPort, rule.ToPort]).toEqual(['tcp', 443, 443]);
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 8192,
      ToPort: 65535,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('StudioSecurityGroup'), 'GroupId'] },
    });
    // HTTPS to the endpoints is the Studio group's egress; the endpoints admit the training subnets.
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      DestinationSecurityGroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformEndpointSecurityGroup') },
    });
  });

  test('the execution role has no AWS managed policy (no AmazonSageMakerFullAccess), no inline policy, no wildcard action', () => {
    const role: any = Object.values(template.findResources('AWS::IAM::Role'))[0];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'sagemaker.amazonaws.com' });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const policy: any = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0];
    expect(JSON.stringify(policy)).not.toMatch(/FullAccess/);
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      for (const action of [statement.Action].flat()) {
        expect(action).not.toContain('*');
      }
    }
  });

  test('the role manages apps and spaces of this domain only, and reads but never writes data', () => {
    const apps = studioStatement(template, 'AppsAndSpacesOfThisDomain');
    for (const resource of apps.Resource) {
      expect(JSON.stringify(resource)).toMatch(/:(app|space|user-profile)\/",\{"Fn::GetAtt":\["StudioDomain[0-9A-F]+","DomainId"\]\},"\/\*"/);
    }
    studioStatement(template, 'ReadDataObjects');
    const policy: any = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0];
    expect(policy.Properties.PolicyDocument.Statement.map((s: any) => s.Sid)).not.toContain('WriteArtifactObjects');
    expect(studioStatement(template, 'UsePlatformKeyThroughS3').Action).toBe('kms:Decrypt');
  });
});

describe('TrainingStudio for one team, in the platform stack', () => {
  // GIVEN a team-scoped Studio with a longer idle timeout, pointed at the team's own MLflow App,
  // synthesized once with every pack
  let stack!: Stack;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Platform');
    const platform = new MlPlatform(stack, 'Platform');
    const team = new TrainingEnvironment(stack, 'Fraud', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE });
    new TrainingStudio(stack, 'Studio', {
      platform, teamName: 'fraud', idleTimeout: Duration.hours(2), maxIdleTimeout: Duration.hours(8), experimentTracking: team.experimentTracking,
    });
  });
  const template = result.template(stack);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('is named after the team and shuts apps down after two idle hours', () => {
    template.hasResourceProperties('AWS::SageMaker::Domain', {
      DomainName: 'trainyard-fraud',
      DefaultUserSettings: Match.objectLike({
        JupyterLabAppSettings: {
          AppLifecycleManagement: { IdleSettings: Match.objectLike({ IdleTimeoutInMinutes: 120, MaxIdleTimeoutInMinutes: 480 }) },
        },
      }),
    });
  });

  test('reads only the team prefix and writes only its studio prefix', () => {
    const read = studioStatement(template, 'ReadDataObjects');
    for (const resource of read.Resource) {
      expect(JSON.stringify(resource)).toMatch(/\/fraud\/\*"\]\]\}$/);
    }
    const write = studioStatement(template, 'WriteArtifactObjects');
    expect(JSON.stringify(write.Resource)).toMatch(/\/fraud\/studio\/\*/);
    expect(studioStatement(template, 'ListDataPrefix0').Condition).toEqual({ StringLike: { 's3:prefix': ['fraud/*'] } });
  });

  test("the Studio role may use the team's own MLflow App (API and UI), its artifact prefix and key, through a managed policy", () => {
    const [policy] = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy', {
      Properties: { Description: Match.stringLikeRegexp('^Trainyard Studio apps: log runs to MLflow') },
    }));
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements.map((st: any) => st.Sid)).toEqual(['UseMlflow', 'ReadWriteMlflowArtifacts', 'ListMlflowArtifacts', 'UseMlflowArtifactKey']);
    expect(statements[0].Action).toEqual(expect.arrayContaining(['sagemaker:CreatePresignedMlflowAppUrl', 'sagemaker-mlflow:AccessUI']));
    expect(statements[0].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FraudExperimentTrackingApp/), 'Arn'] });
    expect(JSON.stringify(statements[1].Resource)).toMatch(/"\/fraud\/mlflow\/\*"/);
    expect(policy.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^StudioExecutionRole/) }]);
  });

  test('in the platform stack the Studio group reaches the endpoints by a direct reference to their group', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      DestinationSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('PlatformEndpointSecurityGroup'), 'GroupId'] },
    });
  });
});

describe('TrainingStudio options', () => {
  test('a given execution role is used and gets no policy; removalPolicy DESTROY deletes the domain', () => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
    const executionRole = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::111111111111:role/studio');
    const studio = new TrainingStudio(stack, 'Studio', { platform, executionRole, removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    expect(studio.executionRole).toBe(executionRole);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    template.hasResource('AWS::SageMaker::Domain', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DefaultUserSettings: Match.objectLike({ ExecutionRole: 'arn:aws:iam::111111111111:role/studio' }) }),
    });
  });
});

describe('TrainingStudio under a team\'s guardrails', () => {
  test('permissionsBoundary bounds the default execution role; a given role cannot take it here', () => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform');
    const boundary = new iam.ManagedPolicy(stack, 'Boundary', { statements: [new iam.PolicyStatement({ actions: ['sagemaker:CreateApp'], resources: ['*'] })] });
    new TrainingStudio(stack, 'Studio', { platform, teamName: 'ml', permissionsBoundary: boundary });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('^Trainyard Studio apps'),
      PermissionsBoundary: { Ref: stack.resolve((boundary.node.defaultChild as iam.CfnManagedPolicy).logicalId) },
    });
    const executionRole = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::111111111111:role/studio');
    expect(() => new TrainingStudio(stack, 'Other', { platform, executionRole, permissionsBoundary: boundary }))
      .toThrow(/TrainingStudio\.permissionsBoundary: applies to the default execution role only; with TrainingStudio\.executionRole/);
  });
});

describe('TrainingStudio rejects bad props at synth, naming the prop', () => {
  const make = (props: Partial<TrainingStudioProps>) => () => {
    const stack = new Stack(newApp(), 'S');
    return new TrainingStudio(stack, 'Studio', { platform: new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE }), ...props });
  };

  test.each([
    [{ idleTimeout: Duration.minutes(30) }, /TrainingStudio\.idleTimeout \(minutes\): must be from 60 to 525600, got 30/],
    [{ idleTimeout: Duration.days(366) }, /TrainingStudio\.idleTimeout \(minutes\): must be from 60 to 525600/],
    [{ idleTimeout: Duration.seconds(3630) }, /TrainingStudio\.idleTimeout \(minutes\): must be a whole number/],
    [{ maxIdleTimeout: Duration.minutes(30) }, /TrainingStudio\.maxIdleTimeout \(minutes\)/],
    [{ idleTimeout: Duration.hours(5), maxIdleTimeout: Duration.hours(4) }, /TrainingStudio\.maxIdleTimeout: must be at least TrainingStudio\.idleTimeout \(300 minutes\)/],
    [{ domainName: '-bad' }, /TrainingStudio\.domainName/],
    [{ domainName: 'x'.repeat(64) }, /TrainingStudio\.domainName: must be 1 to 63 characters/],
    [{ teamName: 'Bad Team' }, /TrainingStudio\.teamName/],
    // The rule of TrainingEnvironment.teamName: a letter first, 2 to 32 characters, single hyphens, no token.
    [{ teamName: '' }, /TrainingStudio\.teamName: is required and must not be empty/],
    [{ teamName: '1fraud' }, /TrainingStudio\.teamName: "1fraud" is not allowed/],
    [{ teamName: 'a' }, /TrainingStudio\.teamName: must be 2 to 32 characters/],
    [{ teamName: 'fraud--x' }, /TrainingStudio\.teamName: "fraud--x" is not allowed/],
    [{ teamName: 'a'.repeat(33) }, /TrainingStudio\.teamName: must be 2 to 32 characters/],
    [{ teamName: Lazy.string({ produce: () => 'fraud' }) }, /TrainingStudio\.teamName: must be a literal string, not a token/],
    // Found by the property tests: these reached CDK's own errors, or no error at all.
    [{ idleTimeout: Duration.millis(3_600_500) }, /TrainingStudio\.idleTimeout \(minutes\): must be a whole number/],
    [{ idleTimeout: Duration.minutes(NaN) }, /TrainingStudio\.idleTimeout \(minutes\): must be a whole number from 60 to 525600, got NaN/],
    [{ maxIdleTimeout: Duration.hours(Infinity) }, /TrainingStudio\.maxIdleTimeout \(minutes\): must be a whole number/],
    [{ idleTimeout: Duration.minutes(Lazy.number({ produce: () => 60 })) }, /TrainingStudio\.idleTimeout: must be a literal Duration, not a token/],
    [{ removalPolicy: 'delete' as RemovalPolicy }, /TrainingStudio\.removalPolicy: must be a RemovalPolicy \(destroy, retain, snapshot, retain-on-update-or-delete\), got 'delete'/],
    [{ s3PrefixListId: 'prefix-list' }, /TrainingStudio\.s3PrefixListId: must be a managed prefix list ID such as 'pl-63a5400a', got 'prefix-list'/],
    [{ removalPolicy: '' as RemovalPolicy }, /TrainingStudio\.removalPolicy: must be a RemovalPolicy/],
  ])('%p', (props, message) => {
    expect(make(props)).toThrow(TrainyardValidationError);
    expect(make(props)).toThrow(message);
  });

  test('a missing platform names the prop', () => {
    expect(() => new TrainingStudio(new Stack(newApp(), 'S'), 'Studio', {} as any)).toThrow(/TrainingStudio\.platform: is required/);
  });
});
