import { CliIo } from '../../src/cli/io';

/** A CliIo that captures what a command writes, for in-process CLI tests. */
export interface CapturedIo extends CliIo {
  /** Everything written to standard output. */
  stdout(): string;
  /** Everything written to standard error. */
  stderr(): string;
}

/** A captured CliIo with the given working directory and environment (no real process variables). */
export function capturedIo(cwd: string, env: Record<string, string | undefined> = {}): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (text) => { out.push(text); },
    err: (text) => { err.push(text); },
    isTty: false,
    env,
    cwd,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}
