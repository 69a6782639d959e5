import type { IKernelFunctionThis } from 'gpu.js';
import type { ConvParams } from '../types.js';
import { type GpuPlan, launch, single } from './runtime.js';
import { type WindowConstants, volume, windowConstants } from './window.js';

/**
 * Convolution kernels in gather form: every thread owns one output element and reads what it
 * needs, so no two threads write the same place (gpu.js has no atomics). Layouts and index
 * formulas are the reference kernels'; shapes and parameters are compile-time constants.
 */
type ConvConstants = WindowConstants & {
  N: number;
  C: number;
  K: number;
  CG: number;
  KG: number;
  HAS_BIAS: number;
};

/** Thread (x = output spatial index, y = out channel k, z = batch n). */
function convForwardKernel(
  this: IKernelFunctionThis<ConvConstants>,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array,
): number {
  const k = this.thread.y;
  const n = this.thread.z;
  const ow = this.thread.x % this.constants.OW;
  const oh = Math.floor(this.thread.x / this.constants.OW) % this.constants.OH;
  const od = Math.floor(this.thread.x / (this.constants.OW * this.constants.OH));
  const g = Math.floor(k / this.constants.KG);
  let acc = 0;
  if (this.constants.HAS_BIAS === 1) {
    acc = bias[k]!;
  }
  for (let c = 0; c < this.constants.CG; c++) {
    const xc = n * this.constants.C + g * this.constants.CG + c;
    for (let a = 0; a < this.constants.KD; a++) {
      const id = od * this.constants.SD - this.constants.PD + a * this.constants.DD;
      if (id >= 0 && id < this.constants.D) {
        for (let b = 0; b < this.constants.KH; b++) {
          const ih = oh * this.constants.SH - this.constants.PH + b * this.constants.DH;
          if (ih >= 0 && ih < this.constants.H) {
            for (let e = 0; e < this.constants.KW; e++) {
              const iw = ow * this.constants.SW - this.constants.PW + e * this.constants.DW;
              if (iw >= 0 && iw < this.constants.W) {
                const xv = x[((xc * this.constants.D + id) * this.constants.H + ih) * this.constants.W + iw]!;
                const wv =
                  w[
                    (((k * this.constants.CG + c) * this.constants.KD + a) * this.constants.KH + b) *
                      this.constants.KW +
                      e
                  ]!;
                acc += xv * wv;
              }
            }
          }
        }
      }
    }
  }
  return acc;
}

/**
 * dL/dx at (n, channel, id, ih, iw): sum over the out channels of its group and the kernel taps
 * whose window lands on this input element. Tap a reaches output od = (id + PD - a·DD) / SD when
 * that division is exact and in range. Thread (x = input spatial index, y = in channel, z = n).
 */
function convBackwardInputKernel(this: IKernelFunctionThis<ConvConstants>, dy: Float32Array, w: Float32Array): number {
  const ci = this.thread.y;
  const n = this.thread.z;
  const iw = this.thread.x % this.constants.W;
  const ih = Math.floor(this.thread.x / this.constants.W) % this.constants.H;
  const id = Math.floor(this.thread.x / (this.constants.W * this.constants.H));
  const g = Math.floor(ci / this.constants.CG);
  const c = ci - g * this.constants.CG;
  let acc = 0;
  for (let kk = 0; kk < this.constants.KG; kk++) {
    const k = g * this.constants.KG + kk;
    for (let a = 0; a < this.constants.KD; a++) {
      const td = id + this.constants.PD - a * this.constants.DD;
      if (td >= 0 && td % this.constants.SD === 0 && Math.floor(td / this.constants.SD) < this.constants.OD) {
        const od = Math.floor(td / this.constants.SD);
        for (let b = 0; b < this.constants.KH; b++) {
          const th = ih + this.constants.PH - b * this.constants.DH;
          if (th >= 0 && th % this.constants.SH === 0 && Math.floor(th / this.constants.SH) < this.constants.OH) {
            const oh = Math.floor(th / this.constants.SH);
            for (let e = 0; e < this.constants.KW; e++) {
              const tw = iw + this.constants.PW - e * this.constants.DW;
              if (tw >= 0 && tw % this.constants.SW === 0 && Math.floor(tw / this.constants.SW) < this.constants.OW) {
                const ow = Math.floor(tw / this.constants.SW);
                const gy =
                  dy[
                    (((n * this.constants.K + k) * this.constants.OD + od) * this.constants.OH + oh) *
                      this.constants.OW +
                      ow
                  ]!;
                const wv =
                  w[
                    (((k * this.constants.CG + c) * this.constants.KD + a) * this.constants.KH + b) *
                      this.constants.KW +
                      e
                  ]!;
                acc += gy * wv;
              }
            }
          }
        }
      }
    }
  }
  return acc;
}

