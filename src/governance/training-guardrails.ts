import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct, IConstruct } from 'constructs';
import { validateTagKey } from './trainyard-tags';
import { Acknowledgements } from '../core/acknowledgements';
import { TrainyardValidationError } from '../core/errors';
import { AcknowledgementCatalogue } from '../core/private/acknowledgement-catalogue';
import { REQUIRED_COST_TAG_KEYS } from '../core/tag-keys';
import { requireName } from '../core/validate';
import { guardrailAllowStatements, guardrailDenyStatements, guardrailWildcardActions } from '../environment/private/guardrail-statements';

/**
 * An AWS Organizations service control policy with the guardrail denies, for org admins.
 */
export interface ServiceControlPolicyOptions {
  /**
   * The roots (`r-...`), organizational units (`ou-...`) or accounts (12 digits) to attach the policy to.
   * The stack must be deployed in the organization's management account (or a delegated administrator).
   */
  readonly targetIds: string[];

  /**
   * The name of the policy.
   *
   * @default 'trainyard-training-guardrails'
   */
  readonly name?: string;

  /**
   * The description of the policy.
   *
   * @default - says what the policy denies
   */
  readonly description?: string;
}

/**
 * Properties of `TrainingGuardrails`.
 */
export interface TrainingGuardrailsProps {
  /**
   * The SageMaker instance types team jobs may use, as IAM `StringLike` patterns: the team's GPU
   * profiles plus the CPU types of its processing steps, for example
   * `['ml.g5.2xlarge', 'ml.g5.12xlarge', 'ml.m5.*']`. Any other type in a CreateTrainingJob,
   * CreateProcessingJob or CreateHyperParameterTuningJob request is denied.
   */
  readonly allowedInstanceTypes: string[];

  /**
   * Tag keys every CreateTrainingJob, CreateProcessingJob, CreateHyperParameterTuningJob and
   * CreateModel request must carry (`aws:RequestTag/<key>`).
   *
   * @default ['trainyard:team', 'trainyard:cost-center']
   */
  readonly requiredTags?: string[];

  /**
   * Deny jobs and models whose request does not set network isolation to true.
   *
   * @default true
   */
  readonly requireNetworkIsolation?: boolean;

  /**
   * The name of the managed policy.
   *
   * @default - a name CloudFormation generates
   */
  readonly managedPolicyName?: string;

  /**
   * IAM actions team roles may use beyond the training workflow the boundary allows by default
   * (for example `['athena:StartQueryExecution']`). The boundary caps permissions: a role still
   * needs an identity policy that grants them.
   *
   * @default - none
   */
  readonly additionalAllowedActions?: string[];

  /**
   * Also create an AWS Organizations service control policy with the same denies.
   *
   * @default - no service control policy
   */
  readonly serviceControlPolicy?: ServiceControlPolicyOptions;
}

/**
 * Preventive guardrails for team training: a customer-managed policy to use as the permissions
 * boundary of every team role, and optionally the same denies as an AWS Organizations service
 * control policy.
 *
 * A permissions boundary is the most a role may do, so the policy is "allow what teams may do,
 * minus the denies": it allows what Trainyard's team roles are granted (the training, processing,
 * tuning, pipeline, registry, experiment, MLflow and Studio calls listed in
 * `src/environment/private/guardrail-statements.ts`, SageMaker describe and list calls, PassRole to
 * SageMaker only, S3, KMS, ECR pulls, logs, metrics, VPC network interfaces)
 * and then denies (condition keys as the Service Authorization Reference lists them for each
 * action, SAR snapshot of 2026-09-26; the test suite checks every key against that data and
 * simulates the statements):
 *
 * - `DenyJobsOutsideVpc`: CreateTrainingJob, CreateProcessingJob, CreateHyperParameterTuningJob
 *   and CreateModel without VPC subnets (`Null sagemaker:VpcSubnets`; all four carry the key);
 * - `DenyJobsWithoutNetworkIsolation`: the four calls unless network isolation is true
 *   (`BoolIfExists sagemaker:NetworkIsolation false`, so an omitted flag is denied too; all four carry it);
 * - `DenyJobsWithoutVolumeKmsKey`: the three job calls without a volume KMS key
 *   (`Null sagemaker:VolumeKmsKeyArn`), unless every instance type of the request has local NVMe
 *   storage (`ForAllValues:StringNotLike sagemaker:InstanceTypes`): SageMaker rejects a volume key
 *   for those. The `Null` block would also hold the deprecated `sagemaker:VolumeKmsKey` (keys in one
 *   block are ANDed: the deny fires only when all are absent), but no job call carries it any more,
 *   and a key the action lacks is always null, so it is left out;
 * - `DenyJobsWithoutOutputKmsKey`: the three job calls without an output KMS key
 *   (`Null sagemaker:OutputKmsKeyArn`; the deprecated `sagemaker:OutputKmsKey` likewise left out);
 *   CreateModel has neither key and is not listed in the two KMS denies;
 * - `DenyInstanceTypesOutsideProfiles`: the three job calls with any instance type outside
 *   `allowedInstanceTypes` (`ForAnyValue:StringNotLike sagemaker:InstanceTypes`; CreateModel does not carry it);
 * - `DenyRequestsWithoutTag<n>`: the four calls without each required tag
 *   (`Null aws:RequestTag/<key>`, one statement per key because keys in one Null block are ANDed).
 *
 * The boundary grants nothing by itself: each role still needs identity policies. The SCP holds
 * only the denies (an SCP never grants).
 *
 * `TrainingEnvironment` creates the same boundary for each team by default (`guardrails`); use this
 * construct for one boundary shared by several teams (set their environments' `guardrails: false`)
 * or for the service control policy.
 */
