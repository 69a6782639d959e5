import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conv, convBackwardInput, convBackwardWeight } from '../../../src/tensor/kernels/reference/conv.js';
import { avgPool, avgPoolBackward, maxPool, maxPoolBackward } from '../../../src/tensor/kernels/reference/pool.js';
import type { ConvParams, PoolParams } from '../../../src/tensor/kernels/types.js';
import { convParams, convSizes, poolParams, poolSizes, randomArray } from './arbitraries.js';

const conv2dParams = (over: Partial<ConvParams>): ConvParams => ({
  batch: 1,
  inChannels: 1,
  outChannels: 1,
  groups: 1,
  inSize: [1, 3, 3],
  kernelSize: [1, 2, 2],
  stride: [1, 1, 1],
  padding: [0, 0, 0],
  dilation: [1, 1, 1],
  outSize: [1, 2, 2],
  ...over,
});

const pool2dParams = (over: Partial<PoolParams>): PoolParams => ({
  batch: 1,
  channels: 1,
  inSize: [1, 4, 4],
  kernelSize: [1, 2, 2],
  stride: [1, 2, 2],
  padding: [0, 0, 0],
  dilation: [1, 1, 1],
  outSize: [1, 2, 2],
  countIncludePad: true,
  ...over,
});

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** An independent 4-D loop conv2d (N, C, H, W), written without the kernel's 3-D statement. */
function naiveConv2d(x: Float32Array, w: Float32Array, p: ConvParams): Float32Array {
  const [, H, W] = p.inSize;
  const [, kh, kw] = p.kernelSize;
  const [, oh, ow] = p.outSize;
  const cg = p.inChannels / p.groups;
  const kg = p.outChannels / p.groups;
  const y = new Float32Array(p.batch * p.outChannels * oh * ow);
  for (let n = 0; n < p.batch; n++)
    for (let o = 0; o < p.outChannels; o++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let s = 0;
          for (let c = 0; c < cg; c++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const r = i * p.stride[1] + u * p.dilation[1] - p.padding[1];
                const q = j * p.stride[2] + v * p.dilation[2] - p.padding[2];
                if (r < 0 || q < 0 || r >= H || q >= W) continue;
                const ci = Math.floor(o / kg) * cg + c;
                s += x[((n * p.inChannels + ci) * H + r) * W + q]! * w[((o * cg + c) * kh + u) * kw + v]!;
              }
          y[((n * p.outChannels + o) * oh + i) * ow + j] = s;
        }
  return y;
}

describe('reference conv', () => {
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const w = Float32Array.from([1, 0, 0, -1]);

  it('computes a hand-checked 2x2 cross-correlation', () => {
    expect([...conv(x, w, null, conv2dParams({}))]).toEqual([-4, -4, -4, -4]);
  });

  it('applies padding, stride and bias as PyTorch does', () => {
    const p = conv2dParams({ padding: [0, 1, 1], stride: [1, 2, 2], outSize: [1, 2, 2] });
    // Windows start at (-1,-1), (-1,1), (1,-1), (1,1): x[top-left] - x[bottom-right], zeros outside.
    expect([...conv(x, w, Float32Array.from([0.5]), p)]).toEqual([-0.5, -2.5, -6.5, -3.5]);
  });

  it('applies dilation and groups (depthwise)', () => {
    // Two channels, each with its own 1x2 kernel dilated by 2 over a 1x3 row.
    const p = conv2dParams({
      inChannels: 2,
      outChannels: 2,
      groups: 2,
      inSize: [1, 1, 3],
      kernelSize: [1, 1, 2],
      dilation: [1, 1, 2],
      outSize: [1, 1, 1],
    });
    const xs = Float32Array.from([1, 2, 3, 10, 20, 30]);
    const ws = Float32Array.from([1, 1, 2, -1]);
    expect([...conv(xs, ws, null, p)]).toEqual([1 + 3, 2 * 10 - 30]);
  });

  it('equals an independent 2-D loop on random 2-D cases', () => {
    fc.assert(
      fc.property(convParams, fc.integer({ min: 1, max: 1000 }), (p, seed) => {
        const q = {
          ...p,
          inSize: [1, p.inSize[1], p.inSize[2]],
          kernelSize: [1, p.kernelSize[1], p.kernelSize[2]],
        } as ConvParams;
        const flat: ConvParams = {
          ...q,
          stride: [1, p.stride[1], p.stride[2]],
          padding: [0, p.padding[1], p.padding[2]],
          dilation: [1, p.dilation[1], p.dilation[2]],
          outSize: [1, p.outSize[1], p.outSize[2]],
        };
        const s = convSizes(flat);
        const xs = randomArray(s.x, seed);
        const ws = randomArray(s.w, seed + 1);
        const got = conv(xs, ws, null, flat);
        const want = naiveConv2d(xs, ws, flat);
        for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
      }),
      { numRuns: 40 },
    );
  });

  it('backward kernels are the adjoints of the forward (⟨conv(x,w), dy⟩ = ⟨x, dx⟩ = ⟨w, dw⟩)', () => {
    fc.assert(
      fc.property(convParams, fc.integer({ min: 1, max: 1000 }), (p, seed) => {
        const s = convSizes(p);
        const xs = randomArray(s.x, seed);
        const ws = randomArray(s.w, seed + 1);
        const dy = randomArray(s.y, seed + 2);
        const lhs = dot(conv(xs, ws, null, p), dy);
        expect(dot(xs, convBackwardInput(dy, ws, p))).toBeCloseTo(lhs, 3);
        expect(dot(ws, convBackwardWeight(dy, xs, p))).toBeCloseTo(lhs, 3);
      }),
      { numRuns: 60 },
    );
  });
});

