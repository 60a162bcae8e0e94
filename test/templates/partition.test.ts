import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildTemplate } from '../../templates/catalog';
import { cdkJsonContext } from '../helpers/synth';

/**
 * CloudFormation's quotas (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html,
 * awsdocs/aws-cloudformation-user-guide doc_source/cloudformation-limits.md):
 * 500 resources and 1 MB of template per stack, 200 outputs per stack, 5,000 exports per account
 * and Region. Trainyard keeps a margin: at most 450 resources and 800 KB per stack.
 */
const LIMITS = { resources: 450, templateBytes: 800 * 1024, outputsPerStack: 200, exportsPerRegion: 5000 };

interface StackFigures {
  readonly name: string;
  readonly resources: number;
  readonly bytes: number;
  readonly outputs: number;
  readonly exports: string[];
  readonly imports: number;
  /** The platform's SSM parameters the stack reads (`/trainyard/<platformName>/...`). */
  readonly platformParameters: number;
  /** Inbound rules on the platform's endpoint security group that this stack declares. */
  readonly endpointIngressRules: number;
}

/** A security group holds 60 inbound rules by default (an adjustable VPC quota). */
const SECURITY_GROUP_INBOUND_RULES = 60;

/**
 * Synthesizes multi-team with `teams` generated teams, once, without the compliance packs and
 * CDK's built-in template validation: this test is about the shape of the stacks (the catalogue
 * test checks multi-team's compliance with the example teams), and 100 teams through every pack
 * take a minute or more on a shared two-core machine.
 */
function synthMultiTeam(teams: number): StackFigures[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-partition-'));
  const app = new App({
    outdir,
    context: cdkJsonContext({ template: 'multi-team', generatedTeams: String(teams) }),
    builtinCloudFormationValidation: false,
  });
  buildTemplate(app);
  const assembly = app.synth();
  return assembly.stacks.map((stack) => {
    const text = fs.readFileSync(path.join(assembly.directory, stack.templateFile), 'utf8');
    const template = JSON.parse(text);
    const outputs = Object.values<any>(template.Outputs ?? {});
    const resources = Object.entries<any>(template.Resources ?? {});
    const endpointIngressRules =
      resources.filter(([id, r]) => r.Type === 'AWS::EC2::SecurityGroup' && id.includes('EndpointSecurityGroup'))
        .reduce((n, [, r]) => n + (r.Properties.SecurityGroupIngress ?? []).length, 0) +
      resources.filter(([, r]) => r.Type === 'AWS::EC2::SecurityGroupIngress' && JSON.stringify(r.Properties.GroupId).includes('EndpointSecurityGroup')).length;
    return {
      name: stack.stackName,
      resources: Object.keys(template.Resources ?? {}).length,
      bytes: Buffer.byteLength(text, 'utf8'),
      outputs: outputs.length,
      exports: outputs.filter((o) => o.Export).map((o) => JSON.stringify(o.Export.Name)),
      imports: (text.match(/"Fn::ImportValue"/g) ?? []).length,
      platformParameters: Object.values<any>(template.Parameters ?? {}).filter((p) => String(p.Default).startsWith('/trainyard/')).length,
      endpointIngressRules,
    };
  });
}

describe('multi-team partitioning', () => {
  const hundred = synthMultiTeam(100);
  const one = synthMultiTeam(1);
  const platformOf = (figures: StackFigures[]) => figures.find((s) => s.name === 'Trainyard-Platform')!;

  test('GIVEN 100 generated teams THEN there is one platform stack, one stack per team and a flow-metrics stack per 50 teams', () => {
    expect(hundred).toHaveLength(103);
    expect(hundred.filter((s) => /^Trainyard-Team-team-\d{3}$/.test(s.name))).toHaveLength(100);
    // Flow metrics in stacks of 50 teams each.
    expect(hundred.filter((s) => s.name.startsWith('Trainyard-FlowMetrics')).map((s) => s.name)).toEqual(['Trainyard-FlowMetrics', 'Trainyard-FlowMetrics-2']);
  });

  test('GIVEN 100 teams THEN no stack exceeds 450 resources or 800 KB, or has more than 200 outputs', () => {
    const over = hundred
      .filter((s) => s.resources > LIMITS.resources || s.bytes > LIMITS.templateBytes || s.outputs > LIMITS.outputsPerStack)
      .map((s) => `${s.name}: ${s.resources} resources, ${s.bytes} bytes, ${s.outputs} outputs`);
    expect(over).toEqual([]);
    const max = (f: (s: StackFigures) => number) => Math.max(...hundred.map(f));
    process.stderr.write(
      `multi-team at 100 teams: ${hundred.length} stacks, at most ${max((s) => s.resources)} resources, ` +
        `${Math.round(max((s) => s.bytes) / 1024)} KiB and ${max((s) => s.outputs)} outputs per stack, ${hundred.flatMap((s) => s.exports).length} exports in all\n`,
    );
  });

  test('GIVEN 100 teams THEN no stack exports or imports, and every other stack reads the platform through its SSM parameters', () => {
    // No export: nothing counts against the Region's exports, and no team stack can block a platform change.
    expect(hundred.flatMap((s) => s.exports)).toEqual([]);
    expect(hundred.filter((s) => s.imports > 0).map((s) => s.name)).toEqual([]);
    // The references are real: every team and flow-metrics stack reads the platform's parameters.
    expect(hundred.filter((s) => s.name !== 'Trainyard-Platform' && s.platformParameters === 0).map((s) => s.name)).toEqual([]);
    expect(platformOf(hundred).platformParameters).toBe(0);
  });

  test('GIVEN 100 teams THEN the endpoint security group holds as few inbound rules as with 1, far below its quota of 60', () => {
    const rules = (figures: StackFigures[]) => figures.reduce((n, s) => n + s.endpointIngressRules, 0);
    expect(rules(one)).toBeGreaterThan(0);
    expect(rules(hundred)).toBe(rules(one));
    expect(rules(hundred)).toBeLessThanOrEqual(SECURITY_GROUP_INBOUND_RULES / 10);
  });

  test('GIVEN 1 team and 100 teams THEN the platform stack is the same: teams share its parameters', () => {
    expect(platformOf(hundred).exports).toEqual(platformOf(one).exports);
    expect(platformOf(hundred).resources).toBe(platformOf(one).resources);
    expect(platformOf(hundred).bytes).toBe(platformOf(one).bytes);
    // A team stack does not grow with the number of teams either.
    const teamOne = one.find((s) => s.name === 'Trainyard-Team-team-001')!;
    const teamOfHundred = hundred.find((s) => s.name === 'Trainyard-Team-team-001')!;
    expect(teamOfHundred.resources).toBe(teamOne.resources);
  });
});
