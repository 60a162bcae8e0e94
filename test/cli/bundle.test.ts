import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const BUNDLE = path.join(ROOT, 'assets', 'cli', 'main', 'index.js');

describe('the bundled trainyard bin', () => {
  // GIVEN the bundle the build ships (`npx projen bundle` builds it when a test run comes first),
  // copied outside the repository so that no node_modules can resolve anything for it
  let standalone: string;
  beforeAll(() => {
    if (!fs.existsSync(BUNDLE)) {
      execFileSync('npx', ['projen', 'bundle'], { cwd: ROOT, stdio: 'ignore' });
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-bin-'));
    standalone = path.join(dir, 'trainyard.js');
    fs.copyFileSync(BUNDLE, standalone);
  });
  const run = (args: string[], cwd = os.tmpdir()) => spawnSync(process.execPath, [standalone, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH } });

  test('is the package bin, starts with a shebang and is executable', () => {
    expect(PACKAGE.bin).toEqual({ trainyard: 'assets/cli/main/index.js' });
    expect(fs.readFileSync(BUNDLE, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(() => fs.accessSync(BUNDLE, fs.constants.X_OK)).not.toThrow();
  });

  test('runs self-contained: --help lists the commands', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: trainyard <command> \[args\]/);
    expect(r.stdout).toMatch(/^ {2}check +Compliance findings/m);
    expect(r.stdout).toMatch(/^ {2}quota +SageMaker training quotas/m);
    expect(r.stdout).toMatch(/^ {2}run +Run a synthesized pipeline on this machine/m);
  });

  test('check reads a cloud assembly and sets the exit code', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-bin-out-'));
    fs.writeFileSync(path.join(dir, 'validation-report.json'), JSON.stringify({ pluginReports: [{ pluginName: 'AwsSolutions', violations: [] }] }));
    const r = run(['check', '--cdk-out', dir]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('PASSED: 0 unacknowledged finding(s), 0 acknowledged.\n');
    expect(r.status).toBe(0);
  });

  test('bad input is one line on stderr with exit 2', () => {
    const r = run(['check', '--cdk-out', 'missing-cdk.out']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^trainyard check: --cdk-out: .*missing-cdk\.out is not a directory: run 'npx cdk synth' first\.\n$/);
    const q = run(['quota', '--instance-type', 'ml.g5.2xlarge', '--count', 'four']);
    expect(q.status).toBe(2);
    expect(q.stderr).toBe("trainyard quota: --count: must be a whole number of at least 1, got 'four'\n");
  });
});
