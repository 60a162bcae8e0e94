import * as os from 'os';
import {
  ListAWSDefaultServiceQuotasCommand,
  ListServiceQuotasCommand,
  ServiceQuota,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { Stack } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudAssemblyView } from '../../../src/cli/cloud-assembly';
import { demandsFromAssembly } from '../../../src/cli/commands/quota';
import { main } from '../../../src/cli/main';
import { TrainingCapacityPool } from '../../../src/environment/training-capacity-pool';
import { newApp } from '../../helpers/synth';
import { capturedIo } from '../cli-io';

const sq = mockClient(ServiceQuotasClient);
const ENV = { AWS_REGION: 'us-east-1' };

/** A quota as ListServiceQuotas returns it (quota codes here are illustrative). */
function quota(name: string, value: number, code: string, serviceCode = 'sagemaker'): ServiceQuota {
  return {
    ServiceCode: serviceCode,
    ServiceName: serviceCode === 'sagemaker' ? 'Amazon SageMaker' : 'Amazon Elastic Compute Cloud (Amazon EC2)',
    QuotaArn: `arn:aws:servicequotas:us-east-1:123456789012:${serviceCode}/${code}`,
    QuotaCode: code,
    QuotaName: name,
    Value: value,
    Unit: 'None',
    Adjustable: true,
    GlobalQuota: false,
  };
}

/** Two pages of applied SageMaker quotas; the training quotas for ml.g5.2xlarge are on the second. */
function appliedQuotasInTwoPages(onDemand: number, spot?: number) {
  sq.on(ListServiceQuotasCommand, { ServiceCode: 'sagemaker', NextToken: undefined }).resolves({
    Quotas: [
      quota('ml.g4dn.xlarge for training job usage', 4, 'L-3F53BF0F'),
      quota('ml.g5.2xlarge for endpoint usage', 2, 'L-TEST0002'),
    ],
    NextToken: 'page-2',
  });
  sq.on(ListServiceQuotasCommand, { ServiceCode: 'sagemaker', NextToken: 'page-2' }).resolves({
    Quotas: [
      quota('ml.g5.2xlarge for training job usage', onDemand, 'L-TEST0003'),
      ...(spot === undefined ? [] : [quota('ml.g5.2xlarge for spot training job usage', spot, 'L-TEST0004')]),
      quota('ml.g5.2xlarge for processing job usage', 2, 'L-TEST0005'),
    ],
  });
}

