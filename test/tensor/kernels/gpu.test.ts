import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BackendError } from '../../../src/tensor/errors.js';
import { createGpuKernels } from '../../../src/tensor/kernels/gpu/index.js';
import { KernelCache, createGpu, runPlan } from '../../../src/tensor/kernels/gpu/runtime.js';
import { gemmPlan } from '../../../src/tensor/kernels/gpu/gemm.js';
import { referenceKernels as ref } from '../../../src/tensor/kernels/reference/index.js';
import type { GemmParams } from '../../../src/tensor/kernels/types.js';
import {
  TIES_AND_NAN,
  convParams,
  convSizes,
  gemmParams,
  maxRelErr,
  poolParams,
  poolSizes,
  randomArray,
} from './arbitraries.js';

/**
 * Tolerance: every gpu.js result equals the float64-accumulated reference within
 * |gpu - ref| / (1 + |ref|) <= 1e-4 (gpu.js accumulates in float32). Argmax indices must match
 * exactly. Runs are few because gpu.js compiles a kernel per shape.
 */
const TOL = 1e-4;
const RUNS = 12;

describe.each(['webasm', 'cpu'])('gpu.js kernels (%s) equal the reference', (mode) => {
  const gpu = createGpuKernels(mode);
  const seed = fc.integer({ min: 1, max: 100_000 });

  it('gemm, with transposes and shared (stride 0) operands', () => {
    fc.assert(
      fc.property(gemmParams, seed, (p, s) => {
        const a = randomArray(p.strideA === 0 ? p.m * p.k : p.batch * p.m * p.k, s);
        const b = randomArray(p.strideB === 0 ? p.k * p.n : p.batch * p.k * p.n, s + 1);
        expect(maxRelErr(gpu.gemm(a, b, p), ref.gemm(a, b, p))).toBeLessThanOrEqual(TOL);
      }),
      { numRuns: RUNS },
    );
  });

  it('gemm with a reduction longer than gpu.js loopMaxIterations (K = 4096)', () => {
    const p: GemmParams = { batch: 1, m: 2, k: 4096, n: 3, transA: false, transB: true, strideA: 0, strideB: 0 };
    const a = randomArray(2 * 4096, 5);
    const b = randomArray(3 * 4096, 6);
    expect(maxRelErr(gpu.gemm(a, b, p), ref.gemm(a, b, p))).toBeLessThanOrEqual(TOL);
    const ones = new Float32Array(2 * 4096).fill(1);
    expect([...gpu.gemm(ones, new Float32Array(3 * 4096).fill(1), p)]).toEqual([4096, 4096, 4096, 4096, 4096, 4096]);
  });

  it('conv forward (with and without bias), backward input and backward weight', () => {
    fc.assert(
      fc.property(convParams, seed, fc.boolean(), (p, s, withBias) => {
        const n = convSizes(p);
        const x = randomArray(n.x, s);
        const w = randomArray(n.w, s + 1);
        const dy = randomArray(n.y, s + 2);
        const bias = withBias ? randomArray(p.outChannels, s + 3) : null;
        expect(maxRelErr(gpu.conv(x, w, bias, p), ref.conv(x, w, bias, p))).toBeLessThanOrEqual(TOL);
        expect(maxRelErr(gpu.convBackwardInput(dy, w, p), ref.convBackwardInput(dy, w, p))).toBeLessThanOrEqual(TOL);
        expect(maxRelErr(gpu.convBackwardWeight(dy, x, p), ref.convBackwardWeight(dy, x, p))).toBeLessThanOrEqual(TOL);
      }),
      { numRuns: RUNS },
    );
  });

  it('max and average pooling, forward and backward', () => {
    fc.assert(
      fc.property(poolParams, seed, (p, s) => {
        const n = poolSizes(p);
        const x = randomArray(n.x, s);
        const dy = randomArray(n.y, s + 1);
        const got = gpu.maxPool(x, p);
        const want = ref.maxPool(x, p);
        expect([...got.argmax]).toEqual([...want.argmax]);
        expect(maxRelErr(got.values, want.values)).toBeLessThanOrEqual(TOL);
        expect(
          maxRelErr(gpu.maxPoolBackward(dy, want.argmax, p), ref.maxPoolBackward(dy, want.argmax, p)),
        ).toBeLessThanOrEqual(TOL);
        expect(maxRelErr(gpu.avgPool(x, p), ref.avgPool(x, p))).toBeLessThanOrEqual(TOL);
        expect(maxRelErr(gpu.avgPoolBackward(dy, p), ref.avgPoolBackward(dy, p))).toBeLessThanOrEqual(TOL);
      }),
      { numRuns: RUNS },
    );
  });

  it('max pooling keeps the first of tied maxima and lets NaN win, like the reference', () => {
    const got = gpu.maxPool(TIES_AND_NAN.x, TIES_AND_NAN.p);
    expect([...got.argmax]).toEqual(TIES_AND_NAN.argmax);
    expect([...got.values]).toEqual(TIES_AND_NAN.values);
  });

  it('returns fresh arrays (no aliasing between calls)', () => {
    const p: GemmParams = { batch: 1, m: 1, k: 1, n: 2, transA: false, transB: false, strideA: 0, strideB: 0 };
    const first = gpu.gemm(Float32Array.from([1]), Float32Array.from([1, 2]), p);
    const second = gpu.gemm(Float32Array.from([3]), Float32Array.from([1, 2]), p);
    expect([...first]).toEqual([1, 2]);
    expect([...second]).toEqual([3, 6]);
  });
});

describe('gpu.js runtime', () => {
  it('compiles once per shape key', () => {
    const cache = new KernelCache(createGpu('cpu'));
    const p: GemmParams = { batch: 1, m: 2, k: 2, n: 2, transA: false, transB: false, strideA: 0, strideB: 0 };
    const a = randomArray(4, 1);
    runPlan(cache, gemmPlan(a, a, p));
    runPlan(cache, gemmPlan(a, a, p));
    expect(cache.size).toBe(1);
    runPlan(cache, gemmPlan(a, a, { ...p, transA: true }));
    expect(cache.size).toBe(2);
  });

  it("reports headlessgl without the 'gl' package as a BackendError", () => {
    expect(() => createGpuKernels('headlessgl')).toThrow(BackendError);
    expect(() => createGpuKernels('headlessgl')).toThrow(/needs the optional 'gl' package/);
  });

  it('rejects unknown modes', () => {
    expect(() => createGpuKernels('metal')).toThrow(/unknown gpu.js mode 'metal'/);
  });
});

describe("backend 'gpu'", () => {
  it('uses $SPARSE24_GPU_MODE-style modes and reports an unusable one when first used', async () => {
    const { getGpuMode, kernels, setGpuMode } = await import('../../../src/tensor/backend.js');
    const before = getGpuMode();
    try {
      setGpuMode('cpu');
      expect(getGpuMode()).toBe('cpu');
      expect(kernels('gpu').name).toBe('gpu/cpu');
      setGpuMode('headlessgl');
      expect(() => kernels('gpu')).toThrow(BackendError);
      expect(() => setGpuMode('metal')).toThrow(BackendError);
    } finally {
      setGpuMode(before);
    }
    expect(kernels('gpu').name).toBe(`gpu/${before}`);
  });
});
