import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { requireRemovalPolicy } from './validate';

/**
 * Properties of a Trainyard customer-managed key.
 */
export interface TrainyardKeyProps {
  /** What the key encrypts. */
  readonly description: string;

  /**
   * What happens to the key when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The customer-managed KMS key every Trainyard construct creates: rotation on, a 30-day deletion
 * window, retained by default, and a key policy that lets only AWS services acting for a principal
 * create grants (Control Tower CT.KMS.PR.3).
 *
 * Same construct tree as `kms.Key`, so replacing a `kms.Key` with it keeps the logical id.
 */
export class TrainyardKey extends kms.Key {
  constructor(scope: Construct, id: string, props: TrainyardKeyProps) {
    super(scope, id, {
      description: props.description,
      enableKeyRotation: true,
      removalPolicy: requireRemovalPolicy('TrainyardKey.removalPolicy', props.removalPolicy),
      pendingWindow: Duration.days(30),
    });
    this.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyCreateGrantExceptForAwsServices',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }));
  }
}
