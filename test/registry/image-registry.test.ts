import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { compliantKey } from './fixtures';
import { TrainyardValidationError } from '../../src/core/errors';
import { ImageRegistry } from '../../src/registry/image-registry';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

const root = (account: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] });

describe('ImageRegistry with a key and cross-account pull', () => {
  // GIVEN a registry encrypted with a customer-managed key, shared with one account for pulls
  let stack!: Stack;
  let registry!: ImageRegistry;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Team');
    const key = compliantKey(stack);
    registry = new ImageRegistry(stack, 'Images', {
      repositoryName: 'fraud/trainer',
      encryptionKey: key,
      maxTaggedImages: 30,
      crossAccountPullAccounts: ['111111111111'],
    });
  });
  const template = result.template(stack);
  const repository = () => Object.values<any>(template.findResources('AWS::ECR::Repository'))[0];

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('scans on push, has immutable tags and is encrypted with the given key', () => {
    const p = repository().Properties;
    expect(p.RepositoryName).toBe('fraud/trainer');
    expect(p.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
    expect(p.ImageTagMutability).toBe('IMMUTABLE');
    expect(p.EncryptionConfiguration).toEqual({ EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] } });
  });

  test('expires untagged images after 14 days and keeps the newest N tagged images', () => {
    const lifecycle = JSON.parse(repository().Properties.LifecyclePolicy.LifecyclePolicyText);
    expect(lifecycle.rules).toEqual([
      {
        rulePriority: 1,
        description: 'Expire untagged images after 14 days',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 14, countUnit: 'days' },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: 'Keep the newest 30 tagged images',
        selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 30 },
        action: { type: 'expire' },
      },
    ]);
  });

  test('the repository policy lets exactly the listed account pull, and nothing else', () => {
    expect(repository().Properties.RepositoryPolicyText).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'CrossAccountPull',
        Effect: 'Allow',
        Principal: { AWS: root('111111111111') },
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      }],
    });
  });

  test('is retained on delete and replace', () => {
    expect(repository().DeletionPolicy).toBe('Retain');
    expect(repository().UpdateReplacePolicy).toBe('Retain');
  });

  test('exposes the repository and its name, ARN and URI', () => {
    expect(registry.repositoryName).toBeDefined();
    expect(stack.resolve(registry.repositoryArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ImagesRepository/), 'Arn'] });
    expect(JSON.stringify(stack.resolve(registry.repositoryUri))).toMatch(/dkr\.ecr/);
    expect(registry.crossAccountPullAccounts).toEqual(['111111111111']);
  });
});

