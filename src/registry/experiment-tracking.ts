import { ArnFormat, Duration, IResource, Names, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { Acknowledgements } from '../core/acknowledgements';
import { TrainyardValidationError } from '../core/errors';
import { AcknowledgementCatalogue } from '../core/private/acknowledgement-catalogue';
import { grantWithStatementId } from '../core/private/managed-policy-principal';
import { acknowledgeWildcards } from '../core/private/wildcard-acknowledgement';
import { acknowledgeCrossStackAccessLogs, enableEventBridgeNotifications, secureBucketProps } from '../core/secure-bucket';
import { TrainyardKey } from '../core/trainyard-key';
import { requireName, requireRemovalPolicy } from '../core/validate';

/**
 * SageMaker's rule for MLflow App and tracking server names (CreateMlflowApp `Name`,
 * CreateMlflowTrackingServer `TrackingServerName`: 1 to 256 characters, `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}`).
 */
const TRACKING_NAME_RULE = {
  pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/,
  minLength: 1,
  maxLength: 256,
  description: 'letters, digits and hyphens, starting and ending with a letter or digit, 1 to 256 characters',
};

/** `WeeklyMaintenanceWindowStart`: `Ddd:HH:MM` in UTC, for example `Tue:03:30`. */
const MAINTENANCE_WINDOW_PATTERN = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):([0-5]\d)$/;

/** `MlflowVersion` of a tracking server, for example `2.16.2`. */
const MLFLOW_VERSION_PATTERN = /^\d+(\.\d+){1,3}$/;

/**
 * Attributes of experiment tracking defined elsewhere (`ExperimentTracking.fromExperimentTrackingAttributes`).
 */
export interface ExperimentTrackingAttributes {
  /** The ARN of the MLflow App or tracking server. */
  readonly trackingArn: string;

  /**
   * Whether it is a dedicated tracking server rather than a serverless MLflow App: the two take
   * different actions (a server its per-call MLflow actions, an App `sagemaker:CallMlflowAppApi`).
   *
   * @default - read from the ARN (`mlflow-tracking-server/...`); an unresolved ARN is taken as an MLflow App
   */
  readonly dedicated?: boolean;

  /**
   * The bucket of its artifact store: `grantAccess` then grants reading and writing the artifacts,
   * as it does for a tracking created here.
   *
   * @default - `grantAccess` grants the MLflow API only
   */
  readonly artifactsBucket?: s3.IBucket;

  /**
   * The key prefix of the artifact store in `artifactsBucket`, ending in `/`.
   *
   * @default 'mlflow/'
   */
  readonly artifactsPrefix?: string;

  /**
   * The key that encrypts the artifact store: `grantAccess` then grants encrypt and decrypt on it.
   *
   * @default - the encryption key of `artifactsBucket`, if it has one
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The size of a dedicated MLflow tracking server.
 *
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateMlflowTrackingServer.html
 */
export enum TrackingServerSize {
  /** Up to about 25 users. */
  SMALL = 'Small',
  /** Up to about 50 users. */
  MEDIUM = 'Medium',
  /** Up to about 100 users. */
  LARGE = 'Large',
}

/**
 * Options of a dedicated MLflow tracking server (an always-on instance billed by the hour).
 */
export interface DedicatedTrackingServerOptions {
  /**
   * The server size.
   *
   * @default TrackingServerSize.SMALL
   */
  readonly size?: TrackingServerSize;

  /**
   * The MLflow version, for example `2.16`.
   *
   * @default - the version SageMaker picks
   */
  readonly mlflowVersion?: string;
}

/**
 * Experiment tracking (managed MLflow), created here or imported.
 */
export interface IExperimentTracking extends IResource {
  /** The ARN of the MLflow App or tracking server. */
  readonly trackingArn: string;

  /**
   * What MLflow clients set as their tracking URI (`mlflow.set_tracking_uri(...)`): with the
   * `sagemaker-mlflow` plugin installed, that is the ARN.
   */
  readonly trackingUri: string;

