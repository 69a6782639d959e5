/**
 * Wanda (Sun et al. 2023): score each weight by |w_ij| · ‖X_:,j‖₂ — its magnitude times the norm
 * of the input feature it multiplies over the calibration inputs — and keep the N best of every M
 * consecutive inputs of each row. No weight update.
 */

/** ‖X_:,j‖₂ of calibration inputs X [samples, cols] (float64 sums). */
export function inputNorms(inputs: Float32Array, samples: number, cols: number): Float64Array {
  const sq = new Float64Array(cols);
  for (let s = 0; s < samples; s++) for (let j = 0; j < cols; j++) sq[j]! += inputs[s * cols + j]! ** 2;
  return sq.map(Math.sqrt);
}

/** Wanda's scores of a rows × cols weight. */
export function wandaScores(weight: Float32Array, rows: number, cols: number, norms: Float64Array): Float64Array {
  const s = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < cols; j++) s[r * cols + j] = Math.abs(weight[r * cols + j]!) * norms[j]!;
  return s;
}
