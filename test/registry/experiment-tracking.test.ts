import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TrainyardValidationError } from '../../src/core/errors';
import { ManagedPolicyGrantee } from '../../src/core/managed-policy-grantee';
import { MlPlatform } from '../../src/platform/ml-platform';
import { PlatformExperimentTrackingMode } from '../../src/platform/platform-experiment-tracking-mode';
import { ExperimentTracking, TrackingServerSize } from '../../src/registry/experiment-tracking';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

const statementsOf = (template: Template, type: 'AWS::IAM::ManagedPolicy' | 'AWS::IAM::Policy', pathPart: RegExp) => {
  const found = Object.entries<any>(template.findResources(type)).filter(([id]) => pathPart.test(id));
  expect(found).toHaveLength(1);
  return found[0][1].Properties.PolicyDocument.Statement as any[];
};

describe('ExperimentTracking on the platform artifacts bucket (serverless MLflow App)', () => {
  // GIVEN a platform without its own tracking, and a team app on a prefix of its artifacts bucket
  let stack!: Stack;
  let tracking!: ExperimentTracking;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Platform');
    const platform = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
    tracking = new ExperimentTracking(stack, 'Tracking', {
      trackingName: 'fraud-mlflow',
      artifactsBucket: platform.artifactsBucket,
      artifactsPrefix: 'mlflow/fraud/',
      encryptionKey: platform.encryptionKey,
      weeklyMaintenanceWindowStart: 'Sun:02:00',
    });
  });
  const template = result.template(stack);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('creates a serverless MLflow App (no tracking server) with automatic registration off', () => {
    template.resourceCountIs('AWS::SageMaker::MlflowTrackingServer', 0);
    template.resourceCountIs('AWS::SageMaker::MlflowApp', 1);
    template.hasResourceProperties('AWS::SageMaker::MlflowApp', {
      Name: 'fraud-mlflow',
      ModelRegistrationMode: 'AutoModelRegistrationDisabled',
      WeeklyMaintenanceWindowStart: 'Sun:02:00',
      ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^PlatformArtifactsBucket') }, '/mlflow/fraud/']] },
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrackingServiceRole'), 'Arn'] },
    });
    expect(tracking.dedicated).toBe(false);
    expect(tracking.automaticModelRegistration).toBe(false);
  });

  test('the app is retained and waits for its role policy', () => {
    const app = Object.values<any>(template.findResources('AWS::SageMaker::MlflowApp'))[0];
    expect(app.DeletionPolicy).toBe('Retain');
    expect(app.UpdateReplacePolicy).toBe('Retain');
    expect(app.DependsOn).toEqual([expect.stringMatching(/^TrackingServicePolicy/)]);
  });

  test('the service role is assumed by SageMaker only and has no AWS managed policy attached', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
      Description: Match.stringLikeRegexp('MLflow App fraud-mlflow'),
      ManagedPolicyArns: Match.absent(),
      Policies: Match.absent(),
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/AmazonS3FullAccess|AmazonSageMakerFullAccess/);
  });

  test('the service policy reaches only the artifact prefix and the key', () => {
    const bucketArn = { 'Fn::GetAtt': [expect.stringMatching(/^PlatformArtifactsBucket/), 'Arn'] };
    expect(statementsOf(template, 'AWS::IAM::ManagedPolicy', /^TrackingServicePolicy/)).toEqual([
      { Sid: 'ListArtifactPrefix', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': ['mlflow/fraud/', 'mlflow/fraud/*'] } } },
      { Sid: 'LocateArtifactBucket', Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: bucketArn },
      { Sid: 'ReadWriteArtifacts', Effect: 'Allow', Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', [bucketArn, '/mlflow/fraud/*']] } },
      {
        Sid: 'UseArtifactKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PlatformKey/), 'Arn'] },
      },
    ]);
  });

  test('acknowledges only the object-prefix wildcard of its service policy, with its reason', () => {
    const policy = tracking.node.findChild('ServicePolicy');
    const acknowledged = policy.node.metadata
      .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
      .flatMap((m) => Object.entries<string>(m.data as any));
    expect(acknowledged).toEqual([[
      expect.stringMatching(/^(Annotation::)?AwsSolutions-IAM5\[Resource::<PlatformArtifactsBucket[A-F0-9]{8}\.Arn>\/mlflow\/fraud\/\*\]$/),
      expect.stringMatching(/^Object-level S3 permissions for a key prefix/),
    ]]);
  });

  test('exposes the ARN as tracking URI and the artifact store', () => {
    expect(stack.resolve(tracking.trackingArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TrackingApp/), 'Arn'] });
    expect(tracking.trackingUri).toBe(tracking.trackingArn);
    expect(tracking.artifactsPrefix).toBe('mlflow/fraud/');
    expect(tracking.trackingName).toBe('fraud-mlflow');
  });
});

describe('ExperimentTracking with a dedicated server and automatic registration', () => {
  // GIVEN a dedicated Medium server with automatic model registration, next to the platform
  // (MlOpsChecks verifies the artifact bucket's encryption only for a bucket in the same stack)
  let team!: Stack;
  const result = synthWithCompliance((app) => {
    team = new Stack(app, 'Team');
    const platform = new MlPlatform(team, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
    new ExperimentTracking(team, 'Tracking', {
      trackingName: 'fraud-server',
      dedicatedServer: { size: TrackingServerSize.MEDIUM, mlflowVersion: '2.16' },
      artifactsBucket: platform.artifactsBucket,
      encryptionKey: platform.encryptionKey,
      automaticModelRegistration: true,
      weeklyMaintenanceWindowStart: 'Tue:03:30',
    });
  });
  const template = result.template(team);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('creates a tracking server with the size, version, window and registration', () => {
    template.resourceCountIs('AWS::SageMaker::MlflowApp', 0);
    template.hasResourceProperties('AWS::SageMaker::MlflowTrackingServer', {
      TrackingServerName: 'fraud-server',
      TrackingServerSize: 'Medium',
      MlflowVersion: '2.16',
      AutomaticModelRegistration: true,
      WeeklyMaintenanceWindowStart: 'Tue:03:30',
      ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^PlatformArtifactsBucket') }, '/mlflow/']] },
    });
    const server = Object.values<any>(template.findResources('AWS::SageMaker::MlflowTrackingServer'))[0];
    expect(server.DeletionPolicy).toBe('Retain');
  });

  test('the service policy adds the model registry actions automatic registration needs, nothing broader', () => {
    const statements = statementsOf(template, 'AWS::IAM::ManagedPolicy', /^TrackingServicePolicy/);
    const registration = statements.find((s) => s.Sid === 'AutomaticModelRegistration');
    expect(registration.Action).toEqual([
      'sagemaker:AddTags',
      'sagemaker:CreateModelPackage',
      'sagemaker:CreateModelPackageGroup',
      'sagemaker:DescribeModelPackageGroup',
      'sagemaker:UpdateModelPackage',
    ]);
    expect(JSON.stringify(registration.Resource)).toMatch(/:model-package-group\/\*"\]\]\},\{.*:model-package\/\*"\]\]\}\]$/);
    for (const s of statements) {
      expect(([] as string[]).concat(s.Action).some((a: string) => a.includes('*'))).toBe(false);
    }
  });
});

describe('ExperimentTracking grants and its own bucket', () => {
  test('grantAccess allows the MLflow API on this app only (no delete action listed, though on an App CallMlflowAppApi covers the whole API), artifacts and the key', () => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.TEAM_AND_SHARED });
    const role = new iam.Role(stack, 'Scientist', { assumedBy: new iam.AccountRootPrincipal() });
    platform.experimentTracking!.grantAccess(role);
    const statements = statementsOf(Template.fromStack(stack), 'AWS::IAM::Policy', /^ScientistDefaultPolicy/);
    const mlflow = statements.find((s) => ([] as string[]).concat(s.Action).includes('sagemaker-mlflow:LogMetric'));
    expect(mlflow.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PlatformExperimentTrackingApp/), 'Arn'] });
    expect(mlflow.Action).toEqual(expect.arrayContaining(['sagemaker:CallMlflowAppApi', 'sagemaker:CreatePresignedMlflowAppUrl', 'sagemaker-mlflow:CreateRun']));
    expect(mlflow.Action.filter((a: string) => /DeleteExperiment|DeleteRun|DeleteRegisteredModel|DeleteModelVersion|\*/.test(a))).toEqual([]);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['s3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', [expect.anything(), '/mlflow/*']] } }),
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['mlflow/*'] } } }),
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] }),
    ]));
  });

  test('fromTrackingArn imports an app whose grant is scoped to its ARN', () => {
    const stack = new Stack(newApp(), 'S');
    const arn = 'arn:aws:sagemaker:eu-west-1:111111111111:mlflow-app/app-abc123';
    const imported = ExperimentTracking.fromTrackingArn(stack, 'Imported', arn);
    expect(imported.trackingUri).toBe(arn);
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    imported.grantAccess(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Resource: arn })] },
    });
    expect(() => ExperimentTracking.fromTrackingArn(stack, 'Bad', 'arn:aws:s3:::bucket')).toThrow(/ExperimentTracking\.fromTrackingArn/);
  });

  test('fromExperimentTrackingAttributes imports the same app, with the same checks', () => {
    const stack = new Stack(newApp(), 'S');
    const arn = 'arn:aws:sagemaker:eu-west-1:111111111111:mlflow-app/app-abc123';
    expect(ExperimentTracking.fromExperimentTrackingAttributes(stack, 'Imported', { trackingArn: arn }).trackingArn).toBe(arn);
    expect(() => ExperimentTracking.fromExperimentTrackingAttributes(stack, 'Bad', { trackingArn: 'arn:aws:s3:::bucket' })).toThrow(/ExperimentTrackingAttributes\.trackingArn/);
    expect(() => ExperimentTracking.fromExperimentTrackingAttributes(stack, 'Kind', { trackingArn: arn, dedicated: true })).toThrow(/ExperimentTrackingAttributes\.dedicated: is true/);
    expect(() => ExperimentTracking.fromExperimentTrackingAttributes(stack, 'Prefix', { trackingArn: arn, artifactsPrefix: 'a/*/' }))
      .toThrow(/ExperimentTrackingAttributes\.artifactsPrefix/);
    expect(() => ExperimentTracking.fromExperimentTrackingAttributes(stack, 'None', undefined as any)).toThrow(/ExperimentTrackingAttributes: needs/);
  });

  test.each([
    ['an MLflow App', undefined],
    ['a dedicated tracking server', { size: TrackingServerSize.SMALL }],
  ])('grantAccess grants the same statements, the key and CallMlflowAppApi included, on %s created here and on one imported with its artifact store', (_kind, dedicatedServer) => {
    // GIVEN a tracking created on the platform bucket, and the same tracking imported by its attributes
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
    const owned = new ExperimentTracking(stack, 'Owned', {
      trackingName: 'fraud-mlflow', artifactsBucket: platform.artifactsBucket, artifactsPrefix: 'mlflow/fraud/', encryptionKey: platform.encryptionKey, dedicatedServer,
    });
    const imported = ExperimentTracking.fromExperimentTrackingAttributes(stack, 'Imported', {
      trackingArn: owned.trackingArn, dedicated: owned.dedicated, artifactsBucket: platform.artifactsBucket, artifactsPrefix: 'mlflow/fraud/', encryptionKey: platform.encryptionKey,
    });
    const role = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    // WHEN each grants access to its own managed-policy grantee
    const ownedGrantee = ManagedPolicyGrantee.of(role('OwnedRole'));
    const importedGrantee = ManagedPolicyGrantee.of(role('ImportedRole'));
    owned.grantAccess(ownedGrantee);
    imported.grantAccess(importedGrantee);
    // THEN both policies say the same, with the MLflow App's one action and the key
    const statements = (g: ManagedPolicyGrantee) => stack.resolve((g.policy.node.defaultChild as iam.CfnManagedPolicy).policyDocument).Statement;
    expect(statements(importedGrantee)).toEqual(statements(ownedGrantee));
    expect(statements(ownedGrantee).map((st: any) => st.Sid)).toEqual(['UseMlflow', 'ReadWriteMlflowArtifacts', 'ListMlflowArtifacts', 'UseMlflowArtifactKey']);
    const actions = JSON.stringify(statements(ownedGrantee));
    expect(actions).toContain('kms:Decrypt');
    expect(actions.includes('sagemaker:CallMlflowAppApi')).toBe(dedicatedServer === undefined);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('an MLflow App imported by ARN alone gets the same MLflow actions as one created here, including CallMlflowAppApi', () => {
    const stack = new Stack(newApp(), 'S');
    const imported = ExperimentTracking.fromTrackingArn(stack, 'Imported', 'arn:aws:sagemaker:eu-west-1:111111111111:mlflow-app/app-abc123');
    const server = ExperimentTracking.fromTrackingArn(stack, 'Server', 'arn:aws:sagemaker:eu-west-1:111111111111:mlflow-tracking-server/fraud');
    const app = ManagedPolicyGrantee.of(new iam.Role(stack, 'AppRole', { assumedBy: new iam.AccountRootPrincipal() }));
    const dedicated = ManagedPolicyGrantee.of(new iam.Role(stack, 'ServerRole', { assumedBy: new iam.AccountRootPrincipal() }));
    imported.grantAccess(app);
    server.grantAccess(dedicated);
    const actionsOf = (g: ManagedPolicyGrantee) =>
      stack.resolve((g.policy.node.defaultChild as iam.CfnManagedPolicy).policyDocument).Statement[0].Action as string[];
    expect(actionsOf(app)).toEqual(expect.arrayContaining(['sagemaker:CallMlflowAppApi', 'sagemaker:CreatePresignedMlflowAppUrl', 'sagemaker:DescribeMlflowApp']));
    expect(actionsOf(dedicated)).toEqual(expect.arrayContaining(['sagemaker:CreatePresignedMlflowTrackingServerUrl', 'sagemaker:DescribeMlflowTrackingServer']));
    expect(actionsOf(dedicated)).not.toContain('sagemaker:CallMlflowAppApi');
  });

  test('without artifactsBucket it creates its own versioned KMS bucket and a rotating key', () => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
    const tracking = new ExperimentTracking(stack, 'Tracking', { accessLogsBucket: platform.accessLogsBucket, removalPolicy: RemovalPolicy.DESTROY });
    const t = Template.fromStack(stack);
    const buckets = Object.entries<any>(t.findResources('AWS::S3::Bucket')).filter(([id]) => id.startsWith('TrackingArtifactsBucket'));
    expect(buckets).toHaveLength(1);
    const p = buckets[0][1].Properties;
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^TrackingKey/), 'Arn'] },
    });
    expect(p.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: expect.stringMatching(/^PlatformAccessLogsBucket/) });
    expect(buckets[0][1].DeletionPolicy).toBe('Delete');
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: Match.stringLikeRegexp('MLflow artifact store') });
    expect(tracking.encryptionKey).toBeDefined();
  });

  test('the platform creates the shared app only when asked (TEAM_AND_SHARED), on mlflow/ of its artifacts bucket', () => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.TEAM_AND_SHARED });
    expect(platform.experimentTracking).toBeInstanceOf(ExperimentTracking);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SageMaker::MlflowApp', 1);
    t.hasResourceProperties('AWS::SageMaker::MlflowApp', {
      Name: Match.stringLikeRegexp('^S-Platform-ExperimentTracking-[A-F0-9]{8}$'),
      ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^PlatformArtifactsBucket') }, '/mlflow/']] },
    });
    const byDefault = new Stack(newApp(), 'Default');
    expect(new MlPlatform(byDefault, 'Platform').experimentTracking).toBeUndefined();
    Template.fromStack(byDefault).resourceCountIs('AWS::SageMaker::MlflowApp', 0);
    const off = new Stack(newApp(), 'Off');
    expect(new MlPlatform(off, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE }).experimentTracking).toBeUndefined();
    Template.fromStack(off).resourceCountIs('AWS::SageMaker::MlflowApp', 0);
  });
});

