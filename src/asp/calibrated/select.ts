/**
 * N of every M by a score: in each group of M consecutive entries of a row, keep the N with the
 * largest score, the lower position first among equal scores — the same rule the magnitude masks
 * follow where no float32 rounding intervenes (src/sparse/topn.ts). A NaN score counts as largest.
 */

/** Marks with 1 in `mask` the kept positions of group [start, start + m) of `scores`. */
export function keepLargest(scores: ArrayLike<number>, start: number, m: number, n: number, mask: Uint8Array): void {
  const order = Array.from({ length: m }, (_, i) => i);
  const key = (i: number): number => {
    const v = scores[start + i]!;
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  };
  order.sort((a, b) => key(b) - key(a) || a - b);
  for (let i = 0; i < m; i++) mask[start + i] = 0;
  for (let i = 0; i < n; i++) mask[start + order[i]!] = 1;
}

/** The N:M mask of a rows × cols score matrix, groups along each row. */
export function maskByScore(scores: ArrayLike<number>, rows: number, cols: number, n: number, m: number): Uint8Array {
  const mask = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c += m) keepLargest(scores, r * cols + c, m, n, mask);
  return mask;
}
