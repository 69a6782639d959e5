/**
 * apex's default 2:4 mask, `m4n2_1d` (docs/apex-asp.md §2.2), reproduced bit for bit.
 *
 * Every group of 4 consecutive columns keeps the pair with the largest |a|+|b|, the sum rounded
 * once to float32 as apex's float32 matmul does. Ties go to the earliest pattern in apex's order,
 * which is CPython's `set` iteration order of the six patterns, not lexicographic: hence an
 * all-zero group keeps positions 1 and 3. NaN is treated as larger than everything, like
 * `torch.argmax`, so the first pattern touching a NaN wins.
 */
import { checkGroupedColumns, firstBest } from './groups.js';
import type { MatrixView } from './view2d.js';

/** Kept positions of apex's six 2:4 patterns, in apex's argmax order. */
export const APEX_24_PATTERNS: readonly (readonly [number, number])[] = Object.freeze([
  [1, 3], // [0,1,0,1]
  [0, 1], // [1,1,0,0]
  [1, 2], // [0,1,1,0]
  [0, 2], // [1,0,1,0]
  [0, 3], // [1,0,0,1]
  [2, 3], // [0,0,1,1]
]);

/** Index into `APEX_24_PATTERNS` that apex picks for one group of four values. */
export function apex24Choice(a0: number, a1: number, a2: number, a3: number): number {
  const abs = [Math.abs(a0), Math.abs(a1), Math.abs(a2), Math.abs(a3)];
  return firstBest(APEX_24_PATTERNS.length, (p) => {
    const [i, j] = APEX_24_PATTERNS[p]!;
    return Math.fround(abs[i]! + abs[j]!);
  });
}

/** The apex `m4n2_1d` mask of a 2-D view: 1 = keep, 0 = prune, same layout as the view. */
export function m4n2_1d(view: MatrixView): Uint8Array {
  checkGroupedColumns(view, 4, 'm4n2_1d');
  const { data } = view;
  const mask = new Uint8Array(data.length);
  for (let g = 0; g < data.length; g += 4) {
    const [i, j] = APEX_24_PATTERNS[apex24Choice(data[g]!, data[g + 1]!, data[g + 2]!, data[g + 3]!)]!;
    mask[g + i] = 1;
    mask[g + j] = 1;
  }
  return mask;
}
