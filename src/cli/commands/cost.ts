import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { TrainyardValidationError } from '../../core/errors';
import {
  FREE_AT_IDLE,
  HOURLY_NOT_PRICED,
  HOURS_PER_MONTH,
  Price,
  PRICE_DATE,
  PRICE_REGION,
  PRICES,
} from '../../core/prices';
import { CliCommand, CliIo } from '../io';

/** One priced line: one resource of one stack. */
export interface CostLine {
  readonly logicalId: string;
  readonly resourceType: string;
  /** What is billed, for example `7 endpoints... 2 AZs`. */
  readonly description: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitUsd: number;
  readonly monthlyUsd: number;
}

/** The idle cost of one stack. */
export interface StackCost {
  readonly stackName: string;
  /** The artifact id, with its nested assembly (`Dev/Trainyard-Platform`) for stage stacks. */
  readonly artifactId: string;
  /** The team of a team stack (its `trainyard:team` tag). */
  readonly team?: string;
  readonly lines: CostLine[];
  readonly monthlyUsd: number;
  /** Resources that bill by the hour but cannot be priced from the template. */
  readonly notEstimated: string[];
  /** Assumptions made (unresolvable zones, ...). */
  readonly assumptions: string[];
}

/** The whole estimate. */
export interface CostEstimate {
  readonly region: string;
  readonly priceDate: string;
  readonly hoursPerMonth: number;
  readonly stacks: StackCost[];
  /** Sum of the stacks, less the account's free CloudWatch dashboards. */
  readonly totalMonthlyUsd: number;
  /** What one more team adds, from the team stacks (undefined without team stacks). */
  readonly perTeam?: { readonly teams: number; readonly meanUsd: number; readonly minUsd: number; readonly maxUsd: number };
  readonly notes: string[];
}

const HELP = `Usage: trainyard cost [--cdk-out DIR] [--format table|json|markdown]

Estimates the fixed monthly cost of the synthesized infrastructure while no job runs: interface
endpoints (per endpoint per Availability Zone), NAT gateways, public IPv4 addresses, KMS keys,
MLflow tracking servers, CloudWatch dashboards and alarms, secrets. Pay-per-use resources (S3,
DynamoDB on demand, Lambda, serverless MLflow, Studio domains, pipelines) cost nothing at idle.

Per stack, and the marginal cost of one more team (the team stacks of multi-team, tagged
trainyard:team). Stage assemblies (multi-account) are read too.

Prices: ${PRICE_REGION}, list prices looked up ${PRICE_DATE}, ${HOURS_PER_MONTH} hours a month (src/core/prices.ts).

Options:
  --cdk-out DIR    the cloud assembly (default: ./cdk.out)
  --format FORMAT  table (default), json or markdown
  -h, --help       this help
`;

const FORMATS = ['table', 'json', 'markdown'] as const;

/** `trainyard cost`: the idle monthly cost per stack and per added team. */
export const costCommand: CliCommand = async (argv: string[], io: CliIo): Promise<number> => {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        'cdk-out': { type: 'string' },
        'format': { type: 'string' },
        'help': { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    const message = (e as Error).message.split('\n')[0];
    const named = /'(-{1,2}[^' ]+)/.exec(message);
    throw new TrainyardValidationError(named ? named[1] : 'cost', `${message.replace(/\.?$/, '.')} Run 'trainyard cost --help' for the options.`);
  }
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const format = String(values.format ?? 'table');
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new TrainyardValidationError('--format', `must be one of ${FORMATS.join(', ')}, got '${format}'`);
  }
  const cdkOut = path.resolve(io.cwd, String(values['cdk-out'] ?? 'cdk.out'));
  const estimate = estimateIdleCost(cdkOut);
  if (format === 'json') {
    io.out(JSON.stringify(estimate, null, 2) + '\n');
  } else {
    io.out(renderCost(estimate, format as 'table' | 'markdown'));
  }
  return 0;
};

// ---- Reading the cloud assembly ---------------------------------------------------------------

interface StackTemplate {
  readonly stackName: string;
  readonly artifactId: string;
  readonly tags: Record<string, string>;
  readonly template: any;
}

function readJson(file: string, what: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TrainyardValidationError('--cdk-out', `${file} is not valid JSON (${(e as Error).message.split('\n')[0]}): ${what}`);
  }
}

