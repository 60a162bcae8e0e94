import { Duration, IResource, RemovalPolicy, Resource } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ECR_PULL_ACTIONS } from '../core/ecr-pull';
import { TrainyardValidationError } from '../core/errors';
import { requireIntegerInRange, requireName, requireRemovalPolicy, requireWholeDays } from '../core/validate';
import { requireAccountIds } from './private/accounts';

/**
 * Amazon ECR's rule for repository names (CreateRepository `repositoryName`: 2 to 256 characters,
 * pattern `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`).
 */
const REPOSITORY_NAME_RULE = {
  pattern: /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
  minLength: 2,
  maxLength: 256,
  description:
    'lowercase letters, digits and single . _ - separators, with optional / namespaces (for example team-a/trainer), 2 to 256 characters',
};


/**
 * A container image registry for training images, created here or imported.
 */
export interface IImageRegistry extends IResource {
  /** The ECR repository. */
  readonly repository: ecr.IRepository;

  /** The repository's name. */
  readonly repositoryName: string;

  /** The repository's ARN. */
  readonly repositoryArn: string;

  /** The repository's URI, for example `123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud/trainer`. */
  readonly repositoryUri: string;

  /** Lets `grantee` pull images (SageMaker execution roles, Batch jobs). */
  grantPull(grantee: iam.IGrantable): iam.Grant;

  /** Lets `grantee` push images (CI). */
  grantPush(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Properties of an image registry.
 */
export interface ImageRegistryProps {
  /**
   * The repository name: lowercase letters, digits and single `.`, `_` or `-` separators, with
   * optional `/` namespaces (for example `fraud/trainer`), 2 to 256 characters.
   *
   * @default - a name CloudFormation generates
   * @see https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
   */
  readonly repositoryName?: string;

  /**
   * The customer-managed key that encrypts the images (usually the platform key).
   *
   * @default - KMS encryption with the AWS-managed ECR key
   */
  readonly key?: kms.IKey;

  /**
   * How many tagged images to keep; older tagged images expire. Keep this above the number of
   * model versions that may still be deployed, since a registered model points at its image.
   *
   * @default 100
   */
  readonly maxTaggedImages?: number;

  /**
   * How long untagged images (superseded layers, failed pushes) are kept.
   *
   * @default Duration.days(14)
   */
  readonly untaggedImageExpiration?: Duration;

  /**
   * AWS accounts (12-digit ids) that may pull images from this repository, for example the
   * accounts that deploy trained models. They get pull actions only.
   *
   * @default - no cross-account access
   */
  readonly crossAccountPullAccounts?: string[];

  /**
   * What happens to the repository and its images when it is removed from the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Attributes of an image registry defined elsewhere (`ImageRegistry.fromImageRegistryAttributes`).
 */
export interface ImageRegistryAttributes {
  /** The name of the ECR repository, in this account and region. */
  readonly repositoryName: string;
}

/**
 * An ECR repository for training images: scan on push, immutable tags, KMS encryption, lifecycle
 * rules that expire untagged images and keep the newest tagged ones, and optional cross-account pull.
 */
export class ImageRegistry extends Resource implements IImageRegistry {
  /** Imports a registry defined elsewhere, from its attributes (the repository of this account and region). */
  public static fromImageRegistryAttributes(scope: Construct, id: string, attrs: ImageRegistryAttributes): IImageRegistry {
    if (!attrs || typeof attrs !== 'object') {
      throw new TrainyardValidationError('ImageRegistryAttributes', 'needs the attributes of the registry to import: { repositoryName }.');
    }
    return ImageRegistry.fromRepositoryName(scope, id, attrs.repositoryName);
  }

  /** Imports a repository of this account and region by name. */
  public static fromRepositoryName(scope: Construct, id: string, repositoryName: string): IImageRegistry {
    requireName('ImageRegistry.fromRepositoryName', repositoryName, REPOSITORY_NAME_RULE);
    class Import extends Resource implements IImageRegistry {
      public readonly repository: ecr.IRepository;
      public readonly repositoryName: string;
      public readonly repositoryArn: string;
      public readonly repositoryUri: string;
      constructor() {
        super(scope, id);
        this.repository = ecr.Repository.fromRepositoryName(this, 'Repository', repositoryName);
        this.repositoryName = this.repository.repositoryName;
        this.repositoryArn = this.repository.repositoryArn;
        this.repositoryUri = this.repository.repositoryUri;
      }
      public grantPull(grantee: iam.IGrantable): iam.Grant {
        return this.repository.grantPull(grantee);
      }
      public grantPush(grantee: iam.IGrantable): iam.Grant {
        return this.repository.grantPullPush(grantee);
      }
    }
    return new Import();
  }

  public readonly repository: ecr.IRepository;
  public readonly repositoryName: string;
  public readonly repositoryArn: string;
  public readonly repositoryUri: string;

  /** The accounts that may pull images. */
  public readonly crossAccountPullAccounts: string[];

  private readonly key?: kms.IKey;

  constructor(scope: Construct, id: string, props: ImageRegistryProps = {}) {
    super(scope, id);
    requireName('ImageRegistry.repositoryName', props.repositoryName, REPOSITORY_NAME_RULE);
    const maxTaggedImages = props.maxTaggedImages ?? 100;
    requireIntegerInRange('ImageRegistry.maxTaggedImages', maxTaggedImages, 1, 10000);
    const untaggedImageExpiration = props.untaggedImageExpiration ?? Duration.days(14);
    requireWholeDays('ImageRegistry.untaggedImageExpiration', untaggedImageExpiration, 1, 3650);
    this.crossAccountPullAccounts = requireAccountIds('ImageRegistry.crossAccountPullAccounts', props.crossAccountPullAccounts);
    this.key = props.key;

    const repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: props.key,
      removalPolicy: requireRemovalPolicy('ImageRegistry.removalPolicy', props.removalPolicy),
      lifecycleRules: [
        {
          rulePriority: 1,
          description: `Expire untagged images after ${untaggedImageExpiration.toHumanString()}`,
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: untaggedImageExpiration,
        },
        {
          rulePriority: 2,
          description: `Keep the newest ${maxTaggedImages} tagged images`,
          tagStatus: ecr.TagStatus.TAGGED,
          tagPatternList: ['*'],
          maxImageCount: maxTaggedImages,
        },
      ],
    });
    if (this.crossAccountPullAccounts.length > 0) {
      repository.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'CrossAccountPull',
        principals: this.crossAccountPullAccounts.map((account) => new iam.AccountPrincipal(account)),
        actions: ECR_PULL_ACTIONS,
      }));
    }
    this.repository = repository;
    this.repositoryName = repository.repositoryName;
    this.repositoryArn = repository.repositoryArn;
    this.repositoryUri = repository.repositoryUri;
  }

  /**
   * Lets `grantee` pull images: the pull actions on this repository, `ecr:GetAuthorizationToken`
   * (which has no resource-level permissions, so it is granted on `*`) and, with a key, decrypt.
   */
  public grantPull(grantee: iam.IGrantable): iam.Grant {
    const grant = this.repository.grantPull(grantee);
    return this.key ? grant.combine(this.key.grantDecrypt(grantee)) : grant;
  }

  /** Lets `grantee` push (and pull) images; with a key, encrypt and decrypt. */
  public grantPush(grantee: iam.IGrantable): iam.Grant {
    const grant = this.repository.grantPullPush(grantee);
    return this.key ? grant.combine(this.key.grant(grantee, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey')) : grant;
  }
}
