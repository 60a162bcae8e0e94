import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TeamCapacityShare } from '../../src/environment/team-capacity-share';
import { newApp } from '../helpers/synth';

// What grantSubmit's policy *does*, simulated request by request with the Service Authorization
// Reference's resource types (iam-simulate is a devDependency; nothing here ships).

const ACCOUNT = '111122223333';
const QUEUE = `arn:aws:batch:eu-west-1:${ACCOUNT}:job-queue/Gpus-abc`;
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/vision-notebook`;

/** The grantee's identity policy, with the partition pseudo parameter filled in. */
function grantedPolicy(): any {
  const app = newApp();
  const stack = new Stack(app, 'Team', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const share = TeamCapacityShare.fromTeamCapacityShareAttributes(stack, 'Share', {
    quotaShareArn: `${QUEUE}/quota-share/vision`,
    teamName: 'vision',
    executionRole: iam.Role.fromRoleArn(stack, 'Exec', `arn:aws:iam::${ACCOUNT}:role/vision-training`),
  });
  share.grantSubmit(new iam.Role(stack, 'Notebook', { assumedBy: new iam.AccountRootPrincipal() }));
  const [policy] = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
  const concrete = (value: any): any => {
    if (Array.isArray(value)) return value.map(concrete);
    if (value && typeof value === 'object') {
      if (value['Fn::Join']) return value['Fn::Join'][1].map(concrete).join(value['Fn::Join'][0]);
      if (value.Ref === 'AWS::Partition') return 'aws';
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, concrete(v)]));
    }
    return value;
  };
  return concrete(policy.Properties.PolicyDocument);
}

describe('TeamCapacityShare.grantSubmit, simulated', () => {
  const policy = grantedPolicy();
  const simulate = async (action: string, resource: string, contextVariables: Record<string, string> = {}) => {
    const result = await runSimulation({
      request: { principal: PRINCIPAL, action, resource: { resource, accountId: ACCOUNT }, contextVariables },
      identityPolicies: [{ name: 'submit', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    }, {});
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  };

  test('submission is allowed on the queue, the team\'s own share and a new service job', async () => {
    expect(await simulate('batch:SubmitServiceJob', QUEUE)).toBe('Allowed');
    expect(await simulate('batch:SubmitServiceJob', `${QUEUE}/quota-share/vision`)).toBe('Allowed');
    expect(await simulate('batch:SubmitServiceJob', `arn:aws:batch:eu-west-1:${ACCOUNT}:service-job/4c7599ae-0a82-49aa-ba5a-4727fcce14a8`)).toBe('Allowed');
  });

  test('submission to another team\'s share, or a share of another queue, is denied', async () => {
    expect(await simulate('batch:SubmitServiceJob', `${QUEUE}/quota-share/fraud`)).toBe('ImplicitlyDenied');
    expect(await simulate('batch:SubmitServiceJob', `arn:aws:batch:eu-west-1:${ACCOUNT}:job-queue/Other/quota-share/vision`)).toBe('ImplicitlyDenied');
  });

  test('terminating or reprioritizing is allowed for the team\'s tagged jobs only', async () => {
    const job = `arn:aws:batch:eu-west-1:${ACCOUNT}:service-job/4c7599ae-0a82-49aa-ba5a-4727fcce14a8`;
    expect(await simulate('batch:TerminateServiceJob', job, { 'aws:ResourceTag/trainyard:team': 'vision' })).toBe('Allowed');
    expect(await simulate('batch:TerminateServiceJob', job, { 'aws:ResourceTag/trainyard:team': 'fraud' })).toBe('ImplicitlyDenied');
    expect(await simulate('batch:UpdateServiceJob', job, { 'aws:ResourceTag/trainyard:team': 'fraud' })).toBe('ImplicitlyDenied');
  });

  test('only the team execution role may be passed, and only to SageMaker', async () => {
    expect(await simulate('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/vision-training`, { 'iam:PassedToService': 'sagemaker.amazonaws.com' })).toBe('Allowed');
    expect(await simulate('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/vision-training`, { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('ImplicitlyDenied');
    expect(await simulate('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/fraud-training`, { 'iam:PassedToService': 'sagemaker.amazonaws.com' })).toBe('ImplicitlyDenied');
  });
});
