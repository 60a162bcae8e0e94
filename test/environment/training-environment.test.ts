import { Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { TrainyardValidationError } from '../../src/core/errors';
import { ExperimentTrackingMode } from '../../src/environment/experiment-tracking-mode';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment, TrainingEnvironmentProps } from '../../src/environment/training-environment';
import { MlPlatform } from '../../src/platform/ml-platform';
import { PlatformExperimentTrackingMode } from '../../src/platform/platform-experiment-tracking-mode';
import { ExperimentTracking } from '../../src/registry/experiment-tracking';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

/**
 * Every statement of every customer-managed policy in the template that grants to the team's roles:
 * permissions boundaries (which only cap) and the policies of the MLflow App's service role left out.
 */
function managedPolicyStatements(template: Template): any[] {
  const roles = Object.entries<any>(template.findResources('AWS::IAM::Role'));
  const boundaries = new Set(roles.map(([, r]) => r.Properties.PermissionsBoundary?.Ref));
  const trackingRoles = new Set(roles.filter(([id]) => /ExperimentTracking/.test(id)).map(([id]) => id));
  const trackingPolicies = new Set(roles.filter(([id]) => trackingRoles.has(id))
    .flatMap(([, r]) => (r.Properties.ManagedPolicyArns ?? []).map((arn: any) => arn.Ref)));
  return Object.entries<any>(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter(([id]) => !boundaries.has(id) && !trackingPolicies.has(id))
    .filter(([, p]) => !(p.Properties.Roles ?? []).some((r: any) => trackingRoles.has(r.Ref)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

const asList = (x: any): any[] => (Array.isArray(x) ? x : [x]);

/** The acknowledgements recorded on `scope` and below it, as `[path, id, reason]`. */
function acknowledgementsUnder(scope: IConstruct): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const c of scope.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type === 'aws:cdk:acknowledged-rules') {
        for (const [id, reason] of Object.entries<string>(entry.data)) {
          out.push([c.node.path, id, reason]);
        }
      }
    }
  }
  return out;
}

/** The actions IAM offers no resource-level permissions for: the only ones allowed on `*`. */
const NO_RESOURCE_LEVEL_ACTIONS = [
  'cloudwatch:PutMetricData', 'ec2:DescribeDhcpOptions', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ecr:GetAuthorizationToken',
];

