import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { costCommand, CostEstimate, estimateIdleCost, IDLE_FREE_TYPES } from '../../src/cli/commands/cost';
import { CliIo } from '../../src/cli/io';
import { TrainyardValidationError } from '../../src/core/errors';
import { TrainingCapacityPool } from '../../src/environment/training-capacity-pool';
import { newApp } from '../helpers/synth';

const FIXTURES = path.join(__dirname, 'fixtures', 'cost');

/** Runs `trainyard cost` in-process with captured output. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { isTty: false, env: {}, cwd: FIXTURES, out: (t) => (out += t), err: (t) => (err += t) };
  const code = await costCommand(argv, io);
  return { code, out, err };
}

async function estimate(dir: string): Promise<CostEstimate> {
  const { code, out } = await run('--cdk-out', dir, '--format', 'json');
  expect(code).toBe(0);
  return JSON.parse(out);
}

async function rejection(...argv: string[]): Promise<TrainyardValidationError> {
  try {
    await run(...argv);
  } catch (e) {
    expect(e).toBeInstanceOf(TrainyardValidationError);
    return e as TrainyardValidationError;
  }
  throw new Error('expected a TrainyardValidationError');
}

describe('trainyard cost', () => {
  // Known answers (730 h a month, us-east-1 prices of the table):
  //   platform: 7 interface endpoints x 2 AZs x $0.01 x 730 = 102.20; KMS key 1; NAT 0.045 x 730 = 32.85;
  //             EIP 0.005 x 730 = 3.65; MLflow Medium 1.264 x 730 = 922.72; S3 gateway, bucket, on-demand table 0
  //             -> 1062.42
  //   team a:   alarm 0.10 + metric-math alarm over 3 metrics 0.30 + dashboard 3 + secret 0.40 = 3.80
  //   team b:   alarm 0.10 + dashboard 3 = 3.10; provisioned table and EC2 instance flagged, not priced
  //   total:    1062.42 + 3.80 + 3.10 - 2 free dashboards x 3 = 1063.32
  test('GIVEN a multi-team assembly WHEN estimated THEN each stack, the total and the per-team cost are the known answers', async () => {
    const result = await estimate('multi-team');
    const byStack = Object.fromEntries(result.stacks.map((s) => [s.stackName, s]));
    expect(byStack['Acme-Platform'].monthlyUsd).toBe(1062.42);
    expect(byStack['Acme-Team-a'].monthlyUsd).toBe(3.8);
    expect(byStack['Acme-Team-b'].monthlyUsd).toBe(3.1);
    expect(result.totalMonthlyUsd).toBe(1063.32);
    expect(result.perTeam).toEqual({ teams: 2, meanUsd: 3.45, minUsd: 3.1, maxUsd: 3.8 });
    expect(result.region).toBe('us-east-1');
    expect(result.priceDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test('GIVEN endpoints THEN interface endpoints bill per AZ and the S3 gateway endpoint is free', async () => {
    const platform = (await estimate('multi-team')).stacks.find((s) => s.stackName === 'Acme-Platform')!;
    const endpoints = platform.lines.filter((l) => l.resourceType === 'AWS::EC2::VPCEndpoint');
    expect(endpoints).toHaveLength(7);
    expect(endpoints.every((l) => l.quantity === 2 && l.monthlyUsd === 14.6)).toBe(true);
    expect(endpoints.map((l) => l.description)).toContain('interface endpoint sagemaker.api in 2 AZ(s)');
    expect(platform.lines.find((l) => l.logicalId === 'S3Ep')).toBeUndefined();
    expect(platform.lines.find((l) => l.logicalId === 'Table')).toBeUndefined();
  });

  test('GIVEN hourly resources it cannot price THEN it lists them instead of counting them as free', async () => {
    const teamB = (await estimate('multi-team')).stacks.find((s) => s.stackName === 'Acme-Team-b')!;
    expect(teamB.notEstimated).toEqual([
      expect.stringMatching(/^Table \(AWS::DynamoDB::Table\): provisioned capacity/),
      expect.stringMatching(/^Box \(AWS::EC2::Instance\)/),
    ]);
  });

  test('GIVEN stage assemblies (multi-account) THEN the nested stacks are read and named by stage', async () => {
    const result = await estimate('staged');
    expect(result.stacks.map((s) => [s.artifactId, s.monthlyUsd])).toEqual([
      ['Dev/Dev-Platform', 66.7],
      ['Prod/Prod-Platform', 66.7],
    ]);
    expect(result.totalMonthlyUsd).toBe(133.4);
    expect(result.perTeam).toBeUndefined();
  });

  test('GIVEN --format table and markdown THEN both show every stack, the total and the per-team line', async () => {
    const table = (await run('--cdk-out', 'multi-team')).out;
    expect(table).toMatch(/^stack\s+team\s+what bills while idle\s+USD\/month$/m);
    expect(table).toMatch(/^Acme-Platform\s+7 interface endpoints \(14 ENIs\) \$102\.20, 1 KMS key\(s\) \$1\.00, 1 NAT gateway\(s\) \$32\.85/m);
    expect(table).toContain('Total: $1063.32 per month (us-east-1');
    expect(table).toContain('Per added team: $3.45 per month (mean of 2 team stacks, $3.10 to $3.80).');
    const markdown = (await run('--cdk-out', 'multi-team', '--format', 'markdown')).out;
    expect(markdown).toContain('| Acme-Team-a | a | 2 alarm(s) $0.40, 1 dashboard(s) $3.00, 1 secret(s) $0.40 | $3.80 |');
    expect(markdown).toContain('**Total: $1063.32 per month.**');
  });

  test('GIVEN a missing, foreign or empty cdk.out THEN one clear error names the argument', async () => {
    expect((await rejection('--cdk-out', 'nope')).message).toBe(`--cdk-out: ${path.join(FIXTURES, 'nope')} does not exist or is not a directory: run 'npx cdk synth' first, or pass --cdk-out DIR.`);
    expect((await rejection('--cdk-out', 'foreign')).message).toMatch(/^--cdk-out: .*foreign\/manifest\.json is not a CDK cloud assembly manifest/);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cost-'));
    expect((await rejection('--cdk-out', empty)).message).toMatch(/^--cdk-out: .* is not a CDK cloud assembly \(no manifest\.json\)/);
    fs.writeFileSync(path.join(empty, 'manifest.json'), '{"version": "55.0.0", "artifacts": {}}');
    expect((await rejection('--cdk-out', empty)).message).toMatch(/holds no CloudFormation stack/);
    for (const e of [await rejection('--cdk-out', 'foreign'), await rejection('--format', 'csv'), await rejection('--bogus')]) {
      expect(e.message).not.toContain('\n');
    }
    expect((await rejection('--format', 'csv')).message).toBe("--format: must be one of table, json, markdown, got 'csv'");
  });

  test('GIVEN --help THEN it prints the usage and the price date', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: trainyard cost/);
    expect(out).toMatch(/us-east-1, list prices looked up \d{4}-\d{2}-\d{2}/);
  });
});

describe('trainyard cost on a capacity pool', () => {
  test('a TrainingCapacityPool and its quota shares cost nothing while idle, and every type is known', () => {
    // GIVEN a pool with one team share, synthesized
    const app = newApp();
    new TrainingCapacityPool(new Stack(app, 'Platform'), 'Gpus', { capacity: [{ instanceType: 'ml.g5.2xlarge', maxInstances: 8 }] });
    const pool: CostEstimate = estimateIdleCost(app.synth().directory);
    // THEN $0 idle, with nothing left unestimated
    expect(pool.totalMonthlyUsd).toBe(0);
    expect(pool.stacks.flatMap((s) => s.notEstimated)).toEqual([]);
    for (const type of ['AWS::Batch::ServiceEnvironment', 'AWS::Batch::JobQueue', 'AWS::Batch::SchedulingPolicy', 'AWS::Batch::QuotaShare']) {
      expect(IDLE_FREE_TYPES).toContain(type);
    }
  });
});
