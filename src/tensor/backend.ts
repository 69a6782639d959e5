import { BackendError } from './errors.js';
import { fastKernels } from './kernels/fast/index.js';
import { GPU_MODES, createGpuKernels, isGpuMode } from './kernels/gpu/index.js';
import { referenceKernels } from './kernels/reference/index.js';
import type { DenseKernels } from './kernels/types.js';

export type BackendName = 'reference' | 'fast' | 'gpu';

type Factory = () => DenseKernels;

const factories = new Map<string, Factory>();
const instances = new Map<string, DenseKernels>();
let active: string | null = null;

/**
 * Registers a kernel backend under a name. Backends are created lazily on first use, so a gpu.js
 * backend costs nothing until it is selected. Registering an existing name replaces it, which is
 * how a faster implementation is dropped in.
 */
export function registerBackend(name: string, factory: Factory): void {
  factories.set(name, factory);
  instances.delete(name);
}

export function listBackends(): string[] {
  return [...factories.keys()];
}

/** Selects the backend every op uses from now on. */
export function setBackend(name: string): void {
  if (!factories.has(name)) {
    throw new BackendError(`unknown backend '${name}'; available: ${listBackends().join(', ')}`);
  }
  active = name;
}

/** The active backend's name: set explicitly, else $SPARSE24_BACKEND, else 'reference'. */
export function getBackend(): string {
  if (active === null) {
    const fromEnv = process.env['SPARSE24_BACKEND'];
    setBackend(fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'reference');
  }
  return active!;
}

/** The kernels of a backend (the active one by default). */
export function kernels(name: string = getBackend()): DenseKernels {
  let k = instances.get(name);
  if (k === undefined) {
    const factory = factories.get(name);
    if (factory === undefined) {
      throw new BackendError(`unknown backend '${name}'; available: ${listBackends().join(', ')}`);
    }
    k = factory();
    instances.set(name, k);
  }
  return k;
}

/** Runs `fn` with another backend active, then restores the previous one. */
export function withBackend<T>(name: string, fn: () => T): T {
  const prev = getBackend();
  setBackend(name);
  try {
    return fn();
  } finally {
    setBackend(prev);
  }
}

registerBackend('reference', () => referenceKernels);
registerBackend('fast', () => fastKernels);

let gpuMode: string | null = null;

/** The gpu.js mode backend 'gpu' uses: set explicitly, else $SPARSE24_GPU_MODE, else 'webasm'. */
export function getGpuMode(): string {
  if (gpuMode === null) {
    const fromEnv = process.env['SPARSE24_GPU_MODE'];
    return fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'webasm';
  }
  return gpuMode;
}

/**
 * Selects the gpu.js mode of backend 'gpu'. The next use of the backend builds a fresh kernel set
 * in that mode (a mode that cannot run here throws a BackendError then, naming the reason).
 */
export function setGpuMode(mode: string): void {
  if (!isGpuMode(mode)) {
    throw new BackendError(`unknown gpu.js mode '${mode}'; expected one of ${GPU_MODES.join(', ')}`);
  }
  gpuMode = mode;
  registerBackend('gpu', () => createGpuKernels(getGpuMode()));
}

registerBackend('gpu', () => createGpuKernels(getGpuMode()));
