/**
 * The VPC placement of a training or processing job (CreateTrainingJob `VpcConfig`).
 */
export interface JobVpcConfig {
  /** Security groups of the job's ENIs. */
  readonly securityGroupIds: string[];
  /** Isolated subnets the job runs in. */
  readonly subnets: string[];
}

/**
 * The compute of a training job (CreateTrainingJob `ResourceConfig`).
 */
export interface JobResourceConfig {
  /** The SageMaker instance type, for example `ml.g5.2xlarge`. */
  readonly instanceType: string;
  /** How many instances; more than one means multi-node distributed training. */
  readonly instanceCount: number;
  /** The size of each instance's ML storage volume, in GB. */
  readonly volumeSizeInGb: number;
  /**
   * The KMS key (ARN) that encrypts the storage volume.
   *
   * Absent for instance types with local NVMe instance storage (`GpuProfile.localInstanceStorage`):
   * the instance encrypts that storage with a hardware module, and CreateTrainingJob rejects a
   * `VolumeKmsKeyId` for them.
   *
   * @default - the instance's local storage, encrypted in hardware
   */
  readonly volumeKmsKeyId?: string;
  /**
   * Keep instances warm this long after the job so the next job starts without provisioning.
   *
   * @default - no warm pool
   */
  readonly keepAlivePeriodInSeconds?: number;
}

/**
 * Where a job writes its model artifacts (CreateTrainingJob `OutputDataConfig`).
 */
export interface JobOutputConfig {
  /** The S3 URI prefix of the output, for example `s3://bucket/team/artifacts/`. */
  readonly s3OutputPath: string;
  /** The KMS key (ARN) that encrypts the output. */
  readonly kmsKeyId: string;
}

/**
 * Limits on how long a job runs (CreateTrainingJob `StoppingCondition`).
 */
export interface JobStoppingCondition {
  /** The longest the job may train, in seconds. */
  readonly maxRuntimeInSeconds: number;
  /**
   * The longest the job may take including waiting for spot capacity, in seconds. Required with managed spot.
   *
   * @default - no limit beyond maxRuntimeInSeconds (on-demand)
   */
  readonly maxWaitTimeInSeconds?: number;
}

/**
 * The defaults a team's training jobs start from. Field for field the same shape as the
 * CreateTrainingJob API (in camelCase); pipeline steps render them into the definition and may
 * override any of them per step.
 */
export interface TrainingJobDefaults {
  /** The execution role ARN the job runs as. */
  readonly roleArn: string;
  /** The job's VPC placement: isolated subnets and the team's security group. */
  readonly vpcConfig: JobVpcConfig;
  /** Whether the training container is cut off from the network (it still reads and writes S3 through SageMaker). */
  readonly enableNetworkIsolation: boolean;
  /** Whether traffic between the instances of a multi-node job is encrypted. */
  readonly enableInterContainerTrafficEncryption: boolean;
  /** Instance type, count, volume and warm pool. */
  readonly resourceConfig: JobResourceConfig;
  /** Output location and its KMS key. */
  readonly outputDataConfig: JobOutputConfig;
  /** Runtime limits. */
  readonly stoppingCondition: JobStoppingCondition;
  /** Whether the job runs on managed spot capacity. */
  readonly enableManagedSpotTraining: boolean;
  /**
   * Where the job checkpoints, so a spot interruption resumes instead of restarting.
   *
   * @default - no checkpoints
   */
  readonly checkpointS3Uri?: string;
  /**
   * How often SageMaker retries the job after an internal or capacity error (CreateTrainingJob `RetryStrategy`).
   *
   * @default - no retries
   */
  readonly maximumRetryAttempts?: number;
  /**
   * Environment variables every job's container gets (`MLFLOW_TRACKING_URI` and
   * `MLFLOW_EXPERIMENT_NAME` when the jobs run without network isolation and the team has
   * experiment tracking). A step's own variables win.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /** Tags every job carries (team, cost centre, environment). */
  readonly tags: { [key: string]: string };
}
