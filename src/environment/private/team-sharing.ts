import { ArnFormat, Aws, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { ECR_PULL_ACTIONS } from '../../core/ecr-pull';
import { TrainyardValidationError } from '../../core/errors';
import { ManagedPolicyGrantee } from '../../core/managed-policy-grantee';
import { AcknowledgementCatalogue } from '../../core/private/acknowledgement-catalogue';
import { grantWithStatementId } from '../../core/private/managed-policy-principal';
import { acknowledgeWildcards } from '../../core/private/wildcard-acknowledgement';
import { prefixListCondition } from '../../core/s3-prefix-statements';

/** What a team environment shares from, as the sharing helpers see it. @internal */
export interface SharingOwner extends IConstruct {
  readonly teamName: string;
  readonly datasetsBucket: s3.IBucket;
  readonly artifactsBucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  readonly datasetsPrefix: string;
  readonly artifactsPrefix: string;
  readonly modelPackageGroupName?: string;
}

/** The team a grant is for: its name and the role its jobs run as. @internal */
export interface SharingGrantee {
  readonly teamName: string;
  readonly executionRole: iam.IRole;
}

/** The three things one team can share with another. */
type ShareKind = 'Datasets' | 'Models' | 'Images';

/**
 * Shares `kind` of `owner` with `other`: a customer-managed policy `Share<Kind>With<OtherTeam>`,
 * created in the OWNER's stack (so the owner's code review sees and owns every grant) and attached to
 * the other team's execution role. One policy per kind and team; later grants add statements to it.
 */
class TeamShare {
  private readonly grantee: ManagedPolicyGrantee;

  constructor(owner: SharingOwner, other: SharingGrantee, kind: ShareKind) {
    const id = `Share${kind}With${pascal(other.teamName)}`;
    const existing = owner.node.tryFindChild(id);
    this.grantee = existing && ManagedPolicyGrantee.isManagedPolicyGrantee(existing)
      ? existing
      : new ManagedPolicyGrantee(owner as unknown as Construct, id, {
        description: `Trainyard ${owner.teamName} shares ${kind.toLowerCase()} with team ${other.teamName} (granted by ${owner.teamName}'s stack)`,
        role: other.executionRole,
      });
  }

  /**
   * Adds one statement through `iam.Grant`, with the statement id `sid` (made unique in the policy:
   * `sid`, `sid2`, ...) so its wildcard can be acknowledged; `acknowledge` names the statement's wildcard.
   */
  public grant(
    sid: string, actions: string[], resourceArns: string[], conditions?: Record<string, Record<string, unknown>>, acknowledge = false,
  ): iam.Grant {
    const grant = grantWithStatementId(this.grantee, sid, (grantee) => iam.Grant.addToPrincipal({ grantee, actions, resourceArns, conditions }));
    if (acknowledge) {
      acknowledgeWildcards(this.grantee.policy, grant.principalStatements
        .map((statement) => ({ statementSid: statement.sid!, reason: AcknowledgementCatalogue.TEAM_SHARE_REASON })));
    }
    return grant;
  }
}

function checkGrantee(prop: string, owner: SharingOwner, other: SharingGrantee): void {
  if (!other || typeof other.teamName !== 'string' || !other.executionRole) {
    throw new TrainyardValidationError(prop, 'must be another team\'s training environment (a TrainingEnvironment or TrainingEnvironment.fromAttributes).');
  }
  if (other.teamName === owner.teamName) {
    throw new TrainyardValidationError(prop, `is team ${owner.teamName} itself, which already has access to its own data, models and images.`);
  }
}

/**
 * Lets `other`'s jobs read `owner`'s datasets under `<owner>/<prefix>`: objects and their versions,
 * and listing that prefix, decrypting through S3 only.
 *
 * @internal
 */
export function shareDatasets(owner: SharingOwner, other: SharingGrantee, prefix: string = ''): iam.Grant {
  checkGrantee('TrainingEnvironment.grantDatasetRead(other)', owner, other);
  if (typeof prefix !== 'string' || (!Token.isUnresolved(prefix) && prefix !== '' && !/^([A-Za-z0-9!_.'()-]+\/)+$/.test(prefix))) {
    throw new TrainyardValidationError(
      'TrainingEnvironment.grantDatasetRead(prefix)',
      `must be a key prefix under the team's datasets prefix, of letters, digits and ! _ . ' ( ) -, ending in '/' (for example 'features/'), got '${String(prefix)}'.`,
    );
  }
  const full = `${owner.datasetsPrefix}${prefix}`;
  const share = new TeamShare(owner, other, 'Datasets');
  const objects = share.grant('ReadSharedDatasets', ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'], [owner.datasetsBucket.arnForObjects(`${full}*`)], undefined, true);
  const list = share.grant('ListSharedDatasets', ['s3:ListBucket'], [owner.datasetsBucket.bucketArn], prefixListCondition([full]));
  const key = share.grant('DecryptSharedDatasetsThroughS3', ['kms:Decrypt'], [owner.encryptionKey.keyArn], { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } });
  return objects.combine(list).combine(key);
}

/**
 * Lets `other`'s jobs read `owner`'s registered models: describe the model package group, describe
 * and list its model versions, and read the model artifacts under `<owner>/artifacts/` they point at.
 *
 * @internal
 */
export function shareModels(owner: SharingOwner, other: SharingGrantee): iam.Grant {
  checkGrantee('TrainingEnvironment.grantModelRead(other)', owner, other);
  const group = owner.modelPackageGroupName;
  if (group === undefined) {
    throw new TrainyardValidationError('TrainingEnvironment.grantModelRead', `team ${owner.teamName} has no model registry to share (createRegistries: false and no modelPackageGroupName).`);
  }
  const stack = Stack.of(owner);
  const arn = (resource: string, name: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const share = new TeamShare(owner, other, 'Models');
  const describe = share.grant('DescribeSharedModelGroup', ['sagemaker:DescribeModelPackageGroup'], [arn('model-package-group', group)]);
  const versions = share.grant('ReadSharedModelVersions', ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'], [arn('model-package', `${group}/*`)], undefined, true);
  const artifacts = share.grant(
    'ReadSharedModelArtifacts', ['s3:GetObject', 's3:GetObjectVersion'], [owner.artifactsBucket.arnForObjects(`${owner.artifactsPrefix}*`)], undefined, true);
  const key = share.grant('DecryptSharedModelArtifactsThroughS3', ['kms:Decrypt'], [owner.encryptionKey.keyArn], { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } });
  return describe.combine(versions).combine(artifacts).combine(key);
}

/**
 * Lets `other`'s jobs pull images from `repository` (the owner's): the three layer and manifest
 * actions on that repository, and the registry token, which has no resource-level permission.
 *
 * @internal
 */
export function shareImages(owner: SharingOwner, other: SharingGrantee, repository: ecr.IRepository | undefined): iam.Grant {
  checkGrantee('TrainingEnvironment.grantImagePull(other)', owner, other);
  if (!repository) {
    throw new TrainyardValidationError('TrainingEnvironment.grantImagePull', `team ${owner.teamName} has no image repository to share (createRegistries: false and no imageRepository).`);
  }
  const share = new TeamShare(owner, other, 'Images');
  const pull = share.grant('PullSharedImages', ECR_PULL_ACTIONS, [repository.repositoryArn]);
  const token = share.grant('GetEcrAuthorizationToken', ['ecr:GetAuthorizationToken'], ['*']);
  return pull.combine(token);
}

/** `search-ranking` -> `SearchRanking`. */
function pascal(name: string): string {
  return name.split('-').filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
