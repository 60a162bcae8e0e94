import * as events from 'aws-cdk-lib/aws-events';
import { BATCH_TRAINING_JOB_PREFIXES, queuedJobNameStart } from '../../pipeline/private/queued-job-name';

/** The event rules of `FlowMetrics`, by construct id: what each sends to the collector. @internal */
export interface FlowEventRule {
  readonly description: string;
  readonly eventPattern: events.EventPattern;
}

/**
 * The events the collector measures, for `teams` only: finished training jobs tagged with a team (or
 * named with the team hash of a queued job), executions of pipelines named `<team>` or `<team>-...`
 * (under `pipelineArnPrefix`), service jobs of the teams' quota shares in a `TrainingCapacityPool`
 * (named after the team, or with the team hash in the job name) and the account's preempted attempts
 * of queued jobs, and versions of the model package groups `groupNames` and of groups named `<team>`
 * or `<team>-...`.
 *
 * @internal
 */
export function flowEventRules(teams: string[], pipelineArnPrefix: string, groupNames: string[]): Record<string, FlowEventRule> {
  const nameMatchers = (names: string[], prefix = '') => names.flatMap((t) => [`${prefix}${t}`, { prefix: `${prefix}${t}-` }]);
  return {
    TrainingJobRule: {
      description: 'Trainyard flow metrics: finished training jobs of the measured teams',
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Training Job State Change'],
        detail: {
          TrainingJobStatus: ['Completed', 'Failed', 'Stopped'],
          // The team tag; or, for the training jobs AWS Batch creates for queued steps (whether Batch copies
          // the service job's tags onto them is not documented), the team hash in their name.
          $or: [
            { Tags: { 'trainyard:team': teams } },
            { TrainingJobName: teams.flatMap((t) => BATCH_TRAINING_JOB_PREFIXES.map((p) => ({ prefix: `${p}${queuedJobNameStart(t)}` }))) },
          ],
        },
      },
    },
    PipelineExecutionRule: {
      description: 'Trainyard flow metrics: pipeline executions of the measured teams',
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Model Building Pipeline Execution Status Change'],
        detail: { pipelineArn: nameMatchers(teams, pipelineArnPrefix) as any[] },
      },
    },
    // Jobs queued in a TrainingCapacityPool: queue wait and preemptions. Trainyard names each team's
    // quota share after the team; the published example event does not show `quotaShareName`, so the
    // team hash in the names of the jobs QueuedTrainingSteps submit matches too.
    BatchServiceJobRule: {
      description: 'Trainyard flow metrics: queued SageMaker training jobs (AWS Batch service jobs) of the measured teams',
      eventPattern: {
        source: ['aws.batch'],
        detailType: ['Batch Service Job State Change'],
        detail: {
          status: ['RUNNING', 'SUCCEEDED', 'FAILED'],
          $or: [
            { quotaShareName: teams },
            { jobName: teams.map((t) => ({ prefix: queuedJobNameStart(t) })) },
          ],
        },
      },
    },
    // A preempted attempt's training job ends Stopped like a user's stop: this event says it was
    // preempted, so its scrap counts as `preempted` once (the job's later state changes say it too).
    // Its detail names neither the job nor the share, only the service job ARN and the attempts'
    // training job ARNs inside an array of objects, in a case not documented: the rule takes the
    // account's preemptions (rare), and the collector only records a cause for each.
    BatchServiceJobPreemptionRule: {
      description: 'Trainyard flow metrics: preempted attempts of queued SageMaker training jobs (AWS Batch service jobs)',
      eventPattern: {
        source: ['aws.batch'],
        detailType: ['Batch Service Job Preemption Completed'],
      },
    },
    ModelPackageRule: {
      description: 'Trainyard flow metrics: model package versions of the measured teams',
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Model Package State Change'],
        detail: { ModelPackageGroupName: [...groupNames, ...nameMatchers(teams)] as any[] },
      },
    },
  };
}