describe('TrainingEnvironment with default props, in its own stack', () => {
  // GIVEN the platform in one stack and team fraud (G5_2XLARGE, budget) in another, synthesized once
  let platformStack!: Stack;
  let teamStack!: Stack;
  let env!: TrainingEnvironment;
  const result = synthWithCompliance((app) => {
    platformStack = new Stack(app, 'Platform');
    const platform = new MlPlatform(platformStack, 'Platform');
    teamStack = new Stack(app, 'TeamFraud');
    env = new TrainingEnvironment(teamStack, 'Fraud', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE, monthlyBudgetUsd: 5000 });
  });
  const template = result.template(teamStack);
  const platformTemplate = result.template(platformStack);
  const statements = managedPolicyStatements(template);
  const defaults = teamStack.resolve(env.trainingJobDefaults);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('acknowledges only the wildcard resources the AWS APIs leave no narrower choice for, each by its exact name', () => {
    // The guardrails boundary caps, it grants nothing: its acknowledgements are checked below.
    const acks = acknowledgementsUnder(env).filter(([path]) => !path.startsWith(env.permissionsBoundary!.node.path));
    const ids = acks.map(([, id]) => id).sort();
    expect(ids).toEqual([
      'Annotation::AwsSolutions-IAM5[Resource::*]',
      expect.stringMatching(/^Annotation::AwsSolutions-IAM5\[Resource::Platform:ExportsOutput.*ArtifactsBucket.*\/fraud\/artifacts\/\*\]$/),
      expect.stringMatching(/^Annotation::AwsSolutions-IAM5\[Resource::Platform:ExportsOutput.*ArtifactsBucket.*\/fraud\/checkpoints\/\*\]$/),
      // The team's own MLflow App: its service role and the team's MLflow policy, each on fraud/mlflow/ only.
      expect.stringMatching(/^Annotation::AwsSolutions-IAM5\[Resource::Platform:ExportsOutput.*ArtifactsBucket.*\/fraud\/mlflow\/\*\]$/),
      expect.stringMatching(/^Annotation::AwsSolutions-IAM5\[Resource::Platform:ExportsOutput.*ArtifactsBucket.*\/fraud\/mlflow\/\*\]$/),
      expect.stringMatching(/^Annotation::AwsSolutions-IAM5\[Resource::Platform:ExportsOutput.*DatasetsBucket.*\/fraud\/\*\]$/),
      'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
      'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/ProcessingJobs:log-stream:*]',
      'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/TrainingJobs:log-stream:*]',
    ]);
    for (const [, , reason] of acks) {
      expect(reason.length).toBeGreaterThan(80);
    }
  });

  test('the execution role carries the team guardrails as its boundary: the GPU profile is the allowed instance type', () => {
    const boundaryId = teamStack.resolve((env.permissionsBoundary!.node.defaultChild as iam.CfnManagedPolicy).logicalId);
    template.hasResourceProperties('AWS::IAM::Role', { PermissionsBoundary: { Ref: boundaryId } });
    const boundary = template.toJSON().Resources[boundaryId].Properties.PolicyDocument.Statement as any[];
    expect(boundary.find((st) => st.Sid === 'DenyInstanceTypesOutsideProfiles').Condition).toEqual({
      'ForAnyValue:StringNotLike': { 'sagemaker:InstanceTypes': ['ml.g5.2xlarge'] },
    });
    expect(boundary.find((st) => st.Sid === 'DenyJobsWithoutOutputKmsKey').Condition).toEqual({ Null: { 'sagemaker:OutputKmsKeyArn': 'true' } });
    const boundaryAcks = acknowledgementsUnder(env.permissionsBoundary!).map(([, id]) => id);
    expect(boundaryAcks).toEqual(expect.arrayContaining(['Annotation::AwsSolutions-IAM5[Resource::*]', 'Annotation::AwsSolutions-IAM5[Action::sagemaker:Describe*]']));
  });

  test('the execution role trusts SageMaker in this account only and has no inline or AWS managed policies', () => {
    // The execution role, and the service role of the team's own MLflow App.
    template.resourceCountIs('AWS::IAM::Role', 2);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'sagemaker.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        }],
      },
      Policies: Match.absent(),
    });
    const role = Object.entries<any>(template.findResources('AWS::IAM::Role')).find(([id]) => /^FraudExecutionRole/.test(id))![1];
    // Data, network, observability and image pull: one customer-managed policy per concern.
    expect(role.Properties.ManagedPolicyArns).toHaveLength(4);
    for (const arn of role.Properties.ManagedPolicyArns) {
      expect(Object.keys(arn)).toEqual(['Ref']); // customer-managed policies of this stack, no AWS managed policy
    }
    // MLflow: the grant of the tracking, in a customer-managed policy that attaches itself to the role.
    const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => /^FraudExecutionRole/.test(id))!;
    const tracking = Object.entries<any>(template.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => /^FraudExperimentTrackingPolicy/.test(id));
    expect(tracking).toHaveLength(1);
    expect(tracking[0][1].Properties.Roles).toEqual([{ Ref: roleId }]);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/AmazonSageMakerFullAccess/);
  });

  test('no statement has a wildcard action', () => {
    expect(statements.length).toBeGreaterThan(8);
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      for (const action of asList(s.Action)) {
        expect(action).not.toContain('*');
      }
    }
  });

  test('Resource * appears only for actions without resource-level permissions', () => {
    for (const s of statements.filter((st) => asList(st.Resource).includes('*'))) {
      expect(NO_RESOURCE_LEVEL_ACTIONS).toEqual(expect.arrayContaining(asList(s.Action)));
    }
    const metrics = statements.find((s) => s.Action === 'cloudwatch:PutMetricData');
    expect(metrics.Condition).toEqual({ StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'Trainyard/fraud'] } });
  });

  test('S3 access is confined to the team prefixes: read datasets, write artifacts and checkpoints', () => {
    // (The MLflow artifact prefix is the tracking policy's, asserted below.)
    const s3 = statements.filter((s) => !/Mlflow/.test(s.Sid) && asList(s.Action).some((a: string) => a.startsWith('s3:')));
    const objectResources = (sid: string) => asList(s3.find((s) => s.Sid === sid).Resource).map((r) => JSON.stringify(r));
    expect(objectResources('ReadTeamDatasets')).toEqual([expect.stringMatching(/DatasetsBucket.*"\/fraud\/\*"/)]);
    expect(objectResources('WriteTeamArtifactsAndCheckpoints')).toEqual([
      expect.stringMatching(/ArtifactsBucket.*"\/fraud\/artifacts\/\*"/),
      expect.stringMatching(/ArtifactsBucket.*"\/fraud\/checkpoints\/\*"/),
    ]);
    expect(objectResources('PruneTeamCheckpoints')).toEqual([expect.stringMatching(/"\/fraud\/checkpoints\/\*"/)]);
    // Writing is never allowed on datasets.
    const read = s3.find((s) => s.Sid === 'ReadTeamDatasets');
    expect(asList(read.Action).sort()).toEqual(['s3:GetObject', 's3:GetObjectTagging', 's3:GetObjectVersion']);
    for (const s of s3.filter((st) => asList(st.Action).includes('s3:ListBucket'))) {
      for (const prefix of s.Condition.StringLike['s3:prefix']) {
        expect(prefix).toMatch(/^fraud\//);
      }
    }
    // Every S3 object resource names a team prefix.
    for (const s of s3.filter((st) => !asList(st.Action).includes('s3:ListBucket'))) {
      for (const r of asList(s.Resource)) {
        expect(JSON.stringify(r)).toMatch(/"\/fraud\/(artifacts\/|checkpoints\/)?\*"/);
      }
    }
  });

  test('KMS use is limited to the platform key; grants only for AWS resources', () => {
    const kms = statements.filter((s) => asList(s.Action).some((a: string) => a.startsWith('kms:')));
    for (const s of kms) {
      expect(JSON.stringify(s.Resource)).toMatch(/PlatformKey/);
    }
    expect(kms.find((s) => s.Action === 'kms:CreateGrant').Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
  });

  test('ENI management is conditioned on the platform VPC; creation limited to the platform subnets and the team security group', () => {
    const eni = statements.filter((s) => asList(s.Action).some((a: string) => /NetworkInterface/.test(a) && !a.startsWith('ec2:Describe')));
    expect(eni).toHaveLength(2);
    for (const s of eni) {
      expect(JSON.stringify(s.Condition.ArnEquals['ec2:Vpc'])).toMatch(/:vpc\/.*PlatformVpc/);
    }
    const create = eni.find((s) => s.Action === 'ec2:CreateNetworkInterface');
    const resources = create.Resource.map((r: any) => JSON.stringify(r));
    expect(resources.filter((r: string) => r.includes(':subnet/'))).toHaveLength(2);
    expect(resources.filter((r: string) => r.includes(':security-group/') && r.includes('FraudSecurityGroup'))).toHaveLength(1);
  });

  test('logs go to the SageMaker job log groups only; ECR pulls from the team repository only', () => {
    const logs = statements.filter((s) => asList(s.Action).some((a: string) => a.startsWith('logs:')));
    for (const s of logs) {
      for (const r of asList(s.Resource)) {
        expect(JSON.stringify(r)).toMatch(/log-group:\/aws\/sagemaker\/(Training|Processing)Jobs/);
      }
    }
    const ecrStatements = statements.filter((s) => asList(s.Action).some((a: string) => a.startsWith('ecr:')));
    expect(ecrStatements.map((s) => s.Sid).sort()).toEqual(['GetEcrAuthorizationToken', 'PullTeamImages']);
    expect(ecrStatements.find((s) => s.Sid === 'PullTeamImages').Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FraudImagesRepository/), 'Arn'] });
  });

  test('the team owns its registries: model package group fraud-models and repository fraud/training, retained, on the platform key', () => {
    template.hasResource('AWS::SageMaker::ModelPackageGroup', {
      Properties: Match.objectLike({ ModelPackageGroupName: 'fraud-models' }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResource('AWS::ECR::Repository', {
      Properties: Match.objectLike({
        RepositoryName: 'fraud/training',
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') } },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(env.modelRegistry?.modelPackageGroupName).toBe('fraud-models');
    expect(env.modelPackageGroupName).toBe('fraud-models');
    expect(env.imageRegistry).toBeDefined();
  });

  test("the team has its own MLflow App, on fraud/mlflow/ of the platform's artifacts bucket, retained, tagged with the team", () => {
    template.hasResource('AWS::SageMaker::MlflowApp', {
      Properties: Match.objectLike({
        Name: 'fraud-mlflow',
        ModelRegistrationMode: 'AutoModelRegistrationDisabled',
        WeeklyMaintenanceWindowStart: 'Sun:02:00',
        ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformArtifactsBucket') }, '/fraud/mlflow/']] },
        Tags: Match.arrayWith([{ Key: 'trainyard:team', Value: 'fraud' }]),
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    // The platform holds no App: no team shares one unless it asks to.
    platformTemplate.resourceCountIs('AWS::SageMaker::MlflowApp', 0);
    platformTemplate.resourceCountIs('AWS::EC2::VPCEndpoint', 10); // S3 and DynamoDB gateways, 7 training endpoints, and MLflow's, which every team's App is reached through
    // The App's service role reads and writes fraud/mlflow/ only.
    const service = Object.entries<any>(template.findResources('AWS::IAM::ManagedPolicy')).find(([id]) => /ExperimentTrackingServicePolicy/.test(id))![1];
    const rw = service.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'ReadWriteArtifacts');
    expect(JSON.stringify(rw.Resource)).toMatch(/ArtifactsBucket.*"\/fraud\/mlflow\/\*"/);
  });

  test("the role may use its own team's MLflow App, its artifact prefix and key, through a managed policy, and delete no artifact", () => {
    const mlflow = statements.find((s) => s.Sid === 'UseMlflow');
    expect(mlflow.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FraudExperimentTrackingApp/), 'Arn'] });
    expect(asList(mlflow.Action)).toEqual(expect.arrayContaining(['sagemaker-mlflow:CreateRun', 'sagemaker-mlflow:LogBatch', 'sagemaker:CallMlflowAppApi']));
    expect(asList(mlflow.Action).filter((a: string) => /Delete(Experiment|Run|RegisteredModel|ModelVersion)$/.test(a))).toEqual([]);
    const artifacts = statements.find((s) => s.Sid === 'ReadWriteMlflowArtifacts');
    expect(artifacts.Action).toEqual(['s3:GetObject', 's3:PutObject']); // no s3:DeleteObject: artifacts stay recoverable
    expect(JSON.stringify(artifacts.Resource)).toMatch(/ArtifactsBucket.*"\/fraud\/mlflow\/\*"/);
    expect(statements.find((s) => s.Sid === 'ListMlflowArtifacts').Condition).toEqual({ StringLike: { 's3:prefix': ['fraud/mlflow/*'] } });
    expect(JSON.stringify(statements.find((s) => s.Sid === 'UseMlflowArtifactKey').Resource)).toMatch(/PlatformKey/);
    expect(env.experimentTracking).toBeDefined();
    // Network-isolated jobs cannot reach MLflow, so they are not pointed at it.
    expect(defaults.environment).toBeUndefined();
  });

  test('the security group sends HTTPS only (endpoints, and S3 in a VPC without internet route), and has no self rules for one instance', () => {
    const sg = Object.values<any>(template.findResources('AWS::EC2::SecurityGroup'))[0];
    expect(sg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
    const egress = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties);
    expect(egress).toEqual([expect.objectContaining({
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      DestinationSecurityGroupId: { 'Fn::ImportValue': expect.stringMatching(/EndpointSecurityGroup/) },
    })]);
    // The endpoints admit the training subnets, not each team: the team adds no rule to the platform's
    // security group (whose 60-rule quota would cap the number of teams), and the platform never references a team.
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(JSON.stringify(platformTemplate.toJSON())).not.toMatch(/Fn::ImportValue/);
  });

  test('without the S3 prefix list, jobs may send HTTPS anywhere: in the isolated VPC only the endpoints answer', () => {
    Template.fromStack(teamStack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: Match.arrayWith([Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]),
    });
    // No other port leaves the group.
    const groups = Template.fromStack(teamStack).findResources('AWS::EC2::SecurityGroup');
    for (const g of Object.values<any>(groups)) {
      for (const rule of g.Properties.SecurityGroupEgress ?? []) {
        expect([rule.FromPort, rule.ToPort]).toEqual([443, 443]);
      }
    }
  });

  test('training-job defaults: isolated VPC, network isolation, KMS output, 24 h runtime, spot with 2x wait and checkpoints, retries', () => {
    expect(defaults.roleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/FraudExecutionRole/), 'Arn'] });
    expect(defaults.vpcConfig.securityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/FraudSecurityGroup/), 'GroupId'] }]);
    expect(defaults.vpcConfig.subnets).toHaveLength(2);
    expect(defaults.enableNetworkIsolation).toBe(true);
    expect(defaults.enableInterContainerTrafficEncryption).toBe(false);
    expect(defaults.resourceConfig).toEqual({ instanceType: 'ml.g5.2xlarge', instanceCount: 1, volumeSizeInGb: 100 });
    expect(JSON.stringify(defaults.outputDataConfig.s3OutputPath)).toMatch(/ArtifactsBucket.*\/fraud\/artifacts\//);
    expect(JSON.stringify(defaults.outputDataConfig.kmsKeyId)).toMatch(/PlatformKey/);
    expect(defaults.stoppingCondition).toEqual({ maxRuntimeInSeconds: 86400, maxWaitTimeInSeconds: 172800 });
    expect(defaults.enableManagedSpotTraining).toBe(true);
    expect(JSON.stringify(defaults.checkpointS3Uri)).toMatch(/ArtifactsBucket.*\/fraud\/checkpoints\//);
    expect(defaults.maximumRetryAttempts).toBe(2);
    expect(defaults.tags).toEqual({ 'trainyard:team': 'fraud', 'trainyard:environment': 'fraud-training', 'trainyard:cost-center': 'fraud' });
  });

  test('the G5 volume has no VolumeKmsKeyId: SageMaker rejects one for instance types with local NVMe storage', () => {
    expect(GpuProfile.G5_2XLARGE.localInstanceStorage).toBe(true);
    expect(defaults.resourceConfig.volumeKmsKeyId).toBeUndefined();
  });

  test('exposes the team prefixes, buckets, key and policies', () => {
    expect([env.datasetsPrefix, env.artifactsPrefix, env.checkpointsPrefix]).toEqual(['fraud/', 'fraud/artifacts/', 'fraud/checkpoints/']);
    expect(env.executionPolicies).toHaveLength(5);
    expect(env.grantPrincipal).toBe(env.executionRole);
    expect(env.connections.securityGroups).toEqual([env.securityGroup]);
  });

  test('a monthly cost budget on the team tag alerts at 80% actual and 100% forecast to the alerts topic', () => {
    template.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 5000, Unit: 'USD' },
        CostFilters: { TagKeyValue: ['user:trainyard:team$fraud'] },
      },
      NotificationsWithSubscribers: [
        {
          Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' },
          Subscribers: [{ SubscriptionType: 'SNS', Address: { Ref: Match.stringLikeRegexp('FraudBudgetAlerts') } }],
        },
        {
          Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' },
          Subscribers: [{ SubscriptionType: 'SNS', Address: { Ref: Match.stringLikeRegexp('FraudBudgetAlerts') } }],
        },
      ],
    });
  });

  test('the alerts topic is KMS-encrypted with a rotating, retained key, TLS-only, and admits AWS Budgets from this account', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('FraudAlertsKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Sid: 'AllowAwsBudgetsToPublish',
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'budgets.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'kms:CreateGrant' }),
            Match.objectLike({ Sid: 'AllowAwsBudgetsToUseTheKey', Principal: { Service: 'budgets.amazonaws.com' }, Action: Match.arrayWith(['kms:Decrypt']) }),
          ]),
        },
      },
    });
  });

  test('every taggable resource carries the team and environment tags', () => {
    for (const type of ['AWS::EC2::SecurityGroup', 'AWS::IAM::Role', 'AWS::SNS::Topic', 'AWS::KMS::Key']) {
      const resources = Object.values<any>(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) {
        expect([type, r.Properties.Tags]).toEqual([type, expect.arrayContaining([
          { Key: 'trainyard:team', Value: 'fraud' },
          { Key: 'trainyard:environment', Value: 'fraud-training' },
          // Without a costCenter prop, the cost centre is the team (MlOps-GpuResourceCostTagged needs one).
          { Key: 'trainyard:cost-center', Value: 'fraud' },
        ])]);
      }
    }
    const budget = Object.values<any>(template.findResources('AWS::Budgets::Budget'))[0];
    expect(budget.Properties.ResourceTags).toEqual(expect.arrayContaining([
      { Key: 'trainyard:team', Value: 'fraud' }, { Key: 'trainyard:environment', Value: 'fraud-training' },
    ]));
  });
});

