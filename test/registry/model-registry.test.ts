import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations as AssertAnnotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { compliantKey } from './fixtures';
import { TrainyardValidationError } from '../../src/core/errors';
import { ManagedPolicyGrantee } from '../../src/core/managed-policy-grantee';
import { IModelRegistry, ModelRegistry } from '../../src/registry/model-registry';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

const partitionRoot = (account: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] });
const sagemakerArn = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
});

describe('ModelRegistry with cross-account read, a key and event rules', () => {
  // GIVEN a registry shared with two accounts, synthesized once with every compliance pack
  let stack!: Stack;
  let registry!: ModelRegistry;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Team');
    const key = compliantKey(stack);
    registry = new ModelRegistry(stack, 'Models', {
      groupName: 'fraud-models',
      description: 'Fraud models',
      crossAccountReadAccounts: ['111111111111', '222222222222'],
      encryptionKey: key,
    });
    // WHEN approval and status rules are added
    registry.onApproved('OnApproved');
    registry.onStatusChange('OnStatusChange', { description: 'every change' });
  });
  const template = result.template(stack);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('creates the model package group with its name and description, retained on delete', () => {
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    const groups = Object.values<any>(template.findResources('AWS::SageMaker::ModelPackageGroup'));
    expect(groups[0].Properties.ModelPackageGroupName).toBe('fraud-models');
    expect(groups[0].Properties.ModelPackageGroupDescription).toBe('Fraud models');
    expect(groups[0].Properties.Tags).toBeUndefined();
    expect(groups[0].DeletionPolicy).toBe('Retain');
    expect(groups[0].UpdateReplacePolicy).toBe('Retain');
  });

  test('the group policy grants exactly describe and list to the listed account roots, and nothing else', () => {
    const group = Object.values<any>(template.findResources('AWS::SageMaker::ModelPackageGroup'))[0];
    expect(group.Properties.ModelPackageGroupPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'CrossAccountDescribeGroup',
          Effect: 'Allow',
          Principal: { AWS: [partitionRoot('111111111111'), partitionRoot('222222222222')] },
          Action: 'sagemaker:DescribeModelPackageGroup',
          Resource: sagemakerArn('model-package-group/fraud-models'),
        },
        {
          Sid: 'CrossAccountReadModelVersions',
          Effect: 'Allow',
          Principal: { AWS: [partitionRoot('111111111111'), partitionRoot('222222222222')] },
          Action: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
          Resource: sagemakerArn('model-package/fraud-models/*'),
        },
      ],
    });
    expect(JSON.stringify(group.Properties.ModelPackageGroupPolicy)).not.toMatch(/"AWS":"\*"|"\*"\]|Principal":"\*"/);
  });

  test('onApproved matches approved versions of this group only', () => {
    const rules = Object.values<any>(template.findResources('AWS::Events::Rule'));
    const approved = rules.find((r) => r.Properties.EventPattern.detail.ModelApprovalStatus);
    expect(approved.Properties.EventPattern).toEqual({
      'source': ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Package State Change'],
      'detail': { ModelPackageGroupName: ['fraud-models'], ModelApprovalStatus: ['Approved'] },
    });
  });

  test('onStatusChange matches every state change of this group', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Description: 'every change',
      EventPattern: {
        'source': ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        'detail': { ModelPackageGroupName: ['fraud-models'] },
      },
    });
    template.resourceCountIs('AWS::Events::Rule', 2);
  });

  test('exposes the name and an ARN built from it', () => {
    expect(registry.modelPackageGroupName).toBe('fraud-models');
    expect(stack.resolve(registry.modelPackageGroupArn)).toEqual(sagemakerArn('model-package-group/fraud-models'));
    expect(registry.crossAccountReadAccounts).toEqual(['111111111111', '222222222222']);
    expect(registry.nonProduction).toBe(false);
  });
});

