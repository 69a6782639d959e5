import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { kernels, listBackends } from '../../../src/tensor/backend.js';
import { referenceKernels as ref } from '../../../src/tensor/kernels/reference/index.js';
import type { ConvParams, GemmParams } from '../../../src/tensor/kernels/types.js';
import {
  requestedThreads,
  setWasmThreads,
  wasmInfo,
  wasmKernels as wasm,
} from '../../../src/tensor/kernels/wasm/index.js';
import { convParams, convSizes, randomArray } from './arbitraries.js';
import { expectWithinSumBound } from './bounds.js';
import { opsMatchReference } from './ops_suite.js';

/**
 * The wasm kernels accumulate in float32 (in a blocked order that depends on the tile and the
 * thread split), the reference in float64. Each result must lie within the classical bound of a
 * float32 dot product of T terms in any order: |wasm - ref| <= (T + 2)·2⁻²³·Σ|aᵢ·bᵢ| (see bounds.ts),
 * where Σ|aᵢ·bᵢ| is the same kernel run by the reference on |a| and |b|.
 */
const seed = fc.integer({ min: 1, max: 100_000 });
const abs = (a: Float32Array): Float32Array => a.map(Math.abs);

/** Sizes straddling the 4-row strips, 8-column tile halves, 16-wide panels, the 256-deep K block and the thin path. */
const gemmParams = (
  maxM: number,
  maxK: number,
  maxN: number,
  minM = 1,
  minK = 1,
): fc.Arbitrary<GemmParams & { scale: number }> =>
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
      scale: fc.constantFrom(1, 1e-20, 1e18),
    })
    .map(({ shareA, shareB, scale, ...p }) => ({
      ...p,
      strideA: shareA ? 0 : p.m * p.k,
      strideB: shareB ? 0 : p.k * p.n,
      scale,
    }));

/** Values in [-1, 1) times `scale`, every seventh an exact zero. */
function values(n: number, s: number, scale = 1): Float32Array {
  return randomArray(n, s).map((v, i) => (i % 7 === 3 ? 0 : v * scale));
}

function checkGemm(p: GemmParams & { scale: number }, s: number): void {
  const a = values(p.strideA === 0 ? p.m * p.k : p.batch * p.m * p.k, s, p.scale);
  const b = values(p.strideB === 0 ? p.k * p.n : p.batch * p.k * p.n, s + 1);
  expectWithinSumBound(wasm.gemm(a, b, p), ref.gemm(a, b, p), ref.gemm(abs(a), abs(b), p), p.k);
}

function checkConv(p: ConvParams, s: number, withBias: boolean): void {
  const n = convSizes(p);
  const x = values(n.x, s);
  const w = values(n.w, s + 1, 3);
  const bias = withBias ? values(p.outChannels, s + 2) : null;
  const dy = values(n.y, s + 3);
  const taps = p.kernelSize[0] * p.kernelSize[1] * p.kernelSize[2];
  const outLen = p.outSize[0] * p.outSize[1] * p.outSize[2];
  const cg = p.inChannels / p.groups;
  const kg = p.outChannels / p.groups;
  const absBias = bias === null ? null : abs(bias);
  expectWithinSumBound(
    wasm.conv(x, w, bias, p),
    ref.conv(x, w, bias, p),
    ref.conv(abs(x), abs(w), absBias, p),
    cg * taps + 1,
  );
  expectWithinSumBound(
    wasm.convBackwardInput(dy, w, p),
    ref.convBackwardInput(dy, w, p),
    ref.convBackwardInput(abs(dy), abs(w), p),
    kg * taps,
  );
  expectWithinSumBound(
    wasm.convBackwardWeight(dy, x, p),
    ref.convBackwardWeight(dy, x, p),
    ref.convBackwardWeight(abs(dy), abs(x), p),
    p.batch * outLen,
  );
}

const previousThreads = requestedThreads();
afterAll(() => setWasmThreads(previousThreads));

