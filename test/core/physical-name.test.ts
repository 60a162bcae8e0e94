import { createHash } from 'node:crypto';
import { Lazy } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { boundedName } from '../../src/core/physical-name';

const RUNS = Number(process.env.TRAINYARD_PROPERTY_RUNS ?? 200);
const SEED = Number(process.env.TRAINYARD_PROPERTY_SEED ?? 20261128);
const params = { numRuns: RUNS, seed: SEED };

/** SageMaker's name pattern (domains, model package groups, pipelines, job definitions). */
const SAGEMAKER = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
/** S3 bucket names: lowercase letters, digits, dots and hyphens, a letter or digit at both ends, no `..`, `.-` or `-.`. */
const S3_BUCKET = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9-])|\.(?=[a-z0-9]))*$/;
/** ECR repository names. */
const ECR = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''));
const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
/** A name following the SageMaker pattern: runs of letters and digits joined by one or more hyphens. */
const sagemakerWord = fc.tuple(fc.string({ unit: alnum, minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 3 }));
const sagemakerName = fc.array(sagemakerWord, { minLength: 1, maxLength: 12 })
  .map((parts) => parts.map(([word, hyphens], i) => (i === 0 ? '' : '-'.repeat(hyphens)) + word).join(''));
/** A name following the S3 bucket rule (lowercase words joined by `-` or `.`). */
const bucketName = fc.array(fc.tuple(fc.string({ unit: lower, minLength: 1, maxLength: 20 }), fc.constantFrom('-', '.', '--')), { minLength: 1, maxLength: 10 })
  .map((parts) => parts.map(([word, sep], i) => (i === 0 ? '' : sep) + word).join(''));
/** A name following the ECR rule (namespaces with `/`, words joined by one of `._-`). */
const ecrName = fc.array(fc.tuple(fc.string({ unit: lower, minLength: 1, maxLength: 20 }), fc.constantFrom('-', '.', '_', '/')), { minLength: 1, maxLength: 10 })
  .map((parts) => parts.map(([word, sep], i) => (i === 0 ? '' : sep) + word).join(''));
const maxLength = fc.integer({ min: 9, max: 256 });

function sha8(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8);
}

describe('boundedName', () => {
  test('returns a name that fits unchanged', () => {
    expect(boundedName('fraud-models', { maxLength: 63 })).toBe('fraud-models');
    expect(boundedName('a'.repeat(63), { maxLength: 63 })).toBe('a'.repeat(63));
  });

  test('shortens a long name to the limit, ending with the first 8 hex characters of the SHA-256 of the whole name', () => {
    const full = 'a'.repeat(70);
    const name = boundedName(full, { maxLength: 63 });
    expect(name).toBe(`${'a'.repeat(54)}-${sha8(full)}`);
    expect(name).toHaveLength(63);
  });

  test('trims hyphens (and other separators) before the hash: no "--" or "-." at the cut', () => {
    // The cut falls right after a hyphen: the kept part would end in '-'.
    const full = `${'a'.repeat(53)}-${'b'.repeat(20)}`;
    expect(boundedName(full, { maxLength: 63 })).toBe(`${'a'.repeat(53)}-${sha8(full)}`);
    const dotted = `${'a'.repeat(53)}.-.${'b'.repeat(20)}`;
    expect(boundedName(dotted, { maxLength: 63 })).toBe(`${'a'.repeat(53)}-${sha8(dotted)}`);
  });

  test('two long names that share their first 63 characters stay distinct', () => {
    const prefix = `team-${'x'.repeat(60)}`;
    const a = boundedName(`${prefix}-training`, { maxLength: 63 });
    const b = boundedName(`${prefix}-evaluation`, { maxLength: 63 });
    expect(a).not.toBe(b);
    expect(a.slice(0, 54)).toBe(b.slice(0, 54));
  });

  test('returns a token unchanged (its length is known only at deploy time)', () => {
    const token = `team-${Lazy.string({ produce: () => 'x'.repeat(100) })}`;
    expect(boundedName(token, { maxLength: 20 })).toBe(token);
  });

  test('refuses a limit too small for the hash', () => {
    expect(() => boundedName('abcdefghijkl', { maxLength: 8 })).toThrow(/maxLength must be a whole number of at least 9/);
  });

  describe('properties', () => {
    test('the result is always within maxLength', () => {
      fc.assert(fc.property(fc.string({ maxLength: 400 }), maxLength, (full, max) => {
        expect(boundedName(full, { maxLength: max }).length).toBeLessThanOrEqual(max);
      }), params);
    });

    test('the result of a SageMaker name still matches the SageMaker pattern', () => {
      fc.assert(fc.property(sagemakerName, maxLength, (full, max) => {
        expect(full).toMatch(SAGEMAKER);
        expect(boundedName(full, { maxLength: max })).toMatch(SAGEMAKER);
      }), params);
    });

    test('the result of an S3 bucket name still matches the bucket rule (lowercase)', () => {
      fc.assert(fc.property(bucketName.filter((n) => S3_BUCKET.test(n)), fc.integer({ min: 9, max: 63 }), (full, max) => {
        expect(boundedName(full, { maxLength: max })).toMatch(S3_BUCKET);
      }), params);
    });

    test('the result of an ECR repository name still matches the ECR rule', () => {
      fc.assert(fc.property(ecrName, maxLength, (full, max) => {
        expect(full).toMatch(ECR);
        expect(boundedName(full, { maxLength: max })).toMatch(ECR);
      }), params);
    });

    test('is the identity when the name already fits', () => {
      fc.assert(fc.property(fc.string({ maxLength: 256 }), maxLength, (full, max) => {
        fc.pre(full.length <= max);
        expect(boundedName(full, { maxLength: max })).toBe(full);
      }), params);
    });

    test('is deterministic', () => {
      fc.assert(fc.property(fc.string({ maxLength: 400 }), maxLength, (full, max) => {
        expect(boundedName(full, { maxLength: max })).toBe(boundedName(`${full}`, { maxLength: max }));
      }), params);
    });

    test('distinct names that are shortened give distinct results, even with a common start', () => {
      fc.assert(fc.property(sagemakerName, sagemakerName, sagemakerName, fc.integer({ min: 9, max: 63 }), (prefix, a, b, max) => {
        const x = `${prefix}-${a}`;
        const y = `${prefix}-${b}`;
        fc.pre(x !== y && x.length > max && y.length > max);
        expect(boundedName(x, { maxLength: max })).not.toBe(boundedName(y, { maxLength: max }));
      }), params);
    });
  });
});
