import * as iam from 'aws-cdk-lib/aws-iam';
import { LOCAL_STORAGE_INSTANCE_PATTERNS } from '../../core/instance-storage';
import { groupByCarriedKeys, OUTPUT_KMS_KEY_NAMES, VOLUME_KMS_KEY_NAMES } from '../../core/job-condition-keys';
import { ExperimentTracking } from '../../registry/experiment-tracking';

/** The four SageMaker calls whose network placement and tags the guardrails govern. */
const JOB_AND_MODEL_ACTIONS = ['sagemaker:CreateTrainingJob', 'sagemaker:CreateProcessingJob', 'sagemaker:CreateHyperParameterTuningJob', 'sagemaker:CreateModel'];
/** The three that start instances: they carry instance types, a volume and an output location. CreateModel has none of those. */
const JOB_ACTIONS = JOB_AND_MODEL_ACTIONS.filter((a) => a !== 'sagemaker:CreateModel');

/**
 * What team roles may do at most in SageMaker, before the denies: run and observe training,
 * processing, tuning and pipelines (with their experiments and trials), register models, use the
 * MLflow App or tracking server, and work in Studio (own apps and spaces). `Describe*` and `List*`
 * (read-only metadata) stand for the 30-odd describe and list calls of those workflows: listed one
 * by one they would take the boundary past the 6,144 characters of a managed policy.
 */
const ALLOWED_SAGEMAKER_ACTIONS = [
  'sagemaker:Describe*', 'sagemaker:List*', 'sagemaker:CreateTrainingJob', 'sagemaker:StopTrainingJob', 'sagemaker:CreateProcessingJob',
  'sagemaker:StopProcessingJob', 'sagemaker:CreateHyperParameterTuningJob', 'sagemaker:StopHyperParameterTuningJob',
  'sagemaker:CreateModel', 'sagemaker:DeleteModel', 'sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage',
  'sagemaker:StartPipelineExecution', 'sagemaker:StopPipelineExecution', 'sagemaker:RetryPipelineExecution', 'sagemaker:AddTags',
  'sagemaker:Search', 'sagemaker:CreateExperiment', 'sagemaker:CreateTrial', 'sagemaker:CreateTrialComponent',
  'sagemaker:AssociateTrialComponent', 'sagemaker:UpdateTrialComponent', 'sagemaker:CreatePresignedMlflowTrackingServerUrl',
  'sagemaker:CreatePresignedMlflowAppUrl', 'sagemaker:CallMlflowAppApi', 'sagemaker:CreateApp', 'sagemaker:DeleteApp',
  'sagemaker:CreateSpace', 'sagemaker:UpdateSpace', 'sagemaker:DeleteSpace',
];

/**
 * The MLflow client actions (`ExperimentTracking.CLIENT_ACTIONS`) in few characters: a verb with
 * three or more actions becomes `sagemaker-mlflow:<Verb>*`, the others stay as they are. Listed one
 * by one they would take the boundary past the 6,144 characters of a managed policy. @internal
 */
export function compactMlflowActions(): string[] {
  const byVerb = new Map<string, string[]>();
  for (const action of ExperimentTracking.CLIENT_ACTIONS) {
    const verb = /^sagemaker-mlflow:([A-Z][a-z]+)/.exec(action)?.[1] ?? action;
    byVerb.set(verb, [...(byVerb.get(verb) ?? []), action]);
  }
  return [...byVerb.entries()].flatMap(([verb, actions]) => (actions.length >= 3 ? [`sagemaker-mlflow:${verb}*`] : actions)).sort();
}

/** The action patterns of the guardrail boundary (for their acknowledgements). @internal */
export function guardrailWildcardActions(): string[] {
  return [...ALLOWED_SAGEMAKER_ACTIONS, ...compactMlflowActions()].filter((a) => a.endsWith('*'));
}

/** Options of the guardrail denies. @internal */
export interface GuardrailDenyOptions {
  /** IAM `StringLike` patterns of the instance types jobs may use (may be a list token). */
  readonly allowedInstanceTypes: string[];
  /** Tag keys every job and model request must carry. */
  readonly requiredTags: string[];
  /** Deny jobs and models whose request does not set network isolation to true. */
  readonly requireNetworkIsolation: boolean;
}

/**
 * Deny statements that fire when a request carries none of `keyNames` (one `Null` block: its keys
 * are ANDed, so the deny fires only when every listed key is absent). A key goes into the block of
 * an action only if that action's request carries it (SAR, see `JOB_CONDITION_KEYS`); actions that
 * differ in the keys they carry get one statement each (`<sid>1`, `<sid>2`, ...).
 */
function nullDenies(sid: string, actions: string[], keyNames: string[], extraConditions: Record<string, unknown> = {}): iam.PolicyStatement[] {
  const groups = groupByCarriedKeys(actions, keyNames);
  return groups.map((group, index) => new iam.PolicyStatement({
    sid: groups.length === 1 ? sid : `${sid}${index + 1}`,
    effect: iam.Effect.DENY,
    actions: group.actions,
    resources: ['*'],
    conditions: { Null: Object.fromEntries(group.keys.map((key) => [key, 'true'])), ...extraConditions },
  }));
}

