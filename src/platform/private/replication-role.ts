import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AcknowledgementCatalogue } from '../../core/private/acknowledgement-catalogue';
import { acknowledgeWildcards } from '../../core/private/wildcard-acknowledgement';
import { PlatformReplication } from '../platform-replication';

/**
 * The role S3 assumes to replicate the platform's buckets, with a customer-managed policy scoped to
 * the source and destination buckets and keys (no inline policy).
 */
export class PlatformReplicationRole extends Construct {
  public readonly role: iam.Role;
  private readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, private readonly replication: PlatformReplication) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
      description: 'S3 cross-region replication of the Trainyard platform buckets',
    });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Replicate the Trainyard platform buckets to their disaster-recovery destinations',
      roles: [this.role],
    });
    this.policy.addStatements(new iam.PolicyStatement({
      sid: 'EncryptReplicas',
      actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [replication.destinationKey.keyArn],
    }));
  }

  /** The replication rules of a source bucket whose replica goes to `destination`. */
  public rulesFor(destination: s3.IBucket, sourceIsKmsEncrypted: boolean): s3.ReplicationRule[] {
    return [{
      destination,
      kmsKey: this.replication.destinationKey,
      sseKmsEncryptedObjects: sourceIsKmsEncrypted,
      deleteMarkerReplication: this.replication.replicateDeletes ?? false,
      priority: 1,
      filter: { prefix: '' },
    }];
  }

  /** Lets the role replicate `source` (encrypted with `sourceKey`, if any) into `destination`. */
  public allow(source: s3.IBucket, destination: s3.IBucket, sourceKey?: kms.IKey): void {
    const sourceObjects = source.arnForObjects('*');
    const replicaObjects = destination.arnForObjects('*');
    acknowledgeWildcards(this.policy, AcknowledgementCatalogue.replicationObjects([sourceObjects, replicaObjects]));
    this.policy.addStatements(
      new iam.PolicyStatement({
        actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        resources: [source.bucketArn],
      }),
      new iam.PolicyStatement({
        actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
        resources: [sourceObjects],
      }),
      new iam.PolicyStatement({
        actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
        resources: [replicaObjects],
      }),
    );
    if (sourceKey) {
      this.policy.addStatements(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [sourceKey.keyArn] }));
    }
  }
}