describe('TrainingEnvironment for multi-node EFA training, on-demand with a warm pool, in the platform stack', () => {
  // GIVEN four P4d nodes, on-demand with a 30-minute warm pool, a team image repository, a cost centre,
  // alert emails and the S3 prefix list, synthesized once with every compliance pack
  let stack!: Stack;
  let env!: TrainingEnvironment;
  let repository!: ecr.Repository;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Ml');
    const platform = new MlPlatform(stack, 'Platform');
    repository = new ecr.Repository(stack, 'Images', {
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      lifecycleRules: [{ maxImageCount: 50 }],
      encryption: ecr.RepositoryEncryption.KMS,
    });
    env = new TrainingEnvironment(stack, 'Llm', {
      platform,
      teamName: 'llm-research',
      gpu: GpuProfile.P4D_24XLARGE,
      maxInstanceCount: 4,
      useSpot: false,
      warmPoolKeepAlive: Duration.minutes(30),
      maxRuntime: Duration.days(5),
      volumeSize: Size.gibibytes(500),
      retryAttempts: 5,
      imageRepository: repository,
      costCenter: 'CC-1234',
      monthlyBudgetUsd: 50000,
      alarmEmails: ['ml-leads@example.com', 'finops@example.com'],
      s3PrefixListId: 'pl-63a5400a',
      modelPackageGroupName: 'llm-research-models',
    });
  });
  const template = result.template(stack);
  const defaults = stack.resolve(env.trainingJobDefaults);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('the security group admits all traffic between the instances of a job (EFA), and HTTPS to S3 through the prefix list', () => {
    const selfRef = { 'Fn::GetAtt': [Match.stringLikeRegexp('LlmSecurityGroup'), 'GroupId'] };
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: '-1', SourceSecurityGroupId: selfRef, GroupId: selfRef });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { IpProtocol: '-1', DestinationSecurityGroupId: selfRef, GroupId: selfRef });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationPrefixListId: 'pl-63a5400a', GroupId: selfRef,
    });
    // Egress goes to the endpoints, S3 and the group itself: nothing else.
    const egress = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId).includes('LlmSecurityGroup'));
    expect(egress).toHaveLength(3);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/0\.0\.0\.0\/0/);
    Annotations.fromStack(stack).hasNoWarning('/Ml/Llm', Match.anyValue());
  });

  test('the EFA self rule is the only acknowledged security-group finding, with its reason', () => {
    const sg = acknowledgementsUnder(env.securityGroup);
    expect(sg.map(([, id]) => id).sort()).toEqual(['Annotation::HIPAA.Security-EC2RestrictedCommonPorts', 'Annotation::NIST.800.53.R5-EC2RestrictedCommonPorts']);
    expect(sg[0][2]).toMatch(/Elastic Fabric Adapter/);
  });

  test('multi-node defaults: four instances, encrypted inter-container traffic, warm pool, on-demand, custom runtime and retries', () => {
    expect(defaults.resourceConfig).toEqual({ instanceType: 'ml.p4d.24xlarge', instanceCount: 4, volumeSizeInGb: 500, keepAlivePeriodInSeconds: 1800 });
    expect(defaults.enableInterContainerTrafficEncryption).toBe(true);
    expect(defaults.enableManagedSpotTraining).toBe(false);
    expect(defaults.stoppingCondition).toEqual({ maxRuntimeInSeconds: 5 * 86400 });
    expect(defaults.maximumRetryAttempts).toBe(5);
    expect(defaults.tags).toEqual({ 'trainyard:team': 'llm-research', 'trainyard:environment': 'llm-research-training', 'trainyard:cost-center': 'CC-1234' });
    expect(env.modelPackageGroupName).toBe('llm-research-models');
  });

  test('the role pulls images from the team repository only', () => {
    const statements = managedPolicyStatements(template);
    const pull = statements.find((s) => s.Sid === 'PullTeamImages');
    expect(pull.Action.sort()).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
    expect(pull.Resource).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(repository.node.defaultChild as ecr.CfnRepository), 'Arn'] });
    for (const s of statements) {
      for (const action of asList(s.Action)) {
        expect(action).not.toContain('*');
      }
    }
    // Given a repository and a group name, the environment creates neither registry.
    expect(env.executionPolicies).toHaveLength(5);
    expect([env.modelRegistry, env.imageRegistry]).toEqual([undefined, undefined]);
    template.resourceCountIs('AWS::ECR::Repository', 1);
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 0);
  });

  test('budget alerts go to the topic and both email addresses', () => {
    const budget = Object.values<any>(template.findResources('AWS::Budgets::Budget'))[0].Properties;
    for (const n of budget.NotificationsWithSubscribers) {
      expect(n.Subscribers).toEqual([
        { SubscriptionType: 'SNS', Address: { Ref: expect.stringMatching(/LlmBudgetAlerts/) } },
        { SubscriptionType: 'EMAIL', Address: 'ml-leads@example.com' },
        { SubscriptionType: 'EMAIL', Address: 'finops@example.com' },
      ]);
    }
  });

  test('the cost centre tag is on everything the environment creates', () => {
    for (const type of ['AWS::EC2::SecurityGroup', 'AWS::IAM::Role', 'AWS::SNS::Topic', 'AWS::KMS::Key']) {
      const resources = Object.entries<any>(template.findResources(type)).filter(([id]) => id.startsWith('Llm'));
      expect(resources.length).toBeGreaterThan(0);
      for (const [, r] of resources) {
        expect(r.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'trainyard:cost-center', Value: 'CC-1234' }]));
      }
    }
    // Platform resources in the same stack are not the team's.
    const platformKey = Object.entries<any>(template.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('PlatformKey'))![1];
    expect(JSON.stringify(platformKey.Properties.Tags ?? [])).not.toMatch(/trainyard:team/);
  });
});

