import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sarif from 'sarif';
import { main } from '../../../src/cli/main';
import { Acknowledgements } from '../../../src/core/acknowledgements';
import { synthWithCompliance } from '../../helpers/synth';
import { capturedIo } from '../cli-io';

/** Keep the report instead of throwing, so the command has findings to read. */
const REPORT_ONLY = { '@aws-cdk/core:failSynthOnValidationErrors': false };

/** The official SARIF 2.1.0 schema (draft-04), as shipped by Microsoft's @microsoft/jest-sarif package. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SARIF_SCHEMA = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

let validator: ReturnType<Ajv['compile']> | undefined;

function validateSarif(log: unknown): string[] {
  if (!validator) {
    // The schema's language pattern is not valid with the u flag: compile its patterns without it.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    validator = ajv.compile(SARIF_SCHEMA);
  }
  const validate = validator;
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

async function run(args: string[], cwd: string) {
  const io = capturedIo(cwd);
  const code = await main(['check', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('trainyard check on a deliberately non-compliant app', () => {
  // GIVEN a bare bucket (no logging, KMS, SSL-only policy or versioning) with the Control Tower logging
  // control acknowledged (it reaches the validation report) and AwsSolutions-S1 acknowledged (cdk-nag keeps
  // it in the construct tree only), synthesized once with every pack into a cloud assembly
  const result = synthWithCompliance((app) => {
    const stack = new Stack(app, 'Bad');
    const bucket = new s3.Bucket(stack, 'Plain');
    Acknowledgements.acknowledge(bucket, [
      { id: 'CT.S3.PR.2', reason: 'Fixture: access logging is out of scope here.' },
      { id: 'AwsSolutions-S1', reason: 'Fixture: cdk-nag acknowledgement kept in the tree.' },
    ]);
  }, { context: REPORT_ONLY });
  const cdkOut = result.app.outdir;
  // The "repository root": the directory holding the cloud assembly.
  const root = path.dirname(cdkOut);
  const assemblyName = path.basename(cdkOut);
  const templateText = fs.readFileSync(path.join(cdkOut, 'Bad.template.json'), 'utf8');
  const bucketLine = templateText.split('\n').findIndex((l) => /^\s*"Plain[0-9A-F]{8}": \{/.test(l)) + 1;

  test('the table groups findings by rule, names the construct path and template line, and fails', async () => {
    // WHEN
    const { code, out, err } = await run(['--cdk-out', assemblyName], root);
    // THEN
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(out).toMatch(/^AwsSolutions-S10 \(AwsSolutions, error\): The S3 Bucket or bucket policy does not require requests to use SSL\.$/m);
    expect(out).toContain(`  Bad/Plain/Resource  ${assemblyName}/Bad.template.json:${bucketLine} (Plain295EB121)`);
    expect(out).not.toMatch(/^s3_bucket_logging_enabled_check/m);
    expect(out).toContain('Acknowledged:\n  AwsSolutions-S1 at Bad/Plain: Fixture: cdk-nag acknowledgement kept in the tree.\n');
    expect(out).toContain('\n  s3_bucket_logging_enabled_check at Bad/Plain/Resource: Fixture: access logging is out of scope here.\n');
    expect(out).not.toMatch(/^AwsSolutions-S1 /m);
    expect(out).toMatch(new RegExp(`^FAILED: ${result.report.findings.length} unacknowledged finding\\(s\\) of \\d+ rule\\(s\\), 2 acknowledged\\.$`, 'm'));
    expect(bucketLine).toBeGreaterThan(0);
  });

  test('--fail-on sets the exit code', async () => {
    expect((await run(['--cdk-out', cdkOut, '--fail-on', 'none'], root)).code).toBe(0);
    expect((await run(['--cdk-out', cdkOut, '--fail-on', 'error'], root)).code).toBe(1);
    expect((await run(['--cdk-out', cdkOut, '--fail-on', 'warning'], root)).code).toBe(1);
    expect((await run(['--cdk-out', cdkOut, '--fail-on', 'never'], root)).err)
      .toBe("trainyard check: --fail-on: must be one of error, warning, none, got 'never'\n");
  });

  test('--format markdown gives a pull-request comment body', async () => {
    const { code, out } = await run(['--cdk-out', cdkOut, '--format', 'markdown'], root);
    expect(code).toBe(1);
    expect(out).toMatch(/^## Trainyard compliance check\n\n:x: \*\*FAILED: \d+ unacknowledged finding/);
    expect(out).toContain('| rule | level | pack | what | where |');
    expect(out).toMatch(/^\| `AwsSolutions-S10` \| error \| AwsSolutions \| The S3 Bucket or bucket policy does not require requests to use SSL\. \| `Bad\/Plain\/Resource` \|$/m);
    expect(out).toContain('<details><summary>2 acknowledged finding(s)</summary>');
    expect(out).toContain('| `AwsSolutions-S1` | `Bad/Plain` | Fixture: cdk-nag acknowledgement kept in the tree. |');
    expect(out).toContain('| `s3_bucket_logging_enabled_check` | `Bad/Plain/Resource` | Fixture: access logging is out of scope here. |');
  });

  describe('--format sarif', () => {
    let log: sarif.Log;
    let code: number;
    beforeAll(async () => {
      const r = await run(['--cdk-out', assemblyName, '--format', 'sarif'], root);
      code = r.code;
      log = JSON.parse(r.out);
    });

    test('validates against the official SARIF 2.1.0 schema', () => {
      expect(validateSarif(log)).toEqual([]);
      expect(log.version).toBe('2.1.0');
      expect(code).toBe(1);
    });

    test('the schema check can fail: a result without a message is rejected', () => {
      const broken = JSON.parse(JSON.stringify(log));
      delete broken.runs[0].results[0].message;
      broken.runs[0].results[0].level = 'fatal';
      expect(validateSarif(broken).length).toBeGreaterThan(0);
    });

    test('has one rule per finding id, with level, help text and the pack as a tag', () => {
      const rules = log.runs[0].tool.driver.rules!;
      const ids = rules.map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expect.arrayContaining(['AwsSolutions-S10', 'NIST.800.53.R5-S3BucketVersioningEnabled', 's3_bucket_level_public_access_prohibited_check']));
      const ct = rules.find((r) => r.id === 's3_bucket_level_public_access_prohibited_check')!;
      expect(ct.defaultConfiguration?.level).toBe('error');
      expect(ct.shortDescription?.text).toMatch(/^\[CT\.S3\.PR\.1\]/);
      expect(ct.help?.text).toMatch(/Fix: The parameters 'BlockPublicAcls'/);
      expect(ct.helpUri).toBe('https://github.com/cdklabs/cdk-validator-cfnguard#bundled-control-tower-rules');
      expect(ct.properties?.tags).toEqual(['compliance', 'cdk-validator-cfnguard']);
    });

    test('locates each result at the template (relative to the root), the logical id line and the construct path', () => {
      const results = log.runs[0].results!;
      // cdk-nag reports only the construct path; the location comes from the assembly's metadata.
      const s10 = results.find((r) => r.ruleId === 'AwsSolutions-S10')!;
      expect(s10.level).toBe('error');
      expect(s10.message.text).toBe('The S3 Bucket or bucket policy does not require requests to use SSL. (AwsSolutions) at Bad/Plain/Resource');
      expect(s10.locations).toEqual([{
        physicalLocation: { artifactLocation: { uri: `${assemblyName}/Bad.template.json` }, region: { startLine: bucketLine } },
        logicalLocations: [{ name: 'Plain295EB121', kind: 'resource' }, { fullyQualifiedName: 'Bad/Plain/Resource', kind: 'module' }],
      }]);
      expect(log.runs[0].tool.driver.rules![s10.ruleIndex!].id).toBe('AwsSolutions-S10');
      expect(results.filter((r) => !r.suppressions)).toHaveLength(result.report.findings.length);
    });

    test('points at the source line that created the construct, from the report\'s stack trace', async () => {
      // WHEN run from the repository root, where this test file (which created the bucket) lives
      const repoRoot = path.join(__dirname, '..', '..', '..');
      const r = await run(['--cdk-out', cdkOut, '--format', 'sarif'], repoRoot);
      expect(validateSarif(JSON.parse(r.out))).toEqual([]);
      const s10 = (JSON.parse(r.out) as sarif.Log).runs[0].results!.find((x) => x.ruleId === 'AwsSolutions-S10')!;
      // THEN
      const thisFile = fs.readFileSync(__filename, 'utf8').split('\n');
      const createdLine = thisFile.findIndex((l) => l.includes("const bucket = new s3.Bucket(stack, 'Plain');")) + 1;
      expect(s10.relatedLocations).toEqual([{
        id: 1,
        message: { text: 'Bad/Plain/Resource is created here' },
        physicalLocation: { artifactLocation: { uri: 'test/cli/commands/check.test.ts' }, region: { startLine: createdLine, startColumn: expect.any(Number) } },
      }]);
      const table = await run(['--cdk-out', cdkOut], repoRoot);
      expect(table.out).toContain(`, created at test/cli/commands/check.test.ts:${createdLine}\n`);
    });

    test('lists every acknowledged finding, from the report and from the construct tree, as a suppression with its justification', () => {
      const suppressed = log.runs[0].results!.filter((r) => r.suppressions).sort((a, b) => a.ruleId!.localeCompare(b.ruleId!));
      expect(suppressed.map((r) => r.ruleId)).toEqual(['AwsSolutions-S1', 's3_bucket_logging_enabled_check']);
      expect(suppressed[0].suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: 'Fixture: cdk-nag acknowledgement kept in the tree.' }]);
      expect(suppressed[1].suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: 'Fixture: access logging is out of scope here.' }]);
    });
  });
});

describe('trainyard check on a compliant assembly', () => {
  test('passes with exit 0 in every format', async () => {
    // GIVEN a cloud assembly whose report lists no violation
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-check-'));
    fs.writeFileSync(path.join(dir, 'validation-report.json'), JSON.stringify({ title: 'Validation Report', pluginReports: [{ pluginName: 'AwsSolutions', conclusion: 'success', violations: [] }] }));
    // WHEN / THEN
    const table = await run(['--cdk-out', dir], os.tmpdir());
    expect(table).toEqual({ code: 0, out: 'PASSED: 0 unacknowledged finding(s), 0 acknowledged.\n', err: '' });
    const md = await run(['--cdk-out', dir, '--format', 'markdown'], os.tmpdir());
    expect(md.out).toMatch(/:white_check_mark: \*\*PASSED/);
    const s = await run(['--cdk-out', dir, '--format', 'sarif'], os.tmpdir());
    expect(s.code).toBe(0);
    expect(validateSarif(JSON.parse(s.out))).toEqual([]);
    expect(JSON.parse(s.out).runs[0].results).toEqual([]);
  });
});

describe('trainyard check on an assembly whose validation plugin failed to run', () => {
  test('reports the failure as an error finding in every format and fails the gate', async () => {
    // GIVEN a report in which cfn-guard threw (CDK records success: false, no violations, the error)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-check-'));
    const error = "Validation plugin 'cdk-validator-cfnguard' failed: Cannot read properties of undefined (reading 'to')";
    fs.writeFileSync(path.join(dir, 'validation-report.json'), JSON.stringify({
      title: 'Validation Report',
      pluginReports: [
        { pluginName: 'AwsSolutions', success: true, violations: [] },
        { pluginName: 'cdk-validator-cfnguard', success: false, violations: [], metadata: { error } },
      ],
    }));
    // WHEN / THEN
    const table = await run(['--cdk-out', dir], os.tmpdir());
    expect(table.code).toBe(1);
    expect(table.out).toContain(`ValidationPluginFailed (cdk-validator-cfnguard, error): ${error}`);
    expect(table.out).toMatch(/FAILED: 1 unacknowledged finding\(s\)/);
    const s = await run(['--cdk-out', dir, '--format', 'sarif'], os.tmpdir());
    expect(s.code).toBe(1);
    expect(validateSarif(JSON.parse(s.out))).toEqual([]);
    expect(JSON.parse(s.out).runs[0].results.map((r: any) => [r.ruleId, r.level])).toEqual([['ValidationPluginFailed', 'error']]);
    expect((await run(['--cdk-out', dir, '--fail-on', 'none'], os.tmpdir())).code).toBe(0);
  });
});

describe('trainyard check on bad input: one line, exit 2, no stack trace', () => {
  const assembly = (file: string | undefined, content = '') => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-check-'));
    if (file) fs.writeFileSync(path.join(dir, file), content);
    return dir;
  };
  const cases: Array<[string, () => string, RegExp]> = [
    ['a missing cdk.out', () => '/nonexistent/cdk.out', /^trainyard check: --cdk-out: \/nonexistent\/cdk\.out is not a directory: run 'npx cdk synth' first\.\n$/],
    ['a cdk.out without a validation report', () => assembly(undefined), /^trainyard check: --cdk-out: .* has no validation report\. Synthesize with TrainyardCompliance\.apply\(app\)/],
    ['a report from another tool', () => assembly('validation-report.json', JSON.stringify({ version: '2.1.0', runs: [] })), /^trainyard check: .*validation-report\.json: is not a CDK validation report: it has no pluginReports list\.\n$/],
    ['a truncated JSON file', () => assembly('validation-report.json', '{"pluginReports": [{"pluginName"'), /^trainyard check: .*validation-report\.json: is not valid JSON \(.*\)\. Was the synth interrupted\? Run it again\.\n$/],
  ];
  test.each(cases)('%s', async (_name, dir, expected) => {
    const { code, out, err } = await run(['--cdk-out', dir()], os.tmpdir());
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(expected);
    expect(err.trim().split('\n')).toHaveLength(1);
  });
});