async function run(args: string[], cwd = os.tmpdir(), env: Record<string, string> = ENV) {
  const io = capturedIo(cwd, env);
  const code = await main(['quota', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

beforeEach(() => sq.reset());

describe('trainyard quota --instance-type', () => {
  test('follows pagination and reports a short on-demand quota with exit 1', async () => {
    // GIVEN 2 ml.g5.2xlarge for training, on the second page
    appliedQuotasInTwoPages(2);
    // WHEN 4 are needed
    const { code, out, err } = await run(['--instance-type', 'ml.g5.2xlarge', '--count', '4']);
    // THEN
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(out).toMatch(/^ml\.g5\.2xlarge for training job usage +4 +2 +SHORT$/m);
    expect(out).toContain("SHORT: 'ml.g5.2xlarge for training job usage' is 2, 4 needed by --instance-type (4). Request an increase in Service Quotas (service code sagemaker).");
    expect(out).toMatch(/^FAILED: 1 of 1 quota\(s\) short or missing\.$/m);
    const calls = sq.commandCalls(ListServiceQuotasCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { ServiceCode: 'sagemaker', MaxResults: 100, NextToken: undefined },
      { ServiceCode: 'sagemaker', MaxResults: 100, NextToken: 'page-2' },
    ]);
    expect(sq.commandCalls(ListAWSDefaultServiceQuotasCommand)).toHaveLength(0);
  });

  test('passes with exit 0 when the quota covers the count', async () => {
    appliedQuotasInTwoPages(8);
    const { code, out } = await run(['--instance-type', 'ml.g5.2xlarge', '--count', '4', '--region', 'eu-west-1']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Training quotas in eu-west-1:$/m);
    expect(out).toMatch(/^ml\.g5\.2xlarge for training job usage +4 +8 +ok$/m);
    expect(out).toMatch(/^PASSED: 1 quota\(s\) suffice\.$/m);
  });

  test('--spot checks the spot quota, falling back to the AWS default when it is not applied', async () => {
    // GIVEN no applied spot quota; the defaults (two pages) have it
    appliedQuotasInTwoPages(8);
    sq.on(ListAWSDefaultServiceQuotasCommand, { ServiceCode: 'sagemaker', NextToken: undefined }).resolves({
      Quotas: [quota('ml.g5.2xlarge for training job usage', 0, 'L-TEST0003')],
      NextToken: 'defaults-2',
    });
    sq.on(ListAWSDefaultServiceQuotasCommand, { ServiceCode: 'sagemaker', NextToken: 'defaults-2' }).resolves({
      Quotas: [quota('ml.g5.2xlarge for spot training job usage', 1, 'L-TEST0004')],
    });
    // WHEN
    const { code, out } = await run(['--instance-type', 'ml.g5.2xlarge', '--count', '2', '--spot']);
    // THEN the default of 1 is short of 2
    expect(code).toBe(1);
    expect(out).toMatch(/^ml\.g5\.2xlarge for spot training job usage +2 +1 \(default\) +SHORT$/m);
    expect(sq.commandCalls(ListAWSDefaultServiceQuotasCommand)).toHaveLength(2);
  });

  test('a quota that neither list has is reported as missing, exit 1', async () => {
    appliedQuotasInTwoPages(8);
    sq.on(ListAWSDefaultServiceQuotasCommand).resolves({ Quotas: [] });
    const { code, out } = await run(['--instance-type', 'ml.p5.48xlarge']);
    expect(code).toBe(1);
    expect(out).toMatch(/^ml\.p5\.48xlarge for training job usage +1 +- +MISSING$/m);
    expect(out).toContain("MISSING: 'ml.p5.48xlarge for training job usage' is not a quota in this region");
  });

  test('no credentials is one clear line with exit 2, never a stack trace', async () => {
    // GIVEN the SDK's credential chain finding nothing (the shape of @smithy/property-provider's CredentialsProviderError)
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError', tryNextLink: false });
    sq.on(ListServiceQuotasCommand).rejects(noCredentials);
    // WHEN
    const { code, out, err } = await run(['--instance-type', 'ml.g5.2xlarge']);
    // THEN
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe('trainyard quota: no AWS credentials found. Set AWS_PROFILE (after `aws sso login` or `aws configure`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run again.\n');
  });

  test('an access-denied answer is one line naming the denial', async () => {
    sq.on(ListServiceQuotasCommand).rejects(Object.assign(new Error('User: arn:aws:iam::123456789012:user/dev is not authorized to perform: servicequotas:ListServiceQuotas'), { name: 'AccessDeniedException' }));
    const { code, err } = await run(['--instance-type', 'ml.g5.2xlarge']);
    expect(code).toBe(2);
    expect(err).toBe('trainyard quota: access denied by AWS: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: servicequotas:ListServiceQuotas\n');
  });

  test.each([
    [['--instance-type', 'ml.g5.2xlarge', '--count', '0'], "trainyard quota: --count: must be a whole number of at least 1, got '0'\n"],
    [['--instance-type', 'g5.2xlarge'], "trainyard quota: --instance-type: must be a SageMaker training instance type such as ml.g5.2xlarge, got 'g5.2xlarge'\n"],
    [['--count', '2'], 'trainyard quota: --count: needs --instance-type.\n'],
    [['--instance-type', 'ml.g5.2xlarge', '--cdk-out', 'cdk.out'], 'trainyard quota: --instance-type: cannot be combined with --cdk-out: check either one instance type or a cloud assembly.\n'],
  ])('bad usage %j is one line, exit 2', async (args, expected) => {
    const { code, err } = await run(args);
    expect(code).toBe(2);
    expect(err).toBe(expected);
    expect(sq.calls()).toHaveLength(0);
  });
});

describe('trainyard quota on a synthesized cloud assembly', () => {
  // GIVEN a pipeline whose training step (inside a condition step) uses a parameter for its instance
  // type with managed spot, a second on-demand training step, and a GPU Batch compute environment
  const app = newApp();
  const stack = new Stack(app, 'Team');
  new sagemaker.CfnPipeline(stack, 'Pipeline', {
    pipelineName: 'fraud-training',
    roleArn: 'arn:aws:iam::123456789012:role/pipeline',
    pipelineDefinition: {
      PipelineDefinitionBody: JSON.stringify({
        Version: '2020-12-01',
        Parameters: [{ Name: 'TrainingInstanceType', Type: 'String', DefaultValue: 'ml.g5.2xlarge' }],
        Steps: [
          { Name: 'Validate', Type: 'Processing', Arguments: { ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 } } } },
          {
            Name: 'Gate',
            Type: 'Condition',
            Arguments: {
              Conditions: [],
              IfSteps: [{
                Name: 'Train',
                Type: 'Training',
                Arguments: {
                  ResourceConfig: { InstanceType: { Get: 'Parameters.TrainingInstanceType' }, InstanceCount: 4, VolumeSizeInGB: 100 },
                  EnableManagedSpotTraining: true,
                },
              }],
              ElseSteps: [],
            },
          },
          { Name: 'Baseline', Type: 'Training', Arguments: { ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 50 } } },
        ],
      }),
    },
  });
  new batch.CfnComputeEnvironment(stack, 'Gpu', {
    type: 'MANAGED',
    computeResources: { type: 'SPOT', minvCpus: 0, maxvCpus: 64, instanceTypes: ['g5.2xlarge', 'g5.12xlarge'], subnets: ['subnet-0123456789abcdef0'] },
  });
  const cdkOut = app.synth().directory;

  test('checks each training step and the Batch vCPUs against their quotas', async () => {
    // GIVEN on-demand 2, spot 2 (short of 4), EC2 G spot vCPUs 64
    appliedQuotasInTwoPages(2, 2);
    sq.on(ListServiceQuotasCommand, { ServiceCode: 'ec2' }).resolves({
      Quotas: [quota('All G and VT Spot Instance Requests', 64, 'L-3819A6DF', 'ec2')],
    });
    // WHEN
    const { code, out, err } = await run(['--cdk-out', cdkOut]);
    // THEN
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(out).toMatch(/^ml\.g5\.2xlarge for spot training job usage +4 +2 +SHORT$/m);
    expect(out).toMatch(/^ml\.g5\.2xlarge for training job usage +1 +2 +ok$/m);
    expect(out).toMatch(/^All G and VT Spot Instance Requests +64 vCPU +64 +ok$/m);
    expect(out).toContain('4 needed by Team/Pipeline step Train (4).');
    expect(out).not.toMatch(/ml\.m5\.xlarge/);
  });

  test('an assembly without training resources needs no quota and calls no API', async () => {
    const empty = newApp();
    new sns.Topic(new Stack(empty, 'NoTraining'), 'Alerts');
    const { code, out } = await run(['--cdk-out', empty.synth().directory]);
    expect(code).toBe(0);
    expect(out).toMatch(/^No SageMaker training steps or AWS Batch compute environments in .*: no quota to check\.$/m);
    expect(sq.calls()).toHaveLength(0);
  });

  test('a missing cdk.out is one line, exit 2', async () => {
    const { code, err } = await run(['--cdk-out', '/nonexistent/cdk.out']);
    expect(code).toBe(2);
    expect(err).toBe("trainyard quota: --cdk-out: /nonexistent/cdk.out is not a directory: run 'npx cdk synth' first.\n");
  });
});

describe('trainyard quota on a capacity pool', () => {
  test('the pool needs its per-type maximum of on-demand SageMaker training instances', () => {
    // GIVEN a TrainingCapacityPool of 16 g5.2xlarge and 2 p4d.24xlarge
    const app = newApp();
    new TrainingCapacityPool(new Stack(app, 'Platform'), 'Gpus', {
      capacity: [{ instanceType: 'ml.g5.2xlarge', maxInstances: 16 }, { instanceType: 'ml.p4d.24xlarge', maxInstances: 2 }],
    });
    // WHEN the demands are read from the assembly THEN each type needs the pool's maximum, on demand
    const demands = demandsFromAssembly(CloudAssemblyView.open(app.synth().directory));
    expect(demands.map((d) => [d.instanceType, d.count, d.spot, d.kind])).toEqual([
      ['ml.g5.2xlarge', 16, false, 'sagemaker'],
      ['ml.p4d.24xlarge', 2, false, 'sagemaker'],
    ]);
    expect(demands[0].source).toMatch(/^Platform\/Gpus.*\(capacity pool\)$/);
  });
});
