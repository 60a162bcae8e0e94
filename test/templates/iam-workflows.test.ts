import { App, Stack } from 'aws-cdk-lib';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { TrainingStudio } from '../../src/environment/training-studio';
import { MlPlatform } from '../../src/platform/ml-platform';
import { buildTemplate } from '../../templates/catalog';
import { CloudAssemblyModel } from '../helpers/cfn-resolver';
import { describeOutcome, IamWorld, SimulatedCall, SimulatedPrincipal } from '../helpers/iam-simulation';
import { pipelineDefinition, pipelineStepRequests, StepRequest } from '../helpers/pipeline-requests';
import { newApp } from '../helpers/synth';

/**
 * Workflow by workflow, the calls each role of the templates must make succeed, and the ones it must
 * not make fail, with the identity policies, permissions boundaries, and bucket, key, repository and
 * model-package-group policies the templates produce (every CloudFormation token resolved to a real
 * ARN shape). Each template is synthesized once.
 */
function synth(build: (app: App) => void, context: Record<string, unknown> = {}): IamWorld {
  const app = newApp(context);
  build(app);
  return new IamWorld(CloudAssemblyModel.fromDirectory(app.synth().directory));
}

// The direct-training path (no capacity pool): the pipeline role starts the training job itself.
// The queued path of the default single-team (the team trains through its share of the GPU pool) is
// simulated below under the same boundary; grantSubmit's share scoping in
// test/environment/team-capacity-share-simulation.test.ts.
const single = synth((app) => buildTemplate(app), { template: 'single-team', capacityPool: false });
const queued = synth((app) => buildTemplate(app), { template: 'single-team' });
const multiTeam = synth((app) => buildTemplate(app), { template: 'multi-team' });
const batch = synth((app) => buildTemplate(app), { template: 'batch-gpu' });
const multiAccount = synth((app) => buildTemplate(app), { template: 'multi-account' });
// No template has Studio: the team's Studio, under the team's guardrails, in a test app.
const studio = synth((app) => {
  const platform = new MlPlatform(new Stack(app, 'Platform'), 'Platform', { maxAzs: 2 });
  const teamStack = new Stack(app, 'Team');
  const team = new TrainingEnvironment(teamStack, 'Ml', { platform, teamName: 'ml', gpu: GpuProfile.G5_2XLARGE });
  new TrainingStudio(teamStack, 'Studio', { platform, teamName: 'ml', permissionsBoundary: team.permissionsBoundary, experimentTracking: team.experimentTracking });
});

type Case = [string, SimulatedCall];

async function expectAllowed(world: IamWorld, principal: SimulatedPrincipal, call: SimulatedCall): Promise<void> {
  expect(`${call.action} ${call.resource}: ${describeOutcome(await world.simulate(principal, call))}`).toBe(`${call.action} ${call.resource}: Allowed`);
}

async function expectDenied(world: IamWorld, principal: SimulatedPrincipal, call: SimulatedCall): Promise<void> {
  const outcome = await world.simulate(principal, call);
  expect([`${call.action} ${call.resource}`, outcome.decision]).toEqual([`${call.action} ${call.resource}`, expect.stringMatching(/Denied$/)]);
}

