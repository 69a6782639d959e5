import { afterAll, describe, expect, it } from 'vitest';
import { referenceSparseKernels, sparseKernels, fastSparseKernels } from '../../../src/sparse/kernels/index.js';
import { sparseConv2d } from '../../../src/sparse/ops/conv.js';
import { sparseLinear } from '../../../src/sparse/ops/linear.js';
import { getBackend, kernelSet, registerBackend, setBackend, withBackend } from '../../../src/tensor/backend.js';
import { BackendError } from '../../../src/tensor/errors.js';
import { fastKernels } from '../../../src/tensor/kernels/fast/index.js';
import type { DenseKernels } from '../../../src/tensor/kernels/types.js';
import { conv2d } from '../../../src/tensor/ops/conv.js';
import { linear } from '../../../src/tensor/ops/matmul.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { compressedWeight, maxRelErr, randomValues } from './arbitraries.js';

/** One registry for dense and sparse kernels: a user's backend runs sparse ops too. */
const previous = getBackend();
afterAll(() => setBackend(previous));

/** A user's dense kernels that count their GEMM calls. */
function countingDense(name: string): DenseKernels & { calls: number } {
  const k = { ...fastKernels, name, calls: 0 };
  k.gemm = (a, b, p) => {
    k.calls++;
    return fastKernels.gemm(a, b, p);
  };
  return k;
}

describe('backend registry', () => {
  it('a backend registered without sparse kernels runs sparse ops on the reference sparse kernels', () => {
    const dense = countingDense('user-dense-only');
    registerBackend('user-dense-only', { dense });
    const pc = { pattern: 'm4n2_1d', n: 2, m: 4 } as const;
    const { compressed, masked } = compressedWeight([6, 16], pc, 3);
    const x = new Tensor(randomValues(5 * 16, 4), [5, 16]);
    const got = withBackend('user-dense-only', () => {
      expect(sparseKernels()).toBe(referenceSparseKernels);
      return sparseLinear(x, compressed).data;
    });
    const want = withBackend('reference', () => linear(x, new Tensor(masked, [6, 16])).data);
    expect(maxRelErr(got, want)).toBeLessThanOrEqual(1e-5);
    withBackend('user-dense-only', () => linear(x, new Tensor(masked, [6, 16])));
    expect(dense.calls).toBe(1);

    const cw = compressedWeight([4, 8, 3, 3], pc, 5);
    const cx = new Tensor(randomValues(8 * 25, 6), [1, 8, 5, 5]);
    const conv = withBackend('user-dense-only', () => sparseConv2d(cx, cw.compressed, null, { padding: 1 }).data);
    const denseConv = withBackend(
      'reference',
      () => conv2d(cx, new Tensor(cw.masked, [4, 8, 3, 3]), null, { padding: 1 }).data,
    );
    expect(maxRelErr(conv, denseConv)).toBeLessThanOrEqual(1e-5);
  });

  it('a backend registered with sparse kernels uses them, built lazily once', () => {
    let built = 0;
    registerBackend('user-both', () => {
      built++;
      return { dense: countingDense('user-both'), sparse: { ...fastSparseKernels, name: 'user-sparse' } };
    });
    expect(built).toBe(0);
    expect(sparseKernels('user-both').name).toBe('user-sparse');
    expect(kernelSet('user-both').dense.name).toBe('user-both');
    expect(built).toBe(1);
  });

  it('refuses a duplicate name unless asked to replace it', () => {
    registerBackend('user-dup', { dense: countingDense('first') });
    expect(() => registerBackend('user-dup', { dense: countingDense('second') })).toThrow(BackendError);
    expect(() => registerBackend('user-dup', { dense: countingDense('second') })).toThrow(
      /registered already.*replace: true/,
    );
    registerBackend('user-dup', { dense: countingDense('second') }, { replace: true });
    expect(kernelSet('user-dup').dense.name).toBe('second');
  });

  it('unknown backends are an error naming what exists', () => {
    expect(() => sparseKernels('tpu')).toThrow(/no sparse kernels for backend 'tpu'.*reference, fast/);
    expect(() => setBackend('tpu')).toThrow(/unknown backend 'tpu'; available: reference, fast, wasm, gpu/);
  });
});
