import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { resolveResource } from './private/cfn';
import { MlOpsRule } from './private/rule';

/** The AWS managed policy that grants all of SageMaker (and more). */
const FULL_ACCESS = /:policy\/(service-role\/)?AmazonSageMakerFullAccess"?$/;

/** No IAM role has AmazonSageMakerFullAccess attached. */
export const SageMakerRoleNoFullAccess: MlOpsRule = {
  name: 'SageMakerRoleNoFullAccess',
  level: NagMessageLevel.ERROR,
  info: 'An IAM role has the AWS managed policy AmazonSageMakerFullAccess attached (ManagedPolicyArns).',
  explanation:
    'AmazonSageMakerFullAccess allows every SageMaker action on every resource, plus broad S3, ECR, IAM PassRole and networking permissions. ' +
    'A SageMaker execution role (or any team role) needs only its own jobs, data prefixes and key: grant those, and use TrainingGuardrails as its permissions boundary.',
  check: (node) => {
    const resource = resolveResource(node);
    if (resource.type !== 'AWS::IAM::Role') return NagRuleCompliance.NOT_APPLICABLE;
    const arns: unknown[] = Array.isArray(resource.properties.ManagedPolicyArns) ? resource.properties.ManagedPolicyArns : [];
    // An ARN built with Fn::Join (arn:${Partition}:iam::aws:policy/...) is judged by its joined text.
    const attached = arns.some((arn) => FULL_ACCESS.test(typeof arn === 'string' ? arn : flatten(arn)));
    return attached ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
};

function flatten(value: unknown): string {
  const join = value && typeof value === 'object' ? (value as any)['Fn::Join'] : undefined;
  if (Array.isArray(join) && Array.isArray(join[1])) {
    return join[1].map((part: unknown) => (typeof part === 'string' ? part : '')).join(String(join[0] ?? ''));
  }
  return JSON.stringify(value ?? '');
}
