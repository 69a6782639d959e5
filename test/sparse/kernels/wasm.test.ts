import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type CompressedNM, compressNM } from '../../../src/sparse/compressed.js';
import {
  referenceSparseKernels as ref,
  sparseKernels,
  wasmSparseKernels as wasm,
} from '../../../src/sparse/kernels/index.js';
import { withBackend } from '../../../src/tensor/backend.js';
import { requestedThreads, setWasmThreads } from '../../../src/tensor/kernels/wasm/index.js';
import { expectWithinSumBound } from '../../tensor/kernels/bounds.js';
import { compressedWeight, convCaseArb, convParamsOf, patternArb, randomValues } from './arbitraries.js';

/**
 * The wasm sparse kernels accumulate in float32, the reference in float64: every output must lie
 * within the float32 dot-product bound (tensor/kernels/bounds.ts) for the number of kept values it
 * sums, Σ|w·x| computed by the reference kernels on absolute values.
 */
const seedArb = fc.integer({ min: 1, max: 1_000_000 });
const abs = (a: Float32Array): Float32Array => a.map(Math.abs);
const absW = (c: CompressedNM): CompressedNM => ({ ...c, values: abs(c.values) });
const kept = (c: CompressedNM): number => (c.cols / c.m) * c.n;

/** Rows around the 3-row thin path and the 16-wide panel, columns past a 512-input K block. */
const spmmCase = fc.record({
  pc: patternArb,
  rows: fc.integer({ min: 1, max: 40 }),
  cols: fc.oneof(
    fc.integer({ min: 1, max: 6 }).map((g) => g * 8),
    fc.constantFrom(520, 1032),
  ),
  n: fc.integer({ min: 1, max: 40 }),
  scale: fc.constantFrom(1, 1e-20, 1e15),
  seed: seedArb,
});

const previousThreads = requestedThreads();
afterAll(() => setWasmThreads(previousThreads));

describe.each([1, 2])('wasm sparse kernels equal the reference sparse kernels on %i thread(s)', (threads) => {
  it("are selected by sparseKernels('wasm') and by the active dense backend 'wasm'", () => {
    setWasmThreads(threads);
    expect(sparseKernels('wasm')).toBe(wasm);
    expect(withBackend('wasm', () => sparseKernels())).toBe(wasm);
  });

  it('spmm (C = A·B) for 2:4, 1:4 and 2:8', () => {
    setWasmThreads(threads);
    fc.assert(
      fc.property(spmmCase, ({ pc, rows, cols, n, scale, seed }) => {
        const { compressed } = compressedWeight([rows, cols], pc, seed);
        const b = randomValues(cols * n, seed + 1).map((v) => v * scale);
        expectWithinSumBound(
          wasm.spmm(compressed, b, n),
          ref.spmm(compressed, b, n),
          ref.spmm(absW(compressed), abs(b), n),
          kept(compressed),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('linear (y = x·Wᵀ + b), batch rows on both sides of the thin path', () => {
    setWasmThreads(threads);
    fc.assert(
      fc.property(spmmCase, fc.boolean(), ({ pc, rows, cols, n, scale, seed }, withBias) => {
        const outF = 1 + (n % 13);
        const { compressed } = compressedWeight([outF, cols], pc, seed);
        const x = randomValues(rows * cols, seed + 1).map((v) => v * scale);
        const bias = withBias ? randomValues(outF, seed + 2) : null;
        const bound = ref.linear(abs(x), absW(compressed), bias === null ? null : abs(bias), rows);
        expectWithinSumBound(
          wasm.linear(x, compressed, bias, rows),
          ref.linear(x, compressed, bias, rows),
          bound,
          kept(compressed) + 1,
        );
      }),
      { numRuns: 60 },
    );
  });

  it('conv 1-D/2-D/3-D with groups, stride, padding, dilation and bias', () => {
    setWasmThreads(threads);
    fc.assert(
      fc.property(convCaseArb, patternArb, seedArb, (c, pc, seed) => {
        const p = convParamsOf(c);
        const { compressed } = compressedWeight([p.outChannels, c.cg, ...c.kernel], pc, seed);
        const x = randomValues(p.batch * p.inChannels * p.inSize[0] * p.inSize[1] * p.inSize[2], seed + 1);
        const bias = c.bias ? randomValues(p.outChannels, seed + 2) : null;
        const taps = p.kernelSize[0] * p.kernelSize[1] * p.kernelSize[2];
        const bound = ref.conv(abs(x), absW(compressed), bias === null ? null : abs(bias), p);
        expectWithinSumBound(
          wasm.conv(x, compressed, bias, p),
          ref.conv(x, compressed, bias, p),
          bound,
          taps * kept(compressed) + 1,
        );
      }),
      { numRuns: 60 },
    );
  });

  it('a kept zero stays kept and pruned values never contribute (hand example, every path)', () => {
    setWasmThreads(threads);
    const a = compressNM(
      new Float32Array([0, 2, 0, 3, 5, 0, 7, 0]),
      new Uint8Array([1, 0, 0, 1, 1, 0, 1, 0]),
      2,
      4,
      2,
      4,
    );
    const b = new Float32Array([10, 1, 20, 2, 30, 3, 40, 4]);
    expect([...wasm.spmm(a, b, 2)]).toEqual([120, 12, 260, 26]);
    expect([...wasm.linear(new Float32Array([1, 2, 3, 4]), a, new Float32Array([0.5, -1]), 1)]).toEqual([12.5, 25]);
    const x4 = new Float32Array(16).map((_, i) => (i % 4) + 1);
    expect([...wasm.linear(x4, a, null, 4)]).toEqual([12, 26, 12, 26, 12, 26, 12, 26]);
  });

  it('a long 2:4 reduction (1×4096 and 20×4096 by 4096→9) with exact integer sums', () => {
    setWasmThreads(threads);
    const cols = 4096;
    const w = new Float32Array(9 * cols).fill(1);
    const mask = new Uint8Array(9 * cols).map((_, i) => (i % 4 === 1 || i % 4 === 2 ? 1 : 0));
    const c = compressNM(w, mask, 9, cols, 2, 4);
    const x = new Float32Array(20 * cols).map((_, i) => (i % 4 === 1 ? 1 : i % 4 === 2 ? 2 : 100));
    expect([...wasm.linear(x.subarray(0, cols), c, null, 1)]).toEqual(new Array<number>(9).fill(3 * 1024));
    expect([...wasm.linear(x, c, null, 20)]).toEqual(new Array<number>(9 * 20).fill(3 * 1024));
  });
});
