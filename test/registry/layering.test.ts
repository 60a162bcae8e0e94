import * as fs from 'fs';
import * as path from 'path';

// registry/ sits on core/ only. MlPlatform (platform/) creates the shared ExperimentTracking, so the
// registry files must not import platform/ (that would be a cycle), environment/ or the barrel.
const SRC = path.join(__dirname, '..', '..', 'src');

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.[^']+)'/g)].map((m) => path.relative(SRC, path.resolve(path.dirname(file), m[1])));
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .filter((f) => f.endsWith('.ts'));
}

test('registry/ imports only core/ and its own files (no platform/, environment/ or index)', () => {
  const offending: string[] = [];
  for (const file of filesUnder(path.join(SRC, 'registry'))) {
    for (const target of importsOf(file)) {
      if (!/^(core|registry)\//.test(target)) offending.push(`${path.relative(SRC, file)} -> ${target}`);
    }
  }
  expect(offending).toEqual([]);
});

test('platform/ reaches registry/ only through experiment-tracking', () => {
  const targets = filesUnder(path.join(SRC, 'platform')).flatMap(importsOf).filter((t) => t.startsWith('registry/'));
  expect(targets).toEqual(['registry/experiment-tracking']);
});
