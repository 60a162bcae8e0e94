import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Cross-region replication of the platform's buckets, for disaster recovery.
 *
 * The destination buckets and key live in a second region and are owned by the platform team (for
 * example in a DR stack); they must be versioned, and the destination key must let the replication
 * role encrypt with it.
 */
export interface PlatformReplication {
  /** The destination of the datasets bucket. */
  readonly datasetsDestination: s3.IBucket;

  /** The destination of the artifacts bucket. */
  readonly artifactsDestination: s3.IBucket;

  /**
   * The destination of the access-logs bucket.
   *
   * @default - access logs stay in-region only
   */
  readonly accessLogsDestination?: s3.IBucket;

  /** The KMS key in the destination region that encrypts the replicas. */
  readonly destinationEncryptionKey: kms.IKey;

  /**
   * Replicate delete markers, so a deletion in the source is mirrored. Off by default: a replica that
   * survives an accidental delete is the point of disaster recovery.
   *
   * @default false
   */
  readonly replicateDeletes?: boolean;
}
