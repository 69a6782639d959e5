/**
 * SparseGPT (Frantar & Alistarh 2023) in its N:M mode, for one layer: prune each row's columns
 * group by group in the order of the inverse Hessian's Cholesky factor, and after each column
 * spread its pruning error over the columns still to come, so the layer's output on the
 * calibration inputs moves as little as possible. Everything runs in float64.
 *
 * With H = (2/n)·XᵀX over the calibration inputs X [n, cols]:
 * 1. columns no input reaches (H_jj = 0) are zeroed and their H_jj set to 1;
 * 2. H += percdamp · mean(diag H) · I, for a well-conditioned inverse;
 * 3. U = the upper Cholesky factor of H⁻¹ (H⁻¹ = UᵀU);
 * 4. columns in blocks of `blocksize`; at a column i with i % M = 0, each row keeps the N of
 *    columns i..i+M-1 with the largest w² / U_jj² (prunes the M − N smallest; ties: the lower
 *    column is kept), the pruned weights q are 0, and the error (w − q) / U_ii is subtracted,
 *    scaled by row i of U, from the block's later columns; after a block, the block's errors
 *    update all later columns at once (the lazy batch update).
 */
import { ValueError } from '../../tensor/errors.js';
import { choleskyInverse, choleskyLower, choleskyUpper } from './linalg.js';
import { keepLargest } from './select.js';

export interface SparseGptOptions {
  readonly n: number;
  readonly m: number;
  /** Columns per lazy-update block (default 128); a multiple of M. */
  readonly blocksize?: number;
  /** Dampening, as a fraction of the mean diagonal of H (default 0.01). */
  readonly percdamp?: number;
}

/** H = (2/n)·XᵀX of calibration inputs X [samples, cols] (float64). */
export function hessian(inputs: Float32Array, samples: number, cols: number): Float64Array {
  const h = new Float64Array(cols * cols);
  for (let s = 0; s < samples; s++) {
    const row = s * cols;
    for (let i = 0; i < cols; i++) {
      const xi = inputs[row + i]!;
      if (xi === 0) continue;
      for (let j = 0; j <= i; j++) h[i * cols + j]! += xi * inputs[row + j]!;
    }
  }
  const scale = samples === 0 ? 0 : 2 / samples;
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j <= i; j++) {
      const v = h[i * cols + j]! * scale;
      h[i * cols + j] = v;
      h[j * cols + i] = v;
    }
  }
  return h;
}

/** Prunes `weight` (rows × cols, row-major) N:M along each row; returns the new weight and its mask. */
export function sparseGpt(
  weight: Float32Array,
  rows: number,
  cols: number,
  hess: Float64Array,
  options: SparseGptOptions,
): { weight: Float32Array; mask: Uint8Array } {
  const { n, m } = options;
  const blocksize = options.blocksize ?? 128;
  const percdamp = options.percdamp ?? 0.01;
  if (cols % m !== 0) throw new ValueError(`sparsegpt: ${cols} columns are not divisible by M=${m}`);
  if (!Number.isInteger(blocksize) || blocksize < m || blocksize % m !== 0) {
    throw new ValueError(`sparsegpt: blocksize must be a positive multiple of M=${m}, got ${blocksize}`);
  }
  if (!(percdamp >= 0) || !Number.isFinite(percdamp)) {
    throw new ValueError(`sparsegpt: percdamp must be a finite number >= 0, got ${percdamp}`);
  }
  const w = Float64Array.from(weight);
  const h = Float64Array.from(hess);
  for (let j = 0; j < cols; j++) {
    if (h[j * cols + j] !== 0) continue;
    h[j * cols + j] = 1;
    for (let r = 0; r < rows; r++) w[r * cols + j] = 0;
  }
  let meanDiag = 0;
  for (let j = 0; j < cols; j++) meanDiag += h[j * cols + j]!;
  meanDiag /= cols;
  for (let j = 0; j < cols; j++) h[j * cols + j]! += percdamp * meanDiag;
  const u = choleskyUpper(choleskyInverse(choleskyLower(h, cols), cols), cols);

  const mask = new Uint8Array(rows * cols).fill(1);
  const scores = new Float64Array(rows * cols);
  for (let b0 = 0; b0 < cols; b0 += blocksize) {
    const b1 = Math.min(b0 + blocksize, cols);
    const err = new Float64Array(rows * (b1 - b0));
    for (let i = b0; i < b1; i++) {
      const d = u[i * cols + i]!;
      if ((i - b0) % m === 0) {
        for (let r = 0; r < rows; r++) {
          for (let j = i; j < i + m; j++) {
            const v = w[r * cols + j]!;
            const dj = u[j * cols + j]!;
            scores[r * cols + j] = (v * v) / (dj * dj);
          }
          keepLargest(scores, r * cols + i, m, n, mask);
        }
      }
      for (let r = 0; r < rows; r++) {
        const at = r * cols + i;
        const q = mask[at] === 1 ? w[at]! : 0;
        const e = (w[at]! - q) / d;
        w[at] = q;
        err[r * (b1 - b0) + (i - b0)] = e;
        if (e === 0) continue;
        for (let j = i + 1; j < b1; j++) w[r * cols + j]! -= e * u[i * cols + j]!;
      }
    }
    // The lazy batch update: this block's errors reach every later column at once.
    for (let r = 0; r < rows; r++) {
      for (let i = b0; i < b1; i++) {
        const e = err[r * (b1 - b0) + (i - b0)]!;
        if (e === 0) continue;
        for (let j = b1; j < cols; j++) w[r * cols + j]! -= e * u[i * cols + j]!;
      }
    }
  }
  return { weight: Float32Array.from(w), mask };
}