describe('wasm backend', () => {
  it('is registered as backend "wasm" and reports its threads', () => {
    expect(listBackends()).toContain('wasm');
    expect(kernels('wasm').name).toBe('wasm');
    setWasmThreads(2);
    expect(wasmInfo().threads).toBe(2);
    // A GEMM above the size threshold runs on both threads, a small one on the calling thread alone.
    const gemm = (n: number): GemmParams => ({
      batch: 1,
      m: n,
      k: n,
      n,
      transA: false,
      transB: false,
      strideA: 0,
      strideB: 0,
    });
    const wasm = kernels('wasm');
    wasm.gemm(new Float32Array(8 * 8), new Float32Array(8 * 8), gemm(8));
    expect(wasmInfo().parallelCalls).toBe(0);
    wasm.gemm(new Float32Array(128 * 128), new Float32Array(128 * 128), gemm(128));
    expect(wasmInfo().parallelCalls).toBeGreaterThan(0);
    setWasmThreads(1);
    // The relaxed (FMA) build runs exactly when the engine accepts relaxed SIMD: in Node 20 only with
    // the flag, which `npm test` sets for its second pass over the wasm tests.
    const flagged = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`.includes(
      '--experimental-wasm-relaxed-simd',
    );
    expect(wasmInfo()).toEqual({ simd: true, relaxed: flagged, threads: 1, threadNote: null, parallelCalls: 0 });
  });
});

describe.each([1, 2])('wasm dense kernels equal the reference on %i thread(s)', (threads) => {
  const onThreads = (): void => setWasmThreads(threads);

  it('gemm on small odd shapes: transposes, batches, stride-0 broadcast, thin products, magnitudes 1e-20..1e18', () => {
    onThreads();
    fc.assert(
      fc.property(gemmParams(11, 13, 37), seed, (p, s) => checkGemm(p, s)),
      { numRuns: 150 },
    );
  });

  it('gemm across K blocks, row blocks and thread splits (m > 64, k > 256, n tails)', () => {
    onThreads();
    fc.assert(
      fc.property(gemmParams(140, 600, 45, 60, 250), seed, (p, s) =>
        checkGemm({ ...p, batch: Math.min(p.batch, 2) }, s),
      ),
      { numRuns: 12 },
    );
  });

  it('gemm with exact integer sums, including a 1×4096 by 4096×3 row vector', () => {
    onThreads();
    const p: GemmParams = { batch: 1, m: 1, k: 4096, n: 3, transA: false, transB: true, strideA: 0, strideB: 0 };
    expect([...wasm.gemm(new Float32Array(4096).fill(1), new Float32Array(3 * 4096).fill(2), p)]).toEqual([
      8192, 8192, 8192,
    ]);
    const q: GemmParams = { batch: 1, m: 5, k: 600, n: 6, transA: true, transB: false, strideA: 0, strideB: 0 };
    const c = wasm.gemm(new Float32Array(600 * 5).fill(1), new Float32Array(600 * 6).fill(0.5), q);
    expect(c.length).toBe(30);
    expect(c.every((v) => v === 300)).toBe(true);
  });

  it('empty products: k = 0 gives zeros, m or n = 0 gives nothing', () => {
    onThreads();
    const p: GemmParams = { batch: 2, m: 3, k: 0, n: 2, transA: false, transB: false, strideA: 0, strideB: 0 };
    expect([...wasm.gemm(new Float32Array(0), new Float32Array(0), p)]).toEqual(new Array<number>(12).fill(0));
    expect(wasm.gemm(new Float32Array(0), new Float32Array(8), { ...p, m: 0, k: 4 }).length).toBe(0);
  });

  it('conv forward (with and without bias), backward input and backward weight', () => {
    onThreads();
    fc.assert(
      fc.property(convParams, seed, fc.boolean(), (p, s, withBias) => checkConv(p, s, withBias)),
      { numRuns: 150 },
    );
  });

  it('conv past a panel and a K block: 16 channels, 3×3 and 1×1, strided, grouped', () => {
    onThreads();
    const base = {
      batch: 2,
      inChannels: 32,
      outChannels: 12,
      inSize: [1, 13, 15] as const,
      dilation: [1, 1, 1] as const,
    };
    const cases: ConvParams[] = [
      { ...base, groups: 1, kernelSize: [1, 3, 3], stride: [1, 1, 1], padding: [0, 1, 1], outSize: [1, 13, 15] },
      { ...base, groups: 2, kernelSize: [1, 1, 1], stride: [1, 1, 1], padding: [0, 0, 0], outSize: [1, 13, 15] },
      { ...base, groups: 4, kernelSize: [1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1], outSize: [1, 7, 8] },
    ];
    cases.forEach((p, i) => checkConv(p, 11 + i, true));
  });
});

describe("ops under withBackend('wasm') equal the reference, forward and gradients", () => {
  // Small reductions (≤ 72 terms of values in [-1, 1)): float32 accumulation stays within 1e-5 relative.
  opsMatchReference('wasm', 1e-5, () => setWasmThreads(2));
});
