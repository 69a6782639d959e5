/**
 * Sparse kernel backends, chosen by the dense backend's name so one switch
 * (`setBackend` / SPARSE24_BACKEND, `setGpuMode` / SPARSE24_GPU_MODE) drives both families.
 */
import { getBackend, getGpuMode } from '../../tensor/backend.js';
import { BackendError } from '../../tensor/errors.js';
import { fastSparseKernels } from './fast/index.js';
import { createGpuSparseKernels } from './gpu/index.js';
import { referenceSparseKernels } from './reference/index.js';
import type { SparseKernels } from './types.js';

export type { SparseKernels } from './types.js';
export { referenceSparseKernels } from './reference/index.js';
export { fastSparseKernels } from './fast/index.js';
export { createGpuSparseKernels } from './gpu/index.js';

const gpuSets = new Map<string, SparseKernels>();

/**
 * The sparse kernels of a backend: 'reference', 'fast', 'gpu' (in the current gpu.js mode) or
 * 'gpu/<mode>' for a named mode. Defaults to the active dense backend.
 */
export function sparseKernels(name: string = getBackend()): SparseKernels {
  if (name === 'reference') return referenceSparseKernels;
  if (name === 'fast') return fastSparseKernels;
  const mode = name === 'gpu' ? getGpuMode() : name.startsWith('gpu/') ? name.slice(4) : null;
  if (mode === null) {
    throw new BackendError(`no sparse kernels for backend '${name}'; sparse kernels exist for 'reference', 'fast', 'gpu' and 'gpu/<mode>'`);
  }
  let set = gpuSets.get(mode);
  if (set === undefined) {
    set = createGpuSparseKernels(mode);
    gpuSets.set(mode, set);
  }
  return set;
}
