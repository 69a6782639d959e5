/**
 * The one backend registry. A backend is a named kernel set: its dense kernels, and whatever the
 * layers above add to it (src/sparse adds `sparse`, by augmenting `KernelSet` and calling
 * `extendBackend` for the built-in backends). Every op asks the active backend for its kernels, so
 * selecting a backend (`setBackend`, or $SPARSE24_BACKEND) changes every op at once.
 *
 * Built-in: 'reference' (the oracle), 'fast' (register-blocked JS), 'wasm' (WebAssembly SIMD128 on
 * threads), 'gpu' (gpu.js in the mode `setGpuMode` / $SPARSE24_GPU_MODE picks).
 */
import { BackendError } from './errors.js';
import { envVar } from './host.js';
import { fastKernels } from './kernels/fast/index.js';
import { GPU_MODES, createGpuKernels, isGpuMode } from './kernels/gpu/index.js';
import { referenceKernels } from './kernels/reference/index.js';
import type { DenseKernels } from './kernels/types.js';
import { wasmAvailable, wasmKernels } from './kernels/wasm/index.js';
import { type RegisterOptions, Registry } from './registry.js';

export type { RegisterOptions } from './registry.js';

export type BackendName = 'reference' | 'fast' | 'wasm' | 'gpu';

/**
 * What a backend provides. Layers above the tensor core add optional fields by declaration merging
 * (`declare module '.../tensor/backend.js' { interface KernelSet { sparse?: SparseKernels } }`); a
 * backend that leaves one out gets that layer's fallback (the reference sparse kernels, say).
 */
export interface KernelSet {
  readonly dense: DenseKernels;
}

type Factory = () => KernelSet;
type Extension = (set: KernelSet) => KernelSet;

const factories = new Registry<Factory>('backend', BackendError);
const extensions = new Map<string, Extension[]>();
const instances = new Map<string, KernelSet>();
let active: string | null = null;

/**
 * Registers a backend: a kernel set, or a function that builds one on first use (so a gpu.js or wasm
 * backend costs nothing until it is selected). The rules are every registry's (`registry.ts`): a
 * new name, or `{ replace: true }`; the built-in backends cannot be replaced.
 */
export function registerBackend(name: string, kernels: KernelSet | Factory, options: RegisterOptions = {}): void {
  factories.register(name, typeof kernels === 'function' ? kernels : () => kernels, options);
  instances.delete(name);
}

/** Removes a backend registered with `registerBackend`; returns whether it existed. Built-ins cannot be removed. */
export function unregisterBackend(name: string): boolean {
  instances.delete(name);
  if (active === name) active = null;
  return factories.unregister(name);
}

function builtinBackend(name: BackendName, factory: Factory): void {
  factories.builtin(name, factory);
}

/**
 * Adds to the kernel set of backend `name` (registered now or later) when it is built: how a layer
 * above the tensor core attaches its kernels to the built-in backends.
 */
export function extendBackend(name: string, extend: Extension): void {
  extensions.set(name, [...(extensions.get(name) ?? []), extend]);
  instances.delete(name);
}

export function listBackends(): string[] {
  return factories.names();
}

/** Selects the backend every op uses from now on. */
export function setBackend(name: string): void {
  factories.get(name);
  active = name;
}

/** The active backend's name: set explicitly, else $SPARSE24_BACKEND, else 'reference'. */
export function getBackend(): string {
  if (active === null) {
    const fromEnv = envVar('SPARSE24_BACKEND');
    setBackend(fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'reference');
  }
  return active!;
}

/** The whole kernel set of a backend (the active one by default). */
export function kernelSet(name: string = getBackend()): KernelSet {
  let set = instances.get(name);
  if (set === undefined) {
    const factory = factories.get(name);
    set = (extensions.get(name) ?? []).reduce((s, extend) => extend(s), factory());
    instances.set(name, set);
  }
  return set;
}

/** The dense kernels of a backend (the active one by default). */
export function kernels(name: string = getBackend()): DenseKernels {
  return kernelSet(name).dense;
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

builtinBackend('reference', () => ({ dense: referenceKernels }));
builtinBackend('fast', () => ({ dense: fastKernels }));
if (wasmAvailable()) builtinBackend('wasm', () => ({ dense: wasmKernels }));

let gpuMode: string | null = null;

/** The gpu.js mode backend 'gpu' uses: set explicitly, else $SPARSE24_GPU_MODE, else 'webasm'. */
export function getGpuMode(): string {
  if (gpuMode === null) {
    const fromEnv = envVar('SPARSE24_GPU_MODE');
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
  instances.delete('gpu');
}

builtinBackend('gpu', () => ({ dense: createGpuKernels(getGpuMode()) }));
