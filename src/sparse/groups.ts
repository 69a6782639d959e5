/** Shared pieces of the masks that work on groups of M consecutive columns of a 2-D view. */
import { ShapeError, ValueError } from '../tensor/errors.js';
import { SparsityError } from './errors.js';
import type { MatrixView } from './view2d.js';

/**
 * The widest N:M group sparse24 handles. Compressed N:M stores each kept value's position in its
 * group as one byte (`CompressedNM.indices`, the `U8` test vectors), so M <= 256; masks share the
 * limit so that every mask can be compressed.
 */
export const MAX_GROUP_SIZE = 256;

export function checkNM(n: number, m: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 2 || n >= m) {
    throw new ValueError(`N:M pattern needs integers 1 <= N < M, found ${n}:${m}`);
  }
  if (m > MAX_GROUP_SIZE) {
    throw new SparsityError(
      `N:M pattern ${n}:${m}: M=${m} is wider than the largest supported group, M=${MAX_GROUP_SIZE} (positions in a group are stored as one byte)`,
    );
  }
}

export function checkGroupedColumns(view: MatrixView<ArrayLike<number>>, m: number, what: string): void {
  if (view.data.length !== view.rows * view.cols) {
    throw new ShapeError(`${what}: view data has ${view.data.length} elements, expected ${view.rows}x${view.cols}`);
  }
  if (view.cols % m !== 0) {
    throw new ShapeError(
      `${what}: the input-channel dimension C=${view.cols} must be divisible by M=${m} (groups of ${m} run along C)`,
    );
  }
}

/**
 * The tie rule every mask calculator shares: the index of the first candidate with the highest
 * score, in candidate order; a NaN score wins at once (as torch.argmax treats NaN as the maximum).
 */
export function firstBest(count: number, score: (i: number) => number): number {
  let best = -Infinity;
  let choice = 0;
  for (let i = 0; i < count; i++) {
    const s = score(i);
    if (Number.isNaN(s)) return i;
    if (s > best) {
      best = s;
      choice = i;
    }
  }
  return choice;
}
