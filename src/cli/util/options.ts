/** Option parsing shared by the commands: each helper turns a raw parseArgs value into a checked one. */
import { UsageError } from '../command.js';

type Raw = string | boolean | undefined;

/** An integer option ≥ `min`, or `fallback` when absent. */
export function intOption(v: Raw, name: string, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${String(v)}'`);
  }
  return n;
}

/** A positive finite number option, or `fallback` when absent. */
export function numberOption(v: Raw, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${name} must be a positive number, got '${String(v)}'`);
  }
  return n;
}

/** A string option restricted to `choices`, or `fallback` when absent. */
export function choiceOption<T extends string>(v: Raw, name: string, choices: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  const found = choices.find((c) => c === v);
  if (found === undefined) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${String(v)}'`);
  return found;
}

/** A required string option. */
export function requiredString(v: Raw, name: string, command: string): string {
  if (typeof v !== 'string' || v === '')
    throw new UsageError(`${command}: --${name} is required (see sparse24 ${command} --help)`);
  return v;
}

/** Exactly one positional argument, named `what` in the error. */
export function onePositional(positionals: string[], what: string, command: string): string {
  if (positionals.length !== 1) {
    throw new UsageError(
      `${command}: expected exactly one ${what}, got ${positionals.length === 0 ? 'none' : positionals.map((p) => `'${p}'`).join(', ')}`,
    );
  }
  return positionals[0]!;
}
