import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Acknowledgements } from '../../src/core/acknowledgements';
import { MLOPS_RULES, MlOpsChecks } from '../../src/governance/mlops-checks';
import { CompliancePack } from '../../src/governance/trainyard-compliance';
import { newApp, synthWithCompliance } from '../helpers/synth';
import { buildNonCompliantApp, EXPECTED_MLOPS_FINDINGS } from './fixtures/non-compliant-app';

/** Keep the report instead of throwing, so a test can look at the findings of a non-compliant app. */
const REPORT_ONLY = { '@aws-cdk/core:failSynthOnValidationErrors': false };

describe('MlOpsChecks on the deliberately non-compliant fixture app (all packs, as TrainyardCompliance runs them)', () => {
  // GIVEN the fixture, synthesized once with every pack
  const result = synthWithCompliance((app) => buildNonCompliantApp(app), { context: REPORT_ONLY });
  const mlops = result.report.findings.filter((f) => f.plugin === 'MlOps');

  test('reports exactly the expected MlOps findings', () => {
    // THEN training step without VPC, auto-approval, mutable ECR tags, unversioned dataset bucket; nothing else
    expect(mlops.map((f) => `${f.rule} at ${f.constructPath}`).sort()).toEqual(EXPECTED_MLOPS_FINDINGS);
  });

  test('the findings are errors with the rule info and point at the template and logical id', () => {
    const vpc = mlops.find((f) => f.rule === 'MlOps-SageMakerJobInVpc')!;
    expect(vpc.severity).toBe('error');
    expect(vpc.description).toMatch(/has no VPC subnets/);
    expect(vpc.templatePath).toMatch(/Fixture\.template\.json$/);
    expect(vpc.logicalId).toBe('Pipeline');
  });
});

describe('MlOpsChecks acknowledgements', () => {
  test('an MlOps finding acknowledged through the helper is no longer reported; the same finding elsewhere still is', () => {
    // GIVEN two repositories with mutable tags, one of them acknowledged
    const result = synthWithCompliance((app) => {
      const stack = new Stack(app, 'Acked');
      const cache = new ecr.Repository(stack, 'Cache', { imageScanOnPush: true });
      Acknowledgements.acknowledge(cache, [{ id: 'MlOps-EcrRepositoryScanOnPushImmutable', reason: 'Build cache repository: its tags are meant to move.' }]);
      new ecr.Repository(stack, 'Images', { imageScanOnPush: true });
    }, { context: REPORT_ONLY, compliance: { packs: [CompliancePack.MLOPS] } });
    // THEN (cdk-nag drops acknowledged findings itself, so they do not reach the report's acknowledged list)
    expect(result.report.findings.map((f) => `${f.rule} at ${f.constructPath}`)).toEqual(['MlOps-EcrRepositoryScanOnPushImmutable at Acked/Images/Resource']);
  });

  test('acknowledging an MlOps finding with a reason under 10 characters fails the synth', () => {
    const app = newApp();
    const stack = new Stack(app, 'S');
    const repo = new ecr.Repository(stack, 'Cache');
    expect(() => Acknowledgements.acknowledge(repo, [{ id: 'MlOps-EcrRepositoryScanOnPushImmutable', reason: 'cache' }]))
      .toThrow(/ComplianceAcknowledgement\.reason: acknowledging MlOps-EcrRepositoryScanOnPushImmutable at S\/Cache needs a reason of at least 10 characters/);
  });
});

describe('MlOpsChecks pack', () => {
  test('names every finding MlOps-<Rule>, one id per rule', () => {
    expect(new MlOpsChecks().name).toBe('MlOps');
    expect(MlOpsChecks.RULE_IDS).toEqual(MLOPS_RULES.map((r) => `MlOps-${r.name}`));
    expect(new Set(MlOpsChecks.RULE_IDS).size).toBe(MLOPS_RULES.length);
  });

  test('has a rule file named after each rule, with a compliant and a non-compliant test', () => {
    for (const rule of MLOPS_RULES) {
      expect(fs.existsSync(path.join(__dirname, '..', '..', 'src', 'governance', 'rules', `${rule.name}.ts`))).toBe(true);
      const test = fs.readFileSync(path.join(__dirname, 'rules', `${rule.name}.test.ts`), 'utf8');
      expect([rule.name, /test\('compliant: /.test(test), /test\('non-compliant/.test(test)]).toEqual([rule.name, true, true]);
    }
  });

  test('RULES.md lists exactly the pack\'s rules, with their levels', () => {
    // GIVEN the rule table of RULES.md: | `MlOps-<Name>` | error/warning | what | why |
    const text = fs.readFileSync(path.join(__dirname, '..', '..', 'RULES.md'), 'utf8');
    const rows = [...text.matchAll(/^\|\s*`(MlOps-[A-Za-z0-9]+)`\s*\|\s*(error|warning)\s*\|/gm)].map((m) => [m[1], m[2]]);
    // THEN
    expect(rows).toEqual(MLOPS_RULES.map((r) => [`MlOps-${r.name}`, r.level === 'Error' ? 'error' : 'warning']));
  });
});