/** Every stack template of the assembly in `dir`, stage assemblies included. */
export function readStackTemplates(dir: string): StackTemplate[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new TrainyardValidationError('--cdk-out', `${dir} does not exist or is not a directory: run 'npx cdk synth' first, or pass --cdk-out DIR.`);
  }
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new TrainyardValidationError('--cdk-out', `${dir} is not a CDK cloud assembly (no manifest.json): run 'npx cdk synth' first, or pass --cdk-out DIR.`);
  }
  const stacks: StackTemplate[] = [];
  collect(dir, '', stacks, 0);
  if (stacks.length === 0) {
    throw new TrainyardValidationError('--cdk-out', `${dir} holds no CloudFormation stack: nothing to estimate.`);
  }
  return stacks;
}

function collect(dir: string, prefix: string, into: StackTemplate[], depth: number): void {
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = readJson(manifestFile, 'is the synth complete?');
  if (!manifest || typeof manifest !== 'object' || typeof manifest.version !== 'string' || typeof manifest.artifacts !== 'object' || manifest.artifacts === null) {
    throw new TrainyardValidationError('--cdk-out', `${manifestFile} is not a CDK cloud assembly manifest (no version and artifacts).`);
  }
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts)) {
    if (artifact?.type === 'aws:cloudformation:stack') {
      const templateFile = path.join(dir, String(artifact.properties?.templateFile ?? ''));
      if (!fs.existsSync(templateFile) || !fs.statSync(templateFile).isFile()) {
        throw new TrainyardValidationError('--cdk-out', `${manifestFile}: stack ${id} names template ${templateFile}, which is missing.`);
      }
      into.push({
        stackName: String(artifact.properties?.stackName ?? artifact.displayName ?? id),
        // Stage stacks are named by their construct path (`Dev/Trainyard-Platform`), top-level ones by id.
        artifactId: stageQualified(prefix, String(artifact.displayName ?? id)),
        tags: artifact.properties?.tags ?? {},
        template: readJson(templateFile, `the template of stack ${id}`),
      });
    } else if (artifact?.type === 'cdk:cloud-assembly' && depth < 10) {
      const nested = path.join(dir, String(artifact.properties?.directoryName ?? ''));
      if (fs.existsSync(path.join(nested, 'manifest.json'))) {
        collect(nested, `${prefix}${artifact.properties?.displayName ?? id}/`, into, depth + 1);
      }
    }
  }
}

function stageQualified(prefix: string, name: string): string {
  return name.startsWith(prefix) ? name : prefix + name;
}

// ---- Pricing ------------------------------------------------------------------------------------

