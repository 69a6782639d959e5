import { KernelCache, createGpu } from '../../../tensor/kernels/gpu/runtime.js';
import type { SparseKernels } from '../types.js';
import { gpuSparseConv } from './conv.js';
import { gpuSparseLinear, gpuSpmm } from './spmm.js';

/**
 * The sparse kernels as gpu.js kernels in one gpu.js mode ('webasm' or 'cpu' on Node). Each set
 * owns its gpu.js instance and its cache of compiled kernels (one per shape). Throws a
 * BackendError when the mode cannot run here.
 */
export function createGpuSparseKernels(mode: string): SparseKernels {
  const cache = new KernelCache(createGpu(mode));
  return {
    name: `gpu/${mode}`,
    linear: (x, w, bias, rows) => gpuSparseLinear(cache, x, w, bias, rows),
    spmm: (a, b, n) => gpuSpmm(cache, a, b, n),
    conv: (x, w, bias, p) => gpuSparseConv(cache, x, w, bias, p),
  };
}
