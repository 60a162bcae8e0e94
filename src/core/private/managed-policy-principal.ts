import * as iam from 'aws-cdk-lib/aws-iam';

const PRINCIPAL_SYMBOL = Symbol.for('trainyard.ManagedPolicyGrantee.principal');

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
 *
 * @internal
 */
export class ManagedPolicyPrincipal implements iam.IPrincipal {
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
