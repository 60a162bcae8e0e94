import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * A synthesized cloud assembly read as a model of what CloudFormation would deploy, with every
 * CloudFormation token resolvable to the value it would take in a real account: the fake account
 * 123456789012 (or the stack's own account), us-east-1, and physical names shaped like the ones
 * CloudFormation generates.
 *
 * The resolver is strict: an intrinsic, a resource type, an attribute, an export or an SSM
 * parameter it cannot resolve throws, naming it. A token rendered as a plain string would match
 * everything or nothing in a simulated policy and hide a hole.
 */

/** The account of stacks synthesized without one. */
export const FAKE_ACCOUNT = '123456789012';
/** The region of stacks synthesized without one. */
export const FAKE_REGION = 'us-east-1';

/** One stack of the assembly. */
export interface StackModel {
  /** The stack name (CloudFormation's). */
  readonly name: string;
  /** The display name (`Dev/Trainyard-Platform` for stacks of a stage). */
  readonly displayName: string;
  readonly account: string;
  readonly region: string;
  readonly template: any;
}

/** A resource of the assembly. */
export interface ResourceRef {
  readonly stack: StackModel;
  readonly logicalId: string;
  readonly resource: any;
}

/** Marker for `AWS::NoValue`, removed from lists and objects. */
const NO_VALUE = Symbol('AWS::NoValue');

/** Thrown when a token cannot be resolved. */
export class UnresolvableTokenError extends Error {}

function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('/')).digest('hex');
}

/** The logical id without CDK's 8-hex-digit hash suffix, as CloudFormation's generated names start. */
function namePrefix(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}

/** A name shaped like CloudFormation's generated ones: `<stack>-<logical id>-<12 random chars>`, within `max`. */
function generatedName(stack: StackModel, logicalId: string, max: number, lower = false): string {
  const suffix = hash(stack.name, logicalId).slice(0, 12).toUpperCase();
  const head = `${stack.name}-${namePrefix(logicalId)}`.slice(0, max - suffix.length - 1);
  const name = `${head}-${suffix}`;
  return lower ? name.toLowerCase() : name;
}

function uuidOf(...parts: string[]): string {
  const h = hash(...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Every stack of the cloud assembly in `dir`, nested stage assemblies included, with the directory of
 * the assembly that holds it (`assembly`): stacks of two stages may share a name.
 */
export function readAssemblyStacks(dir: string): Array<StackModel & { readonly assembly: string }> {
  const stacks: Array<StackModel & { readonly assembly: string }> = [];
  const read = (d: string) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(d, 'manifest.json'), 'utf8'));
    for (const [name, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
      if (artifact.type === 'aws:cloudformation:stack') {
        const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '') ?? [];
        stacks.push({
          name: artifact.properties?.stackName ?? name,
          displayName: artifact.displayName ?? name,
          assembly: d,
          account: env[1] && env[1] !== 'unknown-account' ? env[1] : FAKE_ACCOUNT,
          region: env[2] && env[2] !== 'unknown-region' ? env[2] : FAKE_REGION,
          template: JSON.parse(fs.readFileSync(path.join(d, artifact.properties.templateFile), 'utf8')),
        });
      } else if (artifact.type === 'cdk:cloud-assembly') {
        read(path.join(d, artifact.properties.directoryName));
      }
    }
  };
  read(dir);
  return stacks;
}

export class CloudAssemblyModel {
  /** Reads every stack of the assembly in `dir`, nested stage assemblies included. */
  public static fromDirectory(dir: string): CloudAssemblyModel {
    return new CloudAssemblyModel(readAssemblyStacks(dir));
  }

  /** A model of templates given directly (tests of the resolver). */
  public static fromStacks(stacks: StackModel[]): CloudAssemblyModel {
    return new CloudAssemblyModel(stacks);
  }

  private constructor(public readonly stacks: StackModel[]) {}

  /** The stack with this name or display name. */
  public stack(name: string): StackModel {
    const found = this.stacks.filter((s) => s.name === name || s.displayName === name);
    if (found.length !== 1) throw new Error(`stack '${name}': ${found.length} matches among ${this.stacks.map((s) => s.displayName).join(', ')}`);
    return found[0];
  }

