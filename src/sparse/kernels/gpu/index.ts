import { type PlanFamily, asyncKernels, syncKernels } from '../../../tensor/kernels/gpu/family.js';
import type { AsyncKernels } from '../../../tensor/kernels/types.js';
import type { SparseKernels } from '../types.js';
import { sparseConvPlan } from './conv.js';
import { sparseLinearPlan, spmmPlan } from './spmm.js';

export type AsyncSparseKernels = AsyncKernels<SparseKernels>;

const sparsePlans: PlanFamily<SparseKernels> = {
  linear: sparseLinearPlan,
  spmm: spmmPlan,
  conv: sparseConvPlan,
};

/**
 * The sparse kernels as gpu.js kernels in one synchronous gpu.js mode ('webasm' or 'cpu' on Node,
 * 'webgl2' or 'webgl' in a browser). Each set owns its gpu.js instance and its cache of compiled
 * kernels (one per shape). Throws a BackendError when the mode cannot run here or is 'webgpu'.
 */
export function createGpuSparseKernels(mode: string): SparseKernels {
  return syncKernels<SparseKernels>(mode, sparsePlans);
}

/** The same kernels, each returning a Promise: every mode, 'webgpu' included. */
export function createGpuSparseKernelsAsync(mode: string): AsyncSparseKernels {
  return asyncKernels<SparseKernels>(mode, sparsePlans);
}
