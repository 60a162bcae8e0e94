import { Stack } from 'aws-cdk-lib';
import { teamJobStatements } from '../../src/pipeline/private/team-jobs';
import { unsupportedConditionKeys } from '../helpers/sar';

describe('teamJobStatements: a pipeline role acts on its own team\'s jobs only', () => {
  const stack = new Stack();
  const statements = (['training', 'processing'] as const).flatMap((kind) =>
    teamJobStatements(kind, 'fraud', `arn:aws:sagemaker:us-east-1:123456789012:${kind}-job/pipelines-*`).map((s) => [kind, stack.resolve(s.toStatementJson())] as const));

  test('every statement is conditioned on the team tag (request tag to create and tag, resource tag to describe and stop)', () => {
    expect(statements.map(([, s]) => [s.Sid, s.Condition])).toEqual([
      ['CreateTrainingJobsOfTheTeam', { StringEquals: { 'aws:RequestTag/trainyard:team': 'fraud' } }],
      ['TagNewTrainingJobsWithTheTeam', { StringEquals: { 'aws:RequestTag/trainyard:team': 'fraud', 'sagemaker:TaggingAction': 'CreateTrainingJob' } }],
      ['WatchAndStopTrainingJobsOfTheTeam', { StringEquals: { 'aws:ResourceTag/trainyard:team': 'fraud' } }],
      ['CreateProcessingJobsOfTheTeam', { StringEquals: { 'aws:RequestTag/trainyard:team': 'fraud' } }],
      ['TagNewProcessingJobsWithTheTeam', { StringEquals: { 'aws:RequestTag/trainyard:team': 'fraud', 'sagemaker:TaggingAction': 'CreateProcessingJob' } }],
      ['WatchAndStopProcessingJobsOfTheTeam', { StringEquals: { 'aws:ResourceTag/trainyard:team': 'fraud' } }],
    ]);
  });

  test('the Service Authorization Reference gives every action of every statement the condition keys it is scoped by', async () => {
    for (const [kind, statement] of statements) {
      expect([statement.Sid, await unsupportedConditionKeys(statement, `${kind}-job`)]).toEqual([statement.Sid, []]);
    }
  });

  test('the SAR check itself fails on a key an action does not carry (a test that can fail)', async () => {
    // DescribeTrainingJob has no request-tag key: a RequestTag condition on it would never match.
    expect(await unsupportedConditionKeys({ Action: 'sagemaker:DescribeTrainingJob', Condition: { StringEquals: { 'aws:RequestTag/trainyard:team': 'x' } } }, 'training-job'))
      .toEqual(['sagemaker:DescribeTrainingJob: aws:RequestTag/trainyard:team']);
    expect(await unsupportedConditionKeys({ Action: 'sagemaker:StopTrainingJob', Condition: { StringEquals: { 'sagemaker:TaggingAction': 'x' } } }, 'training-job'))
      .toEqual(['sagemaker:StopTrainingJob: sagemaker:TaggingAction']);
  });
});
