import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { prefixListStatement, prefixObjectsStatement } from '../../core/s3-prefix-statements';
import { IMlPlatform } from '../../platform/ml-platform';

/**
 * Explicit (no wildcard action) statements for reading and writing key prefixes of the platform's
 * buckets, and for using the platform key through S3 only.
 *
 * Each statement has a `sid` so its prefix wildcard can be acknowledged by name.
 *
 * @internal
 */
export function platformDataStatements(platform: IMlPlatform, access: {
  readonly readPrefixes: { readonly datasets?: string; readonly artifacts?: string };
  readonly writeArtifactsPrefixes?: string[];
}): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  const reads: Array<[string, string]> = [];
  if (access.readPrefixes.datasets !== undefined) reads.push([platform.datasetsBucket.bucketArn, access.readPrefixes.datasets]);
  if (access.readPrefixes.artifacts !== undefined) reads.push([platform.artifactsBucket.bucketArn, access.readPrefixes.artifacts]);
  if (reads.length > 0) {
    statements.push(prefixObjectsStatement('ReadDataObjects', ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'], reads));
    for (const [i, [arn, prefix]] of reads.entries()) {
      statements.push(prefixListStatement(`ListDataPrefix${i}`, arn, [prefix]));
    }
  }
  const writes = access.writeArtifactsPrefixes ?? [];
  if (writes.length > 0) {
    statements.push(prefixObjectsStatement(
      'WriteArtifactObjects', ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      writes.map((prefix) => [platform.artifactsBucket.bucketArn, prefix] as const),
    ));
  }
  statements.push(new iam.PolicyStatement({
    sid: 'UsePlatformKeyThroughS3',
    actions: writes.length > 0 ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
    resources: [platform.key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
  }));
  return statements;
}
