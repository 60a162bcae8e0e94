import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Acknowledgements } from './acknowledgements';
import { AcknowledgementCatalogue } from './private/acknowledgement-catalogue';

/**
 * The properties every Trainyard bucket shares: versioned, TLS 1.2+ only, no public access,
 * BucketOwnerEnforced ownership (no ACLs), and Object Lock enabled without a default retention (a
 * dataset version or log can be put under legal hold; objects stay deletable and lifecycle rules
 * keep working). Encryption, logging and lifecycle stay with each bucket.
 *
 * @internal
 */
export function secureBucketProps(removalPolicy: RemovalPolicy): s3.BucketProps {
  return {
    versioned: true,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    objectLockEnabled: true,
    removalPolicy,
  };
}

/**
 * Sends the bucket's object events to EventBridge (new-data triggers, audit; CT.S3.PR.4). Set on
 * the L1: the L2's `eventBridgeEnabled` adds a custom-resource Lambda outside the VPC for the same thing.
 *
 * @internal
 */
export function enableEventBridgeNotifications(bucket: s3.Bucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
    eventBridgeConfiguration: { eventBridgeEnabled: true },
  };
}

/**
 * When `bucket` logs its access to a bucket of another stack, acknowledges the Control Tower
 * finding that cannot follow the cross-stack import (the logging is configured all the same).
 *
 * @internal
 */
export function acknowledgeCrossStackAccessLogs(bucket: s3.Bucket, accessLogsBucket: s3.IBucket): void {
  if (Stack.of(accessLogsBucket) !== Stack.of(bucket)) {
    Acknowledgements.acknowledge(bucket, AcknowledgementCatalogue.crossStackAccessLogsDestination());
  }
}
