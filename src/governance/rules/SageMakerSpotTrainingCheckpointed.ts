import { NagMessageLevel } from 'cdk-nag';
import { isPresent, isTrue } from './private/cfn';
import { judgeJobs, MlOpsRule } from './private/rule';

/** Managed spot training writes checkpoints. */
export const SageMakerSpotTrainingCheckpointed: MlOpsRule = {
  name: 'SageMakerSpotTrainingCheckpointed',
  level: NagMessageLevel.ERROR,
  info: 'A SageMaker training job uses managed spot (EnableManagedSpotTraining) without CheckpointConfig.S3Uri.',
  explanation:
    'Spot capacity can be reclaimed at any time. Without checkpoints an interrupted job restarts from the first step and the GPU hours already ' +
    'spent are wasted; with a CheckpointConfig SageMaker resumes from the last checkpoint.',
  check: (node) => judgeJobs(node, (job) => job.kind === 'training' && isTrue(job.managedSpot), (job) => isPresent(job.checkpointS3Uri)),
};
