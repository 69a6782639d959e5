import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressNM } from '../../../src/sparse/compressed.js';
import {
  createGpuSparseKernels,
  referenceSparseKernels as ref,
  sparseKernels,
} from '../../../src/sparse/kernels/index.js';
import { sparseLinear } from '../../../src/sparse/ops/linear.js';
import { sparseConv2d } from '../../../src/sparse/ops/conv.js';
import { createMask } from '../../../src/sparse/create_mask.js';
import { BackendError, ShapeError, AutogradError } from '../../../src/tensor/errors.js';
import { gemm } from '../../../src/tensor/kernels/reference/gemm.js';
import { Tensor, sum } from '../../../src/tensor/index.js';
import { compressedWeight, maxRelErr, randomValues, spmmCase } from './arbitraries.js';

describe('reference spmm', () => {
  it('equals the dense reference GEMM of the decompressed matrix (C = A·B)', () => {
    fc.assert(
      fc.property(spmmCase, ({ pc, rows, cols, n, seed }) => {
        const { compressed, masked } = compressedWeight([rows, cols], pc, seed);
        const b = randomValues(cols * n, seed + 1);
        const dense = gemm(masked, b, {
          batch: 1,
          m: rows,
          k: cols,
          n,
          transA: false,
          transB: false,
          strideA: 0,
          strideB: 0,
        });
        // Same float64 sum over the same nonzero terms in the same order: bit-identical.
        expect([...ref.spmm(compressed, b, n)]).toEqual([...dense]);
      }),
      { numRuns: 40 },
    );
  });

  it('computes a hand example: a kept zero stays kept, pruned values never contribute', () => {
    // A = [[0, 2, 0, 3]] with mask keeping columns 0 and 3 (the kept 0 at column 0): only 3·B[3] counts.
    const a = compressNM(new Float32Array([0, 2, 0, 3]), new Uint8Array([1, 0, 0, 1]), 1, 4, 2, 4);
    const b = new Float32Array([10, 1, 20, 2, 30, 3, 40, 4]);
    expect([...ref.spmm(a, b, 2)]).toEqual([120, 12]);
    expect([...ref.linear(new Float32Array([1, 2, 3, 4]), a, new Float32Array([0.5]), 1)]).toEqual([12.5]);
  });
});

describe.each(['webasm', 'cpu'])('gpu.js sparse kernels (%s) equal the reference', (mode) => {
  const gpu = createGpuSparseKernels(mode);

  it('spmm and linear on random shapes and patterns (tolerance 1e-4 relative)', () => {
    fc.assert(
      fc.property(spmmCase, ({ pc, rows, cols, n, seed }) => {
        const { compressed } = compressedWeight([rows, cols], pc, seed);
        const b = randomValues(cols * n, seed + 1);
        expect(maxRelErr(gpu.spmm(compressed, b, n), ref.spmm(compressed, b, n))).toBeLessThanOrEqual(1e-4);
        const x = randomValues(n * cols, seed + 2);
        const bias = randomValues(rows, seed + 3);
        expect(maxRelErr(gpu.linear(x, compressed, bias, n), ref.linear(x, compressed, bias, n))).toBeLessThanOrEqual(
          1e-4,
        );
      }),
      { numRuns: 12 },
    );
  });

  it('rows longer than gpu.js loopMaxIterations (in_features 4096 → 2048 kept values)', () => {
    const w = new Float32Array(2 * 4096).fill(1);
    const c = compressNM(w, createMask(w, [2, 4096]), 2, 4096, 2, 4);
    const x = new Float32Array(3 * 4096).fill(1);
    expect([...gpu.linear(x, c, null, 3)]).toEqual([2048, 2048, 2048, 2048, 2048, 2048]);
  });
});

describe('backend selection and errors', () => {
  it('follows the dense backend names', () => {
    expect(sparseKernels('reference')).toBe(ref);
    expect(sparseKernels('gpu/cpu').name).toBe('gpu/cpu');
    expect(sparseKernels('gpu/cpu')).toBe(sparseKernels('gpu/cpu'));
    expect(() => sparseKernels('tpu')).toThrow(BackendError);
    expect(() => sparseKernels('tpu')).toThrow(/no sparse kernels for backend 'tpu'/);
  });

  it('rejects mismatched operands with messages that name them', () => {
    const { compressed } = compressedWeight([3, 8], { pattern: 'm4n2_1d', n: 2, m: 4 }, 7);
    expect(() => ref.spmm(compressed, new Float32Array(9), 2)).toThrow(ShapeError);
    expect(() => ref.linear(new Float32Array(7), compressed, null, 1)).toThrow(/in_features \(8\)/);
    expect(() => sparseLinear(new Tensor(new Float32Array(6), [6]), compressed)).toThrow(/must end in in_features = 8/);
    expect(() => sparseConv2d(new Tensor(new Float32Array(8), [1, 8, 1, 1]), compressed)).toThrow(
      /4-d \[out, in\/groups, \.\.\.kernel\] weight, found weight shape \[3, 8\]/,
    );
    const conv = compressedWeight([4, 8, 1, 1], { pattern: 'm4n2_1d', n: 2, m: 4 }, 3).compressed;
    expect(() => sparseConv2d(new Tensor(new Float32Array(4), [1, 4, 1, 1]), conv)).toThrow(/expects 8 input channels/);
  });

  it('is inference-only: backward through a sparse op names the op and the alternative', () => {
    const { compressed } = compressedWeight([2, 4], { pattern: 'm4n2_1d', n: 2, m: 4 }, 5);
    const x = new Tensor(new Float32Array([1, 2, 3, 4]), [1, 4], true);
    const y = sum(sparseLinear(x, compressed));
    expect(() => y.backward()).toThrow(AutogradError);
    expect(() => sum(sparseLinear(x, compressed)).backward()).toThrow(/sparseLinear is inference-only/);
  });
});
