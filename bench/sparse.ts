/**
 * The sparse suite: every dense-suite shape computed with a compressed 2:4 operand beside the
 * dense kernel of the same backend, so the sparse/dense ratio is measured in one run. GEMM cases
 * become spmm with A 2:4 (C = A·B), Linear cases y = x·Wᵀ with W 2:4, the ResNet conv a sparse
 * conv with a 2:4 weight. FLOPs stay dense-equivalent (2·M·N·K), so GFLOP/s is effective.
 */
import { compressWeight } from '../src/sparse/compressed.js';
import type { CompressedNM } from '../src/sparse/compressed.js';
import { createGpuSparseKernels, referenceSparseKernels } from '../src/sparse/kernels/index.js';
import type { SparseKernels } from '../src/sparse/kernels/index.js';
import { createMask } from '../src/sparse/registry.js';
import type { DenseKernels } from '../src/tensor/index.js';
import { kernels } from '../src/tensor/index.js';
import { createGpuKernels } from '../src/tensor/kernels/gpu/index.js';
import { type BenchCase, benchData, convOperandSizes, denseCases, gemmOperandSizes } from './cases.js';
import type { Implementation } from './implementation.js';

/** The dense suite's shapes (the same ids, so rows line up with bench/results/dense*.json). */
export function sparseCases(quick: boolean): BenchCase[] {
  return denseCases(quick);
}

/** One row of the sparse suite: a backend's dense or 2:4 kernel. */
export interface SparseImplementation extends Implementation {
  backend: string;
  sparse: boolean;
}

/** The 2:4 (apex m4n2_1d) compressed form of a dense operand of `shape` (cols = shape[1]). */
function compress24(data: Float32Array, shape: number[]): CompressedNM {
  return compressWeight(data, createMask(data, shape, 'm4n2_1d'), shape);
}

function denseImpl(backend: string, k: DenseKernels): SparseImplementation {
  return {
    name: `${backend} dense`,
    backend,
    sparse: false,
    peer: false,
    async prepare(c: BenchCase) {
      if (c.kind === 'gemm') {
        const [na, nb] = gemmOperandSizes(c.gemm);
        const a = benchData(na, 1);
        const b = benchData(nb, 2);
        return { run: () => k.gemm(a, b, c.gemm) };
      }
      const [nx, nw] = convOperandSizes(c.conv);
      const x = benchData(nx, 1);
      const w = benchData(nw, 2);
      return { run: () => k.conv(x, w, null, c.conv) };
    },
  };
}

/** Same data as the dense row; the compressed operand is built once, outside the timed body. */
function sparseImpl(backend: string, k: SparseKernels): SparseImplementation {
  return {
    name: `${backend} 2:4`,
    backend,
    sparse: true,
    peer: false,
    async prepare(c: BenchCase) {
      if (c.kind === 'gemm') {
        const { m, k: inner, n, transB } = c.gemm;
        const [na, nb] = gemmOperandSizes(c.gemm);
        const a = benchData(na, 1);
        const b = benchData(nb, 2);
        if (transB) {
          // Linear: a = x [m][k], b = W [n][k].
          const w = compress24(b, [n, inner]);
          return { run: () => k.linear(a, w, null, m) };
        }
        const sa = compress24(a, [m, inner]);
        return { run: () => k.spmm(sa, b, n) };
      }
      const p = c.conv;
      const [nx, nw] = convOperandSizes(p);
      const x = benchData(nx, 1);
      const shape = [p.outChannels, p.inChannels / p.groups, p.kernelSize[1], p.kernelSize[2]];
      const w = compress24(benchData(nw, 2), shape);
      return { run: () => k.conv(x, w, null, p) };
    },
  };
}

/** Dense and 2:4 rows for the reference backend and gpu.js in each mode. */
export function sparseImplementations(gpuModes: readonly string[] = ['webasm', 'cpu']): SparseImplementation[] {
  return [
    denseImpl('reference', kernels('reference')),
    sparseImpl('reference', referenceSparseKernels),
    ...gpuModes.flatMap((mode) => [denseImpl(`gpu/${mode}`, createGpuKernels(mode)), sparseImpl(`gpu/${mode}`, createGpuSparseKernels(mode))]),
  ];
}
