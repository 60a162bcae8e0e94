import { spawn } from 'child_process';
import * as fs from 'fs';
import { HostCommand } from './container-paths';

/** How a job's process ended. */
export interface ProcessOutcome {
  /** The exit status (null when killed). */
  readonly status: number | null;
  /** The signal that killed it, if any. */
  readonly signal: NodeJS.Signals | null;
  /** Whether it ran over its time limit. */
  readonly timedOut: boolean;
  /** Standard output and error, interleaved (the last 1 MB). */
  readonly output: string;
  /** Standard error alone (the last 64 kB). */
  readonly stderr: string;
}

const OUTPUT_LIMIT = 1024 * 1024;
const STDERR_LIMIT = 64 * 1024;

/**
 * Runs a job's command, writing its output to `logFile` and keeping the tail in memory (for the
 * metric definitions and error messages). Kills it after `timeoutSeconds`.
 */
export function runProcess(command: HostCommand, logFile: string, timeoutSeconds?: number): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const log = fs.openSync(logFile, 'w');
    let output = '';
    let stderr = '';
    let timedOut = false;
    const child = spawn(command.file, command.args, { cwd: command.cwd, env: command.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = timeoutSeconds ? setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutSeconds * 1000) : undefined;
    const collect = (isErr: boolean) => (chunk: Buffer) => {
      fs.writeSync(log, chunk);
      const text = chunk.toString('utf8');
      output = (output + text).slice(-OUTPUT_LIMIT);
      if (isErr) stderr = (stderr + text).slice(-STDERR_LIMIT);
    };
    child.stdout.on('data', collect(false));
    child.stderr.on('data', collect(true));
    const finish = (status: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      if (timer) clearTimeout(timer);
      if (error) {
        const text = `${command.file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : error.message}\n`;
        fs.writeSync(log, text);
        stderr += text;
        output += text;
      }
      fs.closeSync(log);
      resolve({ status, signal, timedOut, output, stderr });
    };
    child.on('error', (e) => finish(127, null, e));
    child.on('close', (status, signal) => finish(status, signal));
  });
}

/** Pip names of modules whose import name differs from the package that provides it. */
const PIP_NAMES: Readonly<Record<string, string>> = {
  sklearn: 'scikit-learn',
  cv2: 'opencv-python',
  PIL: 'Pillow',
  yaml: 'PyYAML',
  bs4: 'beautifulsoup4',
  skimage: 'scikit-image',
};

/** The top-level module a Python traceback says is missing, if that is why it failed. */
export function missingPythonModule(stderr: string): { module: string; pipName: string } | undefined {
  const matches = [...stderr.matchAll(/(?:ModuleNotFoundError|ImportError): No module named '?([A-Za-z0-9_.]+)'?/g)];
  if (matches.length === 0) {
    return undefined;
  }
  const module = matches[matches.length - 1][1].split('.')[0];
  return { module, pipName: PIP_NAMES[module] ?? module.replace(/_/g, '-') };
}

/** One line on why a job's process failed: a missing module, a timeout, or the last thing it printed. */
export function describeProcessFailure(outcome: ProcessOutcome, interpreter: string): string {
  if (outcome.timedOut) {
    return 'ran over its MaxRuntimeInSeconds and was stopped';
  }
  const missing = missingPythonModule(outcome.stderr);
  if (missing) {
    return `its script imports '${missing.module}', which the local ${interpreter} does not have (pip install ${missing.pipName}, or put a Python that has it first on PATH)`;
  }
  const last = (text: string) => text.trim().split('\n').map((l) => l.trim()).filter((l) => l.length > 0).pop();
  const said = last(outcome.stderr) ?? last(outcome.output);
  const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with status ${outcome.status}`;
  return said ? `${how}: ${said.length > 300 ? said.slice(0, 297) + '...' : said}` : how;
}
