import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { TrainingJobDefaults } from './training-job-defaults';

/**
 * A team's GPU training environment, as the constructs that build on it (pipelines, metrics,
 * registries) see it. Implemented by `TrainingEnvironment` and by `TrainingEnvironment.fromAttributes`.
 */
export interface ITrainingEnvironment extends IConstruct {
  /** The team's name: lowercase letters, digits and hyphens. Prefixes, tags and derived names use it. */
  readonly teamName: string;

  /** The role SageMaker jobs of this team run as. */
  readonly executionRole: iam.IRole;

  /** The security group of the team's jobs (no internet egress). */
  readonly securityGroup: ec2.ISecurityGroup;

  /** The platform's datasets bucket; the team reads `datasetsPrefix` in it. */
  readonly datasetsBucket: s3.IBucket;

  /** The platform's artifacts bucket; the team writes `artifactsPrefix` and `checkpointsPrefix` in it. */
  readonly artifactsBucket: s3.IBucket;

  /** The platform key that encrypts data, artifacts, volumes and outputs. */
  readonly key: kms.IKey;

  /** The team's key prefix in the datasets bucket, ending in `/` (for example `fraud/`). */
  readonly datasetsPrefix: string;

  /** The team's key prefix for model artifacts in the artifacts bucket, ending in `/`. */
  readonly artifactsPrefix: string;

  /** The team's key prefix for training checkpoints in the artifacts bucket, ending in `/`. */
  readonly checkpointsPrefix: string;

  /** What every training job of the team starts from (CreateTrainingJob shape). */
  readonly trainingJobDefaults: TrainingJobDefaults;

  /**
   * The name of the team's model package group, where pipelines register models.
   *
   * @default - no model registry wired
   */
  readonly modelPackageGroupName?: string;
}
