import type { ParseArgsConfig } from 'node:util';
import { Sparse24Error } from '../tensor/index.js';

/** Bad command-line usage: exit code 2 with a one-line message. */
export class UsageError extends Sparse24Error {}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Where a command writes: stdout for results, stderr for progress and diagnostics. */
export interface CommandIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface Command {
  name: string;
  summary: string;
  /** Full help text printed by `sparse24 <name> --help`. */
  help: string;
  options: OptionSpec;
  /** Returns the exit code: 0 ok, 1 a check failed. Throws UsageError (or any Sparse24Error) for bad input. */
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}
