import type { IKernelFunctionThis } from 'gpu.js';
import type { MaxPoolResult, PoolParams } from '../types.js';
import { type GpuPlan, type Launch, launch, single } from './runtime.js';
import { type WindowConstants, volume, windowConstants } from './window.js';

/**
 * Pooling kernels. Forward threads own one window (x = output spatial index, y = channel,
 * z = batch); backward threads own one input element and gather from the windows that cover it,
 * so nothing is scattered. Semantics are the reference kernels'.
 */
type PoolConstants = WindowConstants & {
  C: number;
  /** Average pooling: 1 to divide by the whole window (count_include_pad). */
  CIP: number;
  /** Pool backward: 1 for max pooling (route dy to the argmax; indices are floats, exact below 2^24). */
  WANT_INDEX: number;
};

/**
 * The argmax of a window (-1 when the window lies wholly in padding): the first maximum in window
 * order wins, and the first NaN beats any number, as in the reference. Which values are NaN comes
 * in as `nan` (1 or 0, computed on the host): a shader cannot be trusted to see a NaN, since WGSL
 * and GLSL let the compiler assume there are none (on WebGPU/SwiftShader `v !== v` is false for
 * a NaN, while WebGL2 keeps it).
 */
function maxPoolKernel(this: IKernelFunctionThis<PoolConstants>, x: Float32Array, nan: Float32Array): number {
  const plane = this.thread.z * this.constants.C + this.thread.y;
  const ow = this.thread.x % this.constants.OW;
  const oh = Math.floor(this.thread.x / this.constants.OW) % this.constants.OH;
  const od = Math.floor(this.thread.x / (this.constants.OW * this.constants.OH));
  const planeSize = this.constants.D * this.constants.H * this.constants.W;
  let best = 0;
  let bestAt = -1;
  let bestNan = 0;
  for (let a = 0; a < this.constants.KD; a++) {
    const id = od * this.constants.SD - this.constants.PD + a * this.constants.DD;
    if (id >= 0 && id < this.constants.D) {
      for (let b = 0; b < this.constants.KH; b++) {
        const ih = oh * this.constants.SH - this.constants.PH + b * this.constants.DH;
        if (ih >= 0 && ih < this.constants.H) {
          for (let e = 0; e < this.constants.KW; e++) {
            const iw = ow * this.constants.SW - this.constants.PW + e * this.constants.DW;
            if (iw >= 0 && iw < this.constants.W) {
              const at = (id * this.constants.H + ih) * this.constants.W + iw;
              const v = x[plane * planeSize + at]!;
              const isNan = nan[plane * planeSize + at]!;
              if (bestAt < 0 || (bestNan === 0 && (isNan === 1 || v > best))) {
                best = v;
                bestAt = at;
                bestNan = isNan;
              }
            }
          }
        }
      }
    }
  }
  return bestAt;
}

/** Number of in-bounds taps of the window starting at `start` along one dimension. */
function tapsInside(start: number, taps: number, dilation: number, size: number): number {
  let count = 0;
  for (let t = 0; t < taps; t++) {
    const i = start + t * dilation;
    if (i >= 0 && i < size) {
      count += 1;
    }
  }
  return count;
}

function avgPoolKernel(this: IKernelFunctionThis<PoolConstants>, x: Float32Array): number {
  const plane = this.thread.z * this.constants.C + this.thread.y;
  const ow = this.thread.x % this.constants.OW;
  const oh = Math.floor(this.thread.x / this.constants.OW) % this.constants.OH;
  const od = Math.floor(this.thread.x / (this.constants.OW * this.constants.OH));
  const planeSize = this.constants.D * this.constants.H * this.constants.W;
  let acc = 0;
  let count = 0;
  for (let a = 0; a < this.constants.KD; a++) {
    const id = od * this.constants.SD - this.constants.PD + a * this.constants.DD;
    if (id >= 0 && id < this.constants.D) {
      for (let b = 0; b < this.constants.KH; b++) {
        const ih = oh * this.constants.SH - this.constants.PH + b * this.constants.DH;
        if (ih >= 0 && ih < this.constants.H) {
          for (let e = 0; e < this.constants.KW; e++) {
            const iw = ow * this.constants.SW - this.constants.PW + e * this.constants.DW;
            if (iw >= 0 && iw < this.constants.W) {
              acc += x[plane * planeSize + (id * this.constants.H + ih) * this.constants.W + iw]!;
              count += 1;
            }
          }
        }
      }
    }
  }
  if (this.constants.CIP === 1) {
    return acc / (this.constants.KD * this.constants.KH * this.constants.KW);
  }
  return acc / count;
}

/**
 * Backward for both pools: sums dy over the windows that cover this input element. For max
 * pooling (WANT_INDEX = 1) a window contributes only where its argmax is this element; for
 * average pooling it contributes dy / divisor.
 */