describe('TrainingEnvironment options', () => {
  const build = (props: Partial<TrainingEnvironmentProps> = {}) => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform');
    const env = new TrainingEnvironment(stack, 'Team', { platform, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE, ...props });
    return { stack, platform, env, template: Template.fromStack(stack) };
  };

  test('multi-node on a profile without EFA admits TCP between the instances, not every protocol', () => {
    const { template, env, stack } = build({ maxInstanceCount: 2 });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 0,
      ToPort: 65535,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('TeamSecurityGroup'), 'GroupId'] },
    });
    expect(Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress')).some((r) => r.Properties.IpProtocol === '-1')).toBe(false);
    expect(stack.resolve(env.trainingJobDefaults).enableInterContainerTrafficEncryption).toBe(true);
  });

  test('an instance type with an EBS volume (P3) encrypts it with the platform key', () => {
    const { env, stack, platform } = build({ gpu: GpuProfile.P3_2XLARGE });
    expect(stack.resolve(env.trainingJobDefaults.resourceConfig.volumeKmsKeyId)).toEqual(stack.resolve(platform.encryptionKey.keyArn));
  });

  test('createRegistries: false creates no registry and grants no ECR pull', () => {
    const { template, env } = build({ createRegistries: false });
    template.resourceCountIs('AWS::ECR::Repository', 0);
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 0);
    expect([env.modelRegistry, env.imageRegistry, env.modelPackageGroupName]).toEqual([undefined, undefined, undefined]);
    expect(JSON.stringify(managedPolicyStatements(template))).not.toMatch(/ecr:/);
  });

  test('guardrails: false leaves the role without a boundary; allowInstanceTypes widens the guardrails and checks its input', () => {
    const { template, env } = build({ guardrails: false });
    expect(env.permissionsBoundary).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Role', { PermissionsBoundary: Match.absent() });
    env.allowInstanceTypes('ml.m5.xlarge'); // nothing to widen
    const stack = new Stack(newApp(), 'S');
    const guarded = new TrainingEnvironment(stack, 'Env', {
      platform: new MlPlatform(stack, 'Platform'), teamName: 'nlp', gpu: GpuProfile.P4D_24XLARGE,
    });
    guarded.allowInstanceTypes('ml.m5.xlarge', 'ml.c5.*');
    const boundaryId = stack.resolve((guarded.permissionsBoundary!.node.defaultChild as iam.CfnManagedPolicy).logicalId);
    const boundary = Template.fromStack(stack).toJSON().Resources[boundaryId];
    expect(boundary.Properties.PolicyDocument.Statement.find((st: any) => st.Sid === 'DenyInstanceTypesOutsideProfiles').Condition['ForAnyValue:StringNotLike'])
      .toEqual({ 'sagemaker:InstanceTypes': ['ml.c5.*', 'ml.m5.xlarge', 'ml.p4d.24xlarge'] });
    expect(() => guarded.allowInstanceTypes('g5.2xlarge')).toThrow(/TrainingEnvironment\.allowInstanceTypes: 'g5\.2xlarge' is not a SageMaker instance type/);
    expect(() => build({ guardrails: 'yes' as any })).toThrow(/TrainingEnvironment\.guardrails: must be true or false, got yes/);
  });

  test('a platform without experiment tracking gives the role no MLflow access; an imported app can be given instead', () => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
    const none = new TrainingEnvironment(stack, 'None', { platform, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE, createRegistries: false });
    const arn = 'arn:aws:sagemaker:eu-west-1:123456789012:mlflow-app/app-abc123';
    const tracking = ExperimentTracking.fromTrackingArn(stack, 'Shared', arn);
    const given = new TrainingEnvironment(stack, 'Given', { platform, teamName: 'nlp', gpu: GpuProfile.G5_2XLARGE, createRegistries: false, experimentTracking: tracking });
    expect(none.experimentTracking).toBeUndefined();
    expect(none.executionPolicies).toHaveLength(3);
    expect(given.experimentTracking).toBe(tracking);
    const policy = Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('^Trainyard nlp: log runs') } });
    expect(Object.values<any>(policy).map((p) => p.Properties.PolicyDocument.Statement.map((st: any) => st.Resource))).toEqual([[arn]]);
  });

  test('networkIsolation: false points every job at MLflow (tracking URI, the team as experiment) and turns isolation off', () => {
    const { env, stack, platform } = build({ networkIsolation: false });
    const defaults = stack.resolve(env.trainingJobDefaults);
    expect(defaults.enableNetworkIsolation).toBe(false);
    expect(defaults.environment).toEqual({ MLFLOW_TRACKING_URI: stack.resolve(env.experimentTracking!.trackingUri), MLFLOW_EXPERIMENT_NAME: 'vision' });
    // The team's own App, not a platform one.
    expect(defaults.environment.MLFLOW_TRACKING_URI).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TeamExperimentTrackingApp/), 'Arn'] });
    expect(platform.experimentTracking).toBeUndefined();
  });

  test('experimentTrackingMode SHARED logs to the platform\'s organisation-wide App; NONE to nothing; TEAM needs the MLflow endpoint', () => {
    const shared = (() => {
      const stack = new Stack(newApp(), 'S');
      const platform = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.TEAM_AND_SHARED });
      const env = new TrainingEnvironment(stack, 'Team', { platform, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE, experimentTrackingMode: ExperimentTrackingMode.SHARED, networkIsolation: false });
      return { stack, platform, env };
    })();
    expect(shared.env.experimentTracking).toBe(shared.platform.experimentTracking);
    Template.fromStack(shared.stack).resourceCountIs('AWS::SageMaker::MlflowApp', 1);
    expect(shared.stack.resolve(shared.env.trainingJobDefaults.environment!.MLFLOW_TRACKING_URI))
      .toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PlatformExperimentTrackingApp/), 'Arn'] });

    const none = build({ experimentTrackingMode: ExperimentTrackingMode.NONE, networkIsolation: false });
    expect(none.env.experimentTracking).toBeUndefined();
    none.template.resourceCountIs('AWS::SageMaker::MlflowApp', 0);
    expect(none.stack.resolve(none.env.trainingJobDefaults).environment).toBeUndefined();

    const stack = new Stack(newApp(), 'S');
    const withoutEndpoint = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
    expect(() => new TrainingEnvironment(stack, 'A', { platform: withoutEndpoint, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE, experimentTrackingMode: ExperimentTrackingMode.TEAM }))
      .toThrow(/^TrainingEnvironment.experimentTrackingMode: is TEAM, but the platform has no MLflow endpoint/);
    expect(() => new TrainingEnvironment(stack, 'B', { platform: withoutEndpoint, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE, experimentTrackingMode: ExperimentTrackingMode.SHARED }))
      .toThrow(/^TrainingEnvironment.experimentTrackingMode: is SHARED, but the platform has no shared MLflow App/);
    // Without the endpoint and without a mode, the team has no tracking, as before.
    expect(new TrainingEnvironment(stack, 'C', { platform: withoutEndpoint, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE }).experimentTracking).toBeUndefined();
    expect(() => new TrainingEnvironment(stack, 'D', {
      platform: withoutEndpoint,
      teamName: 'vision',
      gpu: GpuProfile.G5_2XLARGE,
      experimentTracking: ExperimentTracking.fromTrackingArn(stack, 'Imported', 'arn:aws:sagemaker:us-east-1:123456789012:mlflow-app/app-ABC'),
      experimentTrackingMode: ExperimentTrackingMode.TEAM,
    })).toThrow(/^TrainingEnvironment.experimentTrackingMode: is TEAM, which cannot be combined with TrainingEnvironment.experimentTracking/);
    expect(() => new TrainingEnvironment(stack, 'E', { platform: withoutEndpoint, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE, experimentTrackingMode: 'OWN' as any }))
      .toThrow("TrainingEnvironment.experimentTrackingMode: must be one of TEAM, SHARED, NONE, got 'OWN'.");
  });

  test('no budget, topic or alerts key without monthlyBudgetUsd', () => {
    const { template, env } = build();
    template.resourceCountIs('AWS::Budgets::Budget', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 1); // the platform's
    expect(env.budget).toBeUndefined();
  });

  test('an existing budget topic is used, and no topic or key is created', () => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform');
    const topic = new sns.Topic(stack, 'Alerts', { enforceSSL: true });
    new TrainingEnvironment(stack, 'Team', { platform, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE, monthlyBudgetUsd: 10, budgetTopic: topic });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowAwsBudgetsToPublish', Principal: { Service: 'budgets.amazonaws.com' } })]) },
    });
  });

  test('removalPolicy DESTROY applies to the alerts key', () => {
    const { template } = build({ monthlyBudgetUsd: 10, removalPolicy: RemovalPolicy.DESTROY });
    const keys = Object.entries<any>(template.findResources('AWS::KMS::Key')).filter(([id]) => id.startsWith('Team'));
    expect(keys.map(([, r]) => r.DeletionPolicy)).toEqual(['Delete']);
  });

  test('fromTrainingEnvironmentAttributes derives the job defaults from the attributes, exactly as the construct does', () => {
    // GIVEN an environment with non-default job settings
    const settings = { maxInstanceCount: 2, useSpot: false, warmPoolKeepAlive: Duration.minutes(10), volumeSize: Size.gibibytes(250), retryAttempts: 5, costCenter: 'cc-7' };
    const { stack, platform, env } = build({ gpu: GpuProfile.P4D_24XLARGE, ...settings });
    // WHEN it is imported with the same values
    const imported = TrainingEnvironment.fromTrainingEnvironmentAttributes(stack, 'Imported', {
      platform, teamName: 'vision', executionRole: env.executionRole, securityGroup: env.securityGroup, gpu: GpuProfile.P4D_24XLARGE, ...settings,
    });
    // THEN the job defaults are the same, field for field
    expect(stack.resolve(imported.trainingJobDefaults)).toEqual(stack.resolve(env.trainingJobDefaults));
    expect([imported.teamName, imported.datasetsPrefix, imported.artifactsPrefix, imported.checkpointsPrefix]).toEqual(['vision', 'vision/', 'vision/artifacts/', 'vision/checkpoints/']);
    expect(imported.modelPackageGroupName).toBeUndefined();
  });

  test('an imported environment points its jobs at the experimentTracking attribute only, never silently at the platform\'s shared App', () => {
    // GIVEN a team on its own App, jobs without network isolation, on a platform that also has the shared App
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.TEAM_AND_SHARED });
    const env = new TrainingEnvironment(stack, 'Team', { platform, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE, networkIsolation: false, createRegistries: false });
    const attrs = { platform, teamName: 'vision', executionRole: env.executionRole, securityGroup: env.securityGroup, gpu: GpuProfile.G5_2XLARGE, networkIsolation: false };
    // WHEN it is imported with its App, and without
    const withApp = TrainingEnvironment.fromTrainingEnvironmentAttributes(stack, 'WithApp', { ...attrs, experimentTracking: env.experimentTracking });
    const without = TrainingEnvironment.fromTrainingEnvironmentAttributes(stack, 'Without', attrs);
    // THEN with it the defaults are the construct's (the team's App); without it, no tracking URI at all
    expect(stack.resolve(withApp.trainingJobDefaults)).toEqual(stack.resolve(env.trainingJobDefaults));
    expect(stack.resolve(withApp.trainingJobDefaults.environment!.MLFLOW_TRACKING_URI)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TeamExperimentTrackingApp/), 'Arn'] });
    expect(without.trainingJobDefaults.environment).toBeUndefined();
    expect(() => TrainingEnvironment.fromTrainingEnvironmentAttributes(stack, 'Bad', { ...attrs, experimentTracking: {} as any }))
      .toThrow(/^TrainingEnvironmentAttributes\.experimentTracking: must be an ExperimentTracking/);
  });

  test('an imported environment runs its jobs as the role it was given: a role/defaults mismatch cannot be expressed', () => {
    const { stack: owner, platform } = build();
    const other = new Stack(owner.node.root as any, 'Other');
    const role = iam.Role.fromRoleArn(other, 'Role', 'arn:aws:iam::111111111111:role/vision-training');
    const imported = TrainingEnvironment.fromTrainingEnvironmentAttributes(other, 'Imported', {
      platform, teamName: 'vision', executionRole: role, securityGroup: ec2.SecurityGroup.fromSecurityGroupId(other, 'Sg', 'sg-0123456789abcdef0'), gpu: GpuProfile.G5_2XLARGE,
    });
    expect(imported.trainingJobDefaults.roleArn).toBe('arn:aws:iam::111111111111:role/vision-training');
    expect(imported.executionRole).toBe(role);
    expect(other.resolve(imported.trainingJobDefaults.vpcConfig.securityGroupIds)).toEqual(['sg-0123456789abcdef0']);
    // The attributes have no job-defaults field to disagree with the role: a stale one is ignored.
    expect(TrainingEnvironment.fromTrainingEnvironmentAttributes(other, 'Stale', {
      platform,
      teamName: 'vision',
      executionRole: role,
      securityGroup: imported.securityGroup,
      gpu: GpuProfile.G5_2XLARGE,
      trainingJobDefaults: { roleArn: 'arn:aws:iam::111111111111:role/someone-else' },
    } as any).trainingJobDefaults.roleArn).toBe(role.roleArn);
  });

  test('an imported environment is a grantee (its execution role) and a connectable (its security group)', () => {
    const other = new Stack(newApp(), 'Other');
    const platform = MlPlatform.fromPlatformName(other, 'Platform', 'Trainyard');
    const role = new iam.Role(other, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const securityGroup = new ec2.SecurityGroup(other, 'Sg', { vpc: platform.vpc, allowAllOutbound: false });
    const imported = TrainingEnvironment.fromTrainingEnvironmentAttributes(other, 'Imported', {
      platform, teamName: 'vision', executionRole: role, securityGroup, gpu: GpuProfile.G5_2XLARGE,
    });
    const bucket = new Bucket(other, 'Extra');
    expect(bucket.grantRead(imported).success).toBe(true);
    expect(imported.grantPrincipal).toBe(role);
    expect(imported.connections.securityGroups).toEqual([securityGroup]);
    const policy = Object.values<any>(Template.fromStack(other).findResources('AWS::IAM::Policy'))[0];
    expect(policy.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^Role/) }]);
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('s3:GetObject*');
    expect(imported.stack).toBe(other);
  });

  test('fromTrainingEnvironmentAttributes rejects bad attributes, naming the attribute', () => {
    const { stack, platform, env } = build();
    const attrs = { platform, teamName: 'vision', executionRole: env.executionRole, securityGroup: env.securityGroup, gpu: GpuProfile.G5_2XLARGE };
    const from = (id: string, over: any) => () => TrainingEnvironment.fromTrainingEnvironmentAttributes(stack, id, { ...attrs, ...over });
    expect(from('A', { teamName: 'Vision!' })).toThrow(/TrainingEnvironmentAttributes\.teamName/);
    expect(from('B', { datasetsPrefix: 'vision' })).toThrow(/TrainingEnvironmentAttributes\.datasetsPrefix/);
    expect(from('C', { securityGroup: undefined })).toThrow(/TrainingEnvironmentAttributes\.securityGroup: is required/);
    expect(from('D', { platform: undefined })).toThrow(/TrainingEnvironmentAttributes\.platform: is required/);
    expect(from('E', { gpu: 'ml.g5.2xlarge' })).toThrow(/TrainingEnvironmentAttributes\.gpu: must be/);
    expect(from('F', { retryAttempts: 0 })).toThrow(/TrainingEnvironmentAttributes\.retryAttempts: /);
    expect(from('G', { volumeSize: Size.mebibytes(1536) })).toThrow(/TrainingEnvironmentAttributes\.volumeSize \(GiB\): must be a whole number/);
  });
});

