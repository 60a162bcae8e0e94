import { Annotations, ArnFormat, IResource, RemovalPolicy, Resource, Stack, Tags, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { TrainyardValidationError } from '../core/errors';
import { boundedName } from '../core/physical-name';
import { grantWithStatementId } from '../core/private/managed-policy-principal';
import { requireName, requireRemovalPolicy } from '../core/validate';
import { requireAccountIds } from './private/accounts';

/**
 * SageMaker's rule for model package group names (CreateModelPackageGroup `ModelPackageGroupName`:
 * 1 to 63 characters, pattern `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`).
 */
const GROUP_NAME_RULE = {
  pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
  minLength: 1,
  maxLength: 63,
  description: 'letters, digits and hyphens, starting and ending with a letter or digit, 1 to 63 characters',
};

/** SageMaker's rule for `ModelPackageGroupDescription`: no control or format characters. */
const DESCRIPTION_PATTERN = /^[\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]*$/u;

/** The EventBridge detail type SageMaker sends when a model package is created or its status changes. */
const MODEL_PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';

/** KMS actions for reading and writing data under a key, without the wildcard actions of `grantEncryptDecrypt`. */
const KEY_READ_WRITE_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];

/** The tag that marks a group as non-production (the governance rules allow auto-approval there). */
const NON_PRODUCTION_TAG = 'trainyard:non-production';

/**
 * A model registry (SageMaker model package group), created here or imported.
 */
export interface IModelRegistry extends IResource {
  /** The name of the model package group. */
  readonly modelPackageGroupName: string;

  /** The ARN of the model package group. */
  readonly modelPackageGroupArn: string;

  /**
   * The key that encrypts the model artifacts the group's packages point to; grants include it.
   *
   * @default - no key
   */
  readonly encryptionKey?: kms.IKey;

  /** Lets `grantee` register new model versions (model packages) in this group. */
  grantRegister(grantee: iam.IGrantable): iam.Grant;

  /**
   * Lets `grantee` describe and list the group and its model versions, and decrypt with the key.
   * Where an inline policy is not allowed (NIST 800-53 and HIPAA IAMNoInlinePolicy), or for a role
   * in another account, grant to a `ManagedPolicyGrantee`.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;

  /** Lets `grantee` approve or reject model versions of this group (UpdateModelPackage). */
  grantApprove(grantee: iam.IGrantable): iam.Grant;

  /** An EventBridge rule that fires when a model version of this group is approved. */
  onApproved(id: string, options?: events.OnEventOptions): events.Rule;

  /** An EventBridge rule that fires on every state change of a model version of this group. */
  onStatusChange(id: string, options?: events.OnEventOptions): events.Rule;
}

/**
 * What identifies a model registry owned by another stack or account.
 */
export interface ModelRegistryAttributes {
  /** The name of the model package group. */
  readonly groupName: string;

  /**
   * The key that encrypts the artifacts the group's model versions point to.
   *
   * @default - grants include no key permissions
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Properties of a model registry.
 */
export interface ModelRegistryProps {
  /**
   * The name of the model package group: 1 to 63 letters, digits and hyphens, starting and ending
   * with a letter or digit. Team environments use `<team>-models`. Prefer lowercase: SageMaker
   * writes some ARNs in lowercase, and IAM matches ARNs case-sensitively.
   *
   * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateModelPackageGroup.html
   */
  readonly groupName: string;

  /**
   * What the group holds, shown in the SageMaker console (at most 1,024 characters, without line
   * breaks, tabs or other control characters).
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * AWS accounts (12-digit ids) that may describe and list this group's model versions, for
   * example the accounts that deploy approved models. Nothing else is granted to them.
   *
   * @default - no cross-account access
   */
  readonly crossAccountReadAccounts?: string[];

  /**
   * The key that encrypts the model artifacts the group's model versions point to (usually the
   * platform key). The grant methods add the matching KMS permissions.
   *
   * @default - grants include no key permissions
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Marks the group as non-production with the tag `trainyard:non-production=true`. Trainyard's
   * governance rules allow automatic approval only in such groups.
   *
   * @default false
   */
  readonly nonProduction?: boolean;

  /**
   * What happens to the group (and every model version in it) when it is removed from the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The grants and event rules shared by created and imported registries. */
abstract class ModelRegistryBase extends Resource implements IModelRegistry {
  public abstract readonly modelPackageGroupName: string;
  public abstract readonly modelPackageGroupArn: string;
  public abstract readonly encryptionKey?: kms.IKey;

