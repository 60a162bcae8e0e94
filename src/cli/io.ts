/**
 * What a `trainyard` CLI command talks to. Commands never touch `process` directly, so tests run
 * them in-process with captured output.
 */
export interface CliIo {
  /** Whether standard error is a terminal (progress bars only then). */
  readonly isTty: boolean;
  /** The environment variables. */
  readonly env: Record<string, string | undefined>;
  /** The working directory, against which relative paths resolve. */
  readonly cwd: string;
  /** Writes to standard output (the command's result: a table, JSON, SARIF, Markdown). */
  out(text: string): void;
  /** Writes to standard error (progress, warnings, the one-line error). */
  err(text: string): void;
}

/**
 * A CLI command: takes the arguments after its name and returns the exit code. A bad argument or
 * input throws `TrainyardValidationError`, which the entry point prints as one line (exit 2).
 */
export type CliCommand = (argv: string[], io: CliIo) => Promise<number>;
