#!/usr/bin/env node
// Run by cdk.json before the template app: builds the Lambda bundles (assets/**/index.js) with
// `npx projen bundle` when one is missing or older than a source file under src/. A fresh clone has
// no bundles (assets/ is not committed), so `npm ci && npx cdk synth` works without a prior build.
// When every bundle is current this only stats files (tens of milliseconds).
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const src = path.join(root, 'src');

function walk(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

const sources = walk(src);
const newestSource = Math.max(...sources.map((f) => fs.statSync(f).mtimeMs));
const bundles = sources
  .filter((f) => f.endsWith('.lambda.ts'))
  .map((f) => path.join(root, 'assets', path.relative(src, f).replace(/\.ts$/, ''), 'index.js'));
const stale = bundles.filter((b) => !fs.existsSync(b) || fs.statSync(b).mtimeMs < newestSource);

if (stale.length > 0) {
  process.stderr.write(`Bundling Lambda handlers (${stale.map((b) => path.relative(root, b)).join(', ')})...\n`);
  const result = spawnSync('npx', ['projen', 'bundle'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr], shell: process.platform === 'win32' });
  if (result.status !== 0) {
    process.stderr.write('trainyard: bundling the Lambda handlers failed (npx projen bundle); see the output above.\n');
    process.exit(result.status ?? 1);
  }
}
