import type { MaxPoolResult, PoolParams } from '../types.js';

/**
 * Reference pooling over [N·C planes, D, H, W], stated in 3-D. Windows hang over the input by at
 * most `padding`; padded positions never win a max and count towards an average only when
 * `countIncludePad` is set (PyTorch's semantics, floor mode).
 */

/** Calls `visit(planeIndex)` for every in-bounds input position of one output window. */
function forEachInWindow(p: PoolParams, od: number, oh: number, ow: number, visit: (i: number) => void): void {
  const [D, H, W] = p.inSize;
  const [kD, kH, kW] = p.kernelSize;
  for (let a = 0; a < kD; a++) {
    const id = od * p.stride[0] - p.padding[0] + a * p.dilation[0];
    if (id < 0 || id >= D) continue;
    for (let b = 0; b < kH; b++) {
      const ih = oh * p.stride[1] - p.padding[1] + b * p.dilation[1];
      if (ih < 0 || ih >= H) continue;
      for (let e = 0; e < kW; e++) {
        const iw = ow * p.stride[2] - p.padding[2] + e * p.dilation[2];
        if (iw < 0 || iw >= W) continue;
        visit((id * H + ih) * W + iw);
      }
    }
  }
}

/** Runs `body(plane, od, oh, ow, flatOutputIndex)` over every output element in row-major order. */
function forEachOutput(
  p: PoolParams,
  body: (plane: number, od: number, oh: number, ow: number, o: number) => void,
): void {
  const [oD, oH, oW] = p.outSize;
  let o = 0;
  for (let plane = 0; plane < p.batch * p.channels; plane++)
    for (let od = 0; od < oD; od++)
      for (let oh = 0; oh < oH; oh++) for (let ow = 0; ow < oW; ow++) body(plane, od, oh, ow, o++);
}

const planeSize = (p: PoolParams): number => p.inSize[0] * p.inSize[1] * p.inSize[2];
const outLength = (p: PoolParams): number => p.batch * p.channels * p.outSize[0] * p.outSize[1] * p.outSize[2];

/** The first maximum in window order wins ties, as in PyTorch; a NaN wins over any number. */
export function maxPool(x: Float32Array, p: PoolParams): MaxPoolResult {
  const values = new Float32Array(outLength(p));
  const argmax = new Int32Array(values.length);
  const size = planeSize(p);
  forEachOutput(p, (plane, od, oh, ow, o) => {
    let best = -Infinity;
    let bestAt = -1;
    forEachInWindow(p, od, oh, ow, (i) => {
      const v = x[plane * size + i]!;
      if (bestAt < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
        best = v;
        bestAt = i;
      }
    });
    values[o] = best;
    argmax[o] = bestAt;
  });
  return { values, argmax };
}

export function maxPoolBackward(dy: Float32Array, argmax: Int32Array, p: PoolParams): Float32Array {
  const size = planeSize(p);
  const dx = new Float64Array(p.batch * p.channels * size);
  forEachOutput(p, (plane, _od, _oh, _ow, o) => {
    // -1 marks a window that lay wholly in the padding (possible with dilation): it read nothing.
    if (argmax[o]! >= 0) dx[plane * size + argmax[o]!]! += dy[o]!;
  });
  return Float32Array.from(dx);
}

/** The divisor of one window: its full volume, or only the in-bounds positions. */
function divisor(p: PoolParams, od: number, oh: number, ow: number): number {
  if (p.countIncludePad) return p.kernelSize[0] * p.kernelSize[1] * p.kernelSize[2];
  let count = 0;
  forEachInWindow(p, od, oh, ow, () => {
    count++;
  });
  return count;
}

export function avgPool(x: Float32Array, p: PoolParams): Float32Array {
  const y = new Float32Array(outLength(p));
  const size = planeSize(p);
  forEachOutput(p, (plane, od, oh, ow, o) => {
    let acc = 0;
    forEachInWindow(p, od, oh, ow, (i) => {
      acc += x[plane * size + i]!;
    });
    y[o] = acc / divisor(p, od, oh, ow);
  });
  return y;
}

export function avgPoolBackward(dy: Float32Array, p: PoolParams): Float32Array {
  const size = planeSize(p);
  const dx = new Float64Array(p.batch * p.channels * size);
  forEachOutput(p, (plane, od, oh, ow, o) => {
    const g = dy[o]! / divisor(p, od, oh, ow);
    forEachInWindow(p, od, oh, ow, (i) => {
      dx[plane * size + i]! += g;
    });
  });
  return Float32Array.from(dx);
}
