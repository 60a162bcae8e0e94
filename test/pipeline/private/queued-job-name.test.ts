import { queuedJobNamePrefix, queuedJobNameStart, queuedJobTeamHash, teamOfQueuedJobName } from '../../../src/pipeline/private/queued-job-name';
import { resolveTrainingJobRequest, TrainingJobRequestError } from '../../../src/pipeline/private/queued-training-request';

describe('queued job names', () => {
  const teams = ['fraud', 'risk', 'a-team-name-of-thirty-two-chars-x'];

  test('a service job name and the training job Batch derives from it fit SageMaker\'s 63 characters, for any team', () => {
    for (const team of teams) {
      const jobName = `${queuedJobNamePrefix(team, 'Stack/Pipeline/QueuedTraining')}-Ab12Cd34Ef`;
      expect(jobName).toMatch(/^ty[0-9a-f]{10}-[A-Za-z0-9]{10}$/);
      expect(`AWSBatch${jobName}${'0'.repeat(32)}`).toHaveLength(63);
    }
  });

  test('the team is read back from a service job name or its training job name, and only for known teams', () => {
    const jobName = `${queuedJobNamePrefix('risk', 'p')}-Ab12Cd34Ef`;
    expect(teamOfQueuedJobName(jobName, teams)).toBe('risk');
    expect(teamOfQueuedJobName(`AWSBatch${jobName}${'f'.repeat(32)}`, teams)).toBe('risk');
    expect(teamOfQueuedJobName(`awsbatch${jobName}${'f'.repeat(32)}`, teams)).toBe('risk');
    expect(teamOfQueuedJobName(jobName, ['fraud'])).toBeUndefined();
    expect(teamOfQueuedJobName('pipelines-abc-train-123', teams)).toBeUndefined();
    expect(teamOfQueuedJobName(undefined, teams)).toBeUndefined();
  });

  test('two pipelines of a team share the team part; two teams never do (here)', () => {
    expect(queuedJobNamePrefix('fraud', 'a').slice(0, 8)).toBe(queuedJobNameStart('fraud'));
    expect(queuedJobNamePrefix('fraud', 'a')).not.toBe(queuedJobNamePrefix('fraud', 'b'));
    expect(new Set(teams.map(queuedJobTeamHash)).size).toBe(teams.length);
  });
});

describe('rebuilding the request of a queued training step', () => {
  test('markers become the string values of their arguments, inside lists too', () => {
    const request = resolveTrainingJobRequest({
      TrainingJobRequest: JSON.stringify({
        HyperParameters: { epochs: { 'Trainyard::Value': 'RunTimeValue0' }, spot: { 'Trainyard::Value': 'RunTimeValue1' } },
        InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3Uri: { 'Trainyard::Value': 'RunTimeValue2' } } } }],
        ResourceConfig: { InstanceCount: 2 },
      }),
      RunTimeValue0: 10,
      RunTimeValue1: false,
      RunTimeValue2: 's3://b/k "quoted"',
    });
    expect(request).toEqual({
      HyperParameters: { epochs: '10', spot: 'false' },
      InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3Uri: 's3://b/k "quoted"' } } }],
      ResourceConfig: { InstanceCount: 2 },
    });
  });

  test('a request rendered as an object (before run-time values were split out) is taken as it is', () => {
    expect(resolveTrainingJobRequest({ TrainingJobRequest: { RoleArn: 'r' } })).toEqual({ RoleArn: 'r' });
  });

  test.each([
    [{}, /is not a CreateTrainingJob request object \(got nothing\)/],
    [{ TrainingJobRequest: '[1, 2]' }, /is not a CreateTrainingJob request object/],
    [{ TrainingJobRequest: 'not json' }, /is not valid JSON/],
  ])('%j is refused with a TrainingJobRequestError', (args, message) => {
    expect(() => resolveTrainingJobRequest(args as any)).toThrow(TrainingJobRequestError);
    expect(() => resolveTrainingJobRequest(args as any)).toThrow(message);
  });
});
