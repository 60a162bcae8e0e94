import { NagMessageLevel } from 'cdk-nag';
import { isPresent } from './private/cfn';
import { judgeJobs, MlOpsRule } from './private/rule';

/** Every training job states its maximum runtime. */
export const SageMakerTrainingMaxRuntimeSet: MlOpsRule = {
  name: 'SageMakerTrainingMaxRuntimeSet',
  level: NagMessageLevel.ERROR,
  info: 'A SageMaker training job (Training or Tuning step) has no StoppingCondition.MaxRuntimeInSeconds.',
  explanation:
    'A runaway or hung GPU job bills until it stops. An explicit MaxRuntimeInSeconds sized to the job caps the cost of a bug, and is what a ' +
    'reviewer reads to know how long the job is expected to run (SageMaker otherwise applies its own one-day default).',
  check: (node) => judgeJobs(node, (job) => job.kind === 'training', (job) => isPresent(job.maxRuntimeInSeconds)),
};
