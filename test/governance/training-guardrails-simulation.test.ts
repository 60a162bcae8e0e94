import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TrainingGuardrails } from '../../src/governance/training-guardrails';
import { buildTemplate } from '../../templates/catalog';
import { CloudAssemblyModel } from '../helpers/cfn-resolver';
import { describeOutcome, IamWorld, SimulatedCall, SimulatedPrincipal } from '../helpers/iam-simulation';
import { pipelineStepRequests } from '../helpers/pipeline-requests';
import { newApp } from '../helpers/synth';

// GIVEN the default template (its pipeline's own job requests) and guardrails for g5, p4d and m5,
// with a service control policy; synthesized once.
// The direct-training path (no capacity pool), whose Train step the pipeline role starts itself.
const app = newApp({ template: 'single-team', capacityPool: false });
buildTemplate(app);
const org = new Stack(app, 'Organization');
const guardrails = new TrainingGuardrails(org, 'Guardrails', {
  allowedInstanceTypes: ['ml.g5.2xlarge', 'ml.p4d.24xlarge', 'ml.m5.xlarge'],
  serviceControlPolicy: { targetIds: ['ou-ab12-cdefgh34'] },
});
const model = CloudAssemblyModel.fromDirectory(app.synth().directory);
const world = new IamWorld(model);

const pipelineRole = world.role('Trainyard-Team-ml', 'TrainingPipelineExecutionRole');
const boundary = world.managedPolicy(model.refOf(model.resource('Organization', 'AWS::IAM::ManagedPolicy', 'GuardrailsPermissionsBoundary')));
const scp = model.resolve(model.stack('Organization'), model.resource('Organization', 'AWS::Organizations::Policy', 'GuardrailsServiceControlPolicy').resource.Properties.Content);

/** The team's pipeline role under these guardrails (not the template's own boundary), as a boundary or as an SCP on its account. */
const UNDER: Record<string, SimulatedPrincipal> = {
  'permissions boundary': { ...pipelineRole, permissionsBoundary: boundary },
  // The SCP alone: without the boundary the template gives the role, so the SCP's denies are what is tested.
  'service control policy': { ...pipelineRole, permissionsBoundary: undefined, serviceControlPolicies: [{ name: 'trainyard-training-guardrails', policy: scp }] },
};

// The standard recipe's own requests: Train (ml.g5.2xlarge, NVMe: no volume key) and ValidateData (ml.m5.xlarge, volume key).
const steps = pipelineStepRequests(model, model.resource('Trainyard-Team-ml', 'AWS::SageMaker::Pipeline', 'TrainingPipeline'));
const train = steps.find((s) => s.step === 'Train')!.create;
const validate = steps.find((s) => s.step === 'ValidateData')!.create;
const outputKey = String(train.context!['sagemaker:OutputKmsKeyArn']);

function variant(call: SimulatedCall, change: Record<string, string | string[] | undefined>): SimulatedCall {
  const context: Record<string, string | string[]> = { ...call.context };
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined) delete context[k]; else context[k] = v;
  }
  return { ...call, context };
}

const COMPLIANT: Record<string, SimulatedCall> = {
  'the recipe\'s Train step (ml.g5.2xlarge, NVMe, no volume key)': train,
  'a training job on ml.p4d.24xlarge (NVMe, no volume key)': variant(train, { 'sagemaker:InstanceTypes': ['ml.p4d.24xlarge'] }),
  'a training job on ml.m5.xlarge (EBS, with the volume key)': variant(train, { 'sagemaker:InstanceTypes': ['ml.m5.xlarge'], 'sagemaker:VolumeKmsKeyArn': outputKey }),
  'the recipe\'s ValidateData processing step (ml.m5.xlarge)': validate,
};

const VIOLATIONS: Array<[string, string, SimulatedCall]> = [
  ['no VPC', 'DenyJobsOutsideVpc', variant(train, { 'sagemaker:VpcSubnets': undefined, 'sagemaker:VpcSecurityGroupIds': undefined })],
  ['no output key', 'DenyJobsWithoutOutputKmsKey', variant(train, { 'sagemaker:OutputKmsKeyArn': undefined })],
  ['no volume key on a type without local storage (ml.m5.xlarge)', 'DenyJobsWithoutVolumeKmsKey', variant(train, { 'sagemaker:InstanceTypes': ['ml.m5.xlarge'] })],
  ['a type outside the profile (ml.p5.48xlarge)', 'DenyInstanceTypesOutsideProfiles', variant(train, { 'sagemaker:InstanceTypes': ['ml.p5.48xlarge'] })],
  ['a missing cost tag', 'DenyRequestsWithoutTag1', variant(train, {
    'aws:RequestTag/trainyard:cost-center': undefined,
    'aws:TagKeys': (train.context!['aws:TagKeys'] as string[]).filter((k) => k !== 'trainyard:cost-center'),
  })],
  ['network isolation off', 'DenyJobsWithoutNetworkIsolation', variant(train, { 'sagemaker:NetworkIsolation': 'false' })],
  ['a processing job with no output key', 'DenyJobsWithoutOutputKmsKey', variant(validate, { 'sagemaker:OutputKmsKeyArn': undefined })],
];

