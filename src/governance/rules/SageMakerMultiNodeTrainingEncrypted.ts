import { NagMessageLevel } from 'cdk-nag';
import { isTrue } from './private/cfn';
import { judgeJobs, MlOpsRule } from './private/rule';
import { mayBeMultiInstance } from './private/sagemaker-jobs';

/** Multi-instance training encrypts the traffic between its instances. */
export const SageMakerMultiNodeTrainingEncrypted: MlOpsRule = {
  name: 'SageMakerMultiNodeTrainingEncrypted',
  level: NagMessageLevel.ERROR,
  info: 'A SageMaker training job with more than one instance (or an instance count not known at synth) does not set EnableInterContainerTrafficEncryption to true.',
  explanation:
    'Distributed training exchanges gradients, parameters and often training data between instances. Inter-container traffic encryption ' +
    'protects it in transit inside the VPC; single-instance jobs have no such traffic and are not checked.',
  check: (node) => judgeJobs(node, (job) => job.kind === 'training' && mayBeMultiInstance(job.instanceCount), (job) => isTrue(job.interContainerEncryption)),
};
