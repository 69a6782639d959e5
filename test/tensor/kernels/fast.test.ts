import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernels, listBackends } from '../../../src/tensor/backend.js';
import { fastKernels as fast } from '../../../src/tensor/kernels/fast/index.js';
import { referenceKernels as ref } from '../../../src/tensor/kernels/reference/index.js';
import type { ConvParams, GemmParams } from '../../../src/tensor/kernels/types.js';
import { convParams, convSizes, maxRelErr, poolParams, poolSizes, randomArray } from './arbitraries.js';
import { opsMatchReference } from './ops_suite.js';

/**
 * Tolerance: every fast result equals the float64-accumulated reference within
 * |fast - ref| / (1 + |ref|) <= 1e-5. The fast GEMM sums in float64 within a 256-long slice of
 * the reduction and rounds into float32 once per slice; conv backward passes also sum over the
 * batch and over taps (col2im) in float32, so a few roundings separate them from the reference.
 */
const TOL = 1e-5;
const seed = fc.integer({ min: 1, max: 100_000 });

/** Sizes straddling the 4×4 register tile, the 128-row block and the 256-long reduction slice. */
const gemmParams = (maxM: number, maxK: number, maxN: number, minM = 1, minK = 1): fc.Arbitrary<GemmParams> =>
  fc
    .record({
      batch: fc.integer({ min: 1, max: 3 }),
      m: fc.integer({ min: minM, max: maxM }),
      k: fc.integer({ min: minK, max: maxK }),
      n: fc.integer({ min: 1, max: maxN }),
      transA: fc.boolean(),
      transB: fc.boolean(),
      shareA: fc.boolean(),
      shareB: fc.boolean(),
    })
    .map(({ shareA, shareB, ...p }) => ({ ...p, strideA: shareA ? 0 : p.m * p.k, strideB: shareB ? 0 : p.k * p.n }));

function gemmOperands(p: GemmParams, s: number): [Float32Array, Float32Array] {
  const a = randomArray(p.strideA === 0 ? p.m * p.k : p.batch * p.m * p.k, s);
  const b = randomArray(p.strideB === 0 ? p.k * p.n : p.batch * p.k * p.n, s + 1);
  return [a, b];
}

describe('fast dense kernels equal the reference', () => {
  it('is registered as backend "fast"', () => {
    expect(listBackends()).toContain('fast');
    expect(kernels('fast').name).toBe('fast');
  });

  it('gemm on small odd shapes: transposes, batches, stride-0 broadcast, thin products', () => {
    fc.assert(
      fc.property(gemmParams(11, 13, 11), seed, (p, s) => {
        const [a, b] = gemmOperands(p, s);
        expect(maxRelErr(fast.gemm(a, b, p), ref.gemm(a, b, p))).toBeLessThanOrEqual(TOL);
      }),
      { numRuns: 150 },
    );
  });

  it('gemm across block boundaries (m > 128, k > 256, n tails)', () => {
    fc.assert(
      fc.property(gemmParams(140, 300, 23, 120, 250), seed, (p, s) => {
        const q = { ...p, batch: Math.min(p.batch, 2) };
        const [a, b] = gemmOperands(q, s);
        expect(maxRelErr(fast.gemm(a, b, q), ref.gemm(a, b, q))).toBeLessThanOrEqual(TOL);
      }),
      { numRuns: 12 },
    );
  });

  it('gemm with exact integer sums, including a 1×4096 by 4096×3 row vector', () => {
    const p: GemmParams = { batch: 1, m: 1, k: 4096, n: 3, transA: false, transB: true, strideA: 0, strideB: 0 };
    expect([...fast.gemm(new Float32Array(4096).fill(1), new Float32Array(3 * 4096).fill(2), p)]).toEqual([
      8192, 8192, 8192,
    ]);
    const q: GemmParams = { batch: 1, m: 5, k: 600, n: 6, transA: true, transB: false, strideA: 0, strideB: 0 };
    const c = fast.gemm(new Float32Array(600 * 5).fill(1), new Float32Array(600 * 6).fill(0.5), q);
    expect(c.every((v) => v === 300)).toBe(true);
    expect(c.length).toBe(30);
  });

  it('conv forward (with and without bias), backward input and backward weight', () => {
    fc.assert(
      fc.property(convParams, seed, fc.boolean(), (p, s, withBias) => {
        const n = convSizes(p);
        const x = randomArray(n.x, s);
        const w = randomArray(n.w, s + 1);
        const bias = withBias ? randomArray(p.outChannels, s + 2) : null;
        const dy = randomArray(n.y, s + 3);
        expect(maxRelErr(fast.conv(x, w, bias, p), ref.conv(x, w, bias, p))).toBeLessThanOrEqual(TOL);
        expect(maxRelErr(fast.convBackwardInput(dy, w, p), ref.convBackwardInput(dy, w, p))).toBeLessThanOrEqual(TOL);
        expect(maxRelErr(fast.convBackwardWeight(dy, x, p), ref.convBackwardWeight(dy, x, p))).toBeLessThanOrEqual(TOL);
      }),
      { numRuns: 200 },
    );
  });

  it('conv on a larger 2-D case (channels past the register tile, pointwise and 3×3)', () => {
    const base: Omit<ConvParams, 'kernelSize' | 'padding' | 'outSize'> = {
      batch: 2,
      inChannels: 6,
      outChannels: 10,
      groups: 2,
      inSize: [1, 9, 11],
      stride: [1, 1, 1],
      dilation: [1, 1, 1],
    };
    const cases: ConvParams[] = [
      { ...base, kernelSize: [1, 1, 1], padding: [0, 0, 0], outSize: [1, 9, 11] },
      { ...base, kernelSize: [1, 3, 3], padding: [0, 1, 1], outSize: [1, 9, 11] },
    ];
    for (const p of cases) {
      const n = convSizes(p);
      const x = randomArray(n.x, 7);
      const w = randomArray(n.w, 8);
      const dy = randomArray(n.y, 9);
      expect(maxRelErr(fast.conv(x, w, null, p), ref.conv(x, w, null, p))).toBeLessThanOrEqual(TOL);
      expect(maxRelErr(fast.convBackwardInput(dy, w, p), ref.convBackwardInput(dy, w, p))).toBeLessThanOrEqual(TOL);
      expect(maxRelErr(fast.convBackwardWeight(dy, x, p), ref.convBackwardWeight(dy, x, p))).toBeLessThanOrEqual(TOL);
    }
  });

  it('pooling forward and backward (argmax exact)', () => {
    fc.assert(
      fc.property(poolParams, seed, (p, s) => {
        const n = poolSizes(p);
        const x = randomArray(n.x, s);
        const dy = randomArray(n.y, s + 1);
        const mf = fast.maxPool(x, p);
        const mr = ref.maxPool(x, p);
        expect([...mf.argmax]).toEqual([...mr.argmax]);
        expect(maxRelErr(mf.values, mr.values)).toBe(0);
        expect(maxRelErr(fast.maxPoolBackward(dy, mf.argmax, p), ref.maxPoolBackward(dy, mr.argmax, p))).toBe(0);
        expect(maxRelErr(fast.avgPool(x, p), ref.avgPool(x, p))).toBeLessThanOrEqual(TOL);
        expect(maxRelErr(fast.avgPoolBackward(dy, p), ref.avgPoolBackward(dy, p))).toBeLessThanOrEqual(TOL);
      }),
      { numRuns: 40 },
    );
  });
});

describe("ops under withBackend('fast') equal the reference, forward and gradients", () => {
  opsMatchReference('fast', TOL);
});