function poolBackwardKernel(this: IKernelFunctionThis<PoolConstants>, dy: Float32Array, argmax: Float32Array): number {
  const plane = this.thread.z * this.constants.C + this.thread.y;
  const at = this.thread.x;
  const iw = at % this.constants.W;
  const ih = Math.floor(at / this.constants.W) % this.constants.H;
  const id = Math.floor(at / (this.constants.W * this.constants.H));
  let acc = 0;
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
              const o = ((plane * this.constants.OD + od) * this.constants.OH + oh) * this.constants.OW + ow;
              if (this.constants.WANT_INDEX === 1) {
                if (argmax[o] === at) {
                  acc += dy[o]!;
                }
              } else if (this.constants.CIP === 1) {
                acc += dy[o]! / (this.constants.KD * this.constants.KH * this.constants.KW);
              } else {
                const count =
                  tapsInside(
                    od * this.constants.SD - this.constants.PD,
                    this.constants.KD,
                    this.constants.DD,
                    this.constants.D,
                  ) *
                  tapsInside(
                    oh * this.constants.SH - this.constants.PH,
                    this.constants.KH,
                    this.constants.DH,
                    this.constants.H,
                  ) *
                  tapsInside(
                    ow * this.constants.SW - this.constants.PW,
                    this.constants.KW,
                    this.constants.DW,
                    this.constants.W,
                  );
                acc += dy[o]! / count;
              }
            }
          }
        }
      }
    }
  }
  return acc;
}

function constantsOf(p: PoolParams, wantIndex: boolean): PoolConstants {
  return {
    ...windowConstants(p),
    C: p.channels,
    CIP: p.countIncludePad ? 1 : 0,
    WANT_INDEX: wantIndex ? 1 : 0,
  };
}

const loops = (p: PoolParams): number => Math.max(...p.kernelSize);

function forward(kind: 'argmax' | 'avg', x: Float32Array, p: PoolParams): Launch {
  const c = constantsOf(p, kind === 'argmax');
  const key = `pool-${kind}:${JSON.stringify(c)},${p.batch}`;
  const output: [number, number, number] = [volume(p.outSize), p.channels, p.batch];
  if (kind === 'avg') {
    return launch(key, () => ({ source: avgPoolKernel, output, constants: c, longestLoop: loops(p) }), [x]);
  }
  const nan = x.map((v) => (Number.isNaN(v) ? 1 : 0));
  return launch(key, () => ({ source: maxPoolKernel, output, constants: c, longestLoop: loops(p) }), [x, nan]);
}

function backward(kind: 'max' | 'avg', dy: Float32Array, argmax: Float32Array, p: PoolParams): Launch {
  const c = constantsOf(p, kind === 'max');
  return launch(
    `pool-${kind}-backward:${JSON.stringify(c)},${p.batch}`,
    () => ({
      source: poolBackwardKernel,
      output: [volume(p.inSize), p.channels, p.batch],
      constants: c,
      longestLoop: loops(p),
      functions: [tapsInside],
    }),
    [dy, argmax],
  );
}

/**
 * One launch, the argmax; the values are gathered from x at it on the host (one read per output).
 * Two launches (values, argmax) could disagree: WGSL lets a compiler assume there are no NaNs, and
 * on WebGPU (Tint on SwiftShader) the values kernel let a later number beat a NaN while the argmax
 * kernel, compiled from the same source with another constant, kept the NaN's index.
 */
export function maxPoolPlan(x: Float32Array, p: PoolParams): GpuPlan<MaxPoolResult> {
  const inPlane = volume(p.inSize);
  const outPlane = volume(p.outSize);
  return {
    launches: [forward('argmax', x, p)],
    finish: ([at]) => {
      const argmax = Int32Array.from(at!);
      const values = new Float32Array(argmax.length);
      for (let o = 0; o < argmax.length; o++) {
        const i = argmax[o]!;
        values[o] = i < 0 ? -Infinity : x[Math.floor(o / outPlane) * inPlane + i]!;
      }
      return { values, argmax };
    },
  };
}

export function maxPoolBackwardPlan(dy: Float32Array, argmax: Int32Array, p: PoolParams): GpuPlan<Float32Array> {
  return single(backward('max', dy, Float32Array.from(argmax), p));
}

export function avgPoolPlan(x: Float32Array, p: PoolParams): GpuPlan<Float32Array> {
  return single(forward('avg', x, p));
}

/** The argmax argument is unused by average pooling; gpu.js still needs an array there. */
const NO_ARGMAX = new Float32Array(1);

export function avgPoolBackwardPlan(dy: Float32Array, p: PoolParams): GpuPlan<Float32Array> {
  return single(backward('avg', dy, NO_ARGMAX, p));
}