export class TrainingGuardrails extends Construct {
  /** The customer-managed policy to use as a permissions boundary. */
  public readonly permissionsBoundary: iam.ManagedPolicy;

  /** The service control policy, when `serviceControlPolicy` was given. */
  public readonly serviceControlPolicy?: organizations.CfnPolicy;

  /** The deny statements, shared by the boundary and the service control policy. */
  public readonly denyStatements: iam.PolicyStatement[];

  constructor(scope: Construct, id: string, props: TrainingGuardrailsProps) {
    super(scope, id);
    if (!props || !Array.isArray(props.allowedInstanceTypes) || props.allowedInstanceTypes.length === 0) {
      throw new TrainyardValidationError(
        'TrainingGuardrails.allowedInstanceTypes',
        "must list at least one SageMaker instance type or pattern, for example ['ml.g5.2xlarge', 'ml.m5.*'].",
      );
    }
    for (const type of props.allowedInstanceTypes) {
      if (!Token.isUnresolved(type) && (typeof type !== 'string' || !/^ml\.[a-z0-9*?]+(\.[a-z0-9*?-]+)?$/.test(type))) {
        throw new TrainyardValidationError(
          'TrainingGuardrails.allowedInstanceTypes',
          `'${String(type)}' is not a SageMaker instance type or pattern such as 'ml.g5.2xlarge' or 'ml.m5.*'.`,
        );
      }
    }
    const requiredTags = props.requiredTags ?? REQUIRED_COST_TAG_KEYS;
    if (!Array.isArray(requiredTags)) {
      throw new TrainyardValidationError('TrainingGuardrails.requiredTags', 'must be a list of tag keys.');
    }
    requiredTags.forEach((key) => validateTagKey('TrainingGuardrails.requiredTags', key));
    requireName('TrainingGuardrails.managedPolicyName', props.managedPolicyName, {
      pattern: /^[\w+=,.@-]+$/, minLength: 1, maxLength: 128, description: 'IAM policy names use letters, digits and + = , . @ - _',
    });

    this.denyStatements = guardrailDenyStatements({
      allowedInstanceTypes: props.allowedInstanceTypes,
      requiredTags,
      requireNetworkIsolation: props.requireNetworkIsolation ?? true,
    });
    const allows = guardrailAllowStatements(props.additionalAllowedActions ?? []);

    this.permissionsBoundary = new iam.ManagedPolicy(this, 'PermissionsBoundary', {
      managedPolicyName: props.managedPolicyName,
      description: 'Trainyard training guardrails: the most a team role may do (permissions boundary).',
      document: new iam.PolicyDocument({ statements: [...allows, ...this.denyStatements] }),
    });
    Acknowledgements.acknowledge(this.permissionsBoundary, AcknowledgementCatalogue.permissionsBoundaryCeiling(guardrailWildcardActions()));

    if (props.serviceControlPolicy) {
      const scp = props.serviceControlPolicy;
      if (!Array.isArray(scp.targetIds) || scp.targetIds.length === 0) {
        throw new TrainyardValidationError('TrainingGuardrails.serviceControlPolicy.targetIds', 'must list at least one root, organizational unit or account id.');
      }
      for (const target of scp.targetIds) {
        if (typeof target !== 'string' || !Token.isUnresolved(target) && !/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$/.test(target)) {
          throw new TrainyardValidationError(
            'TrainingGuardrails.serviceControlPolicy.targetIds',
            `'${String(target)}' is not a root (r-...), organizational unit (ou-...-...) or 12-digit account id.`,
          );
        }
      }
      this.serviceControlPolicy = new organizations.CfnPolicy(this, 'ServiceControlPolicy', {
        name: scp.name ?? 'trainyard-training-guardrails',
        description: scp.description ?? 'Trainyard training guardrails: SageMaker jobs only in a VPC, isolated, KMS-encrypted, on allowed instance types, tagged.',
        type: 'SERVICE_CONTROL_POLICY',
        targetIds: scp.targetIds,
        content: new iam.PolicyDocument({ statements: this.denyStatements }),
      });
    }
  }

  /**
   * Sets the guardrail policy as the permissions boundary of every IAM role and user under `scope`
   * (CDK's `PermissionsBoundary.of(scope).apply`).
   */
  public applyTo(scope: IConstruct): void {
    iam.PermissionsBoundary.of(scope).apply(this.permissionsBoundary);
  }
}
