/**
 * 2:4 rows: every dense-suite shape computed with a compressed 2:4 operand. GEMM cases become
 * spmm with A 2:4 (C = A·B), Linear cases y = x·Wᵀ with W 2:4, the ResNet conv a sparse conv with
 * a 2:4 weight. The operands are the dense rows' data, masked by apex's m4n2_1d; FLOPs stay
 * dense-equivalent (2·M·N·K), so GFLOP/s is effective throughput.
 */
import { type CompressedNM, compressWeight } from '../sparse/compressed.js';
import {
  type AsyncSparseKernels,
  type SparseKernels,
  createGpuSparseKernels,
  createGpuSparseKernelsAsync,
  fastSparseKernels,
  referenceSparseKernels,
  wasmSparseKernels,
} from '../sparse/kernels/index.js';
import { createMask } from '../sparse/create_mask.js';
import { type BenchCase, benchData, convOperandSizes, gemmOperandSizes } from './cases.js';
import { ASYNC_GPU_BACKEND, selectThreads, wasmThreadsOf } from './dense.js';
import type { Implementation } from './implementation.js';

function compress24(data: Float32Array, shape: number[]): CompressedNM {
  return compressWeight(data, createMask(data, shape, 'm4n2_1d'), shape);
}

/** The compressed operand is built once, outside the timed body. An asynchronous set's `run` returns a Promise. */
export function sparseImplementation(backend: string, k: SparseKernels | AsyncSparseKernels): Implementation {
  return {
    name: `sparse24 ${backend} 2:4`,
    peer: false,
    backend,
    variant: '2:4',
    async prepare(c: BenchCase) {
      selectThreads(backend);
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

/** The 2:4 kernel set a bench backend name runs (see denseKernelsFor). */
export function sparseKernelsFor(backend: string): SparseKernels | AsyncSparseKernels {
  if (backend === 'reference') return referenceSparseKernels;
  if (backend === 'fast') return fastSparseKernels;
  if (wasmThreadsOf(backend) !== null) return wasmSparseKernels;
  const mode = backend.slice('gpu/'.length);
  return backend === ASYNC_GPU_BACKEND ? createGpuSparseKernelsAsync(mode) : createGpuSparseKernels(mode);
}
