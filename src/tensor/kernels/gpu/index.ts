import type { DenseKernels } from '../types.js';
import { gpuConv, gpuConvBackwardInput, gpuConvBackwardWeight } from './conv.js';
import { gpuGemm } from './gemm.js';
import { gpuAvgPool, gpuAvgPoolBackward, gpuMaxPool, gpuMaxPoolBackward } from './pool.js';
import { KernelCache, createGpu } from './runtime.js';

export { GPU_MODES, type GpuMode, isGpuMode } from './runtime.js';

/**
 * The dense kernels as gpu.js kernels in one gpu.js mode ('webasm' and 'cpu' on Node;
 * 'headlessgl' with the optional `gl` package). Each kernel set owns its gpu.js instance and its
 * cache of compiled kernels. Throws a BackendError when the mode cannot run here.
 */
export function createGpuKernels(mode: string): DenseKernels {
  const cache = new KernelCache(createGpu(mode));
  return {
    name: `gpu/${mode}`,
    gemm: (a, b, p) => gpuGemm(cache, a, b, p),
    conv: (x, w, bias, p) => gpuConv(cache, x, w, bias, p),
    convBackwardInput: (dy, w, p) => gpuConvBackwardInput(cache, dy, w, p),
    convBackwardWeight: (dy, x, p) => gpuConvBackwardWeight(cache, dy, x, p),
    maxPool: (x, p) => gpuMaxPool(cache, x, p),
    maxPoolBackward: (dy, argmax, p) => gpuMaxPoolBackward(cache, dy, argmax, p),
    avgPool: (x, p) => gpuAvgPool(cache, x, p),
    avgPoolBackward: (dy, p) => gpuAvgPoolBackward(cache, dy, p),
  };
}
