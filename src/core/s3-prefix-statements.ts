import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The one builder of `s3:ListBucket` under key prefixes: `bucketArn` may be listed only below one of
 * `prefixes`, through `StringLike` on `s3:prefix` with `<prefix>*`.
 *
 * `<prefix>*` alone is right, and enough: in `StringLike`, `*` matches any run of characters, none
 * included, so `fraud/*` admits a listing of `fraud/` itself as well as of `fraud/raw/` (the tenant
 * isolation and workflow simulations check both), while `fraud` without the slash, another team's
 * `fraud-ops/`, or a listing without a prefix (`s3:prefix` absent) are refused. `s3:prefix` is the
 * condition key the Service Authorization Reference lists for `ListBucket`.
 *
 * An empty prefix stands for the whole bucket: the statement then has no condition.
 *
 * @internal
 */
export function prefixListStatement(sid: string, bucketArn: string, prefixes: string[]): iam.PolicyStatement {
  const wholeBucket = prefixes.length === 0 || prefixes.some((prefix) => prefix === '');
  return new iam.PolicyStatement({
    sid,
    actions: ['s3:ListBucket'],
    resources: [bucketArn],
    conditions: wholeBucket ? undefined : prefixListCondition(prefixes),
  });
}

/**
 * The condition of `prefixListStatement`, for a grant that builds its own statement.
 *
 * @internal
 */
export function prefixListCondition(prefixes: string[]): Record<string, Record<string, unknown>> {
  return { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } };
}

/**
 * The one builder of object permissions under key prefixes: `actions` on `<bucket ARN>/<prefix>*`
 * for each `[bucketArn, prefix]`.
 *
 * @internal
 */
export function prefixObjectsStatement(
  sid: string, actions: string[], objects: ReadonlyArray<readonly [bucketArn: string, prefix: string]>,
): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions, resources: objects.map(([arn, prefix]) => `${arn}/${prefix}*`) });
}
