import { Tags } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { checkRule, expectCompliant, expectNonCompliant } from './rule-harness';

const RULE = 'DataBucketVersioned';

function dataBucket(stack: any, versioned: boolean, dataClass = 'dataset'): s3.CfnBucket {
  const bucket = new s3.Bucket(stack, 'Data', { versioned });
  Tags.of(bucket).add('trainyard:data-class', dataClass);
  return bucket.node.defaultChild as s3.CfnBucket;
}

describe(`MlOps-${RULE}`, () => {
  test('compliant: versioned bucket tagged trainyard:data-class=dataset', () => {
    expectCompliant(checkRule(RULE, (stack) => dataBucket(stack, true)), RULE);
  });

  test('non-compliant: unversioned bucket tagged trainyard:data-class=artifact', () => {
    expectNonCompliant(checkRule(RULE, (stack) => dataBucket(stack, false, 'artifact')), RULE);
  });

  test('not applicable: an unversioned bucket without the data-class tag', () => {
    const verdict = checkRule(RULE, (stack) => new s3.Bucket(stack, 'Other').node.defaultChild as s3.CfnBucket);
    expect(verdict.compliance).toBe('N/A');
  });
});
