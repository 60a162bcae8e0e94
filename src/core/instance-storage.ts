/**
 * SageMaker ML instance families with local NVMe instance storage. Their volumes are encrypted by
 * a hardware module on the instance, and SageMaker rejects a `VolumeKmsKeyId` for them
 * ("You can't request a VolumeKmsKeyId when using an instance type with local storage",
 * CreateTrainingJob ResourceConfig.VolumeKmsKeyId). IAM `StringLike` patterns.
 *
 * @internal
 */
export const LOCAL_STORAGE_INSTANCE_PATTERNS: string[] = [
  'ml.g4dn.*', 'ml.g5.*', 'ml.g6.*', 'ml.g6e.*', 'ml.gr6.*',
  'ml.p3dn.*', 'ml.p4d.*', 'ml.p4de.*', 'ml.p5.*', 'ml.p5e.*', 'ml.p5en.*',
  'ml.trn1.*', 'ml.trn1n.*', 'ml.trn2.*',
  'ml.m5d.*', 'ml.c5d.*', 'ml.r5d.*', 'ml.m6id.*', 'ml.c6id.*', 'ml.r6id.*',
];

/** True when `instanceType` is a literal type with local instance storage. @internal */
export function hasLocalStorage(instanceType: unknown): boolean {
  return typeof instanceType === 'string' && LOCAL_STORAGE_INSTANCE_PATTERNS.some((p) => instanceType.startsWith(p.slice(0, -1)));
}
