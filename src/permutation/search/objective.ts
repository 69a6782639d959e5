/**
 * The quantity channel permutation maximises, and the metrics apex reports beside it
 * (docs/apex-asp.md §3.1). Everything here sums in float64, in the order apex's NumPy (CPU) path does,
 * so the digits agree with apex's CPU re-run of its published table. Apex's GPU kernels sum in
 * float32 with atomicAdd in no fixed order; their last printed digit wanders by about ±0.002 on a
 * 128×64 matrix, which is why the README's GPU numbers and the CPU re-run differ in the third
 * decimal.
 */
import { ShapeError, ValueError } from '../../tensor/errors.js';

/**
 * Sum of the two largest of four non-negative values: both from {a, b}, both from {c, d}, or the
 * larger of each pair. Three selects instead of a sort, since on random data every branch is a
 * coin toss. Each candidate is one rounded addition of the pair, so the result is bit-identical to
 * adding the two largest.
 */
export function top2(a: number, b: number, c: number, d: number): number {
  const cross = (a > b ? a : b) + (c > d ? c : d);
  const ab = a + b;
  const cd = c + d;
  const same = ab > cd ? ab : cd;
  return cross > same ? cross : same;
}

/** Checks that `matrix` is a finite rows×cols matrix; `what` names it in the message. */
export function checkMatrix(matrix: ArrayLike<number>, rows: number, cols: number, what = 'matrix'): void {
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(cols) || cols < 1) {
    throw new ShapeError(`${what}: rows and cols must be positive integers, got ${rows}×${cols}`);
  }
  if (matrix.length !== rows * cols) {
    throw new ShapeError(`${what}: expected ${rows}×${cols} = ${rows * cols} values, found ${matrix.length}`);
  }
  for (let i = 0; i < matrix.length; i++) {
    if (!Number.isFinite(matrix[i]!)) {
      throw new ValueError(
        `${what}: value at row ${Math.floor(i / cols)}, column ${i % cols} is ${matrix[i]}; expected a finite number`,
      );
    }
  }
}

/** Checks that `permutation` holds each of 0..cols-1 exactly once. */
export function checkPermutation(permutation: ArrayLike<number>, cols: number): void {
  if (permutation.length !== cols) {
    throw new ShapeError(`permutation: expected ${cols} entries (one per column), found ${permutation.length}`);
  }
  const seen = new Uint8Array(cols);
  for (let j = 0; j < cols; j++) {
    const p = permutation[j]!;
    if (!Number.isInteger(p) || p < 0 || p >= cols || seen[p] === 1) {
      throw new ValueError(`permutation: entry ${j} is ${p}; expected each column index 0..${cols - 1} exactly once`);
    }
    seen[p] = 1;
  }
}

/**
 * Magnitude kept by 2:4 pruning along rows: per row, per group of 4 consecutive columns, the two
 * largest |w|. With `permutation`, column j of the permuted matrix is column `permutation[j]` of
 * `matrix` (apex's `matrix[:, π]`). Accumulated largest-then-second, row by row, like apex.
 */
export function sumAfter24(
  matrix: ArrayLike<number>,
  rows: number,
  cols: number,
  permutation?: ArrayLike<number>,
): number {
  if (cols % 4 !== 0) throw new ShapeError(`2:4 groups need a column count divisible by 4, found ${cols} columns`);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let g = 0; g < cols; g += 4) {
      const v0 = Math.abs(matrix[base + (permutation ? permutation[g]! : g)]!);
      const v1 = Math.abs(matrix[base + (permutation ? permutation[g + 1]! : g + 1)]!);
      const v2 = Math.abs(matrix[base + (permutation ? permutation[g + 2]! : g + 2)]!);
      const v3 = Math.abs(matrix[base + (permutation ? permutation[g + 3]! : g + 3)]!);
      const hiA = Math.max(v0, v1);
      const hiB = Math.max(v2, v3);
      const first = Math.max(hiA, hiB);
      const second = hiA >= hiB ? Math.max(hiB, Math.min(v0, v1)) : Math.max(hiA, Math.min(v2, v3));
      sum += first;
      sum += second;
    }
  }
  return sum;
}

/**
 * NumPy's pairwise summation (`np.sum` on a contiguous float64 array): eight interleaved partial
 * sums in blocks of up to 128, halves above that. Used so `unpruned` and `bound` carry NumPy's bits.
 */
export function pairwiseSum(a: Float64Array, start = 0, n = a.length - start): number {
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[start + i]!;
    return s;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let k = 0; k < 8; k++) r[k] = a[start + k]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let k = 0; k < 8; k++) r[k]! += a[start + i + k]!;
    let s = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) s += a[start + i]!;
    return s;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** Σ|w| over the whole matrix (apex sums the sorted magnitudes with `np.sum`). */
export function unprunedMagnitude(matrix: ArrayLike<number>): number {
  const a = new Float64Array(matrix.length);
  for (let i = 0; i < a.length; i++) a[i] = Math.abs(matrix[i]!);
  a.sort();
  return pairwiseSum(a);
}

/**
 * The "50% per row" upper bound: each row keeps its largest half of |w| with no structure
 * (apex's `magnitude_after_pruning_rows`). No column permutation can keep more under 2:4.
 */
export function rowHalfBound(matrix: ArrayLike<number>, rows: number, cols: number): number {
  const row = new Float64Array(cols);
  const drop = Math.floor(cols * 0.5);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) row[c] = Math.abs(matrix[r * cols + c]!);
    row.sort();
    total += pairwiseSum(row, drop, cols - drop);
  }
  return total;
}

/**
 * efficacy = (lost_default − lost_permuted) / (lost_default − lost_bound): 0 for no gain, 1 when
 * the permutation reaches the per-row bound. 1 when the bound equals the default (nothing to win).
 */
export function efficacy(unpruned: number, default24: number, bound: number, permuted: number): number {
  const baseLost = unpruned - default24;
  const optimalLost = unpruned - bound;
  if (baseLost === optimalLost) return 1;
  return (baseLost - (unpruned - permuted)) / (baseLost - optimalLost);
}

/** `matrix[:, permutation]` as fresh storage. */
export function permuteColumns(
  matrix: Float32Array,
  rows: number,
  cols: number,
  permutation: ArrayLike<number>,
): Float32Array {
  checkPermutation(permutation, cols);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = matrix[r * cols + permutation[c]!]!;
  return out;
}
