import { App, Aws, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { rules } from 'cdk-nag';
import * as fc from 'fast-check';
import { Acknowledgements } from '../../src/core/acknowledgements';
import { TrainyardValidationError } from '../../src/core/errors';
import { findingResourceName, reportedWildcardFindings } from '../../src/core/private/nag-findings';
import { acknowledgeWildcards } from '../../src/core/private/wildcard-acknowledgement';
import { CompliancePack } from '../../src/governance/trainyard-compliance';
import { synthWithCompliance } from '../helpers/synth';

const RUNS = Number(process.env.TRAINYARD_PROPERTY_RUNS ?? 100);
const SEED = Number(process.env.TRAINYARD_PROPERTY_SEED ?? 20261201);

/** CloudFormation values as they appear in a resolved policy: strings and nested intrinsics. */
const cfnValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 12 }),
    fc.constantFrom('arn:${AWS::Partition}:s3:::b/*', '*', '/team/*', '${Bucket.Arn}/x'),
    fc.record({ Ref: fc.constantFrom('AWS::Partition', 'AWS::AccountId', 'Bucket83908E77') }),
    fc.record({ 'Fn::GetAtt': fc.tuple(fc.constantFrom('Bucket83908E77', 'Role1ABCC5F0'), fc.constantFrom('Arn', 'Name')) }),
    fc.record({ 'Fn::ImportValue': fc.constantFrom('Platform:ExportsOutputFnGetAttBucketArn', 'x') }),
    fc.record({ 'Fn::Sub': fc.constantFrom('arn:${AWS::Partition}:logs:${AWS::Region}:*', '${Bucket.Arn}/*') }),
    fc.record({ 'Fn::Join': fc.tuple(fc.constantFrom('', ':', '/'), fc.array(tie('value'), { maxLength: 4 })) }),
  ),
})).value;