describe('ModelRegistry grants', () => {
  // GIVEN a registry with a key and three roles
  const stack = new Stack(newApp(), 'Team');
  const key = new kms.Key(stack, 'Key');
  const registry = new ModelRegistry(stack, 'Models', { groupName: 'fraud-models', encryptionKey: key });
  const registrar = new iam.Role(stack, 'Registrar', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  const approver = new iam.Role(stack, 'Approver', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  // WHEN
  const registerGrant = registry.grantRegister(registrar);
  registry.grantRead(reader);
  registry.grantApprove(approver);
  const template = Template.fromStack(stack);
  const statementsOf = (role: string) => {
    const policies = Object.values<any>(template.findResources('AWS::IAM::Policy'));
    const policy = policies.find((p) => p.Properties.Roles[0].Ref.startsWith(role));
    return policy.Properties.PolicyDocument.Statement;
  };

  test('grantRegister allows registering versions in this group and using the key', () => {
    expect(registerGrant.success).toBe(true);
    expect(statementsOf('Registrar')).toEqual(expect.arrayContaining([
      {
        Effect: 'Allow',
        Action: ['sagemaker:AddTags', 'sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup', 'sagemaker:ListModelPackages'],
        Resource: [sagemakerArn('model-package-group/fraud-models'), sagemakerArn('model-package/fraud-models/*')],
      },
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] }),
    ]));
  });

  test('grantRead allows only describe and list, plus decrypt', () => {
    const statements = statementsOf('Reader');
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'sagemaker:DescribeModelPackageGroup', Resource: sagemakerArn('model-package-group/fraud-models') },
      {
        Effect: 'Allow',
        Action: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
        Resource: sagemakerArn('model-package/fraud-models/*'),
      },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] } },
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/CreateModelPackage|UpdateModelPackage|kms:Encrypt/);
  });

  test('grantApprove allows updating the approval status of this group\'s versions only', () => {
    expect(statementsOf('Approver')).toEqual([{
      Effect: 'Allow',
      Action: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages', 'sagemaker:UpdateModelPackage'],
      Resource: sagemakerArn('model-package/fraud-models/*'),
    }]);
  });
});

