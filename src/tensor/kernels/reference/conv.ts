import type { ConvParams } from '../types.js';

/**
 * Reference convolutions (cross-correlation, as PyTorch), stated in 3-D. Every sum is accumulated
 * in float64 and rounded once, so these are the oracle the gpu.js kernels are measured against.
 *
 * Layouts: x [N, C, D, H, W], w [K, C/groups, kd, kh, kw], y [N, K, oD, oH, oW]. Output channel k
 * belongs to group floor(k / (K/groups)) and reads input channels g·C/groups ... (g+1)·C/groups-1.
 */

/** Calls `visit(inputOffset, weightOffset)` for every valid tap of one output position and channel. */
function forEachTap(
  p: ConvParams,
  n: number,
  k: number,
  od: number,
  oh: number,
  ow: number,
  visit: (xi: number, wi: number) => void,
): void {
  const [D, H, W] = p.inSize;
  const [kD, kH, kW] = p.kernelSize;
  const cPerGroup = p.inChannels / p.groups;
  const group = Math.floor(k / (p.outChannels / p.groups));
  for (let c = 0; c < cPerGroup; c++) {
    const ci = group * cPerGroup + c;
    for (let a = 0; a < kD; a++) {
      const id = od * p.stride[0] - p.padding[0] + a * p.dilation[0];
      if (id < 0 || id >= D) continue;
      for (let b = 0; b < kH; b++) {
        const ih = oh * p.stride[1] - p.padding[1] + b * p.dilation[1];
        if (ih < 0 || ih >= H) continue;
        for (let e = 0; e < kW; e++) {
          const iw = ow * p.stride[2] - p.padding[2] + e * p.dilation[2];
          if (iw < 0 || iw >= W) continue;
          const xi = (((n * p.inChannels + ci) * D + id) * H + ih) * W + iw;
          const wi = (((k * cPerGroup + c) * kD + a) * kH + b) * kW + e;
          visit(xi, wi);
        }
      }
    }
  }
}

/** Runs `body(n, k, od, oh, ow, flatOutputIndex)` over every output element in row-major order. */
function forEachOutput(
  p: ConvParams,
  body: (n: number, k: number, od: number, oh: number, ow: number, o: number) => void,
): void {
  const [oD, oH, oW] = p.outSize;
  let o = 0;
  for (let n = 0; n < p.batch; n++)
    for (let k = 0; k < p.outChannels; k++)
      for (let od = 0; od < oD; od++)
        for (let oh = 0; oh < oH; oh++) for (let ow = 0; ow < oW; ow++) body(n, k, od, oh, ow, o++);
}

function outputLength(p: ConvParams): number {
  return p.batch * p.outChannels * p.outSize[0] * p.outSize[1] * p.outSize[2];
}

export function conv(x: Float32Array, w: Float32Array, bias: Float32Array | null, p: ConvParams): Float32Array {
  const y = new Float32Array(outputLength(p));
  forEachOutput(p, (n, k, od, oh, ow, o) => {
    let acc = bias === null ? 0 : bias[k]!;
    forEachTap(p, n, k, od, oh, ow, (xi, wi) => {
      acc += x[xi]! * w[wi]!;
    });
    y[o] = acc;
  });
  return y;
}

/** dL/dx: every tap scatters dy·w back to the input element it read. */
export function convBackwardInput(dy: Float32Array, w: Float32Array, p: ConvParams): Float32Array {
  const [D, H, W] = p.inSize;
  const dx = new Float64Array(p.batch * p.inChannels * D * H * W);
  forEachOutput(p, (n, k, od, oh, ow, o) => {
    const g = dy[o]!;
    forEachTap(p, n, k, od, oh, ow, (xi, wi) => {
      dx[xi]! += g * w[wi]!;
    });
  });
  return Float32Array.from(dx);
}

/** dL/dw: every tap adds dy·x into the weight it used. */
export function convBackwardWeight(dy: Float32Array, x: Float32Array, p: ConvParams): Float32Array {
  const [kD, kH, kW] = p.kernelSize;
  const dw = new Float64Array(p.outChannels * (p.inChannels / p.groups) * kD * kH * kW);
  forEachOutput(p, (n, k, od, oh, ow, o) => {
    const g = dy[o]!;
    forEachTap(p, n, k, od, oh, ow, (xi, wi) => {
      dw[wi]! += g * x[xi]!;
    });
  });
  return Float32Array.from(dw);
}