  /**
   * Lets `grantee` log and read experiments, runs, metrics and models, and read and write artifacts.
   * Where an inline policy is not allowed (NIST 800-53 and HIPAA IAMNoInlinePolicy), grant to a
   * `ManagedPolicyGrantee`.
   */
  grantAccess(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Properties of experiment tracking.
 */
export interface ExperimentTrackingProps {
  /**
   * The name of the MLflow App (or tracking server): letters, digits and hyphens, starting and
   * ending with a letter or digit, 1 to 256 characters.
   *
   * @default - a name derived from the construct path
   * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateMlflowApp.html
   */
  readonly trackingName?: string;

  /**
   * Run a dedicated tracking server (`AWS::SageMaker::MlflowTrackingServer`) instead of the
   * serverless MLflow App. A dedicated server bills by the hour whether anyone uses it or not.
   *
   * @default - the serverless MLflow App (`AWS::SageMaker::MlflowApp`), with no idle instance
   */
  readonly dedicatedServer?: DedicatedTrackingServerOptions;

  /**
   * The bucket that stores MLflow artifacts, under `artifactsPrefix` (usually the platform's
   * artifacts bucket). Give `encryptionKey` too when the bucket is encrypted with a customer-managed key.
   *
   * @default - a new versioned, KMS-encrypted bucket (needs `accessLogsBucket`)
   */
  readonly artifactsBucket?: s3.IBucket;

  /**
   * The key prefix of the artifact store in the bucket, ending in `/`.
   *
   * @default 'mlflow/'
   */
  readonly artifactsPrefix?: string;

  /**
   * The key that encrypts the artifact store. The service role and `grantAccess` get encrypt and decrypt on it.
   *
   * @default - with `artifactsBucket`, the bucket's own encryption key if it has one; otherwise a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Where the new artifact bucket sends its S3 server access logs. Required when no `artifactsBucket` is given.
   *
   * @default - none
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * Register MLflow models in the SageMaker model registry automatically. Grants the service role
   * permission to create model package groups and versions.
   *
   * @default false
   */
  readonly automaticModelRegistration?: boolean;

  /**
   * The start of the weekly maintenance window, in UTC, as `Ddd:HH:MM` (for example `Tue:03:30`).
   * Set explicitly so SageMaker never patches in the middle of the week's training runs.
   *
   * @default 'Sun:02:00'
   */
  readonly weeklyMaintenanceWindowStart?: string;

  /**
   * What happens to the app or server (and the bucket it created, if any) when it is removed from the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Experiment memory: managed MLflow on SageMaker, serverless by default.
 *
 * It creates a least-privilege service role that can read and write only the artifact prefix (and
 * use its key), and, with automatic registration, create model package groups and versions. It does
 * not use the broad `AmazonS3FullAccess` policy the API documentation suggests.
 */
export class ExperimentTracking extends Resource implements IExperimentTracking {
  /**
   * The MLflow API actions `grantAccess` allows on the tracking ARN: no deletes of experiments, runs
   * or models. A dedicated tracking server enforces them one by one; a serverless MLflow App
   * authorizes its whole REST API through `sagemaker:CallMlflowAppApi`, deletes included.
   */
  public static readonly CLIENT_ACTIONS: string[] = [
    'sagemaker-mlflow:AccessUI',
    'sagemaker-mlflow:CreateExperiment',
    'sagemaker-mlflow:CreateModelVersion',
    'sagemaker-mlflow:CreateRegisteredModel',
    'sagemaker-mlflow:CreateRun',
    'sagemaker-mlflow:DeleteTag',
    'sagemaker-mlflow:EndTrace',
    'sagemaker-mlflow:FinalizeLoggedModel',
    'sagemaker-mlflow:GetDownloadURIForModelVersionArtifacts',
    'sagemaker-mlflow:GetExperiment',
    'sagemaker-mlflow:GetExperimentByName',
    'sagemaker-mlflow:GetLatestModelVersions',
    'sagemaker-mlflow:GetLoggedModel',
    'sagemaker-mlflow:GetMetricHistory',
    'sagemaker-mlflow:GetModelVersion',
    'sagemaker-mlflow:GetModelVersionByAlias',
    'sagemaker-mlflow:GetRegisteredModel',
    'sagemaker-mlflow:GetRun',
    'sagemaker-mlflow:GetTraceInfo',
    'sagemaker-mlflow:ListArtifacts',
    'sagemaker-mlflow:ListLoggedModelArtifacts',
    'sagemaker-mlflow:LogBatch',
    'sagemaker-mlflow:LogInputs',
    'sagemaker-mlflow:LogLoggedModelParams',
    'sagemaker-mlflow:LogMetric',
    'sagemaker-mlflow:LogModel',
    'sagemaker-mlflow:LogOutputs',
    'sagemaker-mlflow:LogParam',
    'sagemaker-mlflow:SearchExperiments',
    'sagemaker-mlflow:SearchLoggedModels',
    'sagemaker-mlflow:SearchModelVersions',
    'sagemaker-mlflow:SearchRegisteredModels',
    'sagemaker-mlflow:SearchRuns',
    'sagemaker-mlflow:SearchTraces',
    'sagemaker-mlflow:SetExperimentTag',
    'sagemaker-mlflow:SetLoggedModelTags',
    'sagemaker-mlflow:SetModelVersionTag',
    'sagemaker-mlflow:SetRegisteredModelAlias',
    'sagemaker-mlflow:SetRegisteredModelTag',
    'sagemaker-mlflow:SetTag',
    'sagemaker-mlflow:SetTraceTag',
    'sagemaker-mlflow:StartTrace',
    'sagemaker-mlflow:UpdateExperiment',
    'sagemaker-mlflow:UpdateModelVersion',
    'sagemaker-mlflow:UpdateRegisteredModel',
    'sagemaker-mlflow:UpdateRun',
  ];

  /**
   * Imports experiment tracking defined elsewhere, from its attributes. With the artifact store
   * (`artifactsBucket`, `artifactsPrefix`, `key`), `grantAccess` grants what it grants on a tracking
   * created here; without, the MLflow API only.
   */
  public static fromExperimentTrackingAttributes(scope: Construct, id: string, attrs: ExperimentTrackingAttributes): IExperimentTracking {
    if (!attrs || typeof attrs !== 'object') {
      throw new TrainyardValidationError('ExperimentTrackingAttributes', 'needs the attributes of the tracking to import: { trackingArn }.');
    }
    const trackingArn = attrs.trackingArn;
    if (!Token.isUnresolved(trackingArn) && !TRACKING_ARN_PATTERN.test(String(trackingArn))) {
      throw new TrainyardValidationError(
        'ExperimentTrackingAttributes.trackingArn',
        `must be an MLflow App or tracking server ARN (arn:<partition>:sagemaker:<region>:<account>:mlflow-app/<id> or mlflow-tracking-server/<name>), got '${trackingArn}'.`,
      );
    }
    const fromArn = !Token.isUnresolved(trackingArn) && trackingArn.includes(':mlflow-tracking-server/');
    if (attrs.dedicated !== undefined && typeof attrs.dedicated !== 'boolean') {
      throw new TrainyardValidationError('ExperimentTrackingAttributes.dedicated', `must be true or false, got ${String(attrs.dedicated)}.`);
    }
    if (attrs.dedicated !== undefined && !Token.isUnresolved(trackingArn) && attrs.dedicated !== fromArn) {
      throw new TrainyardValidationError(
        'ExperimentTrackingAttributes.dedicated',
        `is ${attrs.dedicated}, but the ARN '${trackingArn}' is of ${fromArn ? 'a tracking server' : 'an MLflow App'}. Drop dedicated: the ARN tells.`,
      );
    }
    const prefix = attrs.artifactsPrefix ?? 'mlflow/';
    requireArtifactsPrefix('ExperimentTrackingAttributes.artifactsPrefix', prefix);
    const access: TrackingAccess = {
      trackingArn,
      dedicated: attrs.dedicated ?? fromArn,
      artifactsBucket: attrs.artifactsBucket,
      artifactsPrefix: prefix,
      encryptionKey: attrs.encryptionKey ?? attrs.artifactsBucket?.encryptionKey,
    };
    class Import extends Resource implements IExperimentTracking {
      public readonly trackingArn = trackingArn;
      public readonly trackingUri = trackingArn;
      public grantAccess(grantee: iam.IGrantable): iam.Grant {
        return grantTrackingAccess(grantee, access);
      }
    }
    return new Import(scope, id);
  }

  /** Imports an MLflow App or tracking server by ARN. `grantAccess` then grants the MLflow API only. */
  public static fromTrackingArn(scope: Construct, id: string, trackingArn: string): IExperimentTracking {
    if (!Token.isUnresolved(trackingArn) && !TRACKING_ARN_PATTERN.test(String(trackingArn))) {
      throw new TrainyardValidationError(
        'ExperimentTracking.fromTrackingArn',
        `must be an MLflow App or tracking server ARN (arn:<partition>:sagemaker:<region>:<account>:mlflow-app/<id> or mlflow-tracking-server/<name>), got '${trackingArn}'.`,
      );
    }
    return ExperimentTracking.fromExperimentTrackingAttributes(scope, id, { trackingArn });
  }

  public readonly trackingArn: string;
  public readonly trackingUri: string;

  /** The name of the MLflow App or tracking server. */
  public readonly trackingName: string;

  /** Whether this is a dedicated tracking server (false: the serverless MLflow App). */
  public readonly dedicated: boolean;

  /** The role SageMaker assumes to reach the artifact store (and the model registry, with automatic registration). */
  public readonly serviceRole: iam.IRole;

  /** The bucket of the artifact store. */
  public readonly artifactsBucket: s3.IBucket;

  /** The key prefix of the artifact store, ending in `/`. */
  public readonly artifactsPrefix: string;

  /** The S3 URI of the artifact store (`s3://<bucket>/<prefix>`). */
  public readonly artifactStoreUri: string;

  /** The key of the artifact store, if it is encrypted with a customer-managed key. */
  public readonly encryptionKey?: kms.IKey;

  /** Whether MLflow registers models in the SageMaker model registry automatically. */
  public readonly automaticModelRegistration: boolean;

  constructor(scope: Construct, id: string, props: ExperimentTrackingProps = {}) {
    super(scope, id);
    const removalPolicy = requireRemovalPolicy('ExperimentTracking.removalPolicy', props.removalPolicy);
    this.dedicated = props.dedicatedServer !== undefined;
    this.automaticModelRegistration = props.automaticModelRegistration ?? false;

    // ---- Validation ---------------------------------------------------------------------------
    this.trackingName = props.trackingName
      ?? Names.uniqueResourceName(this, { maxLength: 63, separator: '-', allowedSpecialCharacters: '-' }).replace(/-+/g, '-');
    requireName('ExperimentTracking.trackingName', this.trackingName, TRACKING_NAME_RULE);
    const window = props.weeklyMaintenanceWindowStart ?? 'Sun:02:00';
    if (window !== undefined && !Token.isUnresolved(window) && (typeof window !== 'string' || !MAINTENANCE_WINDOW_PATTERN.test(window))) {
      throw new TrainyardValidationError(
        'ExperimentTracking.weeklyMaintenanceWindowStart',
        `must be Ddd:HH:MM in UTC with Ddd one of Mon, Tue, Wed, Thu, Fri, Sat, Sun (for example 'Sun:02:00'), got '${String(window)}'.`,
      );
    }
    const size = props.dedicatedServer?.size ?? TrackingServerSize.SMALL;
    const sizes = Object.values(TrackingServerSize) as string[];
    if (this.dedicated && !sizes.includes(size)) {
      throw new TrainyardValidationError('ExperimentTracking.dedicatedServer.size', `must be one of ${sizes.join(', ')}, got '${String(size)}'.`);
    }
    const mlflowVersion = props.dedicatedServer?.mlflowVersion;
    if (mlflowVersion !== undefined && !Token.isUnresolved(mlflowVersion) && (typeof mlflowVersion !== 'string' || !MLFLOW_VERSION_PATTERN.test(mlflowVersion))) {
      throw new TrainyardValidationError('ExperimentTracking.dedicatedServer.mlflowVersion', `must be a version such as '2.16', got '${mlflowVersion}'.`);
    }
    const prefix = props.artifactsPrefix ?? 'mlflow/';
    requireArtifactsPrefix('ExperimentTracking.artifactsPrefix', prefix);
    if (props.artifactsBucket && props.accessLogsBucket) {
      throw new TrainyardValidationError(
        'ExperimentTracking.accessLogsBucket',
        'applies only to the bucket ExperimentTracking creates; it cannot be combined with ExperimentTracking.artifactsBucket. Drop one of the two props.',
      );
    }
    this.artifactsPrefix = prefix;

    // ---- Artifact store -----------------------------------------------------------------------
    if (props.artifactsBucket) {
      this.artifactsBucket = props.artifactsBucket;
      this.encryptionKey = props.encryptionKey ?? props.artifactsBucket.encryptionKey;
    } else {
      if (!props.accessLogsBucket) {
        throw new TrainyardValidationError(
          'ExperimentTracking.accessLogsBucket',
          'is required when ExperimentTracking creates its own artifact bucket (every compliance pack requires S3 server access logs). ' +
            'Give an accessLogsBucket, or an artifactsBucket such as the platform\'s.',
        );
      }
      const created = this.createArtifactBucket(props.encryptionKey, props.accessLogsBucket, removalPolicy);
      this.artifactsBucket = created.bucket;
      this.encryptionKey = created.key;
    }
    this.artifactStoreUri = `s3://${this.artifactsBucket.bucketName}/${prefix}`;

    // ---- Service role -------------------------------------------------------------------------
    const role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Trainyard MLflow ${this.dedicated ? 'tracking server' : 'App'} ${this.trackingName}: artifact store ${prefix} only`,
    });
    const policy = new iam.ManagedPolicy(this, 'ServicePolicy', {
      description: `Least privilege for MLflow ${this.trackingName}: its artifact prefix, its key${this.automaticModelRegistration ? ', the model registry' : ''}`,
      roles: [role],
      statements: this.servicePolicyStatements(),
    });
    acknowledgeWildcards(policy, AcknowledgementCatalogue.mlflowServicePolicy(this.automaticModelRegistration));
    this.serviceRole = role;

    // ---- MLflow -------------------------------------------------------------------------------
    let resource: sagemaker.CfnMlflowApp | sagemaker.CfnMlflowTrackingServer;
    if (this.dedicated) {
      const server = new sagemaker.CfnMlflowTrackingServer(this, 'TrackingServer', {
        trackingServerName: this.trackingName,
        artifactStoreUri: this.artifactStoreUri,
        roleArn: role.roleArn,
        trackingServerSize: size,
        mlflowVersion,
        automaticModelRegistration: this.automaticModelRegistration,
        weeklyMaintenanceWindowStart: window,
      });
      this.trackingArn = server.attrTrackingServerArn;
      resource = server;
    } else {
      const app = new sagemaker.CfnMlflowApp(this, 'App', {
        name: this.trackingName,
        artifactStoreUri: this.artifactStoreUri,
        roleArn: role.roleArn,
        modelRegistrationMode: this.automaticModelRegistration ? 'AutoModelRegistrationEnabled' : 'AutoModelRegistrationDisabled',
        weeklyMaintenanceWindowStart: window,
      });
      this.trackingArn = app.attrArn;
      resource = app;
    }
    // The service reads the artifact store with the role when it creates the app: wait for the policy.
    resource.node.addDependency(policy);
    resource.applyRemovalPolicy(removalPolicy);
    this.node.defaultChild = resource;
    this.trackingUri = this.trackingArn;
  }

  /**
   * Lets `grantee` use MLflow: the MLflow API on this app or server, opening the MLflow UI, and
   * reading and writing artifacts under the prefix, since MLflow clients upload artifacts to S3
   * directly. On a dedicated tracking server the grant leaves out deleting experiments, runs and
   * models; a serverless MLflow App authorizes its whole REST API with the one action
   * `sagemaker:CallMlflowAppApi`, so there IAM cannot keep a client from deleting (artifacts stay
   * recoverable: the grant has no `s3:DeleteObject`, and the bucket is versioned).
   *
   * Where an inline policy is not allowed (NIST 800-53 and HIPAA IAMNoInlinePolicy), grant to a
   * `ManagedPolicyGrantee`: the statements then have the ids `UseMlflow`, `ReadWriteMlflowArtifacts`
   * (objects under the prefix: the wildcard to acknowledge), `ListMlflowArtifacts` and `UseMlflowArtifactKey`.
   */
  public grantAccess(grantee: iam.IGrantable): iam.Grant {
    return grantTrackingAccess(grantee, this);
  }

  private servicePolicyStatements(): iam.PolicyStatement[] {
    const bucket = this.artifactsBucket;
    const prefix = this.artifactsPrefix;
    const statements = [
      new iam.PolicyStatement({
        sid: 'ListArtifactPrefix',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [prefix, `${prefix}*`] } },
      }),
      new iam.PolicyStatement({
        sid: 'LocateArtifactBucket',
        actions: ['s3:GetBucketLocation'],
        resources: [bucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadWriteArtifacts',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [bucket.arnForObjects(`${prefix}*`)],
      }),
    ];
    if (this.encryptionKey) {
      statements.push(new iam.PolicyStatement({
        sid: 'UseArtifactKey',
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [this.encryptionKey.keyArn],
      }));
    }
    if (this.automaticModelRegistration) {
      const stack = Stack.of(this);
      const arn = (resource: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
      statements.push(new iam.PolicyStatement({
        sid: 'AutomaticModelRegistration',
        actions: [
          'sagemaker:AddTags',
          'sagemaker:CreateModelPackageGroup',
          'sagemaker:CreateModelPackage',
          'sagemaker:UpdateModelPackage',
          'sagemaker:DescribeModelPackageGroup',
        ],
        resources: [arn('model-package-group'), arn('model-package')],
      }));
    }
    return statements;
  }

  private createArtifactBucket(
    key: kms.IKey | undefined,
    accessLogsBucket: s3.IBucket,
    removalPolicy: RemovalPolicy,
  ): { bucket: s3.Bucket; key: kms.IKey } {
    let bucketKey = key;
    if (!bucketKey) {
      const created = new TrainyardKey(this, 'Key', { description: `Trainyard MLflow artifact store (${this.node.path})`, removalPolicy });
      bucketKey = created;
    }
    const bucket = new s3.Bucket(this, 'ArtifactsBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: bucketKey,
      bucketKeyEnabled: true,
      ...secureBucketProps(removalPolicy),
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'mlflow-artifacts/',
      lifecycleRules: [
        { id: 'ExpireNoncurrentVersions', noncurrentVersionExpiration: Duration.days(90) },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
    enableEventBridgeNotifications(bucket);
    Acknowledgements.acknowledge(bucket, AcknowledgementCatalogue.noCrossRegionReplication());
    acknowledgeCrossStackAccessLogs(bucket, accessLogsBucket);
    return { bucket, key: bucketKey };
  }
}

/** `arn:<partition>:sagemaker:<region>:<account>:mlflow-app/<id>` or `...:mlflow-tracking-server/<name>`. */
const TRACKING_ARN_PATTERN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:mlflow-(app|tracking-server)\/.+$/;

/** No '*': the prefix ends up in IAM resources and conditions, where it would widen them to other prefixes. */
function requireArtifactsPrefix(prop: string, prefix: string): void {
  if (!Token.isUnresolved(prefix) && (typeof prefix !== 'string' || prefix.length > 256 || !/^([A-Za-z0-9!_.'()-]+\/)+$/.test(prefix))) {
    throw new TrainyardValidationError(
      prop,
      "must be an S3 key prefix of at most 256 characters, of letters, digits and ! _ . ' ( ) -, ending in '/' and not starting with '/' " +
        `(for example 'mlflow/'), got '${String(prefix)}'.`,
    );
  }
}

/** What `grantAccess` needs to know of a tracking, created here or imported. */
interface TrackingAccess {
  readonly trackingArn: string;
  readonly dedicated: boolean;
  readonly artifactsBucket?: s3.IBucket;
  readonly artifactsPrefix: string;
  readonly encryptionKey?: kms.IKey;
}

/** `grantAccess` of created and imported trackings: the one definition of what MLflow clients may do. */
function grantTrackingAccess(grantee: iam.IGrantable, tracking: TrackingAccess): iam.Grant {
  const presign = tracking.dedicated ? 'sagemaker:CreatePresignedMlflowTrackingServerUrl' : 'sagemaker:CreatePresignedMlflowAppUrl';
  const describe = tracking.dedicated ? 'sagemaker:DescribeMlflowTrackingServer' : 'sagemaker:DescribeMlflowApp';
  const extra = tracking.dedicated ? [] : ['sagemaker:CallMlflowAppApi'];
  let grant = grantWithStatementId(grantee, 'UseMlflow', (g) => iam.Grant.addToPrincipal({
    grantee: g,
    actions: [...ExperimentTracking.CLIENT_ACTIONS, presign, describe, ...extra],
    resourceArns: [tracking.trackingArn],
  }));
  const bucket = tracking.artifactsBucket;
  if (bucket) {
    grant = grant
      .combine(grantWithStatementId(grantee, 'ReadWriteMlflowArtifacts', (g) => iam.Grant.addToPrincipal({
        grantee: g,
        actions: ['s3:GetObject', 's3:PutObject'],
        resourceArns: [bucket.arnForObjects(`${tracking.artifactsPrefix}*`)],
      })))
      .combine(grantWithStatementId(grantee, 'ListMlflowArtifacts', (g) => iam.Grant.addToPrincipal({
        grantee: g,
        actions: ['s3:ListBucket'],
        resourceArns: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${tracking.artifactsPrefix}*`] } },
      })));
  }
  const key = tracking.encryptionKey;
  if (key) {
    grant = grant.combine(grantWithStatementId(grantee, 'UseMlflowArtifactKey', (g) => key.grant(g, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey')));
  }
  return grant;
}