  /** Every resource of `type` in the assembly. */
  public resourcesOfType(type: string): ResourceRef[] {
    return this.stacks.flatMap((stack) => Object.entries<any>(stack.template.Resources ?? {})
      .filter(([, r]) => r.Type === type)
      .map(([logicalId, resource]) => ({ stack, logicalId, resource })));
  }

  /** The one resource of `type` in `stack` whose logical id starts with `prefix` (the construct path without hash). */
  public resource(stack: StackModel | string, type: string, prefix: string): ResourceRef {
    const s = typeof stack === 'string' ? this.stack(stack) : stack;
    const found = this.resourcesOfType(type).filter((r) => r.stack === s && r.logicalId.startsWith(prefix));
    if (found.length !== 1) {
      throw new Error(`${type} '${prefix}*' in ${s.displayName}: ${found.length} matches (${found.map((r) => r.logicalId).join(', ')})`);
    }
    return found[0];
  }

  /** Resolves every intrinsic in `value`, as CloudFormation would in `stack`. Throws on what it cannot resolve. */
  public resolve(stack: StackModel, value: any): any {
    const out = this.resolveIn(stack, value, []);
    if (out === NO_VALUE) throw new UnresolvableTokenError('AWS::NoValue at the top level');
    return out;
  }

  /** The value `Ref` gives for a resource. */
  public refOf(ref: ResourceRef): string {
    return this.attribute(ref, '__Ref');
  }