describe('ImageRegistry defaults and grants', () => {
  test('without props: AWS-managed KMS encryption, 100 tagged images kept, no repository policy, retained', () => {
    const stack = new Stack(newApp(), 'S');
    new ImageRegistry(stack, 'Images');
    const r = Object.values<any>(Template.fromStack(stack).findResources('AWS::ECR::Repository'))[0];
    expect(r.Properties.EncryptionConfiguration).toEqual({ EncryptionType: 'KMS' });
    expect(r.Properties.RepositoryPolicyText).toBeUndefined();
    expect(r.Properties.RepositoryName).toBeUndefined();
    expect(JSON.parse(r.Properties.LifecyclePolicy.LifecyclePolicyText).rules[1].selection.countNumber).toBe(100);
    expect(r.DeletionPolicy).toBe('Retain');
  });

  test('untaggedImageExpiration and removalPolicy are honoured', () => {
    const stack = new Stack(newApp(), 'S');
    new ImageRegistry(stack, 'Images', { untaggedImageExpiration: Duration.days(3), removalPolicy: RemovalPolicy.DESTROY });
    const r = Object.values<any>(Template.fromStack(stack).findResources('AWS::ECR::Repository'))[0];
    expect(JSON.parse(r.Properties.LifecyclePolicy.LifecyclePolicyText).rules[0].selection.countNumber).toBe(3);
    expect(r.DeletionPolicy).toBe('Delete');
  });

  test('grantPull allows the pull actions on this repository and decrypt; grantPush adds push and encrypt', () => {
    const stack = new Stack(newApp(), 'S');
    const key = compliantKey(stack);
    const registry = new ImageRegistry(stack, 'Images', { encryptionKey: key });
    const puller = new iam.Role(stack, 'Puller', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const pusher = new iam.Role(stack, 'Pusher', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    registry.grantPull(puller);
    registry.grantPush(pusher);
    const policies = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    const of = (role: string) => JSON.stringify(policies.find((p) => p.Properties.Roles[0].Ref.startsWith(role)).Properties.PolicyDocument);
    expect(of('Puller')).toMatch(/ecr:BatchGetImage/);
    expect(of('Puller')).toMatch(/kms:Decrypt/);
    expect(of('Puller')).not.toMatch(/ecr:PutImage|kms:Encrypt/);
    expect(of('Pusher')).toMatch(/ecr:PutImage/);
    expect(of('Pusher')).toMatch(/kms:Encrypt/);
  });

  test('fromRepositoryName imports a repository with working grants', () => {
    const stack = new Stack(newApp(), 'S');
    const imported = ImageRegistry.fromRepositoryName(stack, 'Imported', 'shared/base');
    expect(imported.repositoryName).toBe('shared/base');
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    expect(imported.grantPull(role).success).toBe(true);
    expect(() => ImageRegistry.fromRepositoryName(stack, 'Bad', 'Shared')).toThrow(/ImageRegistry\.fromRepositoryName/);
  });

  test('fromImageRegistryAttributes imports the same repository, with the same checks', () => {
    const stack = new Stack(newApp(), 'S');
    expect(ImageRegistry.fromImageRegistryAttributes(stack, 'Imported', { repositoryName: 'shared/base' }).repositoryName).toBe('shared/base');
    expect(() => ImageRegistry.fromImageRegistryAttributes(stack, 'Bad', { repositoryName: 'Shared' })).toThrow(/ImageRegistry\.fromRepositoryName/);
    expect(() => ImageRegistry.fromImageRegistryAttributes(stack, 'None', undefined as any)).toThrow(/ImageRegistryAttributes: needs/);
  });
});

describe('ImageRegistry rejects bad input at synth, naming the prop', () => {
  const make = (props: any) => () => new ImageRegistry(new Stack(newApp(), 'S'), 'Images', props);

  test.each([
    [{ repositoryName: 'a' }, /ImageRegistry\.repositoryName: must be 2 to 256 characters .* got 1/],
    [{ repositoryName: 'a'.repeat(257) }, /ImageRegistry\.repositoryName: must be 2 to 256 characters/],
    [{ repositoryName: 'Fraud/Trainer' }, /ImageRegistry\.repositoryName: "Fraud\/Trainer" is not allowed: lowercase letters/],
    [{ repositoryName: 'fraud//trainer' }, /ImageRegistry\.repositoryName/],
    [{ repositoryName: 'fraud--trainer' }, /ImageRegistry\.repositoryName/],
    [{ repositoryName: '-trainer' }, /ImageRegistry\.repositoryName/],
    [{ repositoryName: 'trainer/' }, /ImageRegistry\.repositoryName/],
    [{ repositoryName: 'fraud trainer' }, /ImageRegistry\.repositoryName/],
    [{ crossAccountPullAccounts: ['12345'] }, /ImageRegistry\.crossAccountPullAccounts: each entry must be a 12-digit AWS account id, got '12345'/],
    [{ crossAccountPullAccounts: ['*'] }, /ImageRegistry\.crossAccountPullAccounts/],
    [{ maxTaggedImages: 0 }, /ImageRegistry\.maxTaggedImages: must be from 1 to 10000, got 0/],
    [{ maxTaggedImages: 2.5 }, /ImageRegistry\.maxTaggedImages: must be a whole number/],
    [{ untaggedImageExpiration: Duration.hours(5) }, /ImageRegistry\.untaggedImageExpiration \(days\): must be a whole number/],
    [{ untaggedImageExpiration: 14 }, /ImageRegistry\.untaggedImageExpiration: must be a Duration/],
  ])('%j', (props, message) => {
    expect(make(props)).toThrow(TrainyardValidationError);
    expect(make(props)).toThrow(message);
  });

  test('accepts namespaced names with single separators', () => {
    expect(make({ repositoryName: 'team-a/sub.ns/trainer_v2' })).not.toThrow();
    expect(make({ repositoryName: 'ab' })).not.toThrow();
  });
});
