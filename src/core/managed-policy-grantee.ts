import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ManagedPolicyPrincipal } from './private/managed-policy-principal';

const GRANTEE_SYMBOL = Symbol.for('trainyard.ManagedPolicyGrantee');

/** The construct id of the policy `ManagedPolicyGrantee.of(role)` keeps under the role. */
const PER_ROLE_ID = 'ManagedGrants';

/**
 * Properties of a `ManagedPolicyGrantee`.
 */
export interface ManagedPolicyGranteeProps {
  /**
   * The role the policy is attached to, and whose principal resource policies name in cross-account grants.
   *
   * @default - attached to no role: attach `policy` to roles yourself; cross-account grants name the account
   */
  readonly role?: iam.IRole;

  /**
   * The description of the customer-managed policy.
   *
   * @default - 'Trainyard grants to <role path>' (or to the roles the policy is attached to)
   */
  readonly description?: string;
}

/**
 * A grantee that lands every `grantXxx(grantee)` in one customer-managed policy (attached to a role)
 * instead of the role's inline default policy, which NIST 800-53 and HIPAA (IAMNoInlinePolicy) reject:
 *
 * ```ts
 * const role = new iam.Role(teamStack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
 * team.modelRegistry!.grantRead(new ManagedPolicyGrantee(teamStack, 'ModelsRead', { role }));
 * team.experimentTracking!.grantAccess(ManagedPolicyGrantee.of(role));
 * ```
 *
 * The grant methods stay the one definition of what they allow; there is no separate list of
 * statements to copy into a policy. Statements keep the ids the grant methods give them (made unique
 * in the policy, `Sid`, `Sid2`, ...), so a wildcard resource can be acknowledged by statement id.
 */
export class ManagedPolicyGrantee extends Construct implements iam.IGrantable {
  /** Whether `x` is a ManagedPolicyGrantee (works across copies of the library). */
  public static isManagedPolicyGrantee(x: unknown): x is ManagedPolicyGrantee {
    return typeof x === 'object' && x !== null && GRANTEE_SYMBOL in x;
  }

  /**
   * The grantee of `role`, created once per role (as the child `ManagedGrants` of the role's
   * construct) and shared by every later call.
   */
  public static of(role: iam.IRole): ManagedPolicyGrantee {
    const existing = role.node.tryFindChild(PER_ROLE_ID);
    if (existing && ManagedPolicyGrantee.isManagedPolicyGrantee(existing)) {
      return existing;
    }
    return new ManagedPolicyGrantee(role, PER_ROLE_ID, { role });
  }

  public readonly grantPrincipal: iam.IPrincipal;

  /** The customer-managed policy the grants land in. */
  public readonly policy: iam.ManagedPolicy;

  /** The role the policy is attached to, if one was given. */
  public readonly role?: iam.IRole;

  constructor(scope: Construct, id: string, props: ManagedPolicyGranteeProps = {}) {
    super(scope, id);
    Object.defineProperty(this, GRANTEE_SYMBOL, { value: true });
    this.role = props.role;
    // The id `Resource` keeps the policy's logical id what it was when callers created the policy directly at `id`.
    this.policy = new iam.ManagedPolicy(this, 'Resource', {
      description: props.description ?? `Trainyard grants to ${props.role?.node.path ?? 'the roles this policy is attached to'}`,
      roles: props.role ? [props.role] : undefined,
    });
    this.grantPrincipal = new ManagedPolicyPrincipal(this.policy, props.role);
  }
}