// ---- single-team: the platform and the team's names, as CloudFormation would make them -----------
const m = single.model;
const platformStack = m.stack('Trainyard-Platform');
const teamStack = m.stack('Trainyard-Team-ml');
const datasets = m.refOf(m.resource(platformStack, 'AWS::S3::Bucket', 'PlatformDatasetsBucket'));
const artifacts = m.refOf(m.resource(platformStack, 'AWS::S3::Bucket', 'PlatformArtifactsBucket'));
const platformKey = m.attribute(m.resource(platformStack, 'AWS::KMS::Key', 'PlatformKey'), 'Arn');
const repository = m.attribute(m.resource(teamStack, 'AWS::ECR::Repository', 'MlImagesRepository'), 'Arn');
const vpcArn = `arn:aws:ec2:us-east-1:123456789012:vpc/${m.refOf(m.resource(platformStack, 'AWS::EC2::VPC', 'PlatformVpc'))}`;
const pipeline = m.resource(teamStack, 'AWS::SageMaker::Pipeline', 'TrainingPipeline');
const pipelineArn = `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${m.refOf(pipeline)}`;
const steps = pipelineStepRequests(m, pipeline);
const step = (name: string): StepRequest => {
  const found = steps.find((s) => s.step === name);
  if (!found) throw new Error(`no step ${name} in ${steps.map((s) => s.step).join(', ')}`);
  return found;
};
const viaS3 = { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': '123456789012' };

describe('single-team: every team role carries the team guardrails as its boundary', () => {
  test.each(['MlExecutionRole', 'TrainingPipelineExecutionRole', 'TrainingPipelineScheduleTriggerRole', 'TrainingPipelineNewDataTriggerRole'])('%s', (role) => {
    expect(single.role(teamStack, role).permissionsBoundary?.name).toMatch(/^Trainyard-Team-ml\/MlPermissionsBoundary/);
  });
});

describe('single-team: the training job execution role, under its boundary', () => {
  const role = single.role(teamStack, 'MlExecutionRole');
  const subnet = (step('Train').create.context!['sagemaker:VpcSubnets'] as string[])[0];
  const securityGroup = (step('Train').create.context!['sagemaker:VpcSecurityGroupIds'] as string[])[0];
  const allowed: Case[] = [
    ['reads the team datasets', { action: 's3:GetObject', resource: `arn:aws:s3:::${datasets}/ml/v1/train.csv` }],
    ['lists the team datasets prefix', { action: 's3:ListBucket', resource: `arn:aws:s3:::${datasets}`, context: { 's3:prefix': 'ml/v1/' } }],
    ['writes model artifacts', { action: 's3:PutObject', resource: `arn:aws:s3:::${artifacts}/ml/artifacts/pipelines-0a1b/output/model.tar.gz` }],
    ['writes checkpoints', { action: 's3:PutObject', resource: `arn:aws:s3:::${artifacts}/ml/checkpoints/0a1b/Train/ckpt-1.pt` }],
    ['resumes from checkpoints', { action: 's3:GetObject', resource: `arn:aws:s3:::${artifacts}/ml/checkpoints/0a1b/Train/ckpt-1.pt` }],
    ['encrypts objects with the platform key through S3', { action: 'kms:GenerateDataKey', resource: platformKey, context: viaS3 }],
    ['decrypts objects with the platform key through S3', { action: 'kms:Decrypt', resource: platformKey, context: viaS3 }],
    ['grants the key to the SageMaker volume', { action: 'kms:CreateGrant', resource: platformKey, context: { 'kms:GrantIsForAWSResource': 'true' } }],
    ['gets an ECR token', { action: 'ecr:GetAuthorizationToken', resource: '*' }],
    ['pulls its team image', { action: 'ecr:BatchGetImage', resource: repository }],
    ['pulls image layers', { action: 'ecr:GetDownloadUrlForLayer', resource: repository }],
    ['writes training job logs', { action: 'logs:PutLogEvents', resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:log-stream:job/algo-1' }],
    ['creates processing job log streams', { action: 'logs:CreateLogStream', resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/ProcessingJobs:log-stream:job/algo-1' }],
    ['publishes SageMaker job metrics', { action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': '/aws/sagemaker/TrainingJobs' } }],
    ['creates the job ENI in a platform subnet', { action: 'ec2:CreateNetworkInterface', resource: `arn:aws:ec2:us-east-1:123456789012:subnet/${subnet}`, context: { 'ec2:Vpc': vpcArn } }],
    ['creates the job ENI with the team security group', { action: 'ec2:CreateNetworkInterface', resource: `arn:aws:ec2:us-east-1:123456789012:security-group/${securityGroup}`, context: { 'ec2:Vpc': vpcArn } }],
    ['creates the ENI itself', { action: 'ec2:CreateNetworkInterface', resource: 'arn:aws:ec2:us-east-1:123456789012:network-interface/eni-0new', context: { 'ec2:Vpc': vpcArn } }],
    ['deletes the job ENI', { action: 'ec2:DeleteNetworkInterface', resource: 'arn:aws:ec2:us-east-1:123456789012:network-interface/eni-0123456789abcdef0', context: { 'ec2:Vpc': vpcArn } }],
    ['describes network interfaces', { action: 'ec2:DescribeNetworkInterfaces', resource: '*' }],
  ];
  const denied: Case[] = [
    ['reads another team\'s datasets', { action: 's3:GetObject', resource: `arn:aws:s3:::${datasets}/fraud/train.csv` }],
    ['lists the whole datasets bucket', { action: 's3:ListBucket', resource: `arn:aws:s3:::${datasets}`, context: { 's3:prefix': '' } }],
    ['writes into the datasets', { action: 's3:PutObject', resource: `arn:aws:s3:::${datasets}/ml/train.csv` }],
    ['writes another team\'s artifacts', { action: 's3:PutObject', resource: `arn:aws:s3:::${artifacts}/fraud/artifacts/model.tar.gz` }],
    ['deletes model artifacts', { action: 's3:DeleteObject', resource: `arn:aws:s3:::${artifacts}/ml/artifacts/model.tar.gz` }],
    ['grants the key to a non-AWS principal', { action: 'kms:CreateGrant', resource: platformKey, context: { 'kms:GrantIsForAWSResource': 'false' } }],
    ['pulls another team\'s image', { action: 'ecr:BatchGetImage', resource: 'arn:aws:ecr:us-east-1:123456789012:repository/fraud/training' }],
    ['publishes metrics into another namespace', { action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': 'Trainyard/fraud' } }],
    ['creates an ENI in another VPC', { action: 'ec2:CreateNetworkInterface', resource: 'arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0other', context: { 'ec2:Vpc': 'arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0other' } }],
    ['starts a training job itself', step('Train').create],
  ];
  test.each(allowed)('%s', async (_name, call) => expectAllowed(single, role, call));
  test.each(denied)('not: %s', async (_name, call) => expectDenied(single, role, call));

  test('reads the training code asset the pipeline ships', async () => {
    const code = String(pipelineDefinition(m, pipeline).Steps[0].Arguments.ProcessingInputs[1].S3Input.S3Uri);
    expect(code).toMatch(/^s3:\/\/cdk-hnb659fds-assets-123456789012-us-east-1\/[0-9a-f]{64}\.gz$/);
    await expectAllowed(single, role, { action: 's3:GetObject', resource: code.replace('s3://', 'arn:aws:s3:::') });
  });
});

describe('single-team: the pipeline execution role starts the standard recipe\'s jobs, under the boundary', () => {
  const role = single.role(teamStack, 'TrainingPipelineExecutionRole');
  const teamRole = single.role(teamStack, 'MlExecutionRole').arn;

  test('the recipe has the steps simulated, with requests derived from their Arguments', () => {
    expect(steps.map((s) => `${s.step}:${s.create.action}`)).toEqual([
      'ValidateData:sagemaker:CreateProcessingJob', 'Train:sagemaker:CreateTrainingJob',
      'Evaluate:sagemaker:CreateProcessingJob', 'RegisterModel:sagemaker:CreateModelPackage',
    ]);
    expect(step('Train').passRole!.resource).toBe(teamRole);
  });

  const calls = (): Case[] => steps.flatMap((s) => [
    [`${s.step}: ${s.create.action}`, s.create] as Case,
    ...(s.passRole ? [[`${s.step}: passes the team role`, s.passRole] as Case] : []),
    ...(s.addTags ? [[`${s.step}: tags the job`, s.addTags] as Case] : []),
  ]);
  test.each(calls())('%s', async (_name, call) => expectAllowed(single, role, call));

  test.each<Case>([
    ['reads property files of its runs', { action: 's3:GetObject', resource: `arn:aws:s3:::${artifacts}/ml/artifacts/pipelines/0a1b2c3d4e5f/Evaluate/evaluation/evaluation.json` }],
    ['decrypts them through S3', { action: 'kms:Decrypt', resource: platformKey, context: viaS3 }],
    ['creates the experiment of the pipeline', { action: 'sagemaker:CreateExperiment', resource: `arn:aws:sagemaker:us-east-1:123456789012:experiment/${m.refOf(pipeline)}` }],
    ['creates the trial of an execution', { action: 'sagemaker:CreateTrial', resource: 'arn:aws:sagemaker:us-east-1:123456789012:experiment-trial/0a1b2c3d4e5f' }],
    ['creates the trial in the pipeline experiment', { action: 'sagemaker:CreateTrial', resource: `arn:aws:sagemaker:us-east-1:123456789012:experiment/${m.refOf(pipeline)}` }],
    ['associates a job trial component', { action: 'sagemaker:AssociateTrialComponent', resource: 'arn:aws:sagemaker:us-east-1:123456789012:experiment-trial-component/pipelines-0a1b2c3d4e5f-train-1a2b3c4d5e-aws-training-job' }],
  ])('%s', async (_name, call) => expectAllowed(single, role, call));

  test.each<Case>([
    ['passes its own role', { ...step('Train').passRole!, resource: role.arn }],
    ['passes another role', { ...step('Train').passRole!, resource: 'arn:aws:iam::123456789012:role/Admin' }],
    ['passes the team role to another service', { ...step('Train').passRole!, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }],
    ['registers into another team\'s group', { ...step('RegisterModel').create, resource: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud-models/1' }],
    ['starts a job not named by the pipeline', { ...step('Train').create, resource: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/my-job' }],
    ['starts a job on a type outside the team profile', { ...step('Train').create, context: { ...step('Train').create.context, 'sagemaker:InstanceTypes': ['ml.p5.48xlarge'] } }],
    ['re-tags an existing job (AddTags outside a create)', {
      ...step('Train').addTags!,
      context: Object.fromEntries(Object.entries(step('Train').addTags!.context!).filter(([k]) => k !== 'sagemaker:TaggingAction')),
    }],
    ['tags a new job with another team', { ...step('Train').addTags!, context: { ...step('Train').addTags!.context, 'aws:RequestTag/trainyard:team': 'fraud' } }],
    ['stops another team\'s training job', {
      action: 'sagemaker:StopTrainingJob', resource: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/pipelines-0a1b-train-1a2b', context: { 'aws:ResourceTag/trainyard:team': 'fraud' },
    }],
    ['starts a job without the team tags', {
      ...step('Train').create,
      context: Object.fromEntries(Object.entries(step('Train').create.context!).filter(([k]) => !k.startsWith('aws:RequestTag/') && k !== 'aws:TagKeys')),
    }],
  ])('not: %s', async (_name, call) => expectDenied(single, role, call));
});

describe('single-team: the schedule and new-data triggers start only their own pipeline', () => {
  test.each(['TrainingPipelineScheduleTriggerRole', 'TrainingPipelineNewDataTriggerRole'])('%s', async (name) => {
    const role = single.role(teamStack, name);
    await expectAllowed(single, role, { action: 'sagemaker:StartPipelineExecution', resource: pipelineArn });
    await expectDenied(single, role, { action: 'sagemaker:StartPipelineExecution', resource: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/fraud-trainingpipeline' });
    await expectDenied(single, role, { action: 'sagemaker:StopPipelineExecution', resource: `${pipelineArn}/execution/0a1b2c3d4e5f` });
  });
});

describe('single-team: the flow-metrics collector', () => {
  const role = single.role(platformStack, 'FlowMetricsCollectorRole');
  /** The ARN of the platform resource whose logical id starts with `prefix`, whatever its type. */
  const arn = (prefix: string) => {
    const [logicalId, resource] = Object.entries<any>(platformStack.template.Resources).find(([id]) => id.startsWith(prefix))!;
    return m.attribute({ stack: platformStack, logicalId, resource }, 'Arn');
  };
  const jobTagged = (team: string) => ({ action: 'sagemaker:DescribeTrainingJob', resource: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/pipelines-0a1b-train-1a2b', context: { 'aws:ResourceTag/trainyard:team': team } });
  test.each<Case>([
    ['de-duplicates events', { action: 'dynamodb:PutItem', resource: arn('FlowMetricsDedupTable') }],
    ['reads its de-duplication records', { action: 'dynamodb:GetItem', resource: arn('FlowMetricsDedupTable') }],
    ['sends failures to its dead-letter queue', { action: 'sqs:SendMessage', resource: arn('FlowMetricsDeadLetterQueue') }],
    ['uses its key', { action: 'kms:GenerateDataKey', resource: arn('FlowMetricsKey') }],
    ['writes its logs', { action: 'logs:PutLogEvents', resource: `${arn('FlowMetricsCollectorLogs').replace(/:\*$/, '')}:log-stream:2026/12/01/abc` }],
    ['describes a measured team\'s training job', jobTagged('ml')],
  ])('%s', async (_name, call) => expectAllowed(single, role, call));
  test.each<Case>([
    ['describes another team\'s training job', jobTagged('fraud')],
    ['reads the datasets', { action: 's3:GetObject', resource: `arn:aws:s3:::${datasets}/ml/train.csv` }],
  ])('not: %s', async (_name, call) => expectDenied(single, role, call));
});

describe('single-team: the team\'s own MLflow App, its service role and the team role that uses it', () => {
  const role = single.role(teamStack, 'MlExperimentTrackingServiceRole');
  const app = m.attribute(m.resource(teamStack, 'AWS::SageMaker::MlflowApp', 'MlExperimentTrackingApp'), 'Arn');
  const otherApp = 'arn:aws:sagemaker:us-east-1:123456789012:mlflow-app/app-OTHERTEAM0';
  test('the platform holds no App', () => {
    expect(m.resourcesOfType('AWS::SageMaker::MlflowApp').map((r) => r.stack.name)).toEqual(['Trainyard-Team-ml']);
  });
  test.each<Case>([
    ['writes run artifacts', { action: 's3:PutObject', resource: `arn:aws:s3:::${artifacts}/ml/mlflow/1/run/artifacts/model.pkl` }],
    ['lists the artifact prefix', { action: 's3:ListBucket', resource: `arn:aws:s3:::${artifacts}`, context: { 's3:prefix': 'ml/mlflow/1/' } }],
    ['encrypts artifacts with the platform key', { action: 'kms:GenerateDataKey', resource: platformKey, context: viaS3 }],
  ])('%s', async (_name, call) => expectAllowed(single, role, call));
  test.each<Case>([
    ['execution role calls the team\'s App', { action: 'sagemaker:CallMlflowAppApi', resource: app }],
    ['execution role writes the team\'s run artifacts', { action: 's3:PutObject', resource: `arn:aws:s3:::${artifacts}/ml/mlflow/1/run/artifacts/model.pkl` }],
  ])('%s', async (_name, call) => expectAllowed(single, single.role(teamStack, 'MlExecutionRole'), call));
  test.each<Case>([
    ['execution role calls another App', { action: 'sagemaker:CallMlflowAppApi', resource: otherApp }],
    ['execution role writes the shared App\'s old prefix', { action: 's3:PutObject', resource: `arn:aws:s3:::${artifacts}/mlflow/1/run/artifacts/model.pkl` }],
    ['execution role reads another team\'s run artifacts', { action: 's3:GetObject', resource: `arn:aws:s3:::${artifacts}/fraud/mlflow/1/run/artifacts/model.pkl` }],
  ])('not: %s', async (_name, call) => expectDenied(single, single.role(teamStack, 'MlExecutionRole'), call));
  test.each<Case>([
    ['writes another team\'s run artifacts', { action: 's3:PutObject', resource: `arn:aws:s3:::${artifacts}/fraud/mlflow/1/run/artifacts/model.pkl` }],
    ['writes team artifacts', { action: 's3:PutObject', resource: `arn:aws:s3:::${artifacts}/ml/artifacts/model.tar.gz` }],
    ['reads the datasets', { action: 's3:GetObject', resource: `arn:aws:s3:::${datasets}/ml/train.csv` }],
  ])('not: %s', async (_name, call) => expectDenied(single, role, call));
});

describe('multi-team: one team\'s role reaches nothing of another team', () => {
  const mt = multiTeam.model;
  const teams = mt.stacks.filter((s) => /-Team-/.test(s.name));
  const mtDatasets = mt.refOf(mt.resource(mt.stack('Trainyard-Platform'), 'AWS::S3::Bucket', 'PlatformDatasetsBucket'));
  test('has at least two teams, each role under its own team\'s boundary', () => {
    expect(teams.length).toBeGreaterThanOrEqual(2);
    for (const stack of teams) {
      const role = multiTeam.principalOf(mt.resourcesOfType('AWS::IAM::Role').find((r) => r.stack === stack && /ExecutionRole/.test(r.logicalId))!);
      expect(role.permissionsBoundary?.name.startsWith(`${stack.displayName}/`)).toBe(true);
    }
  });
  test('each team reads its own datasets and pulls its own image, and not the other team\'s', async () => {
    const [a, b] = teams.map((stack) => ({
      stack,
      role: multiTeam.principalOf(mt.resourcesOfType('AWS::IAM::Role').find((r) => r.stack === stack && /ExecutionRole/.test(r.logicalId))!),
      team: String(mt.resourcesOfType('AWS::ECR::Repository').find((r) => r.stack === stack)!.resource.Properties.RepositoryName).split('/')[0],
      repository: mt.attribute(mt.resourcesOfType('AWS::ECR::Repository').find((r) => r.stack === stack)!, 'Arn'),
    }));
    await expectAllowed(multiTeam, a.role, { action: 's3:GetObject', resource: `arn:aws:s3:::${mtDatasets}/${a.team}/train.csv` });
    await expectAllowed(multiTeam, a.role, { action: 'ecr:BatchGetImage', resource: a.repository });
    await expectDenied(multiTeam, a.role, { action: 's3:GetObject', resource: `arn:aws:s3:::${mtDatasets}/${b.team}/train.csv` });
    await expectDenied(multiTeam, a.role, { action: 'ecr:BatchGetImage', resource: b.repository });
    await expectDenied(multiTeam, b.role, { action: 'ecr:BatchGetImage', resource: a.repository });
  });
});

describe('batch-gpu: the Batch job, execution and instance roles', () => {
  const bm = batch.model;
  const team = bm.stack('Trainyard-Team-Vision');
  const bDatasets = bm.refOf(bm.resource('Trainyard-Platform', 'AWS::S3::Bucket', 'PlatformDatasetsBucket'));
  const bArtifacts = bm.refOf(bm.resource('Trainyard-Platform', 'AWS::S3::Bucket', 'PlatformArtifactsBucket'));
  const bKey = bm.attribute(bm.resource('Trainyard-Platform', 'AWS::KMS::Key', 'PlatformKey'), 'Arn');
  const logStream = 'arn:aws:logs:us-east-1:123456789012:log-group:/trainyard/vision/batch:log-stream:job/default/0a1b';
  test.each<[string, string, SimulatedCall]>([
    ['job role reads the team data', 'GpuBatchJobRole', { action: 's3:GetObject', resource: `arn:aws:s3:::${bDatasets}/vision/images/1.png` }],
    ['job role writes team artifacts', 'GpuBatchJobRole', { action: 's3:PutObject', resource: `arn:aws:s3:::${bArtifacts}/vision/artifacts/model.pt` }],
    ['job role decrypts through S3', 'GpuBatchJobRole', { action: 'kms:Decrypt', resource: bKey, context: viaS3 }],
    ['execution role pulls the team image', 'GpuBatchExecutionRole', { action: 'ecr:BatchGetImage', resource: 'arn:aws:ecr:us-east-1:123456789012:repository/vision' }],
    ['execution role writes job logs', 'GpuBatchExecutionRole', { action: 'logs:PutLogEvents', resource: logStream }],
    ['instance role joins the Batch ECS cluster', 'GpuBatchInstanceRole', { action: 'ecs:RegisterContainerInstance', resource: 'arn:aws:ecs:us-east-1:123456789012:cluster/AWSBatch-vision-gpu-0a1b2c3d' }],
    ['instance role polls for tasks', 'GpuBatchInstanceRole', { action: 'ecs:Poll', resource: 'arn:aws:ecs:us-east-1:123456789012:container-instance/AWSBatch-vision-gpu-0a1b2c3d/0123456789abcdef' }],
    ['instance role discovers the ECS endpoint', 'GpuBatchInstanceRole', { action: 'ecs:DiscoverPollEndpoint', resource: '*' }],
  ])('%s', async (_name, role, call) => expectAllowed(batch, batch.role(team, role), call));
  test.each<[string, string, SimulatedCall]>([
    ['job role reads another team\'s data', 'GpuBatchJobRole', { action: 's3:GetObject', resource: `arn:aws:s3:::${bDatasets}/ml/train.csv` }],
    ['job role uses the key outside S3', 'GpuBatchJobRole', { action: 'kms:Decrypt', resource: bKey }],
    ['execution role pulls another image', 'GpuBatchExecutionRole', { action: 'ecr:BatchGetImage', resource: 'arn:aws:ecr:us-east-1:123456789012:repository/ml/training' }],
    ['instance role joins another ECS cluster', 'GpuBatchInstanceRole', { action: 'ecs:RegisterContainerInstance', resource: 'arn:aws:ecs:us-east-1:123456789012:cluster/production' }],
  ])('not: %s', async (_name, role, call) => expectDenied(batch, batch.role(team, role), call));
});

describe('Studio of team ml, under the team\'s guardrails', () => {
  const sm = studio.model;
  const team = sm.stack('Team');
  const role = studio.role(team, 'StudioExecutionRole');
  const domain = sm.attribute(sm.resource(team, 'AWS::SageMaker::Domain', 'StudioDomain'), 'DomainId');
  const sDatasets = sm.refOf(sm.resource('Platform', 'AWS::S3::Bucket', 'PlatformDatasetsBucket'));
  const sArtifacts = sm.refOf(sm.resource('Platform', 'AWS::S3::Bucket', 'PlatformArtifactsBucket'));
  // The team's own App: the Studio of team ml logs where the team's jobs do.
  const app = sm.attribute(sm.resource(team, 'AWS::SageMaker::MlflowApp', 'MlExperimentTrackingApp'), 'Arn');
  test('the role carries the team boundary', () => {
    expect(role.permissionsBoundary?.name).toMatch(/^Team\/MlPermissionsBoundary/);
  });
  test.each<Case>([
    ['creates a JupyterLab app in its domain', { action: 'sagemaker:CreateApp', resource: `arn:aws:sagemaker:us-east-1:123456789012:app/${domain}/alice/jupyterlab/default`, context: {} }],
    ['creates a space in its domain', { action: 'sagemaker:CreateSpace', resource: `arn:aws:sagemaker:us-east-1:123456789012:space/${domain}/alice-space` }],
    ['describes its domain', { action: 'sagemaker:DescribeDomain', resource: `arn:aws:sagemaker:us-east-1:123456789012:domain/${domain}` }],
    ['lists apps', { action: 'sagemaker:ListApps', resource: '*' }],
    ['reads the team datasets', { action: 's3:GetObject', resource: `arn:aws:s3:::${sDatasets}/ml/train.csv` }],
    ['writes its studio prefix', { action: 's3:PutObject', resource: `arn:aws:s3:::${sArtifacts}/ml/studio/notebook.ipynb` }],
    ['calls the MLflow App', { action: 'sagemaker:CallMlflowAppApi', resource: app }],
    ['opens the MLflow UI', { action: 'sagemaker:CreatePresignedMlflowAppUrl', resource: app }],
  ])('%s', async (_name, call) => expectAllowed(studio, role, call));
  test('an MLflow App is reached through sagemaker:CallMlflowAppApi: the sagemaker-mlflow actions take tracking servers only (SAR)', async () => {
    // ExperimentTracking grants the sagemaker-mlflow client actions on the App's ARN too; for an App they match nothing.
    await expect(studio.simulate(role, { action: 'sagemaker-mlflow:LogMetric', resource: app })).rejects.toThrow(/no\.resource\.types/);
  });
  test.each<Case>([
    ['calls another team\'s MLflow App', { action: 'sagemaker:CallMlflowAppApi', resource: 'arn:aws:sagemaker:us-east-1:123456789012:mlflow-app/app-OTHERTEAM0' }],
    ['creates an app in another domain', { action: 'sagemaker:CreateApp', resource: 'arn:aws:sagemaker:us-east-1:123456789012:app/d-other/alice/jupyterlab/default', context: {} }],
    ['reads another team\'s datasets', { action: 's3:GetObject', resource: `arn:aws:s3:::${sDatasets}/fraud/train.csv` }],
    ['writes the team artifacts', { action: 's3:PutObject', resource: `arn:aws:s3:::${sArtifacts}/ml/artifacts/model.tar.gz` }],
  ])('not: %s', async (_name, call) => expectDenied(studio, role, call));
});

describe('multi-account: the dev account reads the prod model registry, and only reads', () => {
  const am = multiAccount.model;
  const dev = am.stack('Dev/Trainyard-Platform');
  const prod = am.stack('Prod/Trainyard-Platform');
  const group = am.refOf(am.resource(prod, 'AWS::SageMaker::ModelPackageGroup', 'ModelRegistry'));
  const read = multiAccount.managedPolicy(am.refOf(am.resource(dev, 'AWS::IAM::ManagedPolicy', 'ProdModelRegistryRead')));
  const devRole: SimulatedPrincipal = { arn: `arn:aws:iam::${dev.account}:role/ml-dev`, account: dev.account, identityPolicies: [read] };
  test('the accounts are the ones cdk.json names', () => {
    expect([dev.account, prod.account, group]).toEqual(['111111111111', '222222222222', 'arn:aws:sagemaker:us-east-1:222222222222:model-package-group/trainyard-models']);
  });
  test.each<Case>([
    ['describes the prod group', { action: 'sagemaker:DescribeModelPackageGroup', resource: group }],
    ['describes a prod model version', { action: 'sagemaker:DescribeModelPackage', resource: 'arn:aws:sagemaker:us-east-1:222222222222:model-package/trainyard-models/3' }],
  ])('%s', async (_name, call) => expectAllowed(multiAccount, devRole, call));
  test.each<Case>([
    ['registers into the prod group', { action: 'sagemaker:CreateModelPackage', resource: 'arn:aws:sagemaker:us-east-1:222222222222:model-package/trainyard-models/4' }],
    ['approves a prod model version', { action: 'sagemaker:UpdateModelPackage', resource: 'arn:aws:sagemaker:us-east-1:222222222222:model-package/trainyard-models/3' }],
  ])('not: %s', async (_name, call) => expectDenied(multiAccount, devRole, call));
  test('a dev role without the read policy is denied: the group policy alone grants nothing across accounts', async () => {
    await expectDenied(multiAccount, { ...devRole, identityPolicies: [] }, { action: 'sagemaker:DescribeModelPackageGroup', resource: group });
  });
  test('another account is denied even with an identity grant: the group policy names the dev account only', async () => {
    await expectDenied(multiAccount, { ...devRole, arn: 'arn:aws:iam::333333333333:role/ml-dev', account: '333333333333' }, { action: 'sagemaker:DescribeModelPackageGroup', resource: group });
  });
});

describe('single-team through the capacity pool: the pipeline role hands training to its own submitter queue, under its boundary', () => {
  const qm = queued.model;
  const team = qm.stack('Trainyard-Team-ml');
  const role = queued.role(team, 'TrainingPipelineExecutionRole');
  const callbackQueue = qm.attribute(qm.resource(team, 'AWS::SQS::Queue', 'TrainingPipelineQueuedTrainingCallbackQueue'), 'Arn');
  const deadLetterQueue = qm.attribute(qm.resource(team, 'AWS::SQS::Queue', 'TrainingPipelineQueuedTrainingDeadLetterQueue'), 'Arn');
  const key = qm.attribute(qm.resource(qm.stack('Trainyard-Platform'), 'AWS::KMS::Key', 'PlatformKey'), 'Arn');
  const viaSqs = { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com', 'kms:CallerAccount': '123456789012' };
  test('the role carries the team boundary, and the definition trains through a Callback step', () => {
    expect(role.permissionsBoundary?.name).toMatch(/^Trainyard-Team-ml\/MlPermissionsBoundary/);
    const queuedSteps = pipelineDefinition(qm, qm.resource(team, 'AWS::SageMaker::Pipeline', 'TrainingPipeline')).Steps;
    expect(queuedSteps.map((st: any) => st.Type)).toContain('Callback');
    // The submitter rebuilds the CreateTrainingJob request from the flat arguments, with the team's role and subnets.
    const request = queuedSteps.find((st: any) => st.Type === 'Callback').Arguments.TrainingJobRequest;
    expect(request.RoleArn).toMatch(/^arn:aws:iam::123456789012:role\//);
    expect(request.VpcConfig.Subnets.length).toBeGreaterThan(0);
    expect(request.CheckpointConfig.S3Uri).toMatch(/^s3:\/\/.+\/0a1b2c3d4e5f\/Train$/);
  });
  test.each<Case>([
    ['sends the training request to its callback queue', { action: 'sqs:SendMessage', resource: callbackQueue }],
    ['encrypts the message with the platform key through SQS', { action: 'kms:GenerateDataKey', resource: key, context: viaSqs }],
  ])('%s', async (_name, call) => expectAllowed(queued, role, call));
  test.each<Case>([
    ['sends to the dead-letter queue', { action: 'sqs:SendMessage', resource: deadLetterQueue }],
    ['sends to another queue of the account', { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:123456789012:some-other-queue' }],
    ['uses the key outside SQS and S3', { action: 'kms:GenerateDataKey', resource: key, context: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com', 'kms:CallerAccount': '123456789012' } }],
  ])('not: %s', async (_name, call) => expectDenied(queued, role, call));
});
