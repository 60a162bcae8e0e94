import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// End to end through the CDK CLI, as a user runs it: `npx cdk synth`, offline and without credentials.
const ROOT = path.join(__dirname, '..', '..');

function cdkSynth(...args: string[]) {
  const output = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-cli-'));
  const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', NODE_ENV: 'production' };
  const result = spawnSync('npx', ['cdk', 'synth', '-q', '--output', output, ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { ...result, output };
}

describe('npx cdk synth', () => {
  test('synthesizes the default template, writes the validation report and prints the compliance result', () => {
    const result = cdkSynth();
    expect(result.stderr).toMatch(/Trainyard compliance \(AwsSolutions, NIST\.800\.53\.R5, HIPAA\.Security, ControlTower, MlOps\):/);
    expect(result.stderr).toMatch(/PASSED: 0 unacknowledged finding\(s\)/);
    expect(result.status).toBe(0);
    expect(fs.existsSync(path.join(result.output, 'Trainyard-Platform.template.json'))).toBe(true);
    const report = JSON.parse(fs.readFileSync(path.join(result.output, 'policy-validation-report.json'), 'utf8'));
    for (const plugin of report.pluginReports) {
      expect([plugin.pluginName, plugin.conclusion, plugin.violations]).toEqual([plugin.pluginName, 'success', []]);
    }
  });

  test('an unknown template fails with one line naming the option and the choices', () => {
    const result = cdkSynth('-c', 'template=nope');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/trainyard: -c template: unknown template 'nope'\. Available: single-team/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  test('the team template without -c team fails with one line naming the option; the list of templates has platform and team', () => {
    const result = cdkSynth('-c', 'template=team');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/trainyard: -c team: is required with -c template=team/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(cdkSynth('-c', 'template=nope').stderr).toMatch(/Available: single-team, multi-team, batch-gpu, multi-account, platform, team\./);
  });
});
