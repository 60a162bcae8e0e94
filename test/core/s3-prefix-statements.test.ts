// Test-only use of the AGPL simulator (a devDependency), as test/helpers/iam-simulation.ts does.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as fc from 'fast-check';
import { ECR_PULL_ACTIONS, ecrPullStatements } from '../../src/core/ecr-pull';
import { prefixListCondition, prefixListStatement, prefixObjectsStatement } from '../../src/core/s3-prefix-statements';

const RUNS = Number(process.env.TRAINYARD_PROPERTY_RUNS ?? 60);
const SEED = Number(process.env.TRAINYARD_PROPERTY_SEED ?? 20261201);
const BUCKET = 'arn:aws:s3:::trainyard-datasets';
const stack = new Stack(new App(), 'S');
const json = (s: iam.PolicyStatement) => stack.resolve(s.toStatementJson());

/** Whether IAM (as simulated) lets a role with `statements` list `bucket` under `prefix` (undefined: no prefix parameter). */
async function mayList(statements: iam.PolicyStatement[], prefix: string | undefined): Promise<boolean> {
  const response = await runSimulation({
    request: {
      principal: 'arn:aws:iam::123456789012:role/team',
      action: 's3:ListBucket',
      resource: { resource: BUCKET, accountId: '123456789012' },
      contextVariables: {
        'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/team',
        'aws:PrincipalAccount': '123456789012',
        ...(prefix === undefined ? {} : { 's3:prefix': prefix }),
      },
    },
    identityPolicies: [{ name: 'p', policy: { Version: '2012-10-17', Statement: statements.map(json) } }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }, {});
  if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors));
  return response.overallResult === 'Allowed';
}

describe('prefixListStatement: s3:ListBucket under key prefixes', () => {
  test('renders StringLike s3:prefix <prefix>* only; an empty prefix is the whole bucket', () => {
    expect(json(prefixListStatement('List', BUCKET, ['fraud/']))).toEqual({
      Sid: 'List', Effect: 'Allow', Action: 's3:ListBucket', Resource: BUCKET, Condition: { StringLike: { 's3:prefix': ['fraud/*'] } },
    });
    expect(json(prefixListStatement('List', BUCKET, ['fraud/artifacts/', 'fraud/checkpoints/'])).Condition)
      .toEqual({ StringLike: { 's3:prefix': ['fraud/artifacts/*', 'fraud/checkpoints/*'] } });
    expect(json(prefixListStatement('List', BUCKET, ['']))).not.toHaveProperty('Condition');
    expect(prefixListCondition(['a/'])).toEqual({ StringLike: { 's3:prefix': ['a/*'] } });
  });

  test('simulated: the team lists its prefix itself and anything below it, nothing else', async () => {
    const team = [prefixListStatement('List', BUCKET, ['fraud/'])];
    // '*' matches no character too: the prefix itself needs no second, literal entry.
    expect(await mayList(team, 'fraud/')).toBe(true);
    expect(await mayList(team, 'fraud/raw/2026/')).toBe(true);
    expect(await mayList(team, 'fraud')).toBe(false);
    expect(await mayList(team, 'fraud-ops/')).toBe(false);
    expect(await mayList(team, 'search/')).toBe(false);
    expect(await mayList(team, '')).toBe(false);
    expect(await mayList(team, undefined)).toBe(false);
  });

  test('simulated, for any team prefix: its own listings are allowed, another team\'s are not', async () => {
    const segment = fc.stringMatching(/^[a-z][a-z0-9-]{1,12}$/);
    await fc.assert(fc.asyncProperty(segment, segment, fc.array(segment, { maxLength: 2 }), async (team, other, below) => {
      fc.pre(!other.startsWith(team) && !team.startsWith(other));
      const statements = [prefixListStatement('List', BUCKET, [`${team}/`])];
      expect(await mayList(statements, `${team}/${below.map((b) => `${b}/`).join('')}`)).toBe(true);
      expect(await mayList(statements, `${other}/`)).toBe(false);
    }), { numRuns: RUNS, seed: SEED });
  });
});

describe('prefixObjectsStatement and ecrPullStatements', () => {
  test('object actions on <bucket>/<prefix>* of each bucket', () => {
    expect(json(prefixObjectsStatement('Read', ['s3:GetObject'], [[BUCKET, 'fraud/'], ['arn:aws:s3:::b2', '']]))).toEqual({
      Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: [`${BUCKET}/fraud/*`, 'arn:aws:s3:::b2/*'],
    });
  });

  test('the three pull actions on the repositories, and the token on * (it has no resource-level permission)', () => {
    const [pull, token] = ecrPullStatements(['arn:aws:ecr:us-east-1:123456789012:repository/fraud'], { pull: 'Pull', token: 'Token' }).map(json);
    expect(pull).toEqual({ Sid: 'Pull', Effect: 'Allow', Action: ECR_PULL_ACTIONS, Resource: 'arn:aws:ecr:us-east-1:123456789012:repository/fraud' });
    expect([...ECR_PULL_ACTIONS].sort()).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
    expect(token).toEqual({ Sid: 'Token', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' });
  });
});