describe('ModelRegistry options and imports', () => {
  test('nonProduction tags the group trainyard:non-production=true and has no policy without accounts', () => {
    const stack = new Stack(newApp(), 'S');
    const registry = new ModelRegistry(stack, 'Models', { groupName: 'sandbox-models', nonProduction: true, removalPolicy: RemovalPolicy.DESTROY });
    expect(registry.nonProduction).toBe(true);
    const group = Object.values<any>(Template.fromStack(stack).findResources('AWS::SageMaker::ModelPackageGroup'))[0];
    expect(group.Properties.Tags).toEqual([{ Key: 'trainyard:non-production', Value: 'true' }]);
    expect(group.Properties.ModelPackageGroupPolicy).toBeUndefined();
    expect(group.DeletionPolicy).toBe('Delete');
  });

  test('fromGroupName imports a group of this account and region, with working grants and rules', () => {
    const stack = new Stack(newApp(), 'S');
    const imported = ModelRegistry.fromGroupName(stack, 'Imported', 'shared-models');
    expect(imported.modelPackageGroupName).toBe('shared-models');
    expect(stack.resolve(imported.modelPackageGroupArn)).toEqual(sagemakerArn('model-package-group/shared-models'));
    imported.onApproved('Approved');
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    imported.grantRead(role);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 0);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { ModelPackageGroupName: ['shared-models'], ModelApprovalStatus: ['Approved'] } }),
    });
  });

  test('fromGroupArn imports a group of another account and scopes grants to that account', () => {
    const stack = new Stack(newApp(), 'S');
    const arn = 'arn:aws:sagemaker:eu-west-1:333333333333:model-package-group/central-models';
    const imported = ModelRegistry.fromGroupArn(stack, 'Imported', arn);
    expect(imported.modelPackageGroupName).toBe('central-models');
    expect(imported.modelPackageGroupArn).toBe(arn);
    expect(imported.env.account).toBe('333333333333');
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    imported.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: 'sagemaker:DescribeModelPackageGroup', Resource: arn }),
          Match.objectLike({ Resource: 'arn:aws:sagemaker:eu-west-1:333333333333:model-package/central-models/*' }),
        ],
      },
    });
  });

  test('grantRead to a ManagedPolicyGrantee lands in a customer-managed policy, no inline policy: describe the group, describe and list its versions', () => {
    const stack = new Stack(newApp(), 'S');
    const arn = 'arn:aws:sagemaker:eu-west-1:333333333333:model-package-group/central-models';
    const reader = new ManagedPolicyGrantee(stack, 'Reader', { description: 'read central models' });
    ModelRegistry.fromGroupArn(stack, 'Imported', arn).grantRead(reader);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::IAM::Policy', 0);
    const statements = Object.values<any>(t.findResources('AWS::IAM::ManagedPolicy'))[0].Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      { Sid: 'DescribeModelPackageGroup', Effect: 'Allow', Action: 'sagemaker:DescribeModelPackageGroup', Resource: arn },
      {
        Sid: 'ReadModelVersions',
        Effect: 'Allow',
        Action: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
        Resource: 'arn:aws:sagemaker:eu-west-1:333333333333:model-package/central-models/*',
      },
    ]);
    // The same actions as the cross-account resource policy.
    expect(statements.flatMap((st: any) => [st.Action].flat()).sort()).toEqual([...ModelRegistry.READ_ACTIONS].sort());
  });

  test.each([
    ['grantRead', (r: IModelRegistry, g: iam.IGrantable) => r.grantRead(g)],
    ['grantRegister', (r: IModelRegistry, g: iam.IGrantable) => r.grantRegister(g)],
    ['grantApprove', (r: IModelRegistry, g: iam.IGrantable) => r.grantApprove(g)],
  ])('%s grants the same statements, the key included, on a registry created here and on one imported with its key', (_name, grant) => {
    // GIVEN a group created with a key, and the same group imported by name with that key
    const stack = new Stack(newApp(), 'S');
    const key = compliantKey(stack);
    const owned = new ModelRegistry(stack, 'Owned', { groupName: 'fraud-models', encryptionKey: key });
    const imported = ModelRegistry.fromModelRegistryAttributes(stack, 'Imported', { groupName: 'fraud-models', encryptionKey: key });
    const role = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    // WHEN each grants to its own managed-policy grantee
    const ownedGrantee = ManagedPolicyGrantee.of(role('OwnedRole'));
    const importedGrantee = ManagedPolicyGrantee.of(role('ImportedRole'));
    grant(owned, ownedGrantee);
    grant(imported, importedGrantee);
    // THEN the two policies say the same, and any key statement names the key
    const statementsOf = (g: ManagedPolicyGrantee) =>
      JSON.stringify(stack.resolve((g.policy.node.defaultChild as iam.CfnManagedPolicy).policyDocument).Statement);
    expect(statementsOf(importedGrantee)).toEqual(statementsOf(ownedGrantee));
    expect(statementsOf(ownedGrantee)).toContain('sagemaker:');
    if (_name !== 'grantApprove') {
      expect(statementsOf(ownedGrantee)).toContain('kms:Decrypt');
    }
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('groupNameForTeam gives <team>-models and checks the result', () => {
    expect(ModelRegistry.groupNameForTeam('fraud')).toBe('fraud-models');
    expect(() => ModelRegistry.groupNameForTeam('bad_team')).toThrow(/ModelRegistry\.groupNameForTeam/);
  });

  test('an uppercase group name works but warns', () => {
    const stack = new Stack(newApp(), 'S');
    new ModelRegistry(stack, 'Models', { groupName: 'Fraud-Models' });
    AssertAnnotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('uppercase'));
  });
});

