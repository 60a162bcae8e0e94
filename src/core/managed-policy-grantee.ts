import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

const GRANTEE_SYMBOL = Symbol.for('trainyard.ManagedPolicyGrantee');
const PRINCIPAL_SYMBOL = Symbol.for('trainyard.ManagedPolicyGrantee.principal');

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
 * registry.grantRead(new ManagedPolicyGrantee(stack, 'ProdModelsRead', { role }));
 * tracking.grantAccess(ManagedPolicyGrantee.of(role));
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

/**
 * Runs `grant(grantee)` so that the statements it adds to a `ManagedPolicyGrantee`'s policy carry the
 * statement id `sid` (wildcards there are acknowledged by id). The grantee itself is passed on, so
 * grants that look at it (a KMS key's, across accounts) see the real one. Any other grantee gets its
 * statements without ids: its inline policy may merge statements, which ids would prevent.
 *
 * @internal
 */
export function grantWithStatementId(grantee: iam.IGrantable, sid: string, grant: (grantee: iam.IGrantable) => iam.Grant): iam.Grant {
  const principal: unknown = grantee.grantPrincipal;
  if (typeof principal !== 'object' || principal === null || !(PRINCIPAL_SYMBOL in principal)) {
    return grant(grantee);
  }
  const managed = principal as unknown as ManagedPolicyPrincipal;
  const previous = managed.statementId;
  managed.statementId = sid;
  try {
    return grant(grantee);
  } finally {
    managed.statementId = previous;
  }
}

/**
 * The principal of a `ManagedPolicyGrantee`: adds statements to the policy; for resource policies it
 * is the role (or, with no role, the account).
 */
class ManagedPolicyPrincipal implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;
  public readonly assumeRoleAction: string;
  public readonly principalAccount?: string;
  /** The id statements added now get (set by `grantWithStatementId` for the duration of one grant). */
  public statementId?: string;
  /** The statements by id, as JSON: the same statement added twice is kept once. */
  private readonly added = new Map<string, string>();

  constructor(private readonly policy: iam.ManagedPolicy, private readonly role: iam.IRole | undefined) {
    Object.defineProperty(this, PRINCIPAL_SYMBOL, { value: true });
    const stand = role ?? new iam.AccountPrincipal(policy.stack.account);
    this.assumeRoleAction = stand.assumeRoleAction;
    this.principalAccount = stand.principalAccount;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return (this.role ?? new iam.AccountPrincipal(this.policy.stack.account)).policyFragment;
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const sid = statement.sid ?? this.statementId;
    if (sid !== undefined) {
      const json = JSON.stringify({ ...statement.toStatementJson(), Sid: undefined });
      let unique = sid;
      for (let n = 2; this.added.has(unique); n++) {
        if (this.added.get(unique) === json) {
          return { statementAdded: true, policyDependable: this.policy };
        }
        unique = `${sid}${n}`;
      }
      this.added.set(unique, json);
      statement.sid = unique;
    }
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}