describe.each(Object.keys(UNDER))('TrainingGuardrails as a %s, simulated', (how) => {
  const principal = UNDER[how];
  const policyType = how === 'permissions boundary' ? 'pb' : 'scp';

  test('the requests are the recipe\'s: VPC, isolation, output key, team tags', () => {
    expect(train.context).toEqual(expect.objectContaining({
      'sagemaker:InstanceTypes': ['ml.g5.2xlarge'],
      'sagemaker:NetworkIsolation': 'true',
      'aws:RequestTag/trainyard:team': 'ml',
      'aws:RequestTag/trainyard:cost-center': 'ml',
    }));
    expect(train.context!['sagemaker:VpcSubnets']).toHaveLength(2);
    expect(outputKey).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}$/);
    expect(train.context!['sagemaker:VolumeKmsKeyArn']).toBeUndefined();
    expect(validate.context!['sagemaker:VolumeKmsKeyArn']).toBe(outputKey);
  });

  test.each(Object.keys(COMPLIANT))('allows %s', async (name) => {
    expect(describeOutcome(await world.simulate(principal, COMPLIANT[name]))).toBe('Allowed');
  });

  test.each(VIOLATIONS)('denies a job with %s (%s)', async (_name, sid, call) => {
    const outcome = await world.simulate(principal, call);
    expect([outcome.decision, outcome.deniedBy]).toEqual(['ExplicitlyDenied', expect.arrayContaining([`${policyType}:${sid}`])]);
  });
});

describe('the guardrails before the fix (regression)', () => {
  test('a Null deny on sagemaker:OutputKmsKey, a key CreateTrainingJob does not carry, denied every compliant job', async () => {
    const old = JSON.parse(JSON.stringify(boundary.policy));
    const statement = old.Statement.find((s: any) => s.Sid === 'DenyJobsWithoutOutputKmsKey');
    statement.Condition = { Null: { 'sagemaker:OutputKmsKey': 'true' } };
    const outcome = await world.simulate({ ...pipelineRole, permissionsBoundary: { name: 'old', policy: old } }, train);
    expect([outcome.decision, outcome.deniedBy]).toEqual(['ExplicitlyDenied', ['pb:DenyJobsWithoutOutputKmsKey']]);
  });

  test('the simulator refuses a request context with the deprecated key: the job call does not carry it', async () => {
    await expect(world.simulate(pipelineRole, variant(train, { 'sagemaker:OutputKmsKey': outputKey }))).rejects.toThrow(/does not carry the context keys sagemaker:OutputKmsKey/);
  });
});

describe('the boundary allows the workflow it is the ceiling of', () => {
  test.each([
    ['iam:PassRole of the team role to SageMaker', steps.find((s) => s.step === 'Train')!.passRole!],
    ['sagemaker:AddTags on the training job', steps.find((s) => s.step === 'Train')!.addTags!],
    ['sagemaker:CreateModelPackage into the team group', steps.find((s) => s.step === 'RegisterModel')!.create],
  ])('%s', async (_name, call) => {
    expect(describeOutcome(await world.simulate(UNDER['permissions boundary'], call))).toBe('Allowed');
  });

  test('PassRole to another service is denied by the boundary', async () => {
    const call = steps.find((s) => s.step === 'Train')!.passRole!;
    const outcome = await world.simulate({ ...pipelineRole, identityPolicies: [{ name: 'broad', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }] } }], permissionsBoundary: boundary },
      { ...call, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } });
    expect([outcome.decision, outcome.deniedBy]).toEqual(['ImplicitlyDenied', expect.arrayContaining(['pb:implicit'])]);
  });
});

// Keep the construct reachable for readers of this file: the policy simulated is the construct's.
test('the simulated boundary is the construct\'s managed policy', () => {
  expect(guardrails.permissionsBoundary).toBeInstanceOf(iam.ManagedPolicy);
  expect(boundary.policy.Statement.map((s: any) => s.Sid)).toEqual(expect.arrayContaining(guardrails.denyStatements.map((s) => s.sid)));
});
