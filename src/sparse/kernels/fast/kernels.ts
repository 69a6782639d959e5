/**
 * The fast sparse kernels, all lowered onto `rowsTimesDense` (compressed rows · dense strip):
 *
 * - spmm C = A·B directly;
 * - linear y = x·Wᵀ as yᵀ = W·xᵀ, so a kept weight meets 8 batch rows at once from the packed
 *   strip of xᵀ; a batch of 1–3 rows instead takes `rowDot`, which reads each weight once per
 *   row with no packing;
 * - conv as an implicit GEMM over im2col: for each kernel position, the view rows of that
 *   position times the im2col rows of that position (a strided view, no copy).
 */
import type { ConvParams } from '../../../tensor/kernels/types.js';
import { convGeometry, im2col, isPointwise } from '../../../tensor/kernels/fast/index.js';
import type { CompressedNM } from '../../compressed.js';
import { checkConv, checkLinear, checkSpmm, convOutputLength } from '../geometry.js';
import { rowDot, rowsTimesDense } from './core.js';

/** Below this many input rows, packing xᵀ costs more than re-reading the weights per row. */
const ROW_DOT_MAX = 3;

export function linear(x: Float32Array, w: CompressedNM, bias: Float32Array | null, rows: number): Float32Array {
  checkLinear(x, w, bias, rows);
  const inF = w.cols;
  const outF = w.rows;
  const y = new Float32Array(rows * outF);
  if (rows <= ROW_DOT_MAX) {
    for (let i = 0; i < rows; i++) {
      if (bias !== null) y.set(bias, i * outF);
      rowDot(w, x, i * inF, y, i * outF);
    }
    return y;
  }
  if (bias !== null) for (let i = 0; i < rows; i++) y.set(bias, i * outF);
  // yᵀ = W·xᵀ: B = xᵀ and C = yᵀ are strided views of x and y.
  rowsTimesDense(w, {
    rowBase: 0,
    rowStep: 1,
    count: outF,
    b: x,
    bOff: 0,
    bRs: 1,
    bCs: inF,
    n: rows,
    c: y,
    cOff: 0,
    ldc: 1,
    cCs: outF,
  });
  return y;
}

export function spmm(a: CompressedNM, b: Float32Array, n: number): Float32Array {
  checkSpmm(a, b, n);
  const c = new Float32Array(a.rows * n);
  rowsTimesDense(a, {
    rowBase: 0,
    rowStep: 1,
    count: a.rows,
    b,
    bOff: 0,
    bRs: n,
    bCs: 1,
    n,
    c,
    cOff: 0,
    ldc: n,
    cCs: 1,
  });
  return c;
}

export function conv(x: Float32Array, w: CompressedNM, bias: Float32Array | null, p: ConvParams): Float32Array {
  const { positions, conv1d } = checkConv(x, w, bias, p);
  const g = convGeometry(p);
  const K = p.outChannels;
  const L = g.outLen;
  const y = new Float32Array(convOutputLength(p));
  if (bias !== null) {
    for (let n = 0; n < p.batch; n++)
      for (let k = 0; k < K; k++) y.fill(bias[k]!, (n * K + k) * L, (n * K + k + 1) * L);
  }
  const scratch = isPointwise(p) ? null : new Float32Array(g.rowsCol * L);
  for (let n = 0; n < p.batch; n++) {
    for (let gi = 0; gi < p.groups; gi++) {
      const c0 = gi * g.cg;
      if (scratch !== null) im2col(x, n, c0, p, g, scratch);
      for (let pos = 0; pos < positions; pos++) {
        // im2col rows are channel-major (c·P + pos): the rows of one position are P·L apart.
        const b = scratch ?? x;
        const bOff = scratch === null ? (n * p.inChannels + c0) * g.plane : pos * L;
        const bRs = scratch === null ? g.plane : positions * L;
        rowsTimesDense(w, {
          rowBase: conv1d ? gi * g.kg * positions + pos : pos * K + gi * g.kg,
          rowStep: conv1d ? positions : 1,
          count: g.kg,
          b,
          bOff,
          bRs,
          bCs: 1,
          n: L,
          c: y,
          cOff: (n * K + gi * g.kg) * L,
          ldc: L,
          cCs: 1,
        });
      }
    }
  }
  return y;
}
