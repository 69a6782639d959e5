import type { AsyncDenseKernels, DenseKernels } from '../types.js';
import { convBackwardInputPlan, convBackwardWeightPlan, convPlan } from './conv.js';
import { type PlanFamily, asyncKernels, syncKernels } from './family.js';
import { gemmPlan } from './gemm.js';
import { avgPoolBackwardPlan, avgPoolPlan, maxPoolBackwardPlan, maxPoolPlan } from './pool.js';

export { ASYNC_ONLY_MODES, GPU_MODES, type GpuMode, isGpuMode } from './runtime.js';

/** The dense family as plans; the sync and async kernel sets both run these. */
const densePlans: PlanFamily<DenseKernels> = {
  gemm: gemmPlan,
  conv: convPlan,
  convBackwardInput: convBackwardInputPlan,
  convBackwardWeight: convBackwardWeightPlan,
  maxPool: maxPoolPlan,
  maxPoolBackward: maxPoolBackwardPlan,
  avgPool: avgPoolPlan,
  avgPoolBackward: avgPoolBackwardPlan,
};

/**
 * The dense kernels as gpu.js kernels in one synchronous gpu.js mode ('webasm' and 'cpu' on Node,
 * 'headlessgl' with the optional `gl` package; 'webgl2' and 'webgl' in a browser). Each kernel set
 * owns its gpu.js instance and its cache of compiled kernels. Throws a BackendError when the mode
 * cannot run here, or is 'webgpu' (asynchronous only: see `createGpuKernelsAsync`).
 */
export function createGpuKernels(mode: string): DenseKernels {
  return syncKernels<DenseKernels>(mode, densePlans);
}

/** The same kernels, each returning a Promise: every mode, 'webgpu' included. */
export function createGpuKernelsAsync(mode: string): AsyncDenseKernels {
  return asyncKernels<DenseKernels>(mode, densePlans);
}
