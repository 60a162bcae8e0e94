#!/usr/bin/env node
// `rosetta:extract` (post-compile): every TypeScript example of README.md, of docs/*.md and of the API
// docs (`@example`) must compile. jsii-rosetta compiles them in strict mode, with the fixture
// rosetta/default.ts-fixture (an example may name another fixture with `fixture=NAME`, or none with
// `nofixture`), and fails the build, naming the file and line, on the first example that does not.
//
// - README.md and the `@example`s are in the assembly (.jsii): rosetta extracts them as it does for
//   any jsii package, and writes their translations (Python included) to .jsii.tabl.json, which
//   jsii-pacmak reads; that tablet also caches them between runs.
// - docs/*.md are not part of the assembly. They are laid out here as the READMEs of the submodules of
//   a second, temporary assembly, `trainyard-docs` (no types of its own: the types are trainyard's),
//   so the same extract compiles them, with the same fixture, in the same run. A snippet is reported
//   as `trainyard-docs.<page>-README-L<line>`, the line within docs/<page>.md.
//
// Offline: the examples compile against this checkout (`trainyard` resolves to the project
// directory through a temporary node_modules link) and this project's node_modules; nothing is
// installed. A fresh clone compiles every example; later runs reuse .rosetta-cache.tabl.json (not
// committed) for the examples and types that did not change. Set ROSETTA_DOCS_ONLY=1 to skip the assembly (README and API docs).
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const docsDir = path.join(root, 'docs');
const started = Date.now();

// The compilation directory: inside the project, so every other package resolves from its
// node_modules, with `trainyard` linked to the project itself. Removed afterwards: jsii-docgen scans
// the project for .jsii files, and the link leads to one.
const compileDir = path.join(root, '.rosetta');
// The docs assembly lives outside the project for the same reason.
const docsAsmDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-docs-rosetta-'));
try {
  fs.rmSync(compileDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(compileDir, 'node_modules'), { recursive: true });
  fs.symlinkSync(root, path.join(compileDir, 'node_modules', 'trainyard'), 'dir');

  const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
  const submodules = {};
  for (const file of fs.readdirSync(docsDir).filter((f) => f.endsWith('.md')).sort()) {
    const page = path.basename(file, '.md');
    submodules[`trainyard-docs.${page}`] = {
      locationInModule: { filename: `docs/${file}`, line: 1 },
      readme: { markdown: fs.readFileSync(path.join(docsDir, file), 'utf8') },
    };
  }
  const docsAssembly = {
    ...assembly,
    name: 'trainyard-docs',
    description: 'The pages of docs/, compiled as READMEs',
    readme: undefined,
    types: {},
    submodules,
    targets: { js: { npm: 'trainyard-docs' } },
  };
  fs.writeFileSync(path.join(docsAsmDir, '.jsii'), JSON.stringify(docsAssembly));
  // Fixtures are looked up next to the assembly, in rosetta/.
  fs.symlinkSync(path.join(root, 'rosetta'), path.join(docsAsmDir, 'rosetta'), 'dir');

  const assemblies = process.env.ROSETTA_DOCS_ONLY ? [docsAsmDir] : [root, docsAsmDir];
  const bin = path.join(root, 'node_modules', '.bin', 'jsii-rosetta');
  // Translations that compiled are reused while the example and the types it uses are unchanged
  // (rosetta fingerprints both), so a rerun compiles only what changed.
  const cache = path.join(root, '.rosetta-cache.tabl.json');
  const result = spawnSync(bin, ['extract', '--strict', '--directory', compileDir, '--cache', cache, ...assemblies], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' },
  });
  process.exitCode = result.status ?? 1;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.error(`rosetta: README.md, docs/*.md (${Object.keys(submodules).length} pages) and API examples ${process.exitCode === 0 ? 'compile' : 'FAILED'} (${seconds} s)`);
} finally {
  fs.rmSync(compileDir, { recursive: true, force: true });
  fs.rmSync(docsAsmDir, { recursive: true, force: true });
}
