import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Acknowledgements } from '../../src/core/acknowledgements';
import { ManagedPolicyGrantee } from '../../src/core/managed-policy-grantee';
import { grantWithStatementId } from '../../src/core/private/managed-policy-principal';
import { ModelRegistry } from '../../src/registry/model-registry';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';
import { compliantKey } from '../registry/fixtures';

const documentOf = (grantee: ManagedPolicyGrantee) =>
  Stack.of(grantee).resolve((grantee.policy.node.defaultChild as iam.CfnManagedPolicy).policyDocument);

describe('ManagedPolicyGrantee on a role, synthesized with every compliance pack', () => {
  // GIVEN a role whose grants go through its managed-policy grantee
  let stack!: Stack;
  let grantee!: ManagedPolicyGrantee;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Team');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    grantee = ManagedPolicyGrantee.of(role);
    // WHEN two registries, one of them twice, grant read to it
    const models = new ModelRegistry(stack, 'Models', { groupName: 'fraud-models', encryptionKey: compliantKey(stack) });
    models.grantRead(grantee);
    models.grantRead(ManagedPolicyGrantee.of(role));
    ModelRegistry.fromGroupName(stack, 'Shared', 'shared-models').grantRead(grantee);
    Acknowledgements.acknowledgeWildcardResources(grantee.policy, ['ReadModelVersions', 'ReadModelVersions2'].map((statementSid) => ({
      statementSid, reason: 'Model versions are created at run time; the wildcard covers the versions of one group.',
    })));
  });
  const template = result.template(stack);

  test('has no unacknowledged compliance findings (no inline policy: NIST and HIPAA IAMNoInlinePolicy hold)', () => {
    expect(describeFindings(result.report)).toEqual([]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('creates one customer-managed policy per role, attached to the role', () => {
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    const policy = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy'))[0];
    expect(policy.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^Role/) }]);
  });

  test('keeps the statement ids the grants give, unique in the policy, and a repeated grant once', () => {
    expect(documentOf(grantee).Statement.map((s: any) => s.Sid)).toEqual([
      'DescribeModelPackageGroup', 'ReadModelVersions', 'DecryptModelArtifacts', 'DescribeModelPackageGroup2', 'ReadModelVersions2',
    ]);
  });
});

describe('ManagedPolicyGrantee', () => {
  test('without a role, the policy is attached to nothing and cross-account resource policies name the account', () => {
    const stack = new Stack(newApp(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const grantee = new ManagedPolicyGrantee(stack, 'Reader', { description: 'read models' });
    ModelRegistry.fromGroupName(stack, 'Models', 'fraud-models').grantRead(grantee);
    const policy = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))[0];
    expect(policy.Properties.Roles).toBeUndefined();
    expect(policy.Properties.Description).toBe('read models');
    expect(grantee.grantPrincipal.principalAccount).toBe('111111111111');
    // The account's root, however the partition renders (a literal or AWS::Partition).
    const principal = stack.resolve(grantee.grantPrincipal.policyFragment.principalJson);
    expect(Object.keys(principal)).toEqual(['AWS']);
    expect(JSON.stringify(principal.AWS)).toContain(':iam::111111111111:root');
  });

  test('isManagedPolicyGrantee recognises grantees by symbol, not by class', () => {
    const stack = new Stack(newApp(), 'S');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expect(ManagedPolicyGrantee.isManagedPolicyGrantee(ManagedPolicyGrantee.of(role))).toBe(true);
    expect(ManagedPolicyGrantee.isManagedPolicyGrantee(role)).toBe(false);
    expect(ManagedPolicyGrantee.of(role)).toBe(ManagedPolicyGrantee.of(role));
  });

  test('a grant to any other grantee keeps its statements without ids, so the inline policy can merge them', () => {
    const stack = new Stack(newApp(), 'S');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    ModelRegistry.fromGroupName(stack, 'Models', 'fraud-models').grantRead(role);
    const policy = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0];
    expect(policy.Properties.PolicyDocument.Statement.every((s: any) => s.Sid === undefined)).toBe(true);
  });

  test('grantWithStatementId hands the grantee itself to the grant (a KMS key judges accounts by it), and the id lasts one grant', () => {
    const stack = new Stack(newApp(), 'S');
    const grantee = ManagedPolicyGrantee.of(new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() }));
    let seen: iam.IGrantable | undefined;
    grantWithStatementId(grantee, 'Named', (g) => {
      seen = g;
      return iam.Grant.addToPrincipal({ grantee: g, actions: ['sagemaker:DescribeModelPackageGroup'], resourceArns: ['arn:aws:sagemaker:us-east-1:111111111111:model-package-group/a'] });
    });
    iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:DescribeModelPackageGroup'], resourceArns: ['arn:aws:sagemaker:us-east-1:111111111111:model-package-group/b'] });
    expect(seen).toBe(grantee);
    expect(documentOf(grantee).Statement.map((st: any) => st.Sid)).toEqual(['Named', undefined]);
  });
});
