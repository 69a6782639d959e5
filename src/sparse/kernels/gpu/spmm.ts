/**
 * gpu.js sparse GEMMs. Design (for the webasm mode, which vectorizes 4 consecutive `thread.x`
 * cells into one f32x4 lane group): a load whose index does not depend on thread.x is one scalar
 * load shared by the 4 lanes, a load that does is a 4-load gather. So thread.x runs along the
 * dense operand's contiguous axis, and the compressed values and columns — the same for every
 * lane — are uniform loads: per kept value one gather, against one gather per dense value in the
 * dense kernel. Two kept values per loop trip (an N:M row of a 2:4 matrix is always even) halve
 * the loop overhead; `ODD` adds the last value of an odd-length row (e.g. 1:4).
 */
import type { IKernelFunctionThis } from 'gpu.js';
import { ShapeError } from '../../../tensor/errors.js';
import { type GpuPlan, hostOnly, launch, single } from '../../../tensor/kernels/gpu/runtime.js';
import type { CompressedNM } from '../../compressed.js';
import { scaledColumns } from '../columns.js';
import { checkLinear, checkSpmm, perRow } from '../geometry.js';

type RowConstants = { H: number; H2: number; ODD: number; STRIDE: number; HAS_BIAS: number };

/**
 * Linear, weight-stationary: thread (x = input row i, y = output feature o) computes y[i][o], so
 * the 4 lanes of a SIMD group share row o of W (uniform loads) and gather x at 4 batch rows.
 * The grid is [rows][out] transposed; the caller transposes back.
 */
function sparseLinearKernel(
  this: IKernelFunctionThis<RowConstants>,
  x: Float32Array,
  vals: Float32Array,
  cols: Float32Array,
  bias: Float32Array,
): number {
  const o = this.thread.y;
  const xb = this.thread.x * this.constants.STRIDE;
  const base = o * this.constants.H;
  let acc = 0;
  if (this.constants.HAS_BIAS === 1) {
    acc = bias[o]!;
  }
  for (let t = 0; t < this.constants.H2; t += 2) {
    acc += vals[base + t]! * x[xb + cols[base + t]!]! + vals[base + t + 1]! * x[xb + cols[base + t + 1]!]!;
  }
  if (this.constants.ODD === 1) {
    const last = base + this.constants.H - 1;
    acc += vals[last]! * x[xb + cols[last]!]!;
  }
  return acc;
}

/** gpu.js stores every value as float32: indices must stay exact integers. */
export function checkExactIndex(what: string, largest: number): void {
  if (largest >= 2 ** 24) {
    throw new ShapeError(
      `${what}: largest element index ${largest} is not exact in float32 (limit 2^24 = 16777216); split the operand`,
    );
  }
}

function rowConstants(c: CompressedNM, stride: number, hasBias: boolean): RowConstants {
  const h = perRow(c);
  return { H: h, H2: h - (h % 2), ODD: h % 2, STRIDE: stride, HAS_BIAS: hasBias ? 1 : 0 };
}

export function sparseLinearPlan(
  x: Float32Array,
  w: CompressedNM,
  bias: Float32Array | null,
  rows: number,
): GpuPlan<Float32Array> {
  checkLinear(x, w, bias, rows);
  checkExactIndex('gpu sparse linear', rows * w.cols);
  const outF = w.rows;
  if (rows === 0 || outF === 0) return hostOnly(() => new Float32Array(rows * outF));
  const c = rowConstants(w, w.cols, bias !== null);
  const key = `sparse-linear:${rows},${w.rows},${w.cols},${w.n}:${w.m},${c.HAS_BIAS}`;
  const l = launch(
    key,
    () => ({ source: sparseLinearKernel, output: [rows, outF, 1], constants: c, longestLoop: c.H }),
    [x, w.values, scaledColumns(w, 1), bias ?? new Float32Array(1)],
  );
  return { launches: [l], finish: ([yt]) => transposeBack(yt!, rows, outF) };
}

function transposeBack(yt: Float32Array, rows: number, outF: number): Float32Array {
  if (rows === 1) return yt;
  const y = new Float32Array(rows * outF);
  for (let o = 0; o < outF; o++) for (let i = 0; i < rows; i++) y[i * outF + o] = yt[o * rows + i]!;
  return y;
}

/**
 * spmm as the Linear kernel on Bᵀ: C[i][j] = Σ_t A.values[i][t] · Bᵀ[j][col(i, t)]. The Linear
 * grid [n][a.rows] is laid out as C itself, so only B is transposed (O(k·n), once per call).
 * Reading Bᵀ rows keeps every lane's walk along its own contiguous row, where reading B directly
 * would stride a whole row of B per kept value, which hardware prefetchers cannot follow when the
 * kept columns are irregular.
 */
export function spmmPlan(a: CompressedNM, b: Float32Array, n: number): GpuPlan<Float32Array> {
  checkSpmm(a, b, n);
  checkExactIndex('gpu spmm', a.cols * n);
  if (a.rows === 0 || n === 0) return hostOnly(() => new Float32Array(a.rows * n));
  const k = a.cols;
  const bt = new Float32Array(k * n);
  for (let t = 0; t < k; t++) for (let j = 0; j < n; j++) bt[j * k + t] = b[t * n + j]!;
  const c = rowConstants(a, k, false);
  const key = `spmm:${a.rows},${a.cols},${n},${a.n}:${a.m}`;
  return single(
    launch(key, () => ({ source: sparseLinearKernel, output: [n, a.rows, 1], constants: c, longestLoop: c.H }), [
      bt,
      a.values,
      scaledColumns(a, 1),
      new Float32Array(1),
    ]),
  );
}