describe('findingResourceName: Trainyard\'s own finding-id code', () => {
  test('names known shapes as cdk-nag does', () => {
    expect(findingResourceName('arn:${AWS::Partition}:s3:::b/*')).toBe('arn:<AWS::Partition>:s3:::b/*');
    expect(findingResourceName({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket83908E77', 'Arn'] }, '/fraud/*']] })).toBe('<Bucket83908E77.Arn>/fraud/*');
    expect(findingResourceName({ 'Fn::Join': ['', [{ 'Fn::ImportValue': 'Platform:ExportsOutputBucketArn' }, '/fraud/*']] })).toBe('Platform:ExportsOutputBucketArn/fraud/*');
    expect(findingResourceName({ 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'ec2']] })).toBe('arn:<AWS::Partition>:ec2');
    expect(findingResourceName({ Unknown: 1 })).toBe('{"Unknown":1}');
  });

  test('agrees with the finding cdk-nag\'s public rule reports, for any resource shape', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    let n = 0;
    fc.assert(fc.property(cfnValue, (value) => {
      // cdk-nag reports only resources whose name contains '*': append one where needed.
      const resource = findingResourceName(value).includes('*') ? value : { 'Fn::Join': ['', [value, '/*']] };
      const policy = new iam.CfnManagedPolicy(stack, `P${n++}`, {
        policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resource }] },
      });
      expect(reportedWildcardFindings(policy)).toEqual(new Set([`AwsSolutions-IAM5[Resource::${findingResourceName(resource)}]`]));
      // And reportedWildcardFindings is cdk-nag's own answer, not ours again.
      expect(rules.iam.IAMNoWildcardPermissions(policy)).toEqual([`Resource::${findingResourceName(resource)}`]);
    }), { numRuns: RUNS, seed: SEED });
  });
});

describe('acknowledgeWildcards: the one wildcard-acknowledgement mechanism', () => {
  /** A policy in a team stack on an imported bucket ARN, an SSM parameter and a literal ARN pattern. */
  function build(app: App, acknowledgeAll: boolean): void {
    const team = new Stack(app, 'Team');
    const bucket = s3.Bucket.fromBucketArn(team, 'Bucket', Fn.importValue('Platform:BucketArn'));
    const logsArn = ssm.StringParameter.valueForStringParameter(team, '/trainyard/logs-arn');
    const policy = new iam.ManagedPolicy(team, 'Policy', {
      statements: [
        new iam.PolicyStatement({ sid: 'ReadObjects', actions: ['s3:GetObject'], resources: [bucket.arnForObjects('fraud/*'), bucket.arnForObjects('shared/*')] }),
        new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: [`${logsArn}:log-stream:*`] }),
        new iam.PolicyStatement({ actions: ['sagemaker:DescribeTrainingJob'], resources: [`arn:${Aws.PARTITION}:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:training-job/pipelines-*`] }),
        new iam.PolicyStatement({ sid: 'Other', actions: ['s3:PutObject'], resources: [bucket.arnForObjects('other/*')] }),
      ],
    });
    acknowledgeWildcards(policy, [
      { statementSid: 'ReadObjects', reason: 'Objects of the team prefix are created at run time.' },
      { resource: `${logsArn}:log-stream:*`, reason: 'Log streams are created per job at run time.' },
      { resourceSuffix: ':training-job/pipelines-*', reason: 'Pipelines name their jobs at run time.' },
      ...(acknowledgeAll ? [{ statementSid: 'Other', reason: 'Objects of the other prefix are created at run time.' }] : []),
    ]);
  }
  const packs = { compliance: { packs: [CompliancePack.AWS_SOLUTIONS] } };

  test('acknowledges every selected wildcard resource under the id cdk-nag reports', () => {
    // GIVEN every wildcard selected, WHEN synthesized with the AwsSolutions pack
    const { report } = synthWithCompliance((app) => build(app, true), packs);
    // THEN nothing is open, and five exact IAM5 findings (two in one statement) are acknowledged
    expect(report.findings.map((f) => f.rule)).toEqual([]);
    const acknowledged = [...new Set(report.acknowledged.filter((f) => f.rule.startsWith('AwsSolutions-IAM5')).map((f) => f.rule))].sort();
    expect(acknowledged).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<SsmParameterValuetrainyardlogsarn[0-9A-F]+Parameter>:log-stream:\*\]$/),
      'AwsSolutions-IAM5[Resource::Platform:BucketArn/fraud/*]',
      'AwsSolutions-IAM5[Resource::Platform:BucketArn/other/*]',
      'AwsSolutions-IAM5[Resource::Platform:BucketArn/shared/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/pipelines-*]',
    ]);
  });

  test('a wildcard resource nobody selected still fails, and only it', () => {
    const error = (() => {
      try {
        synthWithCompliance((app) => build(app, false), packs);
      } catch (e) {
        return String(e);
      }
      return 'no error';
    })();
    expect(error).toMatch(/AwsSolutions-IAM5\[Resource::Platform:BucketArn\/other\/\*\]/);
    expect(error.match(/AwsSolutions-IAM5\[/g)).toHaveLength(1);
  });

  test('a missing statement fails validation, naming it', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const policy = new iam.ManagedPolicy(stack, 'Policy', { statements: [new iam.PolicyStatement({ sid: 'A', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] })] });
    Acknowledgements.acknowledgeWildcardResources(policy, [{ statementSid: 'Missing', reason: 'A reason long enough.' }]);
    expect(() => app.synth()).toThrow(/S\/Policy\/Resource has no statement with sid Missing to acknowledge/);
  });

  test('refuses a short reason, a selection of none or two, and what is not a policy, at once', () => {
    const stack = new Stack(new App(), 'S');
    const policy = new iam.ManagedPolicy(stack, 'Policy', { statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });
    expect(() => acknowledgeWildcards(policy, [{ statementSid: 'A', reason: 'short' }])).toThrow(/WildcardResourceAcknowledgement\.reason: acknowledging statement A of S\/Policy\/Resource needs a reason of at least 10/);
    expect(() => acknowledgeWildcards(policy, [{ reason: 'A reason long enough.' }])).toThrow(TrainyardValidationError);
    expect(() => acknowledgeWildcards(policy, [{ statementSid: 'A', resource: '*', reason: 'A reason long enough.' }])).toThrow(/exactly one/);
    expect(() => acknowledgeWildcards(new s3.Bucket(stack, 'B'), [{ statementSid: 'A', reason: 'A reason long enough.' }])).toThrow(/S\/B is not an IAM policy/);
    expect(() => Acknowledgements.acknowledgeWildcardResources(policy, [{ statementSid: '', reason: 'A reason long enough.' }])).toThrow(/WildcardResourceAcknowledgement\.statementSid: must name a statement/);
  });
});