  public grantRegister(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'sagemaker:CreateModelPackage',
        'sagemaker:DescribeModelPackageGroup',
        'sagemaker:DescribeModelPackage',
        'sagemaker:ListModelPackages',
        'sagemaker:AddTags',
      ],
      resourceArns: [this.modelPackageGroupArn, this.modelPackagesArn()],
    });
    return this.encryptionKey ? grant.combine(this.encryptionKey.grant(grantee, ...KEY_READ_WRITE_ACTIONS)) : grant;
  }

  /**
   * Lets `grantee` describe the group, describe and list its model versions and decrypt with the
   * key. In a `ManagedPolicyGrantee` the statements have the ids `DescribeModelPackageGroup`,
   * `ReadModelVersions` (`model-package/<group>/*`: the wildcard to acknowledge) and `DecryptModelArtifacts`.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const group = grantWithStatementId(grantee, 'DescribeModelPackageGroup', (g) => iam.Grant.addToPrincipal({
      grantee: g,
      actions: ['sagemaker:DescribeModelPackageGroup'],
      resourceArns: [this.modelPackageGroupArn],
    }));
    const versions = grantWithStatementId(grantee, 'ReadModelVersions', (g) => iam.Grant.addToPrincipal({
      grantee: g,
      actions: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
      resourceArns: [this.modelPackagesArn()],
    }));
    const grant = group.combine(versions);
    const key = this.encryptionKey;
    return key ? grant.combine(grantWithStatementId(grantee, 'DecryptModelArtifacts', (g) => key.grantDecrypt(g))) : grant;
  }

  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:UpdateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
      resourceArns: [this.modelPackagesArn()],
    });
  }

  public onStatusChange(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.stateChangeRule(id, options, {});
  }

  public onApproved(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.stateChangeRule(id, options, { ModelApprovalStatus: ['Approved'] });
  }

  /** `arn:...:model-package/<group>/*`: every model version of the group. */
  protected modelPackagesArn(): string {
    return Stack.of(this).formatArn({
      service: 'sagemaker',
      resource: 'model-package',
      resourceName: `${this.modelPackageGroupName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  private stateChangeRule(id: string, options: events.OnEventOptions, detail: Record<string, unknown>): events.Rule {
    const rule = new events.Rule(this, id, {
      description: options.description,
      ruleName: options.ruleName,
      crossStackScope: options.crossStackScope,
    });
    rule.addEventPattern({
      source: ['aws.sagemaker'],
      detailType: [MODEL_PACKAGE_STATE_CHANGE],
      detail: { ModelPackageGroupName: [this.modelPackageGroupName], ...detail },
    });
    rule.addEventPattern(options.eventPattern);
    if (options.target) {
      rule.addTarget(options.target);
    }
    return rule;
  }
}

/**
 * A model registry: a SageMaker model package group where pipelines register model versions and
 * where approval moves a model on, by event rather than by hand-off.
 *
 * There is no L2 for model package groups; the L1 is reachable through `node.defaultChild`.
 */
export class ModelRegistry extends ModelRegistryBase {
  /** What `grantRead` and the cross-account policy allow: describe and list, nothing else. */
  public static readonly READ_ACTIONS: string[] = [
    'sagemaker:DescribeModelPackageGroup',
    'sagemaker:DescribeModelPackage',
    'sagemaker:ListModelPackages',
  ];

  /** The tag key that marks a non-production group (`trainyard:non-production`). */
  public static readonly NON_PRODUCTION_TAG = NON_PRODUCTION_TAG;

  /**
   * The group name a team environment uses: `<team>-models` (past 63 characters, shortened and ended
   * with a hash of the whole name).
   */
  public static groupNameForTeam(teamName: string): string {
    const name = boundedName(`${teamName}-models`, GROUP_NAME_RULE);
    requireName('ModelRegistry.groupNameForTeam', name, GROUP_NAME_RULE);
    return name;
  }

  /** Imports a model package group of this account and region by name. */
  public static fromGroupName(scope: Construct, id: string, groupName: string): IModelRegistry {
    return ModelRegistry.fromModelRegistryAttributes(scope, id, { groupName });
  }

  /** Imports a model package group by ARN (from any account or region). */
  public static fromGroupArn(scope: Construct, id: string, groupArn: string): IModelRegistry {
    const stack = Stack.of(scope);
    const parts = stack.splitArn(groupArn, ArnFormat.SLASH_RESOURCE_NAME);
    if (!Token.isUnresolved(groupArn) && (parts.service !== 'sagemaker' || parts.resource !== 'model-package-group' || !parts.resourceName)) {
      throw new TrainyardValidationError(
        'ModelRegistry.fromGroupArn',
        `must be a model package group ARN (arn:<partition>:sagemaker:<region>:<account>:model-package-group/<name>), got '${groupArn}'.`,
      );
    }
    const groupName = parts.resourceName!;
    class Import extends ModelRegistryBase {
      public readonly modelPackageGroupName = groupName;
      public readonly modelPackageGroupArn = groupArn;
      public readonly encryptionKey = undefined;
      protected modelPackagesArn(): string {
        return stack.formatArn({
          service: 'sagemaker',
          resource: 'model-package',
          resourceName: `${groupName}/*`,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          account: parts.account,
          region: parts.region,
          partition: parts.partition,
        });
      }
    }
    return new Import(scope, id, { account: parts.account, region: parts.region });
  }

  /** Imports a model package group of this account and region by name, with the key of its artifacts. */
  public static fromModelRegistryAttributes(scope: Construct, id: string, attrs: ModelRegistryAttributes): IModelRegistry {
    requireName('ModelRegistryAttributes.groupName', attrs.groupName, GROUP_NAME_RULE);
    class Import extends ModelRegistryBase {
      public readonly modelPackageGroupName = attrs.groupName;
      public readonly modelPackageGroupArn = groupArnOf(this, attrs.groupName);
      public readonly encryptionKey = attrs.encryptionKey;
    }
    return new Import(scope, id);
  }

  public readonly modelPackageGroupName: string;
  public readonly modelPackageGroupArn: string;
  public readonly encryptionKey?: kms.IKey;

  /** Whether the group is marked non-production (`trainyard:non-production=true`). */
  public readonly nonProduction: boolean;

  /** The accounts that may describe and list the group's model versions. */
  public readonly crossAccountReadAccounts: string[];

  constructor(scope: Construct, id: string, props: ModelRegistryProps) {
    super(scope, id, { physicalName: props?.groupName });
    if (!props || props.groupName === undefined) {
      throw new TrainyardValidationError('ModelRegistry.groupName', `is required (${GROUP_NAME_RULE.description}).`);
    }
    requireName('ModelRegistry.groupName', props.groupName, GROUP_NAME_RULE);
    if (!Token.isUnresolved(props.groupName) && /[A-Z]/.test(props.groupName)) {
      Annotations.of(this).addWarningV2(
        'trainyard:model-registry-uppercase-name',
        `ModelRegistry.groupName '${props.groupName}' has uppercase letters: SageMaker writes some ARNs in lowercase and IAM matches ARNs case-sensitively. Prefer a lowercase name.`,
      );
    }
    if (props.description !== undefined && !Token.isUnresolved(props.description)) {
      if (typeof props.description !== 'string') {
        throw new TrainyardValidationError('ModelRegistry.description', `must be a string, got ${typeof props.description}.`);
      }
      if (props.description.length > 1024) {
        throw new TrainyardValidationError('ModelRegistry.description', `must be at most 1024 characters, got ${props.description.length}.`);
      }
      if (!DESCRIPTION_PATTERN.test(props.description)) {
        throw new TrainyardValidationError(
          'ModelRegistry.description',
          'may contain letters, marks, spaces, symbols, digits and punctuation only (SageMaker rejects control characters such as line breaks and tabs).',
        );
      }
    }
    this.crossAccountReadAccounts = requireAccountIds('ModelRegistry.crossAccountReadAccounts', props.crossAccountReadAccounts);

    this.modelPackageGroupName = props.groupName;
    this.encryptionKey = props.encryptionKey;
    this.nonProduction = props.nonProduction ?? false;
    // Built from the name, not GetAtt: the group's own policy refers to it.
    this.modelPackageGroupArn = groupArnOf(this, props.groupName);

    const group = new sagemaker.CfnModelPackageGroup(this, 'Resource', {
      modelPackageGroupName: props.groupName,
      modelPackageGroupDescription: props.description,
      modelPackageGroupPolicy: this.crossAccountReadAccounts.length > 0 ? this.crossAccountPolicy().toJSON() : undefined,
    });
    group.applyRemovalPolicy(requireRemovalPolicy('ModelRegistry.removalPolicy', props.removalPolicy));
    if (this.nonProduction) {
      Tags.of(group).add(NON_PRODUCTION_TAG, 'true');
    }
  }

  /** Describe and list of the group and its versions, for the listed account roots only. */
  private crossAccountPolicy(): iam.PolicyDocument {
    const principals = this.crossAccountReadAccounts.map((account) => new iam.AccountPrincipal(account));
    return new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'CrossAccountDescribeGroup',
          principals,
          actions: ['sagemaker:DescribeModelPackageGroup'],
          resources: [this.modelPackageGroupArn],
        }),
        new iam.PolicyStatement({
          sid: 'CrossAccountReadModelVersions',
          principals,
          actions: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
          resources: [this.modelPackagesArn()],
        }),
      ],
    });
  }
}

function groupArnOf(scope: Construct, groupName: string): string {
  return Stack.of(scope).formatArn({
    service: 'sagemaker',
    resource: 'model-package-group',
    resourceName: groupName,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