  /** `Fn::GetAtt` of a resource (`__Ref` for Ref). */
  public attribute(ref: ResourceRef, attribute: string): string {
    const { stack, logicalId, resource } = ref;
    const p = resource.Properties ?? {};
    const a = stack.account;
    const r = stack.region;
    const named = (prop: string, max: number, lower = false) =>
      (p[prop] !== undefined ? String(this.resolve(stack, p[prop])) : generatedName(stack, logicalId, max, lower));
    const fail = () => {
      throw new UnresolvableTokenError(`${stack.displayName}/${logicalId} (${resource.Type}): no ${attribute === '__Ref' ? 'Ref' : `attribute ${attribute}`} known to the resolver`);
    };
    const pick = (values: Record<string, () => string>) => (values[attribute] ?? fail)();
    const short = (prefix: string) => `${prefix}-${hash(stack.name, logicalId).slice(0, 17)}`;
    switch (resource.Type) {
      case 'AWS::S3::Bucket': {
        const name = named('BucketName', 63, true);
        return pick({ __Ref: () => name, Arn: () => `arn:aws:s3:::${name}`, DomainName: () => `${name}.s3.amazonaws.com`, RegionalDomainName: () => `${name}.s3.${r}.amazonaws.com` });
      }
      case 'AWS::IAM::Role': {
        const name = named('RoleName', 64);
        const rolePath = p.Path ?? '/';
        return pick({ __Ref: () => name, Arn: () => `arn:aws:iam::${a}:role${rolePath}${name}`, RoleId: () => `AROA${hash(name).slice(0, 17).toUpperCase()}` });
      }
      case 'AWS::IAM::ManagedPolicy': {
        const name = named('ManagedPolicyName', 128);
        const arn = `arn:aws:iam::${a}:policy${p.Path ?? '/'}${name}`;
        return pick({ __Ref: () => arn, PolicyArn: () => arn });
      }
      case 'AWS::IAM::InstanceProfile': {
        const name = named('InstanceProfileName', 128);
        return pick({ __Ref: () => name, Arn: () => `arn:aws:iam::${a}:instance-profile${p.Path ?? '/'}${name}` });
      }
      case 'AWS::KMS::Key': {
        const id = uuidOf(stack.name, logicalId);
        return pick({ __Ref: () => id, KeyId: () => id, Arn: () => `arn:aws:kms:${r}:${a}:key/${id}` });
      }
      case 'AWS::KMS::Alias':
        return pick({ __Ref: () => String(this.resolve(stack, p.AliasName)) });
      case 'AWS::ECR::Repository': {
        const name = named('RepositoryName', 256, true);
        return pick({ __Ref: () => name, Arn: () => `arn:aws:ecr:${r}:${a}:repository/${name}`, RepositoryUri: () => `${a}.dkr.ecr.${r}.amazonaws.com/${name}` });
      }
      case 'AWS::SageMaker::ModelPackageGroup': {
        const name = named('ModelPackageGroupName', 63);
        const arn = `arn:aws:sagemaker:${r}:${a}:model-package-group/${name}`;
        return pick({ __Ref: () => arn, ModelPackageGroupArn: () => arn });
      }
      case 'AWS::SageMaker::Pipeline': {
        const name = named('PipelineName', 256);
        return pick({ __Ref: () => name });
      }
      case 'AWS::SageMaker::MlflowApp': {
        const arn = `arn:aws:sagemaker:${r}:${a}:mlflow-app/app-${hash(stack.name, logicalId).slice(0, 12)}`;
        return pick({ __Ref: () => arn, Arn: () => arn });
      }
      case 'AWS::SageMaker::MlflowTrackingServer': {
        const name = named('TrackingServerName', 256);
        const arn = `arn:aws:sagemaker:${r}:${a}:mlflow-tracking-server/${name}`;
        return pick({ __Ref: () => name, TrackingServerArn: () => arn });
      }
      case 'AWS::SageMaker::Domain': {
        const id = `d-${hash(stack.name, logicalId).slice(0, 12)}`;
        return pick({
          __Ref: () => `arn:aws:sagemaker:${r}:${a}:domain/${id}`,
          DomainArn: () => `arn:aws:sagemaker:${r}:${a}:domain/${id}`,
          DomainId: () => id,
          HomeEfsFileSystemId: () => short('fs'),
          SecurityGroupIdForDomainBoundary: () => short('sg'),
          Url: () => `https://${id}.studio.${r}.sagemaker.aws`,
        });
      }
      case 'AWS::EC2::VPC':
        return pick({
          __Ref: () => short('vpc'), VpcId: () => short('vpc'), DefaultSecurityGroup: () => short('sg'), CidrBlock: () => String(this.resolve(stack, p.CidrBlock)),
        });
      case 'AWS::EC2::Subnet':
        return pick({ __Ref: () => short('subnet'), SubnetId: () => short('subnet') });
      case 'AWS::EC2::SecurityGroup':
        return pick({ __Ref: () => short('sg'), GroupId: () => short('sg') });
      case 'AWS::EC2::RouteTable':
        return pick({ __Ref: () => short('rtb'), RouteTableId: () => short('rtb') });
      case 'AWS::EC2::LaunchTemplate':
        return pick({ __Ref: () => short('lt'), LaunchTemplateId: () => short('lt'), LatestVersionNumber: () => '1', DefaultVersionNumber: () => '1' });
      case 'AWS::EC2::PlacementGroup':
        return pick({ __Ref: () => named('GroupName', 255) });
      case 'AWS::EC2::VPCEndpoint':
        return pick({ __Ref: () => short('vpce'), Id: () => short('vpce') });
      case 'AWS::Logs::LogGroup': {
        const name = named('LogGroupName', 512);
        return pick({ __Ref: () => name, Arn: () => `arn:aws:logs:${r}:${a}:log-group:${name}:*` });
      }
      case 'AWS::Lambda::Function': {
        const name = named('FunctionName', 64);
        return pick({ __Ref: () => name, Arn: () => `arn:aws:lambda:${r}:${a}:function:${name}` });
      }
      case 'AWS::SQS::Queue': {
        const name = named('QueueName', 80);
        return pick({ __Ref: () => `https://sqs.${r}.amazonaws.com/${a}/${name}`, QueueUrl: () => `https://sqs.${r}.amazonaws.com/${a}/${name}`, Arn: () => `arn:aws:sqs:${r}:${a}:${name}`, QueueName: () => name });
      }
      case 'AWS::SNS::Topic': {
        const name = named('TopicName', 256);
        const arn = `arn:aws:sns:${r}:${a}:${name}`;
        return pick({ __Ref: () => arn, TopicArn: () => arn, TopicName: () => name });
      }
      case 'AWS::DynamoDB::Table': {
        const name = named('TableName', 255);
        return pick({ __Ref: () => name, Arn: () => `arn:aws:dynamodb:${r}:${a}:table/${name}`, StreamArn: () => `arn:aws:dynamodb:${r}:${a}:table/${name}/stream/2026-01-01T00:00:00.000` });
      }
      case 'AWS::Events::Rule': {
        const name = named('Name', 64);
        return pick({ __Ref: () => name, Arn: () => `arn:aws:events:${r}:${a}:rule/${name}` });
      }
      case 'AWS::Scheduler::Schedule': {
        const name = named('Name', 64);
        return pick({ __Ref: () => name, Arn: () => `arn:aws:scheduler:${r}:${a}:schedule/${p.GroupName ?? 'default'}/${name}` });
      }
      case 'AWS::Batch::ComputeEnvironment': {
        const arn = `arn:aws:batch:${r}:${a}:compute-environment/${named('ComputeEnvironmentName', 128)}`;
        return pick({ __Ref: () => arn, ComputeEnvironmentArn: () => arn });
      }
      case 'AWS::Batch::JobQueue': {
        const arn = `arn:aws:batch:${r}:${a}:job-queue/${named('JobQueueName', 128)}`;
        return pick({ __Ref: () => arn, JobQueueArn: () => arn });
      }
      case 'AWS::Batch::JobDefinition': {
        const arn = `arn:aws:batch:${r}:${a}:job-definition/${named('JobDefinitionName', 128)}:1`;
        return pick({ __Ref: () => arn });
      }
      case 'AWS::Batch::SchedulingPolicy': {
        const arn = `arn:aws:batch:${r}:${a}:scheduling-policy/${named('Name', 128)}`;
        return pick({ __Ref: () => arn, Arn: () => arn });
      }
      case 'AWS::SSM::Parameter': {
        const name = named('Name', 1011);
        return pick({ __Ref: () => name, Value: () => String(this.resolve(stack, p.Value)) });
      }
      case 'AWS::EFS::FileSystem':
        return pick({ __Ref: () => short('fs'), FileSystemId: () => short('fs'), Arn: () => `arn:aws:elasticfilesystem:${r}:${a}:file-system/${short('fs')}` });
      case 'AWS::CloudTrail::Trail': {
        const name = named('TrailName', 128);
        return pick({ __Ref: () => name, Arn: () => `arn:aws:cloudtrail:${r}:${a}:trail/${name}` });
      }
      case 'AWS::CloudWatch::Alarm': {
        const name = named('AlarmName', 255);
        return pick({ __Ref: () => name, Arn: () => `arn:aws:cloudwatch:${r}:${a}:alarm:${name}` });
      }
      default:
        return fail();
    }
  }