describe('ModelRegistry rejects bad input at synth, naming the prop', () => {
  const make = (props: any) => () => new ModelRegistry(new Stack(newApp(), 'S'), 'Models', props);

  test.each([
    [{ groupName: '' }, /ModelRegistry\.groupName: must be 1 to 63 characters/],
    [{ groupName: 'a'.repeat(64) }, /ModelRegistry\.groupName: must be 1 to 63 characters .* got 64/],
    [{ groupName: 'fraud_models' }, /ModelRegistry\.groupName: "fraud_models" is not allowed: letters, digits and hyphens/],
    [{ groupName: '-fraud' }, /ModelRegistry\.groupName: "-fraud" is not allowed/],
    [{ groupName: 'fraud-' }, /ModelRegistry\.groupName: "fraud-" is not allowed/],
    [{ groupName: 'fraud models' }, /ModelRegistry\.groupName/],
    [{}, /ModelRegistry\.groupName: is required/],
    [{ groupName: 'ok', crossAccountReadAccounts: ['12345678901'] }, /ModelRegistry\.crossAccountReadAccounts: each entry must be a 12-digit AWS account id, got '12345678901'/],
    [{ groupName: 'ok', crossAccountReadAccounts: ['1234567890123'] }, /ModelRegistry\.crossAccountReadAccounts: each entry must be a 12-digit/],
    [{ groupName: 'ok', crossAccountReadAccounts: ['abcdefghijkl'] }, /ModelRegistry\.crossAccountReadAccounts: each entry must be a 12-digit/],
    [{ groupName: 'ok', crossAccountReadAccounts: ['*'] }, /ModelRegistry\.crossAccountReadAccounts: each entry must be a 12-digit AWS account id, got '\*'/],
    [{ groupName: 'ok', crossAccountReadAccounts: ['111111111111', '111111111111'] }, /lists account 111111111111 twice/],
    [{ groupName: 'ok', crossAccountReadAccounts: '111111111111' }, /must be a list of 12-digit AWS account ids/],
  ])('%j', (props, message) => {
    expect(make(props)).toThrow(TrainyardValidationError);
    expect(make(props)).toThrow(message);
  });

  test('a description over 1,024 characters', () => {
    expect(make({ groupName: 'ok', description: 'x'.repeat(1025) })).toThrow(/ModelRegistry\.description: must be at most 1024 characters, got 1025/);
  });

  test('a description with line breaks, tabs or other control characters SageMaker rejects (found by the props properties)', () => {
    for (const description of ['first line\nsecond line', 'a\tb', 'zero\u200bwidth', 'bell\u0007']) {
      expect(make({ groupName: 'ok', description })).toThrow(TrainyardValidationError);
      expect(make({ groupName: 'ok', description })).toThrow(/ModelRegistry\.description: may contain letters, marks, spaces, symbols, digits and punctuation only/);
    }
    expect(make({ groupName: 'ok', description: 'Modèles de fraude — v2 (€, 日本語, emoji 🚀)' })).not.toThrow();
  });

  test('accepts the longest valid name (63 characters) and single-character names', () => {
    expect(make({ groupName: 'a'.repeat(63) })).not.toThrow();
    expect(make({ groupName: 'a' })).not.toThrow();
    expect(make({ groupName: 'a--b' })).not.toThrow();
  });

  test('fromGroupArn rejects an ARN that is not a model package group', () => {
    const stack = new Stack(newApp(), 'S');
    expect(() => ModelRegistry.fromGroupArn(stack, 'I', 'arn:aws:sagemaker:eu-west-1:333333333333:model-package/x/1'))
      .toThrow(/ModelRegistry\.fromGroupArn: must be a model package group ARN/);
  });

  test('fromGroupName rejects a bad name', () => {
    const stack = new Stack(newApp(), 'S');
    expect(() => ModelRegistry.fromGroupName(stack, 'I', 'bad_name')).toThrow(/ModelRegistryAttributes\.groupName/);
  });
});
