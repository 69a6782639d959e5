/**
 * Transposable 2:4 masks (`m4n2_2d_best`, `m4n2_2d_greedy`): 2:4 along the rows AND the columns of
 * each 4x4 block, so the transposed weight used by the backward pass is 2:4 too. Apex's versions
 * never ran (docs/apex-asp.md §2.3-2.4); we follow its intent with blocks at rows 4i..4i+3 x columns
 * 4j..4j+3 of the 2-D view, as PaddlePaddle's port does. Both need rows and columns divisible by 4
 * (apex would leave ragged edges dense, which breaks the pattern; we refuse instead).
 */
import { ShapeError } from '../tensor/errors.js';
import { checkGroupedColumns, firstBest } from './groups.js';
import { APEX_24_PATTERNS } from './mask1d.js';
import type { MatrixView } from './view2d.js';

/**
 * The 90 transposable 4x4 patterns, each a 16-bit row-major bitmask (bit 4*r + c set = keep).
 * Order: rows chosen from `APEX_24_PATTERNS` by nested loops, row 0 outermost, keeping the
 * combinations whose four column sums are all 2. `m4n2_2d_best` breaks ties by this order.
 */
export const TRANSPOSABLE_24_PATTERNS: readonly number[] = (() => {
  const rowBits = APEX_24_PATTERNS.map(([i, j]) => (1 << i) | (1 << j));
  const out: number[] = [];
  for (const a of rowBits) {
    for (const b of rowBits) {
      for (const c of rowBits) {
        for (const d of rowBits) {
          const rows = [a, b, c, d];
          const colOk = [0, 1, 2, 3].every((col) => rows.filter((r) => (r >> col) & 1).length === 2);
          if (colOk) out.push(a | (b << 4) | (c << 8) | (d << 12));
        }
      }
    }
  }
  return Object.freeze(out);
})();

function checkBlocks(view: MatrixView, what: string): void {
  checkGroupedColumns(view, 4, what);
  if (view.rows % 4 !== 0) {
    throw new ShapeError(`${what}: the 2-D view has ${view.rows} rows, which must be divisible by 4 for 4x4 blocks`);
  }
}

/**
 * The score of a pattern on a block: kept |w| added in row-major order, rounded to float32 after
 * each addition (the same convention as the 1-D masks).
 */
export function blockScore(abs: ArrayLike<number>, pattern: number): number {
  let score = 0;
  for (let e = 0; e < 16; e++) if ((pattern >> e) & 1) score = Math.fround(score + abs[e]!);
  return score;
}

function forEachBlock(
  view: MatrixView,
  visit: (abs: Float64Array, set: (e: number) => void) => void,
  mask: Uint8Array,
): void {
  const { data, rows, cols } = view;
  const abs = new Float64Array(16);
  for (let r0 = 0; r0 < rows; r0 += 4) {
    for (let c0 = 0; c0 < cols; c0 += 4) {
      for (let e = 0; e < 16; e++) abs[e] = Math.abs(data[(r0 + (e >> 2)) * cols + c0 + (e & 3)]!);
      visit(abs, (e) => {
        mask[(r0 + (e >> 2)) * cols + c0 + (e & 3)] = 1;
      });
    }
  }
}

/** Per 4x4 block, the transposable pattern keeping the most magnitude (first maximum; NaN wins). */
export function m4n2_2d_best(view: MatrixView): Uint8Array {
  checkBlocks(view, 'm4n2_2d_best');
  const mask = new Uint8Array(view.data.length);
  forEachBlock(
    view,
    (abs, set) => {
      const choice =
        TRANSPOSABLE_24_PATTERNS[
          firstBest(TRANSPOSABLE_24_PATTERNS.length, (p) => blockScore(abs, TRANSPOSABLE_24_PATTERNS[p]!))
        ]!;
      for (let e = 0; e < 16; e++) if ((choice >> e) & 1) set(e);
    },
    mask,
  );
  return mask;
}

/**
 * Apex's intended greedy: visit the 16 entries from the largest |w| down (ties: lower row-major
 * position first; NaN first of all) and keep an entry unless its row or column already keeps two.
 * It can end with fewer than 8 kept, so rows and columns hold at most - not exactly - two.
 */
export function m4n2_2d_greedy(view: MatrixView): Uint8Array {
  checkBlocks(view, 'm4n2_2d_greedy');
  const mask = new Uint8Array(view.data.length);
  const order = Array.from({ length: 16 }, (_, e) => e);
  forEachBlock(
    view,
    (abs, set) => {
      const key = (e: number): number => (Number.isNaN(abs[e]!) ? Infinity : abs[e]!);
      order.sort((x, y) => key(y) - key(x) || x - y);
      const rowKept = [0, 0, 0, 0];
      const colKept = [0, 0, 0, 0];
      for (const e of order) {
        const r = e >> 2;
        const c = e & 3;
        if (rowKept[r]! < 2 && colKept[c]! < 2) {
          rowKept[r]!++;
          colKept[c]!++;
          set(e);
        }
      }
    },
    mask,
  );
  return mask;
}