function monthly(price: Price, quantity: number, hourly: boolean): number {
  return round2(price.usd * quantity * (hourly ? HOURS_PER_MONTH : 1));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The idle monthly cost of one template. */
export function priceTemplate(stack: StackTemplate): StackCost {
  const lines: CostLine[] = [];
  const notEstimated: string[] = [];
  const assumptions: string[] = [];
  const resources: Record<string, any> = stack.template?.Resources ?? {};
  const line = (logicalId: string, resourceType: string, description: string, price: Price, quantity: number, hourly: boolean) => {
    lines.push({
      logicalId,
      resourceType,
      description,
      quantity,
      unit: price.unit,
      unitUsd: price.usd,
      monthlyUsd: monthly(price, quantity, hourly),
    });
  };
  for (const [logicalId, resource] of Object.entries<any>(resources)) {
    const type = String(resource?.Type ?? '');
    const props = resource?.Properties ?? {};
    switch (type) {
      case 'AWS::EC2::VPCEndpoint': {
        // CloudFormation's default type is Gateway (S3, DynamoDB), which has no hourly charge.
        const endpointType = props.VpcEndpointType ?? 'Gateway';
        if (endpointType !== 'Interface') break;
        let azs: number;
        if (Array.isArray(props.SubnetIds)) {
          azs = props.SubnetIds.length;
        } else {
          azs = 2;
          assumptions.push(`${logicalId}: subnets are not a literal list; assumed 2 Availability Zones`);
        }
        line(logicalId, type, `interface endpoint ${serviceOf(props.ServiceName)} in ${azs} AZ(s)`, PRICES.interfaceEndpointAzHour, azs, true);
        break;
      }
      case 'AWS::EC2::NatGateway':
        line(logicalId, type, 'NAT gateway', PRICES.natGatewayHour, 1, true);
        break;
      case 'AWS::EC2::EIP':
        line(logicalId, type, 'public IPv4 address', PRICES.publicIpv4Hour, 1, true);
        break;
      case 'AWS::KMS::Key':
        line(logicalId, type, 'customer managed KMS key', PRICES.kmsKeyMonth, 1, false);
        break;
      case 'AWS::SecretsManager::Secret':
        line(logicalId, type, 'secret', PRICES.secretMonth, 1, false);
        break;
      case 'AWS::CloudWatch::Dashboard':
        line(logicalId, type, 'CloudWatch dashboard', PRICES.dashboardMonth, 1, false);
        break;
      case 'AWS::CloudWatch::Alarm': {
        // A metric-math alarm bills each metric it reads; a plain alarm reads one.
        const metrics = Array.isArray(props.Metrics) ? props.Metrics.filter((m: any) => m?.MetricStat).length || 1 : 1;
        line(logicalId, type, `CloudWatch alarm (${metrics} metric(s))`, PRICES.alarmMetricMonth, metrics, false);
        break;
      }
      case 'AWS::CloudWatch::CompositeAlarm':
        line(logicalId, type, 'CloudWatch composite alarm', PRICES.compositeAlarmMonth, 1, false);
        break;
      case 'AWS::SageMaker::MlflowTrackingServer': {
        const size = typeof props.TrackingServerSize === 'string' ? props.TrackingServerSize : 'Small';
        const price = PRICES.mlflowTrackingServerHour[size] ?? PRICES.mlflowTrackingServerHour.Small;
        if (!PRICES.mlflowTrackingServerHour[size]) assumptions.push(`${logicalId}: unknown tracking server size ${JSON.stringify(size)}; priced as Small`);
        line(logicalId, type, `MLflow tracking server (${size}), runs around the clock`, price, 1, true);
        break;
      }
      case 'AWS::DynamoDB::Table':
        if (props.BillingMode !== 'PAY_PER_REQUEST') {
          notEstimated.push(`${logicalId} (${type}): provisioned capacity bills by the hour; switch to on-demand (PAY_PER_REQUEST) for zero idle cost`);
        }
        break;
      default:
        if (HOURLY_NOT_PRICED[type]) {
          notEstimated.push(`${logicalId} (${type}): ${HOURLY_NOT_PRICED[type]}`);
        }
    }
  }
  return {
    stackName: stack.stackName,
    artifactId: stack.artifactId,
    team: stack.tags['trainyard:team'],
    lines,
    monthlyUsd: round2(lines.reduce((sum, l) => sum + l.monthlyUsd, 0)),
    notEstimated,
    assumptions,
  };
}

function serviceOf(serviceName: unknown): string {
  if (typeof serviceName === 'string') {
    // com.amazonaws.us-east-1.sagemaker.api
    return /^com\.amazonaws\.[a-z0-9-]+\.(.+)$/.exec(serviceName)?.[1] ?? serviceName;
  }
  // CDK writes com.amazonaws.<region>.<service> as a Join around the region token: take the last literal part.
  const parts = serviceName && typeof serviceName === 'object' ? (serviceName as any)['Fn::Join']?.[1] : undefined;
  const last = Array.isArray(parts) ? parts[parts.length - 1] : undefined;
  return typeof last === 'string' ? last.replace(/^\./, '') : 'service';
}

/** Estimates the idle monthly cost of the cloud assembly in `cdkOut`. */
export function estimateIdleCost(cdkOut: string): CostEstimate {
  const stacks = readStackTemplates(cdkOut).map(priceTemplate);
  const notes: string[] = [
    `Prices: ${PRICE_REGION} list prices looked up ${PRICE_DATE}; ${HOURS_PER_MONTH} h per month; usage (data processed, storage, requests, training) excluded.`,
  ];
  const dashboards = stacks.flatMap((s) => s.lines).filter((l) => l.resourceType === 'AWS::CloudWatch::Dashboard').length;
  const freeDashboards = Math.min(3, dashboards);
  let total = stacks.reduce((sum, s) => sum + s.monthlyUsd, 0);
  if (freeDashboards > 0) {
    total -= freeDashboards * PRICES.dashboardMonth.usd;
    notes.push(`The account's first 3 CloudWatch dashboards are free: ${freeDashboards} deducted from the total (not from the stacks).`);
  }
  const teamStacks = stacks.filter((s) => s.team !== undefined);
  let perTeam: CostEstimate['perTeam'];
  if (teamStacks.length > 0) {
    const costs = teamStacks.map((s) => s.monthlyUsd);
    perTeam = {
      teams: teamStacks.length,
      meanUsd: round2(costs.reduce((a, b) => a + b, 0) / costs.length),
      minUsd: Math.min(...costs),
      maxUsd: Math.max(...costs),
    };
    notes.push('Marginal cost per team: the idle cost of one team stack (teams share the platform\'s endpoints, key and buckets).');
  }
  return {
    region: PRICE_REGION,
    priceDate: PRICE_DATE,
    hoursPerMonth: HOURS_PER_MONTH,
    stacks,
    totalMonthlyUsd: round2(total),
    perTeam,
    notes,
  };
}

// ---- Rendering ----------------------------------------------------------------------------------

function usd(x: number): string {
  return `$${x.toFixed(2)}`;
}

/** Renders the estimate as an aligned text table or as Markdown. */
export function renderCost(estimate: CostEstimate, format: 'table' | 'markdown'): string {
  const rows: string[][] = estimate.stacks.map((s) => [s.artifactId, s.team ?? '', summarize(s), usd(s.monthlyUsd)]);
  const header = ['stack', 'team', 'what bills while idle', 'USD/month'];
  const out: string[] = [];
  if (format === 'markdown') {
    out.push(`## Idle cost (${estimate.region}, prices of ${estimate.priceDate})`, '');
    out.push(`| ${header.join(' | ')} |`, '| --- | --- | --- | ---: |');
    for (const r of rows) out.push(`| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
    out.push('', `**Total: ${usd(estimate.totalMonthlyUsd)} per month.**`);
    if (estimate.perTeam) {
      out.push(`**Per added team: ${usd(estimate.perTeam.meanUsd)} per month** (mean of ${estimate.perTeam.teams} team stacks, ${usd(estimate.perTeam.minUsd)} to ${usd(estimate.perTeam.maxUsd)}).`);
    }
    out.push('');
    for (const s of estimate.stacks) {
      for (const n of s.notEstimated) out.push(`- not estimated: ${s.artifactId}/${n}`);
      for (const a of s.assumptions) out.push(`- assumption: ${s.artifactId}/${a}`);
    }
    for (const n of estimate.notes) out.push(`- ${n}`);
    return out.join('\n') + '\n';
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  out.push(fmt(header), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) out.push(fmt(r));
  out.push('', `Total: ${usd(estimate.totalMonthlyUsd)} per month (${estimate.region}, prices of ${estimate.priceDate}).`);
  if (estimate.perTeam) {
    out.push(`Per added team: ${usd(estimate.perTeam.meanUsd)} per month (mean of ${estimate.perTeam.teams} team stacks, ${usd(estimate.perTeam.minUsd)} to ${usd(estimate.perTeam.maxUsd)}).`);
  }
  for (const s of estimate.stacks) {
    for (const n of s.notEstimated) out.push(`Not estimated: ${s.artifactId}/${n}`);
    for (const a of s.assumptions) out.push(`Assumption: ${s.artifactId}/${a}`);
  }
  for (const n of estimate.notes) out.push(n);
  return out.join('\n') + '\n';
}

function summarize(s: StackCost): string {
  if (s.lines.length === 0) return 'nothing';
  const groups = new Map<string, { count: number; usd: number; qty: number; unit: string }>();
  for (const l of s.lines) {
    const key = groupName(l);
    const g = groups.get(key) ?? { count: 0, usd: 0, qty: 0, unit: l.unit };
    g.count++;
    g.usd += l.monthlyUsd;
    g.qty += l.quantity;
    groups.set(key, g);
  }
  return [...groups.entries()]
    .map(([k, g]) => (k === 'interface endpoints' ? `${g.count} ${k} (${g.qty} ENIs) ${usd(g.usd)}` : `${g.count} ${k} ${usd(g.usd)}`))
    .join(', ');
}

function groupName(l: CostLine): string {
  switch (l.resourceType) {
    case 'AWS::EC2::VPCEndpoint': return 'interface endpoints';
    case 'AWS::EC2::NatGateway': return 'NAT gateway(s)';
    case 'AWS::EC2::EIP': return 'public IPv4';
    case 'AWS::KMS::Key': return 'KMS key(s)';
    case 'AWS::SecretsManager::Secret': return 'secret(s)';
    case 'AWS::CloudWatch::Dashboard': return 'dashboard(s)';
    case 'AWS::CloudWatch::Alarm': return 'alarm(s)';
    case 'AWS::CloudWatch::CompositeAlarm': return 'composite alarm(s)';
    case 'AWS::SageMaker::MlflowTrackingServer': return 'MLflow server(s)';
    default: return l.resourceType;
  }
}

/** Resource types the estimate knows to be free while idle (exported for documentation and tests). */
export const IDLE_FREE_TYPES = Object.keys(FREE_AT_IDLE);