describe('ExperimentTracking rejects bad input at synth, naming the prop', () => {
  const make = (props: any) => () => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE, interfaceEndpoints: [] });
    return new ExperimentTracking(stack, 'Tracking', { artifactsBucket: platform.artifactsBucket, ...props });
  };

  test.each([
    [{ trackingName: 'fraud_mlflow' }, /ExperimentTracking\.trackingName: "fraud_mlflow" is not allowed: letters, digits and hyphens/],
    [{ trackingName: '-fraud' }, /ExperimentTracking\.trackingName/],
    [{ trackingName: 'fraud-' }, /ExperimentTracking\.trackingName/],
    [{ trackingName: '' }, /ExperimentTracking\.trackingName: must be 1 to 256 characters/],
    [{ trackingName: 'a'.repeat(257) }, /ExperimentTracking\.trackingName: must be 1 to 256 characters/],
    [{ weeklyMaintenanceWindowStart: 'Sunday:02:00' }, /ExperimentTracking\.weeklyMaintenanceWindowStart: must be Ddd:HH:MM/],
    [{ weeklyMaintenanceWindowStart: 'sun:02:00' }, /ExperimentTracking\.weeklyMaintenanceWindowStart/],
    [{ weeklyMaintenanceWindowStart: 'Sun:24:00' }, /ExperimentTracking\.weeklyMaintenanceWindowStart/],
    [{ weeklyMaintenanceWindowStart: 'Sun:2:00' }, /ExperimentTracking\.weeklyMaintenanceWindowStart/],
    [{ weeklyMaintenanceWindowStart: 'Sun:02:60' }, /ExperimentTracking\.weeklyMaintenanceWindowStart/],
    [{ dedicatedServer: { size: 'Huge' } }, /ExperimentTracking\.dedicatedServer\.size: must be one of Small, Medium, Large, got 'Huge'/],
    [{ dedicatedServer: { size: 'small' } }, /ExperimentTracking\.dedicatedServer\.size/],
    [{ dedicatedServer: { mlflowVersion: 'latest' } }, /ExperimentTracking\.dedicatedServer\.mlflowVersion: must be a version such as '2\.16', got 'latest'/],
    [{ artifactsPrefix: 'mlflow' }, /ExperimentTracking\.artifactsPrefix: must be an S3 key prefix .* ending in '\/'/],
    [{ artifactsPrefix: '/mlflow/' }, /ExperimentTracking\.artifactsPrefix/],
    [{ accessLogsBucket: {} }, /ExperimentTracking\.accessLogsBucket: applies only to the bucket ExperimentTracking creates/],
  ])('%j', (props, message) => {
    expect(make(props)).toThrow(TrainyardValidationError);
    expect(make(props)).toThrow(message);
  });

  test('its own bucket needs an access-logs bucket', () => {
    const stack = new Stack(newApp(), 'S');
    expect(() => new ExperimentTracking(stack, 'Tracking')).toThrow(/ExperimentTracking\.accessLogsBucket: is required when ExperimentTracking creates its own artifact bucket/);
  });

  test('accepts every weekday and the edges of the day', () => {
    for (const window of ['Mon:00:00', 'Tue:23:59', 'Wed:12:30', 'Thu:01:01', 'Fri:09:00', 'Sat:10:10', 'Sun:02:00']) {
      expect(make({ weeklyMaintenanceWindowStart: window })).not.toThrow();
    }
  });
});
