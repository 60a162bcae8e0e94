// Resolves synthesized CloudFormation to the strings AWS would see at deploy time, and simulates IAM
// requests against them with @cloud-copilot/iam-simulate (AGPL, a devDependency: test code only,
// never imported from src/).
//
// Strict on purpose: an unresolved token left as a plain string (`${Token[...]}`, `{"Ref": ...}`)
// would match nothing or, as a wildcard-like placeholder, hide a hole; every intrinsic must resolve
// to a realistic physical name or ARN (account 123456789012 unless the stack has one, us-east-1),
// and anything that cannot be resolved throws, naming the stack and the value.
//
// It reads the assembly as test/helpers/cfn-resolver.ts does (readAssemblyStacks) but keeps its own
// resolution and identity-policy-only simulation, which the tenant matrix (test/helpers/tenant-matrix.ts)
// was built on; the workflow simulations (iam-simulation.ts) add boundaries, SCPs and resource policies.
import { createHash } from 'crypto';
import * as path from 'path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { readAssemblyStacks } from './cfn-resolver';

/** One stack of a cloud assembly, with the account and region its intrinsics resolve in. */
interface StackTemplate {
  readonly name: string;
  readonly assembly: string;
  readonly account: string;
  readonly region: string;
  readonly template: any;
}

const short = (text: string, length = 8) => createHash('sha256').update(text).digest('hex').slice(0, length);

/** Resolves the intrinsics of every stack of a synthesized cloud assembly (stage assemblies included). */
export class TemplateResolver {
  /** Reads every stack of the assembly in `dir` (stage assemblies included), as the IAM simulation's resolver does. */
  public static fromAssembly(dir: string): TemplateResolver {
    const stacks = readAssemblyStacks(dir).map(({ name, assembly, account, region, template }) => ({ name, assembly, account, region, template }));
    return new TemplateResolver(stacks);
  }

  private constructor(public readonly stacks: StackTemplate[]) {}

  /** The stack named `name` (its CloudFormation stack name, or `<assembly dir>/<name>` when stages repeat names). */
  public stack(name: string): StackTemplate {
    const found = this.stacks.filter((s) => s.name === name || `${path.basename(s.assembly)}/${s.name}` === name);
    if (found.length !== 1) throw new Error(`access matrix: ${found.length} stacks named ${name} (have ${this.stacks.map((s) => `${path.basename(s.assembly)}/${s.name}`).join(', ')})`);
    return found[0];
  }

  /** `value` of `stack` with every intrinsic resolved; throws on anything unresolvable. */
  public resolve(stack: StackTemplate, value: any): any {
    if (typeof value === 'string') {
      if (/\$\{Token\[|Token\[TOKEN/.test(value)) throw new Error(`access matrix: ${stack.name}: unresolved CDK token in '${value}'`);
      return value;
    }
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(stack, keys[0], value[keys[0]]);
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(stack, value[k])]));
  }

