import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { NagRuleCompliance } from 'cdk-nag';
import { checkRule, expectCompliant } from './rule-harness';
import { IamPolicyMatchesServiceReference } from '../../../src/governance/rules/IamPolicyMatchesServiceReference';
import { IAM_DATA_DATE } from '../../../src/governance/rules/private/iam-service-reference-data';

const RULE = 'IamPolicyMatchesServiceReference';

/** A customer managed policy (the kind a user writes) that guards training with `keyName`. */
function trainingPolicy(stack: Stack, keyName: string): CfnResource {
  return new iam.ManagedPolicy(stack, 'Training', {
    statements: [
      new iam.PolicyStatement({
        sid: 'DenyTrainingWithoutVolumeKey',
        effect: iam.Effect.DENY,
        actions: ['sagemaker:CreateTrainingJob'],
        resources: ['*'],
        conditions: { Null: { [keyName]: 'true' } },
      }),
    ],
  }).node.defaultChild as CfnResource;
}

describe(`MlOps-${RULE}`, () => {
  test('compliant: a policy that guards CreateTrainingJob with sagemaker:VolumeKmsKeyArn (the key its request carries)', () => {
    expectCompliant(checkRule(RULE, (stack) => trainingPolicy(stack, 'sagemaker:VolumeKmsKeyArn')), RULE);
  });

  test('non-compliant: a user policy that guards CreateTrainingJob with sagemaker:VolumeKmsKey is named, with what the Deny then does', () => {
    const verdict = checkRule(RULE, (stack) => trainingPolicy(stack, 'sagemaker:VolumeKmsKey'));
    const finding =
      'PolicyDocument DenyTrainingWithoutVolumeKey: sagemaker:VolumeKmsKey is not in the request context of sagemaker:CreateTrainingJob: ' +
      'Null on an absent key always holds, so the Deny always fires';
    expect(verdict.compliance).toEqual([finding]);
    expect(verdict.findings).toEqual([`MlOps-${RULE}[${finding}]`]);
  });

  test('non-compliant: an unknown action and an ARN of the wrong resource type in a role\'s inline policy', () => {
    const verdict = checkRule(RULE, (stack) => {
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'Typo', actions: ['sagemaker:CreateTrainingJobs'], resources: ['*'] }));
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'Bucket', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::datasets'] }));
      return role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    });
    expect(verdict.findings).toEqual(expect.arrayContaining([
      `MlOps-${RULE}[PolicyDocument Typo: sagemaker:CreateTrainingJobs is not a sagemaker action]`,
      expect.stringMatching(/^MlOps-IamPolicyMatchesServiceReference\[PolicyDocument Bucket: arn:aws:s3:::datasets fits no resource type of s3:GetObject/),
    ]));
  });

  test('non-compliant: a resource policy (model package group) and a KMS key policy are read too', () => {
    const group = checkRule(RULE, (stack) => new sagemaker.CfnModelPackageGroup(stack, 'Group', {
      modelPackageGroupName: 'fraud',
      modelPackageGroupPolicy: {
        Version: '2012-10-17',
        Statement: [{ Sid: 'Read', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: ['sagemaker:DescribeModelPackages'], Resource: '*' }],
      },
    }));
    expect(group.findings).toEqual([`MlOps-${RULE}[ModelPackageGroupPolicy Read: sagemaker:DescribeModelPackages is not a sagemaker action]`]);

    const key = checkRule(RULE, (stack) => new CfnResource(stack, 'Key', {
      type: 'AWS::KMS::Key',
      properties: {
        KeyPolicy: {
          Version: '2012-10-17',
          Statement: [{
            Sid: 'Logs',
            Effect: 'Allow',
            Principal: { Service: 'logs.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:DescribeKey'],
            Resource: '*',
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:*:*:log-group:*' } },
          }],
        },
      },
    }));
    expect(key.compliance).toEqual([expect.stringMatching(/^KeyPolicy Logs: kms:EncryptionContext:aws:logs:arn is not in the request context of kms:DescribeKey: .*never applies$/)]);
  });

  test('not applicable to resources without policies; an SCP of another type is not read', () => {
    expect(checkRule(RULE, (stack) => new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic' })).compliance).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(checkRule(RULE, (stack) => new CfnResource(stack, 'Tags', {
      type: 'AWS::Organizations::Policy',
      properties: { Name: 'tags', Type: 'TAG_POLICY', Content: { tags: { team: { tag_key: { '@@assign': 'team' } } } } },
    })).compliance).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(checkRule(RULE, (stack) => new CfnResource(stack, 'Scp', {
      type: 'AWS::Organizations::Policy',
      properties: { Name: 'scp', Type: 'SERVICE_CONTROL_POLICY', Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'sagemaker:CreateTrainingJob', Resource: '*', Condition: { Null: { 'sagemaker:OutputKmsKey': 'true' } } }] }) },
    })).compliance).toEqual([expect.stringMatching(/^Content Statement 0: sagemaker:OutputKmsKey .* the Deny always fires$/)]);
  });

  test('says which snapshot of the Service Authorization Reference it checks against', () => {
    expect(IAM_DATA_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(IamPolicyMatchesServiceReference.explanation).toContain(`snapshot of ${IAM_DATA_DATE}`);
    expect(IamPolicyMatchesServiceReference.info).toContain(IAM_DATA_DATE);
  });
});
