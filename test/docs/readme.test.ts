import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './examples';

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const README = read('README.md');
const DOCS = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);

describe('README.md, the front page', () => {
  test('is at most 20 KB', () => {
    expect(Buffer.byteLength(README, 'utf8')).toBeLessThanOrEqual(20 * 1024);
  });

  test('says how to install, and links API.md and the docs pages', () => {
    expect(README).toContain('npm install trainyard');
    expect(README).toContain('pip install trainyard');
    expect(README).toMatch(/\]\(API\.md\)/);
    const linkedPages = new Set([...README.matchAll(/\]\((docs\/[a-z-]+\.md)[)#]/g)].map((m) => m[1]));
    expect(linkedPages.size).toBeGreaterThanOrEqual(3);
    // Every page of docs/ is reachable from the front page.
    expect([...linkedPages].sort()).toEqual([...DOCS].sort());
  });

  test('shows the test command exactly as CI runs it (.ci/run)', () => {
    const ciCommand = read('.ci/run').trim().split('\n').pop()!;
    expect(ciCommand).toBe('npm ci && npx projen build');
    expect(README).toContain(ciCommand);
    expect(README).toContain('npm ci && npx cdk synth');
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

function anchors(file: string): Set<string> {
  const text = read(file).replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
}

test.each(['README.md', 'CONTRIBUTING.md', 'RULES.md', ...DOCS])('every relative link of %s leads to a file and heading that exist', (file) => {
  const text = read(file).replace(/^```[\s\S]*?^```/gm, '');
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target)) continue;
    const [pathPart, anchor] = target.split('#');
    const resolved = pathPart ? path.normalize(path.join(path.dirname(file), pathPart)) : file;
    if (!fs.existsSync(path.join(ROOT, resolved))) {
      broken.push(`${target}: no file ${resolved}`);
    } else if (anchor && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) {
      broken.push(`${target}: no heading #${anchor} in ${resolved}`);
    }
  }
  expect(broken).toEqual([]);
});

test('the build compiles the examples: post-compile runs rosetta:extract, which runs jsii-rosetta strict on the docs', () => {
  const tasks = JSON.parse(read('.projen/tasks.json')).tasks;
  expect(tasks['post-compile'].steps).toContainEqual({ spawn: 'rosetta:extract' });
  expect(tasks['rosetta:extract'].steps).toEqual([{ exec: 'node scripts/rosetta.js' }]);
  const script = read('scripts/rosetta.js');
  expect(script).toContain("'extract', '--strict'");
  expect(script).toContain("path.join(root, 'docs')");
});
