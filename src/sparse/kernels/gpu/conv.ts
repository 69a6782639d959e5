/**
 * gpu.js sparse convolution: implicit GEMM over the compressed weight view. Thread (x = output
 * spatial index, y = output channel k, z = batch n), as the dense gpu.js conv, so the 4 SIMD lanes
 * of webasm share k and every kernel position's view row: its kept values and columns are uniform
 * loads and only the input read is a gather. Columns arrive premultiplied by the input plane
 * size, so a kept value's input offset is one add.
 */
import type { IKernelFunctionThis } from 'gpu.js';
import type { ConvParams } from '../../../tensor/kernels/types.js';
import { type GpuPlan, hostOnly, launch, single } from '../../../tensor/kernels/gpu/runtime.js';
import { type WindowConstants, volume, windowConstants } from '../../../tensor/kernels/gpu/window.js';
import type { CompressedNM } from '../../compressed.js';
import { scaledColumns } from '../columns.js';
import { checkConv, convOutputLength, perRow } from '../geometry.js';
import { checkExactIndex } from './spmm.js';

type SparseConvConstants = WindowConstants & {
  C: number;
  K: number;
  CG: number;
  KG: number;
  /** Kept values per view row. */
  HV: number;
  HV2: number;
  ODD: number;
  /** View row = k·ROWK + position·ROWP (Conv1d: ROWK = positions, ROWP = 1; else ROWK = 1, ROWP = K). */
  ROWK: number;
  ROWP: number;
  HAS_BIAS: number;
};

function sparseConvKernel(
  this: IKernelFunctionThis<SparseConvConstants>,
  x: Float32Array,
  vals: Float32Array,
  cols: Float32Array,
  bias: Float32Array,
): number {
  const k = this.thread.y;
  const n = this.thread.z;
  const ow = this.thread.x % this.constants.OW;
  const oh = Math.floor(this.thread.x / this.constants.OW) % this.constants.OH;
  const od = Math.floor(this.thread.x / (this.constants.OW * this.constants.OH));
  const plane = this.constants.D * this.constants.H * this.constants.W;
  const channelBase = (n * this.constants.C + Math.floor(k / this.constants.KG) * this.constants.CG) * plane;
  let acc = 0;
  if (this.constants.HAS_BIAS === 1) {
    acc = bias[k]!;
  }
  for (let a = 0; a < this.constants.KD; a++) {
    const id = od * this.constants.SD - this.constants.PD + a * this.constants.DD;
    if (id >= 0 && id < this.constants.D) {
      for (let b = 0; b < this.constants.KH; b++) {
        const ih = oh * this.constants.SH - this.constants.PH + b * this.constants.DH;
        if (ih >= 0 && ih < this.constants.H) {
          for (let e = 0; e < this.constants.KW; e++) {
            const iw = ow * this.constants.SW - this.constants.PW + e * this.constants.DW;
            if (iw >= 0 && iw < this.constants.W) {
              const pos = (a * this.constants.KH + b) * this.constants.KW + e;
              const base = (k * this.constants.ROWK + pos * this.constants.ROWP) * this.constants.HV;
              const xb = channelBase + (id * this.constants.H + ih) * this.constants.W + iw;
              for (let t = 0; t < this.constants.HV2; t += 2) {
                acc += vals[base + t]! * x[xb + cols[base + t]!]! + vals[base + t + 1]! * x[xb + cols[base + t + 1]!]!;
              }
              if (this.constants.ODD === 1) {
                const last = base + this.constants.HV - 1;
                acc += vals[last]! * x[xb + cols[last]!]!;
              }
            }
          }
        }
      }
    }
  }
  return acc;
}

export function sparseConvPlan(
  x: Float32Array,
  w: CompressedNM,
  bias: Float32Array | null,
  p: ConvParams,
): GpuPlan<Float32Array> {
  const { positions, conv1d } = checkConv(x, w, bias, p);
  checkExactIndex('gpu sparse conv', x.length);
  if (convOutputLength(p) === 0) return hostOnly(() => new Float32Array(0));
  const hv = perRow(w);
  const c: SparseConvConstants = {
    ...windowConstants(p),
    C: p.inChannels,
    K: p.outChannels,
    CG: p.inChannels / p.groups,
    KG: p.outChannels / p.groups,
    HV: hv,
    HV2: hv - (hv % 2),
    ODD: hv % 2,
    ROWK: conv1d ? positions : 1,
    ROWP: conv1d ? 1 : p.outChannels,
    HAS_BIAS: bias !== null ? 1 : 0,
  };
  const plane = volume(p.inSize);
  const key = `sparse-conv:${p.batch},${w.n}:${w.m},${JSON.stringify(c)}`;
  return single(
    launch(
      key,
      () => ({
        source: sparseConvKernel,
        output: [volume(p.outSize), p.outChannels, p.batch],
        constants: c,
        longestLoop: Math.max(hv, p.kernelSize[0], p.kernelSize[1], p.kernelSize[2]),
      }),
      [x, w.values, scaledColumns(w, plane), bias ?? new Float32Array(1)],
    ),
  );
}