  private findResource(stack: StackModel, logicalId: string, trail: string[]): ResourceRef {
    const resource = stack.template.Resources?.[logicalId];
    if (!resource) throw new UnresolvableTokenError(`${stack.displayName}: no resource ${logicalId} (${trail.join(' > ')})`);
    return { stack, logicalId, resource };
  }

  private ref(stack: StackModel, name: string, trail: string[]): any {
    switch (name) {
      case 'AWS::AccountId': return stack.account;
      case 'AWS::Region': return stack.region;
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return stack.name;
      case 'AWS::StackId': return `arn:aws:cloudformation:${stack.region}:${stack.account}:stack/${stack.name}/${uuidOf(stack.name)}`;
      case 'AWS::NoValue': return NO_VALUE;
    }
    const parameter = stack.template.Parameters?.[name];
    if (parameter) {
      if (/^AWS::SSM::Parameter::Value<(String|List<String>|CommaDelimitedList)>$/.test(parameter.Type)) {
        return this.ssmParameter(String(parameter.Default), [...trail, `parameter ${name}`]);
      }
      if (parameter.Default !== undefined) return parameter.Default;
      throw new UnresolvableTokenError(`${stack.displayName}: parameter ${name} has no default (${trail.join(' > ')})`);
    }
    return this.refOf(this.findResource(stack, name, trail));
  }

  /** The value of the SSM parameter `name`, from the `AWS::SSM::Parameter` of the assembly that writes it. */
  public ssmParameter(name: string, trail: string[] = []): string {
    const writers = this.resourcesOfType('AWS::SSM::Parameter').filter((p) => p.resource.Properties?.Name !== undefined
      && this.resolve(p.stack, p.resource.Properties.Name) === name);
    if (writers.length !== 1) {
      throw new UnresolvableTokenError(`SSM parameter '${name}': ${writers.length} AWS::SSM::Parameter resources write it (${trail.join(' > ')})`);
    }
    return String(this.resolve(writers[0].stack, writers[0].resource.Properties.Value));
  }