/** dL/dw[k, c, a, b, e]: sum over batch and output positions. Thread (x = tap index, y = c, z = k). */
function convBackwardWeightKernel(this: IKernelFunctionThis<ConvConstants>, dy: Float32Array, x: Float32Array): number {
  const c = this.thread.y;
  const k = this.thread.z;
  const e = this.thread.x % this.constants.KW;
  const b = Math.floor(this.thread.x / this.constants.KW) % this.constants.KH;
  const a = Math.floor(this.thread.x / (this.constants.KW * this.constants.KH));
  const ci = Math.floor(k / this.constants.KG) * this.constants.CG + c;
  let acc = 0;
  for (let n = 0; n < this.constants.N; n++) {
    for (let od = 0; od < this.constants.OD; od++) {
      const id = od * this.constants.SD - this.constants.PD + a * this.constants.DD;
      if (id >= 0 && id < this.constants.D) {
        for (let oh = 0; oh < this.constants.OH; oh++) {
          const ih = oh * this.constants.SH - this.constants.PH + b * this.constants.DH;
          if (ih >= 0 && ih < this.constants.H) {
            for (let ow = 0; ow < this.constants.OW; ow++) {
              const iw = ow * this.constants.SW - this.constants.PW + e * this.constants.DW;
              if (iw >= 0 && iw < this.constants.W) {
                const gy =
                  dy[
                    (((n * this.constants.K + k) * this.constants.OD + od) * this.constants.OH + oh) *
                      this.constants.OW +
                      ow
                  ]!;
                const xv =
                  x[
                    (((n * this.constants.C + ci) * this.constants.D + id) * this.constants.H + ih) * this.constants.W +
                      iw
                  ]!;
                acc += gy * xv;
              }
            }
          }
        }
      }
    }
  }
  return acc;
}

function constantsOf(p: ConvParams, hasBias: boolean): ConvConstants {
  return {
    ...windowConstants(p),
    N: p.batch,
    C: p.inChannels,
    K: p.outChannels,
    CG: p.inChannels / p.groups,
    KG: p.outChannels / p.groups,
    HAS_BIAS: hasBias ? 1 : 0,
  };
}

const keyOf = (kind: string, p: ConvParams, hasBias: boolean): string =>
  `${kind}:${JSON.stringify(constantsOf(p, hasBias))}`;

const longest = (...xs: number[]): number => Math.max(...xs);

/** gpu.js needs an array argument even when there is no bias; the constant switches it off. */
const NO_BIAS = new Float32Array(1);

export function convPlan(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  p: ConvParams,
): GpuPlan<Float32Array> {
  const hasBias = bias !== null;
  const c = constantsOf(p, hasBias);
  return single(
    launch(
      keyOf('conv', p, hasBias),
      () => ({
        source: convForwardKernel,
        output: [volume(p.outSize), p.outChannels, p.batch],
        constants: c,
        longestLoop: longest(c.CG, c.KD, c.KH, c.KW),
      }),
      [x, w, bias ?? NO_BIAS],
    ),
  );
}

export function convBackwardInputPlan(dy: Float32Array, w: Float32Array, p: ConvParams): GpuPlan<Float32Array> {
  const c = constantsOf(p, false);
  return single(
    launch(
      keyOf('convBackwardInput', p, false),
      () => ({
        source: convBackwardInputKernel,
        output: [volume(p.inSize), p.inChannels, p.batch],
        constants: c,
        longestLoop: longest(c.KG, c.KD, c.KH, c.KW),
      }),
      [dy, w],
    ),
  );
}

export function convBackwardWeightPlan(dy: Float32Array, x: Float32Array, p: ConvParams): GpuPlan<Float32Array> {
  const c = constantsOf(p, false);
  return single(
    launch(
      keyOf('convBackwardWeight', p, false),
      () => ({
        source: convBackwardWeightKernel,
        output: [volume(p.kernelSize), c.CG, p.outChannels],
        constants: c,
        longestLoop: longest(c.N, c.OD, c.OH, c.OW),
      }),
      [dy, x],
    ),
  );
}