describe('reference pooling', () => {
  const x = Float32Array.from([1, 5, 2, 0, 3, 4, 8, 8, -1, -2, 0, 0, -3, -4, 0, 7]);

  it('max pools with the first maximum as argmax', () => {
    const { values, argmax } = maxPool(x, pool2dParams({}));
    expect([...values]).toEqual([5, 8, -1, 7]);
    // Ties (the two 8s at 6 and 7, the zeros) go to the first in window order.
    expect([...argmax]).toEqual([1, 6, 8, 15]);
    expect([...maxPoolBackward(Float32Array.from([1, 2, 3, 4]), argmax, pool2dParams({}))]).toEqual([
      0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 4,
    ]);
  });

  it('never picks padding for a max, even when all real values are negative', () => {
    const p = pool2dParams({
      inSize: [1, 1, 2],
      kernelSize: [1, 1, 3],
      stride: [1, 1, 1],
      padding: [0, 0, 1],
      outSize: [1, 1, 2],
    });
    expect([...maxPool(Float32Array.from([-5, -6]), p).values]).toEqual([-5, -5]);
  });

  it('averages with and without the padding in the divisor', () => {
    const base = {
      inSize: [1, 1, 3],
      kernelSize: [1, 1, 2],
      stride: [1, 1, 2],
      padding: [0, 0, 1],
      outSize: [1, 1, 2],
    } as const;
    const xs = Float32Array.from([2, 4, 6]);
    expect([...avgPool(xs, pool2dParams({ ...base, countIncludePad: true }))]).toEqual([1, 5]);
    expect([...avgPool(xs, pool2dParams({ ...base, countIncludePad: false }))]).toEqual([2, 5]);
    expect([...avgPoolBackward(Float32Array.from([1, 1]), pool2dParams({ ...base, countIncludePad: false }))]).toEqual([
      1, 0.5, 0.5,
    ]);
  });

  it('pool backward kernels are the adjoints of the forward', () => {
    fc.assert(
      fc.property(poolParams, fc.integer({ min: 1, max: 1000 }), (p, seed) => {
        const s = poolSizes(p);
        const xs = randomArray(s.x, seed);
        const dy = randomArray(s.y, seed + 1);
        expect(dot(xs, avgPoolBackward(dy, p))).toBeCloseTo(dot(avgPool(xs, p), dy), 4);
        const { values, argmax } = maxPool(xs, p);
        expect(dot(xs, maxPoolBackward(dy, argmax, p))).toBeCloseTo(dot(values, dy), 4);
      }),
      { numRuns: 60 },
    );
  });
});
