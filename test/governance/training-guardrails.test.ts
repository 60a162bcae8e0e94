import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { guardrailWildcardActions } from '../../src/environment/private/guardrail-statements';
import { TrainingGuardrails } from '../../src/governance/training-guardrails';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

// Actions as the template holds them: the minimizePolicies feature flag (cdk.json) sorts them.
const JOBS = ['sagemaker:CreateHyperParameterTuningJob', 'sagemaker:CreateProcessingJob', 'sagemaker:CreateTrainingJob'];
const JOBS_AND_MODEL = ['sagemaker:CreateHyperParameterTuningJob', 'sagemaker:CreateModel', 'sagemaker:CreateProcessingJob', 'sagemaker:CreateTrainingJob'];

describe('TrainingGuardrails', () => {
  // GIVEN guardrails with an SCP, applied as the boundary of a team role; synthesized once with every pack
  let guardrails!: TrainingGuardrails;
  let stack!: Stack;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Guardrails');
    guardrails = new TrainingGuardrails(stack, 'Guardrails', {
      allowedInstanceTypes: ['ml.g5.2xlarge', 'ml.m5.*'],
      serviceControlPolicy: { targetIds: ['ou-ab12-cdefgh34'] },
    });
    const role = new iam.Role(stack, 'TeamRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    guardrails.applyTo(role);
  });
  const template = result.template(stack);
  const boundary = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy'))[0].Properties.PolicyDocument.Statement as any[];
  const bySid = (sid: string) => boundary.find((s) => s.Sid === sid);

  test('synthesizes with zero unacknowledged findings from every pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('is the permissions boundary of the team role', () => {
    template.hasResourceProperties('AWS::IAM::Role', { PermissionsBoundary: { Ref: stack.resolve((guardrails.permissionsBoundary.node.defaultChild as iam.CfnManagedPolicy).logicalId) } });
  });

  test('denies the four calls without VPC subnets', () => {
    expect(bySid('DenyJobsOutsideVpc')).toEqual({
      Sid: 'DenyJobsOutsideVpc',
      Effect: 'Deny',
      Action: JOBS_AND_MODEL,
      Resource: '*',
      Condition: { Null: { 'sagemaker:VpcSubnets': 'true' } },
    });
  });

  test('denies the four calls unless network isolation is set to true (an omitted flag is denied too)', () => {
    expect(bySid('DenyJobsWithoutNetworkIsolation')).toEqual({
      Sid: 'DenyJobsWithoutNetworkIsolation',
      Effect: 'Deny',
      Action: JOBS_AND_MODEL,
      Resource: '*',
      Condition: { BoolIfExists: { 'sagemaker:NetworkIsolation': 'false' } },
    });
  });

  test('denies the three job calls without a volume KMS key, except on local-storage instance types; not CreateModel', () => {
    const statement = bySid('DenyJobsWithoutVolumeKmsKey');
    // The request carries sagemaker:VolumeKmsKeyArn (SAR); the deprecated VolumeKmsKey is carried by none of the three.
    expect([statement.Effect, statement.Action, statement.Condition.Null]).toEqual(['Deny', JOBS, { 'sagemaker:VolumeKmsKeyArn': 'true' }]);
    expect(statement.Condition['ForAllValues:StringNotLike']['sagemaker:InstanceTypes']).toEqual(expect.arrayContaining(['ml.g5.*', 'ml.p4d.*', 'ml.p5.*']));
  });

  test('denies the three job calls without an output KMS key', () => {
    expect(bySid('DenyJobsWithoutOutputKmsKey')).toEqual({
      Sid: 'DenyJobsWithoutOutputKmsKey',
      Effect: 'Deny',
      Action: JOBS,
      Resource: '*',
      Condition: { Null: { 'sagemaker:OutputKmsKeyArn': 'true' } },
    });
  });

  test('denies any instance type outside the allowed profiles', () => {
    expect(bySid('DenyInstanceTypesOutsideProfiles')).toEqual({
      Sid: 'DenyInstanceTypesOutsideProfiles',
      Effect: 'Deny',
      Action: JOBS,
      Resource: '*',
      Condition: { 'ForAnyValue:StringNotLike': { 'sagemaker:InstanceTypes': ['ml.g5.2xlarge', 'ml.m5.*'] } },
    });
  });

  test('denies requests missing each required tag, one statement per tag key', () => {
    expect([bySid('DenyRequestsWithoutTag0'), bySid('DenyRequestsWithoutTag1')]).toEqual([
      { Sid: 'DenyRequestsWithoutTag0', Effect: 'Deny', Action: JOBS_AND_MODEL, Resource: '*', Condition: { Null: { 'aws:RequestTag/trainyard:team': 'true' } } },
      { Sid: 'DenyRequestsWithoutTag1', Effect: 'Deny', Action: JOBS_AND_MODEL, Resource: '*', Condition: { Null: { 'aws:RequestTag/trainyard:cost-center': 'true' } } },
    ]);
  });

  test('allows the training workflow, so the boundary does not block everything', () => {
    const workflow = bySid('AllowSageMakerTrainingWorkflow');
    expect(workflow.Effect).toBe('Allow');
    expect(workflow.Action).toEqual(expect.arrayContaining([...JOBS_AND_MODEL, 'sagemaker:StartPipelineExecution', 'sagemaker:CreateModelPackage']));
    expect(bySid('AllowPassRoleToSageMaker')).toEqual({
      Sid: 'AllowPassRoleToSageMaker',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: '*',
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
    expect(bySid('AllowKeyGrantsForAwsResources').Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    for (const sid of ['AllowDataAndArtifacts', 'AllowKeyUse', 'AllowImagePull', 'AllowLogsAndMetrics', 'AllowVpcJobNetworkInterfaces']) {
      expect([sid, bySid(sid)?.Effect]).toEqual([sid, 'Allow']);
    }
    // Action patterns only where listing the calls would pass the managed-policy size limit, each acknowledged.
    const patterns = boundary.filter((s) => s.Effect === 'Allow').flatMap((s) => ([] as string[]).concat(s.Action)).filter((a) => a.includes('*'));
    expect(patterns.sort()).toEqual(guardrailWildcardActions().sort());
    expect(patterns.every((a) => /^(sagemaker:(Describe|List)|sagemaker-mlflow:[A-Z][a-z]+)\*$/.test(a))).toBe(true);
  });

  test('fits the 6,144 characters of a managed policy (whitespace excluded), with room for instance types', () => {
    const boundaryId = stack.resolve((guardrails.permissionsBoundary.node.defaultChild as iam.CfnManagedPolicy).logicalId);
    const size = JSON.stringify(template.toJSON().Resources[boundaryId].Properties.PolicyDocument).length;
    expect(size).toBeLessThan(6144 - 400);
  });

  test('the service control policy holds exactly the denies, attached to the targets', () => {
    const scp = Object.values<any>(template.findResources('AWS::Organizations::Policy'))[0].Properties;
    expect([scp.Type, scp.TargetIds]).toEqual(['SERVICE_CONTROL_POLICY', ['ou-ab12-cdefgh34']]);
    expect(scp.Content.Statement).toEqual(boundary.filter((s) => s.Effect === 'Deny'));
    expect(scp.Content.Statement).toHaveLength(7);
  });
});

describe('TrainingGuardrails options and bad input', () => {
  test('requireNetworkIsolation false drops that deny; requiredTags replaces the tag denies', () => {
    const stack = new Stack(newApp(), 'S');
    const g = new TrainingGuardrails(stack, 'G', { allowedInstanceTypes: ['ml.m5.large'], requireNetworkIsolation: false, requiredTags: ['trainyard:project'] });
    const sids = g.denyStatements.map((s) => s.sid);
    expect(sids).toEqual(['DenyJobsOutsideVpc', 'DenyJobsWithoutVolumeKmsKey', 'DenyJobsWithoutOutputKmsKey', 'DenyInstanceTypesOutsideProfiles', 'DenyRequestsWithoutTag0']);
    expect(g.serviceControlPolicy).toBeUndefined();
  });

  test('rejects an empty or malformed instance type list, naming the prop', () => {
    const stack = new Stack(newApp(), 'S');
    expect(() => new TrainingGuardrails(stack, 'A', { allowedInstanceTypes: [] })).toThrow(/TrainingGuardrails\.allowedInstanceTypes: must list at least one/);
    expect(() => new TrainingGuardrails(stack, 'B', { allowedInstanceTypes: ['g5.2xlarge'] })).toThrow(/TrainingGuardrails\.allowedInstanceTypes: 'g5\.2xlarge' is not a SageMaker instance type/);
  });

  test('rejects a bad SCP target and a bad tag key', () => {
    const stack = new Stack(newApp(), 'S');
    expect(() => new TrainingGuardrails(stack, 'A', { allowedInstanceTypes: ['ml.m5.large'], serviceControlPolicy: { targetIds: ['my-ou'] } }))
      .toThrow(/TrainingGuardrails\.serviceControlPolicy\.targetIds: 'my-ou' is not a root/);
    expect(() => new TrainingGuardrails(stack, 'B', { allowedInstanceTypes: ['ml.m5.large'], requiredTags: ['aws:team'] }))
      .toThrow(/TrainingGuardrails\.requiredTags: tag key 'aws:team' is not allowed/);
  });

  test('rejects an SCP target that is not a string (an account id given as a number)', () => {
    const stack = new Stack(newApp(), 'S');
    expect(() => new TrainingGuardrails(stack, 'A', { allowedInstanceTypes: ['ml.m5.large'], serviceControlPolicy: { targetIds: [123456789012 as any] } }))
      .toThrow(/TrainingGuardrails\.serviceControlPolicy\.targetIds: '123456789012' is not a root/);
  });
});
