import { Lazy } from 'aws-cdk-lib';
import { TrainyardValidationError } from '../../src/core/errors';
import { RunTags } from '../../src/registry/run-tags';

const good = { gitSha: 'a1b2c3d', datasetVersion: '2024-05-01', configHash: '9f8e7d6c', teamName: 'fraud' };

describe('RunTags', () => {
  test('the tag keys are fixed strings (a contract with pipelines and the CLI)', () => {
    expect(RunTags.GIT_SHA).toBe('trainyard:git-sha');
    expect(RunTags.DATASET_VERSION).toBe('trainyard:dataset-version');
    expect(RunTags.CONFIG_HASH).toBe('trainyard:config-hash');
    expect(RunTags.TEAM).toBe('trainyard:team');
    expect(RunTags.REQUIRED_KEYS).toEqual(['trainyard:git-sha', 'trainyard:dataset-version', 'trainyard:config-hash', 'trainyard:team']);
  });

  test('of() returns the four tags in a fixed order', () => {
    expect(RunTags.of(good)).toEqual([
      { key: 'trainyard:git-sha', value: 'a1b2c3d' },
      { key: 'trainyard:dataset-version', value: '2024-05-01' },
      { key: 'trainyard:config-hash', value: '9f8e7d6c' },
      { key: 'trainyard:team', value: 'fraud' },
    ]);
  });

  test('toRecord() returns the same tags as a map; missingKeys() finds what a run lacks', () => {
    const record = RunTags.toRecord(good);
    expect(record).toEqual({ 'trainyard:git-sha': 'a1b2c3d', 'trainyard:dataset-version': '2024-05-01', 'trainyard:config-hash': '9f8e7d6c', 'trainyard:team': 'fraud' });
    expect(RunTags.missingKeys(record)).toEqual([]);
    expect(RunTags.missingKeys({ 'trainyard:team': 'fraud', 'trainyard:git-sha': '' })).toEqual(['trainyard:git-sha', 'trainyard:dataset-version', 'trainyard:config-hash']);
  });

  test('tokens (pipeline parameters) pass through unchecked', () => {
    const token = Lazy.string({ produce: () => 'x' });
    expect(RunTags.of({ ...good, datasetVersion: token })[1].value).toBe(token);
  });

  test('accepts a full 40-character sha and S3 version ids', () => {
    expect(() => RunTags.of({ ...good, gitSha: 'a'.repeat(40), datasetVersion: 's3://bucket/fraud/v=3' })).not.toThrow();
  });

  test.each([
    [{ gitSha: 'abc' }, /RunTagValues\.gitSha: must be 7 to 40 lowercase hexadecimal characters .* got 'abc'/],
    [{ gitSha: 'A1B2C3D' }, /RunTagValues\.gitSha/],
    [{ gitSha: 'g1b2c3d' }, /RunTagValues\.gitSha/],
    [{ gitSha: 'a'.repeat(41) }, /RunTagValues\.gitSha/],
    [{ datasetVersion: '' }, /RunTagValues\.datasetVersion/],
    [{ datasetVersion: 'v1;rm' }, /RunTagValues\.datasetVersion/],
    [{ datasetVersion: 'x'.repeat(257) }, /RunTagValues\.datasetVersion/],
    [{ configHash: '' }, /RunTagValues\.configHash/],
    [{ configHash: 'a b' }, /RunTagValues\.configHash/],
    [{ teamName: 'Fraud' }, /RunTagValues\.teamName: must be lowercase letters, digits and hyphens/],
    [{ teamName: 'fraud-' }, /RunTagValues\.teamName/],
    [{ teamName: undefined }, /RunTagValues\.teamName/],
  ])('rejects %j', (override, message) => {
    const make = () => RunTags.of({ ...good, ...override } as any);
    expect(make).toThrow(TrainyardValidationError);
    expect(make).toThrow(message);
  });

  test('rejects a missing argument', () => {
    expect(() => RunTags.of(undefined as any)).toThrow(/RunTagValues: must give gitSha/);
  });
});