describe('TrainingEnvironment rejects bad props at synth, naming the prop', () => {
  const make = (props: Partial<TrainingEnvironmentProps>) => () => {
    const stack = new Stack(newApp(), 'S');
    const platform = new MlPlatform(stack, 'Platform');
    return new TrainingEnvironment(stack, 'Team', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE, ...props } as TrainingEnvironmentProps);
  };
  const singleNode = GpuProfile.custom({
    instanceType: 'ml.g6.2xlarge', acceleratorModel: 'NVIDIA L4', acceleratorCount: 1, acceleratorMemoryGib: 24, vcpus: 8, memoryGib: 32, multiNodeSupported: false,
  });

  test.each<[string, Partial<TrainingEnvironmentProps>, RegExp]>([
    ['empty teamName', { teamName: '' }, /TrainingEnvironment\.teamName: is required and must not be empty/],
    ['missing teamName', { teamName: undefined }, /TrainingEnvironment\.teamName: is required/],
    ['teamName too long for derived names', { teamName: 'a'.repeat(33) }, /TrainingEnvironment\.teamName: must be 2 to 32 characters .*SageMaker \(63\) and IAM \(64\)/],
    ['teamName with upper case', { teamName: 'Fraud' }, /TrainingEnvironment\.teamName: "Fraud" is not allowed/],
    ['teamName with an underscore', { teamName: 'fraud_team' }, /TrainingEnvironment\.teamName/],
    ['teamName with a slash', { teamName: 'fraud/x' }, /TrainingEnvironment\.teamName/],
    ['teamName with a double hyphen', { teamName: 'fraud--x' }, /TrainingEnvironment\.teamName/],
    ['teamName ending in a hyphen', { teamName: 'fraud-' }, /TrainingEnvironment\.teamName/],
    ['teamName starting with a digit', { teamName: '1fraud' }, /TrainingEnvironment\.teamName/],
    ['maxInstanceCount 0', { maxInstanceCount: 0 }, /TrainingEnvironment\.maxInstanceCount: must be from 1 to 10000, got 0/],
    ['maxInstanceCount negative', { maxInstanceCount: -2 }, /TrainingEnvironment\.maxInstanceCount/],
    ['maxInstanceCount fractional', { maxInstanceCount: 1.5 }, /TrainingEnvironment\.maxInstanceCount: must be a whole number/],
    ['maxInstanceCount NaN', { maxInstanceCount: NaN }, /TrainingEnvironment\.maxInstanceCount: must be a whole number/],
    ['multi-node on a single-node profile', { gpu: singleNode, maxInstanceCount: 2 }, /TrainingEnvironment\.maxInstanceCount: is 2, but ml\.g6\.2xlarge does not support multi-node/],
    ['negative budget', { monthlyBudgetUsd: -100 }, /TrainingEnvironment\.monthlyBudgetUsd: must be a positive amount/],
    ['zero budget', { monthlyBudgetUsd: 0 }, /TrainingEnvironment\.monthlyBudgetUsd/],
    ['NaN budget', { monthlyBudgetUsd: NaN }, /TrainingEnvironment\.monthlyBudgetUsd/],
    ['infinite budget', { monthlyBudgetUsd: Infinity }, /TrainingEnvironment\.monthlyBudgetUsd/],
    ['warm pool above 1 hour', { useSpot: false, warmPoolKeepAlive: Duration.minutes(61) }, /TrainingEnvironment\.warmPoolKeepAlive \(seconds\): must be from 0 to 3600 \(at most 1 hour, the SageMaker warm pool limit\), got 3660/],
    ['warm pool with spot', { warmPoolKeepAlive: Duration.minutes(10) }, /TrainingEnvironment\.warmPoolKeepAlive: cannot be combined with TrainingEnvironment\.useSpot/],
    ['maxRuntime above 28 days', { maxRuntime: Duration.days(29) }, /TrainingEnvironment\.maxRuntime \(seconds\): must be from 1 to 2419200 \(at most 28 days, the SageMaker limit\), got 2505600/],
    ['maxRuntime of fractional seconds', { maxRuntime: Duration.millis(1500) }, /TrainingEnvironment\.maxRuntime \(seconds\): must be a whole number from 1 to 2419200/],
    ['maxRuntime zero', { maxRuntime: Duration.seconds(0) }, /TrainingEnvironment\.maxRuntime/],
    ['volumeSize 0', { volumeSize: Size.gibibytes(0) }, /TrainingEnvironment\.volumeSize \(GiB\): must be from 1 to 16384, got 0/],
    ['volumeSize above 16 TiB', { volumeSize: Size.tebibytes(17) }, /TrainingEnvironment\.volumeSize \(GiB\)/],
    ['volumeSize of a fraction of a GiB', { volumeSize: Size.mebibytes(1536) }, /TrainingEnvironment\.volumeSize \(GiB\): must be a whole number/],
    ['volumeSize that is a number', { volumeSize: 100 as any }, /TrainingEnvironment\.volumeSize: must be a Size/],
    ['retryAttempts 31', { retryAttempts: 31 }, /TrainingEnvironment\.retryAttempts: must be from 1 to 30/],
    ['alarmEmails without a budget', { alarmEmails: ['a@example.com'] }, /TrainingEnvironment\.alarmEmails: needs TrainingEnvironment\.monthlyBudgetUsd/],
    ['budgetTopic without a budget', { budgetTopic: {} as any }, /TrainingEnvironment\.budgetTopic: needs TrainingEnvironment\.monthlyBudgetUsd/],
    ['a bad email', { monthlyBudgetUsd: 10, alarmEmails: ['not-an-email'] }, /TrainingEnvironment\.alarmEmails: "not-an-email" is not an email address/],
    ['eleven emails', { monthlyBudgetUsd: 10, alarmEmails: Array.from({ length: 11 }, (_, i) => `u${i}@example.com`) }, /TrainingEnvironment\.alarmEmails: must be a list of at most 10 \(the AWS Budgets limit\) of email addresses, got 11/],
    ['a bad cost centre', { costCenter: 'cc#1' }, /TrainingEnvironment\.costCenter/],
    ['a bad prefix list id', { s3PrefixListId: 'prefix-list' }, /TrainingEnvironment\.s3PrefixListId/],
    ['a gpu that is not a GpuProfile', { gpu: 'ml.g5.2xlarge' as any }, /TrainingEnvironment\.gpu: must be a GpuProfile/],
    ['createRegistries that is not a boolean', { createRegistries: 'yes' as any }, /TrainingEnvironment\.createRegistries: must be true or false/],
    ['networkIsolation that is not a boolean', { networkIsolation: 0 as any }, /TrainingEnvironment\.networkIsolation: must be true or false/],
    ['experimentTracking that is not one', { experimentTracking: { trackingArn: 'x' } as any }, /TrainingEnvironment\.experimentTracking: must be an ExperimentTracking/],
    ['a platform that is not an IMlPlatform', { platform: {} as any }, /TrainingEnvironment\.platform: is required: an MlPlatform, or the platform of another app imported with MlPlatform\.fromPlatformName/],
  ])('%s', (_name, props, message) => {
    expect(make(props)).toThrow(TrainyardValidationError);
    expect(make(props)).toThrow(message);
  });

  test('the limits themselves are accepted: 28 days, a 1-hour warm pool on demand, 32-character team name', () => {
    expect(make({ maxRuntime: Duration.days(28) })).not.toThrow();
    expect(make({ useSpot: false, warmPoolKeepAlive: Duration.hours(1) })).not.toThrow();
    expect(make({ teamName: `a${'b'.repeat(31)}` })).not.toThrow();
  });
});
