import type { AsyncDenseKernels, DenseKernels } from '../tensor/index.js';
import { kernels, setWasmThreads } from '../tensor/index.js';
import { createGpuKernels, createGpuKernelsAsync } from '../tensor/kernels/gpu/index.js';
import type { BenchCase } from './cases.js';
import { benchData, convOperandSizes, gemmOperandSizes } from './cases.js';
import type { Implementation } from './implementation.js';

/**
 * A dense kernel set on the case's operands (A·B, x·Wᵀ, or the convolution). An asynchronous set
 * (gpu.js webgpu, in a browser) makes `run` return a Promise of the output, which the caller awaits.
 */
export function denseImplementation(backend: string, k: DenseKernels | AsyncDenseKernels): Implementation {
  return {
    name: `sparse24 ${backend}`,
    peer: false,
    backend,
    variant: 'dense',
    async prepare(c: BenchCase) {
      selectThreads(backend);
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

/**
 * The backend names a run covers: the reference oracle, the fast plain-TS kernels, wasm on one
 * thread and on `threads` (when more than one), and gpu.js in each mode given.
 */
export function backendNames(gpuModes: readonly string[], threads: number): string[] {
  return ['reference', 'fast', ...wasmBackendNames(threads), ...gpuModes.map((m) => `gpu/${m}`)];
}

/** The backends a browser run covers, in order (no `fast`; gpu.js in the browser's GL and WebGPU modes). */
export function browserBackendNames(threads: number): string[] {
  return ['reference', ...wasmBackendNames(threads), 'gpu/webgl2', ASYNC_GPU_BACKEND];
}

/** wasm on one thread, and on `threads` when more than one. */
function wasmBackendNames(threads: number): string[] {
  return threads > 1 ? ['wasm/1t', `wasm/${threads}t`] : ['wasm/1t'];
}

/** `wasm/<n>t` runs the wasm backend on n threads. */
export function wasmThreadsOf(backend: string): number | null {
  const m = /^wasm\/(\d+)t$/.exec(backend);
  return m === null ? null : Number(m[1]);
}

/** Sets the thread count a wasm row runs on (before its inputs are prepared). */
export function selectThreads(backend: string): void {
  const t = wasmThreadsOf(backend);
  if (t !== null) setWasmThreads(t);
}

/** `gpu/webgpu` is asynchronous in gpu.js (no synchronous readback): its rows use the async kernel sets. */
export const ASYNC_GPU_BACKEND = 'gpu/webgpu';

/** The dense kernel set a bench backend name runs (the Node bench's and the browser bench page's). */
export function denseKernelsFor(backend: string): DenseKernels | AsyncDenseKernels {
  if (backend === 'reference' || backend === 'fast') return kernels(backend);
  if (wasmThreadsOf(backend) !== null) return kernels('wasm');
  const mode = backend.slice('gpu/'.length);
  return backend === ASYNC_GPU_BACKEND ? createGpuKernelsAsync(mode) : createGpuKernels(mode);
}
