/**
 * GPU and ML-accelerator instance families: NVIDIA GPU (p*, g*, gr*), AWS Trainium (trn*),
 * Inferentia (inf*) and Gaudi (dl*). Matches EC2 and AWS Batch names (`g5.xlarge`, `p4d`) and
 * SageMaker names (`ml.g5.xlarge`).
 */
const GPU_FAMILY = /^(ml\.)?(p\d+[a-z]*|g\d+[a-z]*|gr\d+[a-z]*|trn\d+[a-z]*|inf\d+[a-z]*|dl\d+[a-z]*)(\.|$)/;

/** True when `instanceType` is a literal GPU or ML-accelerator instance type or family. @internal */
export function isGpuInstanceType(instanceType: unknown): boolean {
  return typeof instanceType === 'string' && GPU_FAMILY.test(instanceType.trim().toLowerCase());
}
