import { CloudAssemblyModel, FAKE_ACCOUNT, StackModel, UnresolvableTokenError } from './cfn-resolver';

// GIVEN a platform stack that exports and writes SSM parameters, and a team stack that reads them both ways
const platform: StackModel = {
  name: 'Platform',
  displayName: 'Platform',
  account: FAKE_ACCOUNT,
  region: 'us-east-1',
  template: {
    Resources: {
      Bucket1234ABCD: { Type: 'AWS::S3::Bucket' },
      BucketArnParam: { Type: 'AWS::SSM::Parameter', Properties: { Name: '/trainyard/Trainyard/datasets-bucket-arn', Type: 'String', Value: { 'Fn::GetAtt': ['Bucket1234ABCD', 'Arn'] } } },
      Key5678ABCD: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {} } },
    },
    Outputs: { KeyArn: { Value: { 'Fn::GetAtt': ['Key5678ABCD', 'Arn'] }, Export: { Name: 'Platform:KeyArn' } } },
  },
};
const team: StackModel = {
  name: 'Team',
  displayName: 'Team',
  account: FAKE_ACCOUNT,
  region: 'us-east-1',
  template: {
    Parameters: { BucketArn: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/trainyard/Trainyard/datasets-bucket-arn' } },
    Resources: { Custom: { Type: 'Custom::Thing' } },
  },
};
const model = CloudAssemblyModel.fromStacks([platform, team]);

describe('CloudAssemblyModel (the token resolver of the IAM simulations)', () => {
  test('resolves exports, SSM parameters (CFN parameter and dynamic reference), Join and Sub to real ARN shapes', () => {
    const bucketArn = model.resolve(team, { Ref: 'BucketArn' });
    expect(bucketArn).toMatch(/^arn:aws:s3:::platform-bucket-[0-9a-f]{12}$/);
    expect(model.resolve(team, '{{resolve:ssm:/trainyard/Trainyard/datasets-bucket-arn}}')).toBe(bucketArn);
    expect(model.resolve(team, { 'Fn::ImportValue': 'Platform:KeyArn' })).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(model.resolve(team, { 'Fn::Join': ['', [{ Ref: 'BucketArn' }, '/ml/*']] })).toBe(`${bucketArn}/ml/*`);
    expect(model.resolve(team, { 'Fn::Sub': 'arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:pipeline/p' })).toBe('arn:aws:sagemaker:us-east-1:123456789012:pipeline/p');
  });

  test('fails on anything it cannot resolve, naming it', () => {
    expect(() => model.resolve(team, { 'Fn::ImportValue': 'Platform:Nope' })).toThrow(UnresolvableTokenError);
    expect(() => model.resolve(team, '{{resolve:ssm:/not/written}}')).toThrow(/SSM parameter '\/not\/written': 0/);
    expect(() => model.resolve(team, { 'Fn::GetAtt': ['Custom', 'Arn'] })).toThrow(/Team\/Custom \(Custom::Thing\): no attribute Arn/);
    expect(() => model.resolve(team, { 'Fn::GetAtt': ['Missing', 'Arn'] })).toThrow(/no resource Missing/);
    expect(() => model.resolve(team, { 'Fn::Transform': {} })).toThrow(/intrinsic Fn::Transform/);
    expect(() => model.resolve(team, '{{resolve:secretsmanager:x}}')).toThrow(/dynamic reference/);
  });
});
