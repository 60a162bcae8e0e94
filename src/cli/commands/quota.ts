import * as path from 'path';
import {
  ListAWSDefaultServiceQuotasCommand,
  ListServiceQuotasCommand,
  ServiceQuota,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { TrainyardValidationError } from '../../core/errors';
import { parseCommandArgs, positiveInteger } from '../args';
import { CloudAssemblyView } from '../cloud-assembly';
import { CliCommand, CliIo } from '../io';

/** One training workload that needs instances: a pipeline step or a Batch compute environment. */
export interface TrainingDemand {
  /** What needs it: `<stack>/<logical id>` and the step name, or `--instance-type`. */
  readonly source: string;
  /** The SageMaker instance type (`ml.g5.2xlarge`), or the EC2 type for AWS Batch. */
  readonly instanceType: string;
  /** How many instances one run needs (for Batch: vCPUs). */
  readonly count: number;
  /** Whether it runs on spot capacity. */
  readonly spot: boolean;
  /** `sagemaker` for training jobs, `batch` for AWS Batch compute environments. */
  readonly kind: 'sagemaker' | 'batch';
}

/** One line of the quota table. */
export interface QuotaCheck {
  readonly quotaName: string;
  readonly serviceCode: string;
  readonly needed: number;
  /** The applied (or default) quota value; undefined when the region has no such quota. */
  readonly available?: number;
  /** Where the value came from. */
  readonly origin: 'applied' | 'default' | 'missing';
  readonly sources: string[];
  readonly ok: boolean;
}

const HELP = `Usage: trainyard quota [--cdk-out DIR | --instance-type TYPE [--count N] [--spot]] [--region REGION]

Checks, before a deploy, that the account's SageMaker training quotas cover what the synthesized app
needs: "<type> for training job usage" (on-demand) and "<type> for spot training job usage" (managed
spot), per instance type, from AWS Service Quotas (the applied value, else the AWS default).

Needs are read from the cloud assembly: the capacity of every TrainingCapacityPool (per instance
type), the training steps of every AWS::SageMaker::Pipeline
(ResourceConfig.InstanceType and InstanceCount, EnableManagedSpotTraining; steps inside condition
steps too; pipeline parameters resolve to their defaults). A type needs as many instances as its
largest single job; concurrent runs need more. AWS Batch compute environments are checked against
the EC2 vCPU quotas of their G and P instance families (MaxvCpus).

Options:
  --cdk-out DIR          the cloud assembly (default: ./cdk.out)
  --instance-type TYPE   check one SageMaker instance type instead, for example ml.g5.2xlarge
  --count N              instances of that type (default: 1)
  --spot                 check the spot training quota instead of the on-demand one
  --region REGION        the AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's)
  -h, --help             this help

Exit codes: 0 every quota suffices, 1 a quota is short or missing, 2 bad usage or no credentials.
`;

/** The Service Quotas name of a SageMaker training quota. */
export function trainingQuotaName(instanceType: string, spot: boolean): string {
  return `${instanceType} for ${spot ? 'spot ' : ''}training job usage`;
}

/**
 * The EC2 vCPU quotas (service code `ec2`) AWS Batch instances count against, by instance family.
 * Other families are listed as not checked.
 */
const EC2_VCPU_QUOTAS: Record<string, { onDemand: string; spot: string }> = {
  g: { onDemand: 'Running On-Demand G and VT instances', spot: 'All G and VT Spot Instance Requests' },
  vt: { onDemand: 'Running On-Demand G and VT instances', spot: 'All G and VT Spot Instance Requests' },
  p: { onDemand: 'Running On-Demand P instances', spot: 'All P Spot Instance Requests' },
};

/** The family letters of an EC2 instance type: `g5.2xlarge` -> `g`, `vt1.3xlarge` -> `vt`. */
function ec2Family(instanceType: string): string {
  return /^([a-z]+?)\d/.exec(instanceType)?.[1] ?? instanceType;
}

/** `trainyard quota`: needed vs available SageMaker training quotas. */
export const quotaCommand: CliCommand = async (argv, io) => {
  const { values } = parseCommandArgs('quota', argv, {
    'cdk-out': { type: 'string' },
    'instance-type': { type: 'string' },
    'count': { type: 'string' },
    'spot': { type: 'boolean' },
    'region': { type: 'string' },
    'help': { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  let demands: TrainingDemand[];
  if (values['instance-type'] !== undefined) {
    if (values['cdk-out'] !== undefined) {
      throw new TrainyardValidationError('--instance-type', 'cannot be combined with --cdk-out: check either one instance type or a cloud assembly.');
    }
    const instanceType = String(values['instance-type']);
    if (!/^ml\.[a-z0-9-]+\.[a-z0-9]+$/.test(instanceType)) {
      throw new TrainyardValidationError('--instance-type', `must be a SageMaker training instance type such as ml.g5.2xlarge, got '${instanceType}'`);
    }
    const count = values.count === undefined ? 1 : positiveInteger('--count', String(values.count));
    demands = [{ source: '--instance-type', instanceType, count, spot: Boolean(values.spot), kind: 'sagemaker' }];
  } else {
    if (values.count !== undefined || values.spot) {
      throw new TrainyardValidationError(values.count !== undefined ? '--count' : '--spot', 'needs --instance-type.');
    }
    const cdkOut = path.resolve(io.cwd, String(values['cdk-out'] ?? 'cdk.out'));
    demands = demandsFromAssembly(CloudAssemblyView.open(cdkOut), io);
    if (demands.length === 0) {
      io.out(`No SageMaker training steps or AWS Batch compute environments in ${path.relative(io.cwd, cdkOut) || '.'}: no quota to check.\n`);
      return 0;
    }
  }

  for (const d of demands.filter((x) => x.kind === 'batch' && !EC2_VCPU_QUOTAS[ec2Family(x.instanceType)])) {
    io.err(`trainyard quota: not checked: ${d.instanceType} of ${d.source} (only the EC2 vCPU quotas of G, VT and P instances are mapped).\n`);
  }
  const region = values.region !== undefined ? String(values.region) : io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  const client = new ServiceQuotasClient(region ? { region } : {});
  const checks = await checkQuotas(client, demands);
  io.out(renderTable(checks, region));
  return checks.every((c) => c.ok) ? 0 : 1;
};

// ----------------------------------------------------------------------------------------------
// What the cloud assembly needs

/** The training demands of every stack in the assembly. */
export function demandsFromAssembly(view: CloudAssemblyView, io?: CliIo): TrainingDemand[] {
  const demands: TrainingDemand[] = [];
  for (const t of view.templates) {
    for (const [logicalId, resource] of Object.entries<any>(t.template?.Resources ?? {})) {
      const source = `${t.stackId}/${logicalId}`;
      if (resource?.Type === 'AWS::SageMaker::Pipeline') {
        const definition = pipelineDefinition(resource.Properties?.PipelineDefinition);
        if (!definition) {
          io?.err(`trainyard quota: skipping ${source}: its pipeline definition is not inline JSON (an S3 location, or unresolvable tokens).\n`);
          continue;
        }
        demands.push(...trainingSteps(definition, source));
      } else if (resource?.Type === 'AWS::Batch::ServiceEnvironment' && resource.Properties?.ServiceEnvironmentType === 'SAGEMAKER_TRAINING') {
        // A TrainingCapacityPool: at full use it runs its per-type maximum of SageMaker training instances.
        for (const limit of Array.isArray(resource.Properties?.CapacityLimits) ? resource.Properties.CapacityLimits : []) {
          if (typeof limit?.CapacityUnit === 'string' && limit.CapacityUnit.startsWith('ml.') && typeof limit.MaxCapacity === 'number') {
            demands.push({ source: `${source} (capacity pool)`, instanceType: limit.CapacityUnit, count: limit.MaxCapacity, spot: false, kind: 'sagemaker' });
          }
        }
      } else if (resource?.Type === 'AWS::Batch::ComputeEnvironment') {
        const cr = resource.Properties?.ComputeResources;
        const types = Array.isArray(cr?.InstanceTypes) ? cr.InstanceTypes.filter((x: unknown) => typeof x === 'string') : [];
        const maxvCpus = typeof cr?.MaxvCpus === 'number' ? cr.MaxvCpus : 0;
        const spot = cr?.Type === 'SPOT' || cr?.Type === 'FARGATE_SPOT';
        for (const instanceType of types as string[]) {
          demands.push({ source, instanceType, count: maxvCpus, spot, kind: 'batch' });
        }
      }
    }
  }
  return demands;
}

/** Parses a pipeline's `PipelineDefinition` property; tokens inside strings become placeholders. */
export function pipelineDefinition(property: any): any | undefined {
  const body = property?.PipelineDefinitionBody;
  let text: string | undefined;
  if (typeof body === 'string') {
    text = body;
  } else if (body && Array.isArray(body['Fn::Join']) && Array.isArray(body['Fn::Join'][1])) {
    const [sep, parts] = body['Fn::Join'];
    text = (parts as unknown[]).map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(typeof sep === 'string' ? sep : '');
  }
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The training steps of a pipeline definition (condition branches included). */
export function trainingSteps(definition: any, source: string): TrainingDemand[] {
  const parameters = new Map<string, unknown>();
  for (const p of Array.isArray(definition?.Parameters) ? definition.Parameters : []) {
    if (p && typeof p.Name === 'string') parameters.set(p.Name, p.DefaultValue);
  }
  // A pipeline parameter reference ({"Get": "Parameters.X"}) resolves to its default value.
  const resolve = (v: any): any => {
    if (v && typeof v === 'object' && typeof v.Get === 'string' && v.Get.startsWith('Parameters.')) {
      return parameters.get(v.Get.slice('Parameters.'.length));
    }
    return v;
  };
  const demands: TrainingDemand[] = [];
  const visit = (steps: unknown) => {
    for (const step of Array.isArray(steps) ? steps : []) {
      const args = step?.Arguments ?? {};
      if (step?.Type === 'Training') {
        const rc = args.ResourceConfig ?? {};
        const spot = resolve(args.EnableManagedSpotTraining) === true || resolve(args.EnableManagedSpotTraining) === 'true';
        const groups = Array.isArray(rc.InstanceGroups) && rc.InstanceGroups.length > 0 ? rc.InstanceGroups : [rc];
        for (const g of groups) {
          const instanceType = resolve(g.InstanceType);
          const count = Number(resolve(g.InstanceCount) ?? 1);
          if (typeof instanceType === 'string' && instanceType.startsWith('ml.')) {
            demands.push({ source: `${source} step ${step.Name}`, instanceType, count: Number.isFinite(count) && count > 0 ? count : 1, spot, kind: 'sagemaker' });
          }
        }
      } else if (step?.Type === 'Condition') {
        visit(args.IfSteps);
        visit(args.ElseSteps);
      }
    }
  };
  visit(definition?.Steps);
  return demands;
}

// ----------------------------------------------------------------------------------------------
// What the account has

interface QuotaNeed {
  readonly serviceCode: string;
  readonly quotaName: string;
  needed: number;
  readonly sources: string[];
  readonly unchecked?: string;
}

/** Compares the demands with the account's quotas (applied values, else AWS defaults). */
export async function checkQuotas(client: ServiceQuotasClient, demands: TrainingDemand[]): Promise<QuotaCheck[]> {
  const needs = new Map<string, QuotaNeed>();
  for (const d of demands) {
    let serviceCode = 'sagemaker';
    let quotaName: string;
    if (d.kind === 'sagemaker') {
      quotaName = trainingQuotaName(d.instanceType, d.spot);
    } else {
      serviceCode = 'ec2';
      const ec2 = EC2_VCPU_QUOTAS[ec2Family(d.instanceType)];
      if (!ec2) continue;
      quotaName = d.spot ? ec2.spot : ec2.onDemand;
    }
    const key = `${serviceCode}|${quotaName}`;
    const need = needs.get(key) ?? { serviceCode, quotaName, needed: 0, sources: [] };
    // One job must fit on its own: the largest single need, not the sum.
    need.needed = Math.max(need.needed, d.count);
    need.sources.push(`${d.source} (${d.count})`);
    needs.set(key, need);
  }

  const applied = new Map<string, Map<string, ServiceQuota>>();
  const defaults = new Map<string, Map<string, ServiceQuota>>();
  const checks: QuotaCheck[] = [];
  for (const need of needs.values()) {
    if (!applied.has(need.serviceCode)) {
      applied.set(need.serviceCode, await listAll(client, need.serviceCode, false));
    }
    let quota = applied.get(need.serviceCode)!.get(need.quotaName);
    let origin: QuotaCheck['origin'] = 'applied';
    if (!quota) {
      if (!defaults.has(need.serviceCode)) {
        defaults.set(need.serviceCode, await listAll(client, need.serviceCode, true));
      }
      quota = defaults.get(need.serviceCode)!.get(need.quotaName);
      origin = quota ? 'default' : 'missing';
    }
    const available = quota?.Value;
    checks.push({
      quotaName: need.quotaName,
      serviceCode: need.serviceCode,
      needed: need.needed,
      available,
      origin,
      sources: need.sources,
      ok: available !== undefined && available >= need.needed,
    });
  }
  return checks;
}

/** Every quota of a service, by name, following NextToken through all pages. */
async function listAll(client: ServiceQuotasClient, serviceCode: string, awsDefaults: boolean): Promise<Map<string, ServiceQuota>> {
  const byName = new Map<string, ServiceQuota>();
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = awsDefaults
      ? await client.send(new ListAWSDefaultServiceQuotasCommand({ ServiceCode: serviceCode, MaxResults: 100, NextToken: nextToken }))
      : await client.send(new ListServiceQuotasCommand({ ServiceCode: serviceCode, MaxResults: 100, NextToken: nextToken }));
    for (const q of page.Quotas ?? []) {
      if (q.QuotaName) byName.set(q.QuotaName, q);
    }
    nextToken = page.NextToken;
    pages++;
  } while (nextToken && pages < 1000);
  return byName;
}

// ----------------------------------------------------------------------------------------------

function renderTable(checks: QuotaCheck[], region: string | undefined): string {
  const rows = checks.map((c) => [
    c.quotaName,
    c.serviceCode === 'ec2' ? `${c.needed} vCPU` : String(c.needed),
    c.available === undefined ? '-' : `${c.available}${c.origin === 'default' ? ' (default)' : ''}`,
    c.ok ? 'ok' : c.origin === 'missing' ? 'MISSING' : 'SHORT',
  ]);
  const header = ['quota', 'needed', 'available', 'status'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [`Training quotas${region ? ` in ${region}` : ''}:`, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''];
  for (const c of checks.filter((x) => !x.ok)) {
    out.push(c.origin === 'missing'
      ? `MISSING: '${c.quotaName}' is not a quota in this region (the instance type may not be offered for training here); needed by ${c.sources.join(', ')}.`
      : `SHORT: '${c.quotaName}' is ${c.available}, ${c.needed} needed by ${c.sources.join(', ')}. Request an increase in Service Quotas (service code ${c.serviceCode}).`);
  }
  const short = checks.filter((c) => !c.ok).length;
  out.push(short === 0 ? `PASSED: ${checks.length} quota(s) suffice.` : `FAILED: ${short} of ${checks.length} quota(s) short or missing.`);
  return out.join('\n') + '\n';
}
