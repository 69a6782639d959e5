import fc from 'fast-check';
import { convOutputSize } from '../../../src/tensor/kernels/geometry.js';
import type { ConvParams, GemmParams, PoolParams, Triple } from '../../../src/tensor/kernels/types.js';

/** Shared fast-check generators of kernel parameters: small, odd sizes, every feature switched on. */

const triple = (xs: number[]): Triple => [xs[0]!, xs[1]!, xs[2]!];

/** One spatial dimension: kernel, stride, padding, dilation and an input size that yields ≥ 1 output. */
const spatialDim = (maxPadHalfKernel: boolean) =>
  fc
    .record({
      k: fc.integer({ min: 1, max: 3 }),
      s: fc.integer({ min: 1, max: 3 }),
      d: fc.integer({ min: 1, max: 2 }),
      p: fc.integer({ min: 0, max: 2 }),
      extra: fc.integer({ min: 0, max: 4 }),
    })
    .map(({ k, s, d, p, extra }) => {
      // Pools: padding at most half the kernel, and none with dilation, so no window lies wholly in padding.
      const pad = maxPadHalfKernel ? (d > 1 ? 0 : Math.min(p, Math.floor(k / 2))) : p;
      const span = d * (k - 1) + 1;
      return { k, s, d, p: pad, n: Math.max(1, span - 2 * pad + extra) };
    });

/** Spatial rank 1..3; unused leading dimensions are the neutral 1-sized ones the ops pass. */
const spatial = (maxPadHalfKernel: boolean) =>
  fc.integer({ min: 1, max: 3 }).chain((rank) =>
    fc.array(spatialDim(maxPadHalfKernel), { minLength: rank, maxLength: rank }).map((ds) => {
      const pad = [
        ...new Array<{ k: number; s: number; d: number; p: number; n: number }>(3 - rank).fill({
          k: 1,
          s: 1,
          d: 1,
          p: 0,
          n: 1,
        }),
        ...ds,
      ];
      const inSize = pad.map((d) => d.n);
      const kernelSize = pad.map((d) => d.k);
      const stride = pad.map((d) => d.s);
      const padding = pad.map((d) => d.p);
      const dilation = pad.map((d) => d.d);
      return {
        inSize: triple(inSize),
        kernelSize: triple(kernelSize),
        stride: triple(stride),
        padding: triple(padding),
        dilation: triple(dilation),
        outSize: triple(convOutputSize(inSize, kernelSize, stride, padding, dilation)),
      };
    }),
  );

export const convParams: fc.Arbitrary<ConvParams> = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    groups: fc.integer({ min: 1, max: 3 }),
    cPerGroup: fc.integer({ min: 1, max: 3 }),
    kPerGroup: fc.integer({ min: 1, max: 3 }),
    geo: spatial(false),
  })
  .map(({ batch, groups, cPerGroup, kPerGroup, geo }) => ({
    batch,
    groups,
    inChannels: groups * cPerGroup,
    outChannels: groups * kPerGroup,
    ...geo,
  }));

export const poolParams: fc.Arbitrary<PoolParams> = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    countIncludePad: fc.boolean(),
    geo: spatial(true),
  })
  .map(({ batch, channels, countIncludePad, geo }) => ({ batch, channels, countIncludePad, ...geo }));

/** Deterministic values in [-1, 1) (a tiny LCG, so a failing case reproduces from its seed). */
export function randomArray(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

export const convSizes = (p: ConvParams) => ({
  x: p.batch * p.inChannels * p.inSize[0] * p.inSize[1] * p.inSize[2],
  w: p.outChannels * (p.inChannels / p.groups) * p.kernelSize[0] * p.kernelSize[1] * p.kernelSize[2],
  y: p.batch * p.outChannels * p.outSize[0] * p.outSize[1] * p.outSize[2],
});

export const poolSizes = (p: PoolParams) => ({
  x: p.batch * p.channels * p.inSize[0] * p.inSize[1] * p.inSize[2],
  y: p.batch * p.channels * p.outSize[0] * p.outSize[1] * p.outSize[2],
});

/** Largest |a - b| / (1 + |b|): absolute near zero, relative for large values. */
export function maxRelErr(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!));
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}

/** GEMMs with transposes and shared (stride 0) operands. */
export const gemmParams: fc.Arbitrary<GemmParams> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    m: fc.integer({ min: 1, max: 7 }),
    k: fc.integer({ min: 1, max: 9 }),
    n: fc.integer({ min: 1, max: 7 }),
    transA: fc.boolean(),
    transB: fc.boolean(),
    shareA: fc.boolean(),
    shareB: fc.boolean(),
  })
  .map(({ shareA, shareB, ...p }) => ({ ...p, strideA: shareA ? 0 : p.m * p.k, strideB: shareB ? 0 : p.k * p.n }));

/** Max pooling windows [2, 7, 7] and [1, NaN, 3]: the first of tied maxima wins, and NaN beats any number. */
export const TIES_AND_NAN = {
  p: {
    batch: 1,
    channels: 1,
    inSize: [1, 1, 6],
    kernelSize: [1, 1, 3],
    stride: [1, 1, 3],
    padding: [0, 0, 0],
    dilation: [1, 1, 1],
    outSize: [1, 1, 2],
    countIncludePad: true,
  } satisfies PoolParams,
  x: Float32Array.from([2, 7, 7, 1, NaN, 3]),
  argmax: [1, 4],
  values: [7, NaN],
};
