import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { resolveResource } from './private/cfn';
import { MlOpsRule } from './private/rule';

/** A job queue of SageMaker training jobs ends jobs stuck RUNNABLE. */
export const BatchSageMakerQueueRunnableTimeLimit: MlOpsRule = {
  name: 'BatchSageMakerQueueRunnableTimeLimit',
  level: NagMessageLevel.ERROR,
  info: 'An AWS Batch job queue of type SAGEMAKER_TRAINING has no JobStateTimeLimitActions entry for the RUNNABLE state.',
  explanation:
    'A job that asks for an instance type the pool lacks, or more instances than it has, waits RUNNABLE forever, and every job behind it in ' +
    'its share waits too; a pipeline step waiting on it hangs silently. A RUNNABLE time limit (10 minutes to 24 hours) terminates the job ' +
    'so the failure is visible and the queue moves on (TrainingCapacityPool.maxRunnableWait).',
  check: (node) => {
    const resource = resolveResource(node);
    if (resource.type !== 'AWS::Batch::JobQueue' || resource.properties.JobQueueType !== 'SAGEMAKER_TRAINING') {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const actions = resource.properties.JobStateTimeLimitActions;
    return Array.isArray(actions) && actions.some((a: any) => a && a.State === 'RUNNABLE')
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
