import { Fn } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * The ARN of a KMS key owned by another stack or read from the platform's SSM parameter (a template
 * parameter), wrapped in a `Fn::Join` for a resource's KMS key property.
 *
 * cfn-guard's Control Tower rules follow a `Ref` to resources only, and the cfn-guard CDK plugin
 * crashes on a `Ref` to a template parameter (TypeError reading 'to'), which leaves the whole pack
 * unchecked. As a `Fn::Join`, the rule reports the property instead; the caller acknowledges that
 * finding with the reason (the key is the platform key).
 *
 * @internal
 */
export function foreignKeyArn(key: kms.IKey): string {
  return Fn.join('', [key.keyArn, '']);
}