  private intrinsic(stack: StackTemplate, fn: string, arg: any): any {
    switch (fn) {
      case 'Ref': return this.ref(stack, this.resolve(stack, arg));
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
        return this.getAtt(stack, id, this.resolve(stack, attr));
      }
      case 'Fn::Join': {
        const [sep, parts] = arg;
        return this.resolve(stack, parts).map((p: any) => this.scalar(stack, p)).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = this.resolve(stack, arg);
        if (!Array.isArray(list) || list[Number(index)] === undefined) throw new Error(`access matrix: ${stack.name}: Fn::Select ${index} out of ${JSON.stringify(list)}`);
        return list[Number(index)];
      }
      case 'Fn::Split': {
        const [sep, text] = arg;
        return this.scalar(stack, this.resolve(stack, text)).split(sep);
      }
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
        const resolvedVars = this.resolve(stack, vars);
        return String(text).replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
          if (name.startsWith('!')) return `\${${name.slice(1)}}`;
          if (name in resolvedVars) return this.scalar(stack, resolvedVars[name]);
          const [id, attr] = name.split(/\.(.*)/);
          return this.scalar(stack, attr ? this.getAtt(stack, id, attr) : this.ref(stack, id));
        });
      }
      case 'Fn::ImportValue': return this.importValue(stack, this.scalar(stack, this.resolve(stack, arg)));
      // The zones of the stack's region, as cfn-resolver.ts has them (the platform's training-subnets parameter names them).
      case 'Fn::GetAZs': return [`${stack.region}a`, `${stack.region}b`, `${stack.region}c`];
      case 'Fn::FindInMap': {
        const [map, top, second] = this.resolve(stack, arg);
        const found = stack.template.Mappings?.[map]?.[top]?.[second];
        if (found === undefined) throw new Error(`access matrix: ${stack.name}: no mapping ${map}.${top}.${second}`);
        return found;
      }
      default:
        throw new Error(`access matrix: ${stack.name}: cannot resolve ${fn} ${JSON.stringify(arg)}`);
    }
  }

  private scalar(stack: StackTemplate, value: any): string {
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    throw new Error(`access matrix: ${stack.name}: expected a string, got ${JSON.stringify(value)}`);
  }

  private ref(stack: StackTemplate, id: string): any {
    switch (id) {
      case 'AWS::AccountId': return stack.account;
      case 'AWS::Region': return stack.region;
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return stack.name;
      case 'AWS::NoValue': return undefined;
    }
    const parameter = stack.template.Parameters?.[id];
    if (parameter) return this.parameter(stack, id, parameter);
    const resource = this.resource(stack, id);
    const p = resource.Properties ?? {};
    const named = (prop: string, make: () => string) => (p[prop] !== undefined ? this.scalar(stack, this.resolve(stack, p[prop])) : make());
    switch (resource.Type) {
      case 'AWS::IAM::Role': return this.physical(stack, id, 64, p.RoleName);
      case 'AWS::IAM::ManagedPolicy': return `arn:aws:iam::${stack.account}:policy/${this.physical(stack, id, 128, p.ManagedPolicyName)}`;
      case 'AWS::S3::Bucket': return named('BucketName', () => this.physical(stack, id, 63).toLowerCase());
      case 'AWS::KMS::Key': return this.uuid(stack, id);
      case 'AWS::ECR::Repository': return named('RepositoryName', () => this.physical(stack, id, 256).toLowerCase());
      case 'AWS::SageMaker::ModelPackageGroup': return this.getAtt(stack, id, 'ModelPackageGroupArn');
      case 'AWS::SageMaker::Pipeline': return named('PipelineName', () => this.physical(stack, id, 256));
      case 'AWS::EC2::VPC': return `vpc-${short(stack.name + id, 17)}`;
      case 'AWS::EC2::Subnet': return `subnet-${short(stack.name + id, 17)}`;
      case 'AWS::EC2::SecurityGroup': return `sg-${short(stack.name + id, 17)}`;
      case 'AWS::EC2::RouteTable': return `rtb-${short(stack.name + id, 17)}`;
      case 'AWS::SNS::Topic': return `arn:aws:sns:${stack.region}:${stack.account}:${this.physical(stack, id, 256)}`;
      case 'AWS::Logs::LogGroup': return named('LogGroupName', () => this.physical(stack, id, 512));
      case 'AWS::DynamoDB::Table': return named('TableName', () => this.physical(stack, id, 255));
      case 'AWS::SSM::Parameter': return named('Name', () => this.physical(stack, id, 1011));
      case 'AWS::Batch::JobQueue': return `arn:aws:batch:${stack.region}:${stack.account}:job-queue/${named('JobQueueName', () => this.physical(stack, id, 128))}`;
      case 'AWS::Batch::JobDefinition': return `arn:aws:batch:${stack.region}:${stack.account}:job-definition/${named('JobDefinitionName', () => this.physical(stack, id, 128))}:1`;
      case 'AWS::Batch::ComputeEnvironment': return `arn:aws:batch:${stack.region}:${stack.account}:compute-environment/${this.physical(stack, id, 128)}`;
    }
    throw new Error(`access matrix: ${stack.name}: no physical name for Ref ${id} (${resource.Type})`);
  }

  private getAtt(stack: StackTemplate, id: string, attr: string): string {
    const resource = this.resource(stack, id);
    const key = `${resource.Type}.${attr}`;
    const sagemaker = (type: string, name: string) => `arn:aws:sagemaker:${stack.region}:${stack.account}:${type}/${name}`;
    switch (key) {
      case 'AWS::IAM::Role.Arn': return `arn:aws:iam::${stack.account}:role/${this.ref(stack, id)}`;
      case 'AWS::IAM::Role.RoleId': return `AROA${short(stack.name + id, 16).toUpperCase()}`;
      case 'AWS::S3::Bucket.Arn': return `arn:aws:s3:::${this.ref(stack, id)}`;
      case 'AWS::S3::Bucket.RegionalDomainName': return `${this.ref(stack, id)}.s3.${stack.region}.amazonaws.com`;
      case 'AWS::KMS::Key.Arn': return `arn:aws:kms:${stack.region}:${stack.account}:key/${this.ref(stack, id)}`;
      case 'AWS::KMS::Key.KeyId': return this.ref(stack, id);
      case 'AWS::ECR::Repository.Arn': return `arn:aws:ecr:${stack.region}:${stack.account}:repository/${this.ref(stack, id)}`;
      case 'AWS::SageMaker::ModelPackageGroup.ModelPackageGroupArn': {
        const name = this.scalar(stack, this.resolve(stack, resource.Properties.ModelPackageGroupName));
        return sagemaker('model-package-group', name.toLowerCase());
      }
      case 'AWS::SageMaker::MlflowApp.Arn': return sagemaker('mlflow-app', `app-${short(stack.account + stack.name + id, 12).toUpperCase()}`);
      case 'AWS::SageMaker::MlflowTrackingServer.TrackingServerArn':
        return sagemaker('mlflow-tracking-server', this.scalar(stack, this.resolve(stack, resource.Properties.TrackingServerName)));
      case 'AWS::SageMaker::Domain.DomainId': return `d-${short(stack.name + id, 12)}`;
      case 'AWS::SageMaker::Domain.DomainArn': return sagemaker('domain', this.getAtt(stack, id, 'DomainId'));
      case 'AWS::EC2::SecurityGroup.GroupId': return this.ref(stack, id);
      case 'AWS::EC2::VPC.CidrBlock': return this.scalar(stack, this.resolve(stack, resource.Properties.CidrBlock));
      case 'AWS::SNS::Topic.TopicArn': return this.ref(stack, id);
      case 'AWS::Logs::LogGroup.Arn': return `arn:aws:logs:${stack.region}:${stack.account}:log-group:${this.ref(stack, id)}:*`;
      case 'AWS::DynamoDB::Table.Arn': return `arn:aws:dynamodb:${stack.region}:${stack.account}:table/${this.ref(stack, id)}`;
      case 'AWS::IAM::ManagedPolicy.PolicyArn': return this.ref(stack, id);
    }
    throw new Error(`access matrix: ${stack.name}: cannot resolve Fn::GetAtt ${id}.${attr} (${resource.Type})`);
  }

  /** A CloudFormation parameter: SSM-typed parameters resolve to the value of the SSM parameter of that name in the assembly. */
  private parameter(stack: StackTemplate, id: string, parameter: any): string {
    if (typeof parameter.Type === 'string' && parameter.Type.startsWith('AWS::SSM::Parameter::Value<') && typeof parameter.Default === 'string') {
      for (const other of this.stacks.filter((s) => s.assembly === stack.assembly)) {
        for (const [rid, r] of Object.entries<any>(other.template.Resources ?? {})) {
          if (r.Type === 'AWS::SSM::Parameter' && r.Properties?.Name !== undefined && this.resolve(other, r.Properties.Name) === parameter.Default) {
            return this.scalar(other, this.resolve(other, other.template.Resources[rid].Properties.Value));
          }
        }
      }
      throw new Error(`access matrix: ${stack.name}: SSM parameter ${parameter.Default} (parameter ${id}) is written by no stack of the assembly`);
    }
    throw new Error(`access matrix: ${stack.name}: parameter ${id} (${parameter.Type}) has no deploy-time value to resolve to`);
  }

  private importValue(stack: StackTemplate, name: string): any {
    const exporters = this.stacks.filter((s) => s.assembly === stack.assembly).flatMap((s) =>
      Object.values<any>(s.template.Outputs ?? {}).filter((o) => o.Export && this.resolve(s, o.Export.Name) === name).map((o) => [s, o] as const));
    if (exporters.length !== 1) throw new Error(`access matrix: ${stack.name}: Fn::ImportValue ${name} is exported by ${exporters.length} stacks`);
    const [exporter, output] = exporters[0];
    return this.resolve(exporter, output.Value);
  }

  private resource(stack: StackTemplate, id: string): any {
    const resource = stack.template.Resources?.[id];
    if (!resource) throw new Error(`access matrix: ${stack.name}: no resource ${id}`);
    return resource;
  }

  /** The physical name CloudFormation generates: `<stack>-<logical id>-<suffix>`, within `max` characters. */
  private physical(stack: StackTemplate, id: string, max: number, given?: any): string {
    if (given !== undefined) return this.scalar(stack, this.resolve(stack, given));
    const suffix = short(stack.account + stack.name + id, 12).toUpperCase();
    return `${stack.name}-${id}`.slice(0, max - suffix.length - 1) + '-' + suffix;
  }

  private uuid(stack: StackTemplate, id: string): string {
    const h = short(stack.account + stack.name + id, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  }

  /** The identity policies of the role with logical id `roleId` in `stackName`: attached managed policies (from any stack of its assembly) and inline ones. */
  public identityPolicies(stackName: string, roleId: string): Array<{ name: string; policy: any }> {
    const stack = this.stack(stackName);
    const role = this.resource(stack, roleId);
    if (role.Type !== 'AWS::IAM::Role') throw new Error(`access matrix: ${stackName}/${roleId} is a ${role.Type}, not a role`);
    const roleName = this.ref(stack, roleId);
    const attachedArns = new Set<string>((this.resolve(stack, role.Properties.ManagedPolicyArns ?? []) as string[]));
    const out: Array<{ name: string; policy: any }> = [];
    for (const other of this.stacks.filter((s) => s.assembly === stack.assembly)) {
      for (const [id, r] of Object.entries<any>(other.template.Resources ?? {})) {
        if (r.Type !== 'AWS::IAM::ManagedPolicy' && r.Type !== 'AWS::IAM::Policy') continue;
        const roles: string[] = r.Properties.Roles ? this.resolve(other, r.Properties.Roles) : [];
        const byArn = r.Type === 'AWS::IAM::ManagedPolicy' && attachedArns.delete(this.ref(other, id));
        if (byArn || roles.includes(roleName)) {
          out.push({ name: `${other.name}/${id}`, policy: this.resolve(other, r.Properties.PolicyDocument) });
        }
      }
    }
    const unknown = [...attachedArns].filter((arn) => !arn.startsWith('arn:aws:iam::aws:policy/'));
    if (unknown.length > 0) throw new Error(`access matrix: ${stackName}/${roleId} has managed policies defined nowhere in the assembly: ${unknown.join(', ')}`);
    for (const inline of role.Properties.Policies ?? []) {
      out.push({ name: `${stackName}/${roleId}/${inline.PolicyName}`, policy: this.resolve(stack, inline.PolicyDocument) });
    }
    assertNoIntrinsics(out);
    return out;
  }

  /** The ARN of the role with logical id `roleId` in `stackName`. */
  public roleArn(stackName: string, roleId: string): string {
    return this.getAtt(this.stack(stackName), roleId, 'Arn');
  }

  /** `{Ref: id}` or `{Fn::GetAtt: [id, attr]}` of `stackName`, resolved. */
  public value(stackName: string, intrinsic: any): string {
    return this.scalar(this.stack(stackName), this.resolve(this.stack(stackName), intrinsic));
  }
}

