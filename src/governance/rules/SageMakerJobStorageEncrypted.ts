import { NagMessageLevel } from 'cdk-nag';
import { isPresent } from './private/cfn';
import { judgeJobs, MlOpsRule } from './private/rule';
import { hasLocalStorage } from '../../core/instance-storage';

/** Training and processing volumes and outputs are encrypted with a KMS key. */
export const SageMakerJobStorageEncrypted: MlOpsRule = {
  name: 'SageMakerJobStorageEncrypted',
  level: NagMessageLevel.ERROR,
  info:
    'A SageMaker training or processing job has no output KMS key (OutputDataConfig.KmsKeyId / ProcessingOutputConfig.KmsKeyId), or no volume KMS key ' +
    '(ResourceConfig.VolumeKmsKeyId / ClusterConfig.VolumeKmsKeyId) on an instance type without local storage.',
  explanation:
    'A customer-managed key keeps model artifacts and the data on the ML storage volume under the platform\'s key policy, rotation and audit. ' +
    'Instance types with local NVMe storage (g5, p4d, p5, ...) encrypt it in hardware and SageMaker rejects a VolumeKmsKeyId for them, so only the output key is required there.',
  check: (node) =>
    judgeJobs(
      node,
      () => true,
      (job) => isPresent(job.outputKmsKeyId) && (isPresent(job.volumeKmsKeyId) || onlyLocalStorage(job.instanceTypes)),
    ),
};

/** True when every instance type of the job is known and has local NVMe storage (no volume key possible). */
function onlyLocalStorage(instanceTypes: unknown[]): boolean {
  return instanceTypes.length > 0 && instanceTypes.every(hasLocalStorage);
}
