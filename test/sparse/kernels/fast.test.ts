import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressNM } from '../../../src/sparse/compressed.js';
import {
  fastSparseKernels as fast,
  referenceSparseKernels as ref,
  sparseKernels,
} from '../../../src/sparse/kernels/index.js';
import { groupCodes24 } from '../../../src/sparse/kernels/fast/index.js';
import { withBackend } from '../../../src/tensor/backend.js';
import { compressedWeight, convCaseArb, convParamsOf, maxRelErr, patternArb, randomValues } from './arbitraries.js';

/**
 * Tolerance: the fast sparse kernels sum each output in float64 like the reference, but in a
 * different order, and sparse conv adds each kernel position's partial sum into the float32
 * output; |fast - ref| / (1 + |ref|) <= 1e-5.
 */
const TOL = 1e-5;
const seedArb = fc.integer({ min: 1, max: 1_000_000 });

/** Row counts around the 3-row batch-1 path and the 8-wide register block, and n past a 64-wide strip. */
const spmmCase = fc.record({
  pc: patternArb,
  rows: fc.integer({ min: 1, max: 21 }),
  cols: fc.integer({ min: 1, max: 6 }).map((g) => g * 8),
  n: fc.integer({ min: 1, max: 75 }),
  seed: seedArb,
});

describe('fast sparse kernels equal the reference sparse kernels', () => {
  it("are selected by sparseKernels('fast') and by the active dense backend 'fast'", () => {
    expect(sparseKernels('fast')).toBe(fast);
    expect(withBackend('fast', () => sparseKernels())).toBe(fast);
  });

  it('spmm (C = A·B) for 2:4, 1:4 and 2:8', () => {
    fc.assert(
      fc.property(spmmCase, ({ pc, rows, cols, n, seed }) => {
        const { compressed } = compressedWeight([rows, cols], pc, seed);
        const b = randomValues(cols * n, seed + 1);
        expect(maxRelErr(fast.spmm(compressed, b, n), ref.spmm(compressed, b, n))).toBeLessThanOrEqual(TOL);
      }),
      { numRuns: 120 },
    );
  });

  it('linear (y = x·Wᵀ + b), batch rows on both sides of the row-dot threshold', () => {
    fc.assert(
      fc.property(spmmCase, fc.boolean(), ({ pc, rows, cols, n, seed }, withBias) => {
        const outF = 1 + (n % 13);
        const { compressed } = compressedWeight([outF, cols], pc, seed);
        const x = randomValues(rows * cols, seed + 1);
        const bias = withBias ? randomValues(outF, seed + 2) : null;
        expect(
          maxRelErr(fast.linear(x, compressed, bias, rows), ref.linear(x, compressed, bias, rows)),
        ).toBeLessThanOrEqual(TOL);
      }),
      { numRuns: 120 },
    );
  });

  it('conv 1-D/2-D/3-D with groups, stride, padding, dilation and bias', () => {
    fc.assert(
      fc.property(convCaseArb, patternArb, seedArb, (c, pc, seed) => {
        const p = convParamsOf(c);
        const { compressed } = compressedWeight([p.outChannels, c.cg, ...c.kernel], pc, seed);
        const x = randomValues(p.batch * p.inChannels * p.inSize[0] * p.inSize[1] * p.inSize[2], seed + 1);
        const bias = c.bias ? randomValues(p.outChannels, seed + 2) : null;
        expect(maxRelErr(fast.conv(x, compressed, bias, p), ref.conv(x, compressed, bias, p))).toBeLessThanOrEqual(TOL);
      }),
      { numRuns: 80 },
    );
  });

  it('a kept zero stays kept and pruned values never contribute (hand example)', () => {
    const a = compressNM(
      new Float32Array([0, 2, 0, 3, 5, 0, 7, 0]),
      new Uint8Array([1, 0, 0, 1, 1, 0, 1, 0]),
      2,
      4,
      2,
      4,
    );
    expect([...groupCodes24(a)]).toEqual([0 | (3 << 2), 0 | (2 << 2)]);
    const b = new Float32Array([10, 1, 20, 2, 30, 3, 40, 4]);
    expect([...fast.spmm(a, b, 2)]).toEqual([120, 12, 260, 26]);
    expect([...fast.linear(new Float32Array([1, 2, 3, 4]), a, new Float32Array([0.5, -1]), 1)]).toEqual([12.5, 25]);
    const x4 = new Float32Array(16).map((_, i) => (i % 4) + 1);
    expect([...fast.linear(x4, a, null, 4)]).toEqual([12, 26, 12, 26, 12, 26, 12, 26]);
  });

  it('a long 2:4 reduction (1×4096 by 4096→8) with exact integer sums', () => {
    const cols = 4096;
    const w = new Float32Array(8 * cols).fill(1);
    const mask = new Uint8Array(8 * cols).map((_, i) => (i % 4 === 1 || i % 4 === 2 ? 1 : 0));
    const c = compressNM(w, mask, 8, cols, 2, 4);
    const x = new Float32Array(cols).map((_, i) => (i % 4 === 1 ? 1 : i % 4 === 2 ? 2 : 100));
    expect([...fast.linear(x, c, null, 1)]).toEqual(new Array<number>(8).fill(3 * 1024));
  });
});