/** Throws when anything in `value` is still an intrinsic or a CDK token (the resolver missed it). */
function assertNoIntrinsics(value: any): void {
  const text = JSON.stringify(value);
  const left = /"(Ref|Fn::[A-Za-z]+)":|\$\{Token\[|\$\{AWS::/.exec(text);
  if (left) throw new Error(`access matrix: unresolved '${left[0]}' left in ${text.slice(Math.max(0, left.index - 80), left.index + 80)}`);
}

/** One request to simulate. */
export interface AccessRequest {
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource. */
  readonly resourceAccount: string;
  readonly context?: Record<string, string | string[]>;
  /** The resource's own policy, if it has one (a model package group's, a repository's). */
  readonly resourcePolicy?: any;
}

/** Whether `principal` with `policies` may make `request`, per iam-simulate. Throws when the simulator rejects the inputs. */
export async function isAllowed(principal: string, policies: Array<{ name: string; policy: any }>, request: AccessRequest): Promise<boolean> {
  const result = await runSimulation({
    request: {
      principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: request.context ?? {},
    },
    identityPolicies: policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy,
  }, {});
  if (result.resultType === 'error') {
    throw new Error(`access matrix: simulating ${request.action} on ${request.resource}: ${JSON.stringify(result.errors).slice(0, 2000)}`);
  }
  return result.overallResult === 'Allowed';
}
