/**
 * Reference sparse GEMMs: plain loops over the kept values only, accumulated in float64 (a JS
 * number) and rounded once, like the dense reference GEMM. A 2:4 row has half the values of a
 * dense row, so these do half the multiply-adds.
 */
import type { CompressedNM } from '../../compressed.js';
import { decodedColumns } from '../columns.js';
import { checkLinear, checkSpmm, perRow } from '../geometry.js';

/** y[i][o] = bias[o] + Σ_t W.values[o][t] · x[i][col(o, t)]. */
export function linear(x: Float32Array, w: CompressedNM, bias: Float32Array | null, rows: number): Float32Array {
  checkLinear(x, w, bias, rows);
  const h = perRow(w);
  const inF = w.cols;
  const outF = w.rows;
  const vals = w.values;
  const cols = decodedColumns(w);
  const y = new Float32Array(rows * outF);
  for (let i = 0; i < rows; i++) {
    for (let o = 0; o < outF; o++) {
      let acc = bias === null ? 0 : bias[o]!;
      for (let t = 0; t < h; t++) acc += vals[o * h + t]! * x[i * inF + cols[o * h + t]!]!;
      y[i * outF + o] = acc;
    }
  }
  return y;
}

/** C[i][j] = Σ_t A.values[i][t] · B[col(i, t)][j]. */
export function spmm(a: CompressedNM, b: Float32Array, n: number): Float32Array {
  checkSpmm(a, b, n);
  const h = perRow(a);
  const vals = a.values;
  const cols = decodedColumns(a);
  const c = new Float32Array(a.rows * n);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let t = 0; t < h; t++) acc += vals[i * h + t]! * b[cols[i * h + t]! * n + j]!;
      c[i * n + j] = acc;
    }
  }
  return c;
}
