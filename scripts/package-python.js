#!/usr/bin/env node
// The package:python task (projen's package-all runs it): builds the Python wheel and sdist of the jsii
// Python target (`pip install trainyard`, `import trainyard`) into dist/python.
//
// jsii-pacmak's Python build creates a virtualenv and pip-installs the build tools it pins in
// jsii-pacmak/lib/targets/python/requirements-dev.txt (setuptools, build, twine) before building. Where
// pip can install those pins (PyPI or a mirror), this runs jsii-pacmak exactly as projen would. Where it
// cannot (a machine that reaches only the npm registry), it generates the Python sources with
// `jsii-pacmak --code-only`, which needs no pip, and builds the wheel with the setuptools and build that
// the configured pip index offers. Where neither is possible (no python3, no venv, no setuptools/build),
// it says so and skips: the build stays green, and TRAINYARD_REQUIRE_PYTHON_WHEEL=1 turns the skip into
// a failure (for a release job). A failure of the build itself always fails the task.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const outdir = path.join(root, 'dist', 'python');
const python = process.env.PYTHON ?? 'python3';
const requirements = require.resolve('jsii-pacmak/lib/targets/python/requirements-dev.txt', { paths: [root] });
const pins = fs.readFileSync(requirements, 'utf8').split('\n')
  .map((line) => line.replace(/#.*$/, '').trim())
  .filter((line) => line.length > 0);
// pip must neither prompt nor wait long for an index it cannot reach.
const PIP_QUIET = ['--disable-pip-version-check', '--no-input', '--retries', '0', '--timeout', '15'];

function say(message) {
  process.stderr.write(`package:python: ${message}\n`);
}

/** Runs a command, capturing its output. */
function capture(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', ...options });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/** Runs a command with its output on stderr; exits with its status when it fails. */
function runOrFail(what, command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', process.stderr, process.stderr], shell: process.platform === 'win32' });
  if (result.status !== 0) {
    say(`${what} failed (${[command, ...args].join(' ')}); see the output above.`);
    process.exit(result.status ?? 1);
  }
}

/** The last ERROR lines of pip's output, which name what it could not install. */
function pipErrors(output) {
  const errors = output.split('\n').filter((l) => /^ERROR:/.test(l.trim()));
  return (errors.length > 0 ? errors : output.trim().split('\n').slice(-2)).map((l) => l.trim()).join(' ');
}

function skip(reason) {
  say(`skipped building the Python wheel: ${reason}`);
  say('Build it where python3 and pip can install the build tools: `npx projen package:python` (the build workflow\'s package-python job does).');
  if (process.env.TRAINYARD_REQUIRE_PYTHON_WHEEL === '1') {
    say('TRAINYARD_REQUIRE_PYTHON_WHEEL=1: a skipped wheel is a failure.');
    process.exit(1);
  }
  process.exit(0);
}

// ---- python3 and a virtualenv -------------------------------------------------------------------
const version = capture(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
if (!version.ok) {
  skip(`no Python interpreter (${python}) on this machine.`);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-python-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
const venv = path.join(work, 'venv');
if (!capture(python, ['-m', 'venv', venv]).ok) {
  skip(`Python ${version.output.trim()} cannot create a virtualenv (${python} -m venv; on Debian, the python3-venv package).`);
}
const venvPython = path.join(venv, process.platform === 'win32' ? 'Scripts' : 'bin', process.platform === 'win32' ? 'python.exe' : 'python');

// ---- jsii-pacmak's own build, when its pinned build tools can be installed -----------------------
const pinned = capture(venvPython, ['-m', 'pip', 'install', '--dry-run', ...PIP_QUIET, '-r', requirements]);
if (pinned.ok) {
  runOrFail('jsii-pacmak', 'npx', ['jsii-pacmak', '-v', '--target', 'python']);
  say(`built ${fs.readdirSync(outdir).filter((f) => /\.(whl|tar\.gz)$/.test(f)).join(', ')} in dist/python (jsii-pacmak).`);
  process.exit(0);
}
const pinnedError = `jsii-pacmak's Python build pip-installs ${pins.join(', ')} (jsii-pacmak/lib/targets/python/requirements-dev.txt), and pip cannot: ${pipErrors(pinned.output)}`;

// ---- Otherwise: jsii-pacmak's generated sources, built with the tools the pip index has -----------
const tools = capture(venvPython, ['-m', 'pip', 'install', ...PIP_QUIET, '--upgrade', 'setuptools', 'build', 'wheel']);
if (!tools.ok) {
  skip(`${pinnedError}; nor can it install any setuptools, build and wheel: ${pipErrors(tools.output)}`);
}
say(`${pinnedError}.`);
const installed = capture(venvPython, ['-c', 'import importlib.metadata as m; print(", ".join(p + " " + m.version(p) for p in ("setuptools", "build", "wheel")))']).output.trim();
say(`Building the wheel from jsii-pacmak's generated sources (--code-only) with ${installed} instead; twine's check is not run.`);
runOrFail('jsii-pacmak --code-only', 'npx', ['jsii-pacmak', '-v', '--target', 'python', '--code-only', '--outdir', path.join(work, 'out')]);
fs.rmSync(outdir, { recursive: true, force: true });
runOrFail('python -m build', venvPython, [
  '-m', 'build', '--wheel', '--sdist',
  // The tools just installed in the virtualenv, not the versions the generated pyproject.toml pins.
  '--no-isolation', '--skip-dependency-check',
  '--outdir', outdir, path.join(work, 'out', 'python'),
]);
say(`built ${fs.readdirSync(outdir).join(', ')} in dist/python.`);
