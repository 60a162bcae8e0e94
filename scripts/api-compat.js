#!/usr/bin/env node
// `compat`: jsii-diff of the compiled assembly (.jsii) against the committed baseline
// (api-baseline/trainyard.jsii), with the intended 0.x breaks of .compatignore ignored.
//
// The baseline is not kept as `api-baseline/.jsii`: jsii-docgen discovers every `.jsii` below the
// project and would document the baseline instead of the build (both are `trainyard@0.0.0`). So it is
// laid out here, in a temporary package whose node_modules is this project's, for jsii-diff to load.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const baselineDir = path.join(root, 'api-baseline');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-api-baseline-'));
try {
  fs.copyFileSync(path.join(baselineDir, 'trainyard.jsii'), path.join(tmp, '.jsii'));
  fs.copyFileSync(path.join(baselineDir, 'package.json'), path.join(tmp, 'package.json'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
  const bin = path.join(root, 'node_modules', '.bin', 'jsii-diff');
  const result = spawnSync(bin, [tmp, root, '--keys', '--ignore-file', path.join(root, '.compatignore')], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
