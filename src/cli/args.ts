import { parseArgs, ParseArgsConfig } from 'util';
import { TrainyardValidationError } from '../core/errors';

/** The option definitions of one command, as `util.parseArgs` takes them. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed options (string or boolean values) and positionals. */
export interface ParsedArgs {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

/**
 * Parses a command's arguments with Node's `util.parseArgs` (strict: unknown options and missing
 * values are errors). A parse error becomes a `TrainyardValidationError` naming the argument, so
 * the entry point prints it as one line.
 */
export function parseCommandArgs(command: string, argv: string[], options: OptionSpec, allowPositionals = false): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    // Node names the offending option in its message: "Unknown option '--x'", "Option '--y <value>' argument missing".
    const named = /'(-{1,2}[^' ]+)/.exec(message);
    const arg = named ? named[1] : command;
    throw new TrainyardValidationError(arg, `${message.split('\n')[0].replace(/\.?$/, '.')} Run 'trainyard ${command} --help' for the options.`);
  }
}

/** Checks that `value` is one of `allowed`, naming the argument otherwise. */
export function oneOf<T extends string>(arg: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new TrainyardValidationError(arg, `must be one of ${allowed.join(', ')}, got '${value}'`);
  }
  return value as T;
}

/** Parses a positive whole number, naming the argument otherwise. */
export function positiveInteger(arg: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new TrainyardValidationError(arg, `must be a whole number of at least 1, got '${value}'`);
  }
  return n;
}
