import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** The `run:` and `uses:` lines of a workflow, in order. */
function stepLines(yaml: string): string[] {
  return yaml.split('\n').map((l) => l.trim()).filter((l) => /^(- )?(run|uses): /.test(l)).map((l) => l.replace(/^- /, ''));
}

describe.each([
  ['.github/workflows/compliance.yml', 'npx tsx src/cli/main.ts check'],
  ['templates/github/compliance.yml', 'npx trainyard check'],
])('%s', (file, check) => {
  const yaml = read(file);

  test('runs on pull requests with the permissions code scanning needs', () => {
    expect(yaml).toMatch(/^on:\n {2}pull_request: \{\}/m);
    expect(yaml).toMatch(/^ {6}security-events: write$/m);
    expect(yaml).toMatch(/^ {6}contents: read$/m);
  });

  test('installs, synthesizes, uploads the SARIF of trainyard check, writes the summary, then gates', () => {
    const steps = stepLines(yaml);
    const index = (pattern: RegExp) => steps.findIndex((s) => pattern.test(s));
    const escaped = check.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const order = [
      index(/^run: npm ci$/),
      index(/^run: npx cdk synth -q/),
      index(new RegExp(`^run: ${escaped} .*--format sarif .*> results\\.sarif$`)),
      index(/^uses: github\/codeql-action\/upload-sarif@v\d+$/),
      index(new RegExp(`^run: ${escaped} .*--format markdown .*>> "\\$GITHUB_STEP_SUMMARY"$`)),
      index(new RegExp(`^run: ${escaped} (?!.*--format).*--fail-on`)),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(yaml).toMatch(/sarif_file: results\.sarif/);
  });
});

describe('templates/github/compliance.yml pipeline smoke test', () => {
  const yaml = read('templates/github/compliance.yml');
  const job = yaml.slice(yaml.indexOf('\n  pipeline-smoke:'));

  test('is optional: it runs only when the repository names a data sample', () => {
    expect(job).toMatch(/^ {4}if: vars\.TRAINYARD_SMOKE_DATA != ''$/m);
    expect(job).toMatch(/^ {6}contents: read$/m);
  });

  test('synthesizes, then runs the pipeline locally on the sample with Python 3.11 and fails the job when the pipeline would', () => {
    const steps = stepLines(job);
    const synth = steps.findIndex((s) => /^run: npx cdk synth -q/.test(s));
    const run = steps.findIndex((s) => /^run: npx trainyard run --local --cdk-out "\$CDK_OUT" --data "\$\{\{ vars\.TRAINYARD_SMOKE_DATA \}\}"/.test(s));
    expect(steps).toContain('uses: actions/setup-python@v5');
    expect(synth).toBeGreaterThan(steps.indexOf('run: npm ci'));
    expect(run).toBeGreaterThan(synth);
    // tee must not hide the exit code of a failing run.
    expect(job).toMatch(/shell: bash -o pipefail \{0\}/);
  });
});
