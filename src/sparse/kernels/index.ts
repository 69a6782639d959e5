/**
 * Sparse kernels, attached to the one backend registry (src/tensor/backend.ts): a backend's kernel
 * set may carry `sparse`, and the built-in backends get theirs here, so one switch (`setBackend` /
 * SPARSE24_BACKEND, `setGpuMode` / SPARSE24_GPU_MODE) drives both families. A backend registered
 * without sparse kernels runs the reference sparse kernels.
 */
import { extendBackend, getBackend, getGpuMode, kernelSet, listBackends } from '../../tensor/backend.js';
import { BackendError } from '../../tensor/errors.js';
import { fastSparseKernels } from './fast/index.js';
import { registerAsyncFamily } from '../../tensor/async.js';
import { createGpuSparseKernels, createGpuSparseKernelsAsync } from './gpu/index.js';
import { referenceSparseKernels } from './reference/index.js';
import type { SparseKernels } from './types.js';
import { wasmSparseKernels } from './wasm/index.js';

export type { SparseKernels } from './types.js';
export { referenceSparseKernels } from './reference/index.js';
export { fastSparseKernels } from './fast/index.js';
export { type AsyncSparseKernels, createGpuSparseKernels, createGpuSparseKernelsAsync } from './gpu/index.js';
export { wasmSparseKernels } from './wasm/index.js';

declare module '../../tensor/backend.js' {
  interface KernelSet {
    /** Inference kernels over compressed N:M weights; absent → the reference sparse kernels. */
    readonly sparse?: SparseKernels;
  }
}

const gpuSets = new Map<string, SparseKernels>();

function gpuSparse(mode: string): SparseKernels {
  let set = gpuSets.get(mode);
  if (set === undefined) {
    set = createGpuSparseKernels(mode);
    gpuSets.set(mode, set);
  }
  return set;
}

extendBackend('reference', (set) => ({ ...set, sparse: referenceSparseKernels }));
extendBackend('fast', (set) => ({ ...set, sparse: fastSparseKernels }));
extendBackend('wasm', (set) => ({ ...set, sparse: wasmSparseKernels }));
extendBackend('gpu', (set) => ({ ...set, sparse: gpuSparse(getGpuMode()) }));
// runAsync (src/tensor/async.ts) runs the sparse ops on the asynchronous sparse kernels too.
registerAsyncFamily('sparse', createGpuSparseKernelsAsync);

/**
 * The sparse kernels of a backend (the active one by default), or 'gpu/<mode>' for a named gpu.js
 * mode.
 */
export function sparseKernels(name: string = getBackend()): SparseKernels {
  if (name.startsWith('gpu/')) return gpuSparse(name.slice(4));
  if (!listBackends().includes(name)) {
    throw new BackendError(
      `no sparse kernels for backend '${name}': no such backend; available: ${listBackends().join(', ')} and 'gpu/<mode>'`,
    );
  }
  return kernelSet(name).sparse ?? referenceSparseKernels;
}