/**
 * The guardrail denies, shared by `TrainingGuardrails` (boundary and SCP) and the boundary a
 * `TrainingEnvironment` creates. See `TrainingGuardrails` for what each tests. @internal
 */
export function guardrailDenyStatements(options: GuardrailDenyOptions): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'DenyJobsOutsideVpc',
      effect: iam.Effect.DENY,
      actions: JOB_AND_MODEL_ACTIONS,
      resources: ['*'],
      conditions: { Null: { 'sagemaker:VpcSubnets': 'true' } },
    }),
    ...(options.requireNetworkIsolation ? [new iam.PolicyStatement({
      sid: 'DenyJobsWithoutNetworkIsolation',
      effect: iam.Effect.DENY,
      actions: JOB_AND_MODEL_ACTIONS,
      resources: ['*'],
      conditions: { BoolIfExists: { 'sagemaker:NetworkIsolation': 'false' } },
    })] : []),
    // Instance types with local NVMe storage encrypt it in hardware; SageMaker rejects a volume key for them.
    ...nullDenies('DenyJobsWithoutVolumeKmsKey', JOB_ACTIONS, VOLUME_KMS_KEY_NAMES, {
      'ForAllValues:StringNotLike': { 'sagemaker:InstanceTypes': LOCAL_STORAGE_INSTANCE_PATTERNS },
    }),
    ...nullDenies('DenyJobsWithoutOutputKmsKey', JOB_ACTIONS, OUTPUT_KMS_KEY_NAMES),
    new iam.PolicyStatement({
      sid: 'DenyInstanceTypesOutsideProfiles',
      effect: iam.Effect.DENY,
      actions: JOB_ACTIONS,
      resources: ['*'],
      conditions: { 'ForAnyValue:StringNotLike': { 'sagemaker:InstanceTypes': options.allowedInstanceTypes } },
    }),
    ...options.requiredTags.map((key, index) => new iam.PolicyStatement({
      sid: `DenyRequestsWithoutTag${index}`,
      effect: iam.Effect.DENY,
      actions: JOB_AND_MODEL_ACTIONS,
      resources: ['*'],
      conditions: { Null: { [`aws:RequestTag/${key}`]: 'true' } },
    })),
  ];
}

/**
 * What a guardrail boundary allows at most: everything the roles Trainyard gives a team (job
 * execution role, pipeline execution role, trigger roles, Studio role) are granted by their
 * identity policies, so the boundary caps without cutting. The IAM simulation tests prove it per
 * workflow. @internal
 */
export function guardrailAllowStatements(additionalAllowedActions: string[] = []): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ sid: 'AllowSageMakerTrainingWorkflow', actions: ALLOWED_SAGEMAKER_ACTIONS, resources: ['*'] }),
    new iam.PolicyStatement({ sid: 'AllowMlflow', actions: compactMlflowActions(), resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'AllowPassRoleToSageMaker',
      actions: ['iam:PassRole'],
      resources: ['*'],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowDataAndArtifacts',
      actions: [
        's3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:PutObject', 's3:DeleteObject',
        's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:ListBucket', 's3:GetBucketLocation',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'AllowKeyUse',
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'AllowKeyGrantsForAwsResources',
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowImagePull',
      actions: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'AllowLogsAndMetrics',
      actions: [
        'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:GetLogEvents',
        'cloudwatch:PutMetricData', 'cloudwatch:GetMetricData', 'cloudwatch:ListMetrics',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'AllowVpcJobNetworkInterfaces',
      actions: [
        'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
        'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups', 'ec2:DescribeDhcpOptions',
      ],
      resources: ['*'],
    }),
    // Training through a capacity pool (QueuedTrainingStep, TeamCapacityShare.grantSubmit): the pipeline
    // role hands the request to its submitter queue; team and Studio roles submit to and manage the
    // team's share. Each role's identity policy scopes these to its own queue and share.
    new iam.PolicyStatement({
      sid: 'AllowQueuedTraining',
      actions: [
        'sqs:SendMessage', 'batch:SubmitServiceJob', 'batch:TagResource', 'batch:UpdateServiceJob', 'batch:TerminateServiceJob',
        'batch:DescribeServiceJob', 'batch:ListServiceJobs', 'batch:DescribeJobQueues', 'batch:DescribeServiceEnvironments',
        'batch:DescribeQuotaShare', 'batch:ListQuotaShares',
      ],
      resources: ['*'],
    }),
    ...(additionalAllowedActions.length > 0
      ? [new iam.PolicyStatement({ sid: 'AllowAdditionalActions', actions: additionalAllowedActions, resources: ['*'] })]
      : []),
  ];
}
