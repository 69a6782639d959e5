/**
 * The table of mask patterns: what a pattern name means. Every caller that turns a name into a
 * calculator or into its N and M asks `resolvePattern` here, so the names, their N:M and their
 * error messages live in one place.
 *
 * Three kinds of names are understood:
 * - the built-ins `m4n2_1d`, `m4n2_2d_best`, `m4n2_2d_greedy` (apex's names, all 2:4);
 * - `'N:M'` strings such as `'2:4'` or `'1:8'` (keep N of every M input channels by magnitude);
 * - calculators added with `registerMaskCalculator` (their N:M is not known to the table).
 *
 * Registration follows the shared rules of `Registry` (src/tensor/registry.ts): a new name, or
 * `{ replace: true }` to replace a user calculator; built-in names cannot be replaced or removed,
 * and `'N:M'` strings are reserved for the generated patterns.
 */
import { type RegisterOptions, Registry } from '../tensor/registry.js';
import { ValueError } from '../tensor/errors.js';
import { SparsityError } from './errors.js';
import { MAX_GROUP_SIZE } from './groups.js';
import { m4n2_1d } from './mask1d.js';
import { m4n2_2d_best, m4n2_2d_greedy } from './mask2d.js';
import { nmMask } from './masknm.js';
import type { MatrixView } from './view2d.js';

/** Computes a 0/1 keep-mask (1 = keep) for a 2-D view, one byte per element of the view. */
export type MaskCalculator = (view: MatrixView) => Uint8Array;

/** A pattern name resolved: its calculator and, where the table knows it, its N:M. */
export interface MaskPattern {
  readonly name: string;
  /** Kept elements per group, or null for a user calculator. */
  readonly n: number | null;
  /** Group size along the input channels, or null for a user calculator. */
  readonly m: number | null;
  readonly calculator: MaskCalculator;
}

const NM_NAME = /^(\d+):(\d+)$/;

const patterns = new Registry<MaskPattern>('mask calculator', ValueError, {
  reserved: { test: (name) => NM_NAME.test(name), reason: "'N:M' strings name the built-in N:M patterns" },
});
for (const [name, calculator] of [
  ['m4n2_1d', m4n2_1d],
  ['m4n2_2d_best', m4n2_2d_best],
  ['m4n2_2d_greedy', m4n2_2d_greedy],
] as const) {
  patterns.builtin(name, { name, n: 2, m: 4, calculator });
}

/**
 * Adds a named calculator. Registering a name again needs `{ replace: true }`; built-in names and
 * `'N:M'` strings are refused with a `ValueError`.
 */
export function registerMaskCalculator(name: string, calculator: MaskCalculator, options: RegisterOptions = {}): void {
  patterns.register(name, { name, n: null, m: null, calculator }, options);
}

/** Removes a user calculator; returns whether it existed. Built-in names cannot be removed. */
export function unregisterMaskCalculator(name: string): boolean {
  return patterns.unregister(name);
}

/** Names accepted by `createMask` besides `'N:M'` strings, built-ins first. */
export function maskCalculatorNames(): string[] {
  return patterns.names();
}

function nmPattern(name: string, nText: string, mText: string): MaskPattern {
  const n = Number(nText);
  const m = Number(mText);
  if (n < 1 || n >= m) throw new SparsityError(`mask pattern '${name}': N:M needs 1 <= N < M`);
  if (m > MAX_GROUP_SIZE) {
    throw new SparsityError(
      `mask pattern '${name}': M=${mText} is wider than the largest supported group, M=${MAX_GROUP_SIZE} (positions in a group are stored as one byte)`,
    );
  }
  return { name, n, m, calculator: (view) => nmMask(view, n, m) };
}

/** What a pattern name stands for; an unknown name or an impossible 'N:M' is a `SparsityError`. */
export function resolvePattern(name: string): MaskPattern {
  const found = patterns.find(name);
  if (found !== undefined) return found;
  const nm = NM_NAME.exec(name);
  if (nm !== null) return nmPattern(name, nm[1]!, nm[2]!);
  throw new SparsityError(
    `unknown mask pattern '${name}'; expected one of ${maskCalculatorNames().join(', ')} or an 'N:M' string like '2:4'`,
  );
}

/** The calculator for a pattern name. */
export function getMaskCalculator(pattern: string): MaskCalculator {
  return resolvePattern(pattern).calculator;
}

/** The N:M a pattern name stands for (the m4n2 patterns are 2:4); a user calculator has none. */
export function patternNM(pattern: string): { n: number; m: number } {
  const { n, m } = resolvePattern(pattern);
  if (n === null || m === null) {
    throw new ValueError(`mask pattern '${pattern}' has no known N:M; use a built-in pattern or an 'N:M' string`);
  }
  return { n, m };
}
