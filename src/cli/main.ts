/**
 * The `trainyard` command line: `trainyard <command> [args]`.
 *
 * Shipped as one self-contained file that esbuild bundles at build time (assets/cli/main/index.js,
 * the package's `bin`); run from source with `npx projen trainyard <command> [args]`.
 *
 * Exit codes: 0 ok; 1 findings, a short quota or a failing local pipeline run; 2 the command could not run (bad usage or input,
 * no AWS credentials, an AWS error).
 */
import { checkCommand } from './commands/check';
import { costCommand } from './commands/cost';
import { quotaCommand } from './commands/quota';
import { reportCommand } from './commands/report';
import { runCommand } from './commands/run';
import { describeFailure } from './failures';
import { CliCommand, CliIo } from './io';

/** A registered command: what runs it and the one line `trainyard --help` shows for it. */
export interface RegisteredCommand {
  readonly run: CliCommand;
  readonly summary: string;
}

// ---------------------------------------------------------------------------------------------
// COMMAND REGISTRY. To add a command, write src/cli/commands/<name>.ts exporting a `CliCommand`,
// import it above and add one line here. `trainyard --help` lists the commands in this order.
// ---------------------------------------------------------------------------------------------
export const COMMANDS: Readonly<Record<string, RegisteredCommand>> = {
  check: { run: checkCommand, summary: 'Compliance findings of a synthesized cdk.out (table, Markdown or SARIF)' },
  quota: { run: quotaCommand, summary: 'SageMaker training quotas needed by cdk.out (or --instance-type) vs available' },
  report: { run: reportCommand, summary: 'Throughput, cycle time and scrap rate (FlowMetrics)' },
  cost: { run: costCommand, summary: 'Idle monthly cost per stack and per added team, from cdk.out' },
  run: { run: runCommand, summary: 'Run a synthesized pipeline on this machine (--local) with the real scripts and a data sample' },
};

/** Exit code: success. */
export const EXIT_OK = 0;
/** Exit code: the command ran and found something (findings, a short quota, a local pipeline run that fails). */
export const EXIT_FINDINGS = 1;
/** Exit code: the command could not run (bad usage or input, no credentials, an AWS error). */
export const EXIT_USAGE = 2;

/** The top-level help text. */
export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'Usage: trainyard <command> [args]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'trainyard <command> --help' for a command's options.",
    'Exit codes: 0 ok, 1 findings, short quota or a failing local run, 2 bad usage or input (one line on stderr).',
    '',
  ].join('\n');
}

/**
 * Runs `trainyard` with the arguments after the program name and returns the exit code. Never
 * throws: every failure becomes one line on stderr (a stack trace only with TRAINYARD_DEBUG=1).
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(usage());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return EXIT_OK;
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`trainyard: unknown command '${name}'. Commands: ${Object.keys(COMMANDS).join(', ')}. Run 'trainyard --help'.\n`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    io.err(`trainyard ${name}: ${describeFailure(e)}\n`);
    if (io.env.TRAINYARD_DEBUG && e instanceof Error && e.stack) {
      io.err(`${e.stack}\n`);
    }
    return EXIT_USAGE;
  }
}

/** The real process: stdout, stderr, environment and working directory. */
export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTty: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}

// Run when executed (the bundle, or `tsx src/cli/main.ts`), not when imported by tests.
if (require.main === module) {
  // The SDK's multi-line notice about future Node.js versions is noise in a one-line-error CLI.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  void main(process.argv.slice(2), processIo()).then((code) => {
    process.exitCode = code;
  });
}
