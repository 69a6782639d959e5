/**
 * The `wasm` backend's dense kernels: WebAssembly SIMD128 kernels compiled from AssemblyScript
 * (./assembly), run on every thread of a pool over one shared memory (./pool.ts). Pooling runs
 * scalar wasm loops over the batch·channel planes (./pooling.ts) that give the reference's results
 * bit for bit.
 */
import type { DenseKernels } from '../types.js';
import { conv, convBackwardInput, convBackwardWeight } from './conv.js';
import { gemm } from './gemm.js';
import { avgPool, avgPoolBackward, maxPool, maxPoolBackward } from './pooling.js';

export const wasmKernels: DenseKernels = {
  name: 'wasm',
  gemm,
  conv: (x, w, bias, p) => conv(x, w, bias, p, p.wStamp),
  convBackwardInput,
  convBackwardWeight,
  maxPool,
  maxPoolBackward,
  avgPool,
  avgPoolBackward,
};

export { THIN_ROWS } from './gemm.js';
export { panelBytes, stripBytes } from './layout.js';
export { setGeometry } from './conv.js';
export type { Scratch } from './heap.js';
export type { Packed } from './cache.js';
export {
  PAIRS_OF_FOUR,
  SWIZZLE_TABLE,
  type KernelName,
  type WasmInfo,
  type WasmRuntime,
  closeRuntime,
  relaxedSimd,
  requestedThreads,
  setWasmThreads,
  wasmAvailable,
  wasmInfo,
  wasmReady,
  wasmRuntime,
} from './runtime.js';
export { threadSupport } from './pool.js';