  private importValue(name: string, trail: string[]): any {
    const exporters = this.stacks.flatMap((stack) => Object.values<any>(stack.template.Outputs ?? {})
      .filter((o) => o.Export && this.resolve(stack, o.Export.Name) === name)
      .map((o) => ({ stack, output: o })));
    if (exporters.length !== 1) throw new UnresolvableTokenError(`Fn::ImportValue '${name}': ${exporters.length} stacks export it (${trail.join(' > ')})`);
    return this.resolve(exporters[0].stack, exporters[0].output.Value);
  }

  private condition(stack: StackModel, name: string, trail: string[]): boolean {
    const c = stack.template.Conditions?.[name];
    if (c === undefined) throw new UnresolvableTokenError(`${stack.displayName}: no condition ${name} (${trail.join(' > ')})`);
    return Boolean(this.resolveIn(stack, c, [...trail, `condition ${name}`]));
  }

  private resolveString(s: string, trail: string[]): string {
    return s.replace(/\{\{resolve:ssm:([^}:]+)(?::\d+)?\}\}/g, (_m, name) => this.ssmParameter(name, trail))
      .replace(/\{\{resolve:[^}]*\}\}/g, (m) => {
        throw new UnresolvableTokenError(`dynamic reference ${m} (${trail.join(' > ')})`);
      });
  }

  private resolveIn(stack: StackModel, value: any, trail: string[]): any {
    if (typeof value === 'string') return this.resolveString(value, trail);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v, i) => this.resolveIn(stack, v, [...trail, String(i)])).filter((v) => v !== NO_VALUE);
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')) {
      const [fn] = keys;
      const arg = value[fn];
      const t = [...trail, fn];
      const r = (v: any) => this.resolveIn(stack, v, t);
      switch (fn) {
        case 'Ref': return this.ref(stack, arg, t);
        case 'Condition': return this.condition(stack, arg, t);
        case 'Fn::GetAtt': {
          const [logicalId, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.+)/);
          return this.attribute(this.findResource(stack, logicalId, t), r(attr));
        }
        case 'Fn::Join': return (r(arg[1]) as any[]).map(String).join(r(arg[0]));
        case 'Fn::Select': return r(arg[1])[Number(r(arg[0]))];
        case 'Fn::Split': return String(r(arg[1])).split(r(arg[0]));
        case 'Fn::ImportValue': return this.importValue(r(arg), t);
        case 'Fn::GetAZs': return [`${stack.region}a`, `${stack.region}b`, `${stack.region}c`];
        case 'Fn::Base64': return Buffer.from(String(r(arg))).toString('base64');
        case 'Fn::FindInMap': {
          const [map, top, second] = r(arg);
          const v = stack.template.Mappings?.[map]?.[top]?.[second];
          if (v === undefined) throw new UnresolvableTokenError(`Fn::FindInMap ${map}/${top}/${second} (${t.join(' > ')})`);
          return v;
        }
        case 'Fn::Sub': {
          const [template, vars] = Array.isArray(arg) ? arg : [arg, {}];
          const resolvedVars = r(vars);
          return String(template).replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
            if (name in resolvedVars) return String(resolvedVars[name]);
            if (name.startsWith('AWS::')) return String(this.ref(stack, name, t));
            const [logicalId, attr] = name.split(/\.(.+)/);
            return attr ? this.attribute(this.findResource(stack, logicalId, t), attr) : String(this.ref(stack, logicalId, t));
          }).replace(/\$\{!/g, '${');
        }
        case 'Fn::If': return this.condition(stack, arg[0], t) ? r(arg[1]) : r(arg[2]);
        case 'Fn::Equals': return JSON.stringify(r(arg[0])) === JSON.stringify(r(arg[1]));
        case 'Fn::Not': return !r(arg[0]);
        case 'Fn::And': return (arg as any[]).every((c) => r(c));
        case 'Fn::Or': return (arg as any[]).some((c) => r(c));
        default: throw new UnresolvableTokenError(`intrinsic ${fn} (${t.join(' > ')})`);
      }
    }
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = this.resolveIn(stack, v, [...trail, k]);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }
}
