/**
 * The wasm backend's runtime: the compiled kernel module, its shared memory and heap, and the thread
 * pool, created once on first use. The thread count comes from `setWasmThreads`, else
 * $SPARSE24_THREADS, else the number of cores; where shared memory or worker threads are unavailable
 * it is 1 and `wasmInfo().threadNote` says why.
 */
import { BackendError } from '../../errors.js';
import { envVar, nodeBuiltin } from '../../host.js';
import { WeightCache } from './cache.js';
import { WasmHeap } from './heap.js';
import { KERNELS_RELAXED, KERNELS_RELAXED_SHARED, KERNELS_SIMD, KERNELS_SIMD_SHARED } from './kernels.generated.js';
import { ThreadPool, threadSupport } from './pool.js';

/** The exported kernels, by name: every one takes (tid, threads, ...integer arguments). */
export const KERNEL_NAMES = [
  'packPanels',
  'packStrips',
  'gemm',
  'gemvNT',
  'addBias',
  'addChannelBias',
  'setGeometry',
  'im2col',
  'col2im',
  'spmmPanels',
  'spmvRows',
  'spmv24Pairs',
  'maxPool',
  'maxPoolBackward',
  'avgPool',
  'avgPoolBackward',
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/** Pooling kernels take (planes, D, H, W, OD, OH, OW, KD, KH, KW, ...) first. */
const poolWindows = (a: readonly number[]): number => a[0]! * a[4]! * a[5]! * a[6]! * a[7]! * a[8]! * a[9]!;
const poolInputs = (a: readonly number[]): number => a[0]! * a[1]! * a[2]! * a[3]!;

/**
 * Roughly how many inner-loop steps a call does, from its arguments (`columns`: the column-matrix
 * size rows × L of the last setGeometry). A call below MIN_PARALLEL_WORK runs on the calling thread
 * alone: waking a worker costs tens of microseconds, more than such a call takes.
 */
const WORK: Record<KernelName, (a: readonly number[], columns: number) => number> = {
  packPanels: (a) => a[3]! * a[4]!,
  packStrips: (a) => a[3]! * a[4]!,
  gemm: (a) => a[2]! * a[3]! * a[4]!,
  gemvNT: (a) => a[2]! * a[3]! * a[4]!,
  addBias: (a) => a[2]! * a[3]!,
  addChannelBias: (a) => a[2]! * a[4]!,
  // Sets per-instance state: always on every thread.
  setGeometry: () => Infinity,
  im2col: (_a, columns) => columns,
  col2im: (_a, columns) => columns,
  spmmPanels: (a) => (a[3]! * a[6]! * a[5]!) / 128,
  spmvRows: (a) => (a[2]! * a[4]! * a[5]!) / 2,
  spmv24Pairs: (a) => (a[2]! * a[4]! * a[5]!) / 2,
  maxPool: poolWindows,
  maxPoolBackward: (a) => a[0]! * a[4]! * a[5]! * a[6]! + poolInputs(a),
  avgPool: poolWindows,
  avgPoolBackward: (a) => poolWindows(a) + poolInputs(a),
};
const MIN_PARALLEL_WORK = 1 << 17;

export interface WasmRuntime {
  readonly heap: WasmHeap;
  readonly threads: number;
  /** Packed weights kept between calls (see cache.ts). */
  readonly cache: WeightCache;
  /** Runs a kernel on every thread (each takes its own slice of the work). */
  run(name: KernelName, ...args: number[]): void;
}

/** Bytes of packed weights kept before the least recently used are dropped. */
const CACHE_BUDGET = 1 << 30;

let requested: number | null = null;
let runtime: RuntimeImpl | null = null;
let note: string | null = null;
let relaxed = false;
const compiled = new Map<string, WebAssembly.Module>();

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Whether this JavaScript engine runs WebAssembly SIMD128 (the kernel module validates). */
export function wasmAvailable(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(decodeBase64(KERNELS_SIMD));
}

/**
 * Whether the relaxed-SIMD (fused multiply-add) build is used: where the engine validates it
 * (Chrome 114+, Node with --experimental-wasm-relaxed-simd) unless $SPARSE24_WASM_SIMD=base.
 */
export function relaxedSimd(): boolean {
  if (envVar('SPARSE24_WASM_SIMD') === 'base') return false;
  return typeof WebAssembly === 'object' && WebAssembly.validate(decodeBase64(KERNELS_RELAXED));
}

/** The kernel module for a shared (threads) or unshared memory. */
function kernelModule(shared: boolean, relaxed: boolean): WebAssembly.Module {
  const key = `${shared}/${relaxed}`;
  let m = compiled.get(key);
  if (m === undefined) {
    if (!wasmAvailable())
      throw new BackendError('wasm backend: this JavaScript engine does not support WebAssembly SIMD128');
    const source = relaxed
      ? shared
        ? KERNELS_RELAXED_SHARED
        : KERNELS_RELAXED
      : shared
        ? KERNELS_SIMD_SHARED
        : KERNELS_SIMD;
    m = new WebAssembly.Module(decodeBase64(source));
    compiled.set(key, m);
  }
  return m;
}

function coreCount(): number {
  const os = nodeBuiltin<{ availableParallelism?: () => number }>('node:os');
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return os?.availableParallelism?.() ?? nav?.hardwareConcurrency ?? 1;
}

function threadsFromEnv(): number | null {
  const raw = envVar('SPARSE24_THREADS');
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new BackendError(`SPARSE24_THREADS must be a positive integer, got '${raw}'`);
  return n;
}

/**
 * Sets the wasm backend's thread count (the calling thread included). Takes effect at once: a
 * running pool is stopped and the next kernel call starts one of the new size.
 */
export function setWasmThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new BackendError(`wasm threads must be an integer in 1..256, got ${threads}`);
  }
  requested = threads;
  closeRuntime();
}

/** Stops the worker threads and drops the memory (cached weights included). */
export function closeRuntime(): void {
  runtime?.close();
  runtime = null;
}

/** The thread count asked for (option, environment, or cores), before availability is checked. */
export function requestedThreads(): number {
  return requested ?? threadsFromEnv() ?? coreCount();
}

export interface WasmInfo {
  simd: boolean;
  /** The relaxed-SIMD (fused multiply-add) build runs. */
  relaxed: boolean;
  /** Threads the kernels run on now (in a browser page: 1 until the workers are up, see `wasmReady`). */
  threads: number;
  /** Why fewer threads run than were asked for, or null. */
  threadNote: string | null;
  /** Kernel calls so far that ran on every thread (calls below a size threshold run on one). */
  parallelCalls: number;
}

/** What the wasm backend runs with here (starts the runtime). */
export function wasmInfo(): WasmInfo {
  const rt = wasmRuntime() as RuntimeImpl;
  const pool = rt.pool;
  let threadNote = note;
  if (pool.failure !== null)
    threadNote = `wasm backend: running on 1 thread instead of ${pool.threads}: ${pool.failure}`;
  else if (pool.activeThreads < pool.threads)
    threadNote = `wasm backend: ${pool.threads - 1} worker threads are starting; kernels run on 1 thread until they are up (await wasmReady())`;
  return { simd: true, relaxed, threads: pool.activeThreads, threadNote, parallelCalls: pool.parallelCalls };
}

/**
 * Starts the runtime and resolves, with what it runs on, once its worker threads are up. On Node the
 * threads start synchronously, so this resolves at once; in a browser page, whose main thread may
 * not block, workers start in the background and kernels run on the calling thread alone until they
 * are up. Await it before timing the wasm backend in a page. Never rejects for want of threads: a
 * pool that could not start runs on one thread and `threadNote` says why.
 */
export async function wasmReady(): Promise<WasmInfo> {
  await (wasmRuntime() as RuntimeImpl).pool.started;
  return wasmInfo();
}

interface RuntimeImpl extends WasmRuntime {
  readonly pool: ThreadPool;
  close(): void;
}

/** The runtime, created on first use. */
export function wasmRuntime(): WasmRuntime {
  if (runtime === null) runtime = createRuntime();
  return runtime;
}

function createRuntime(): RuntimeImpl {
  let threads = requestedThreads();
  note = null;
  const support = threadSupport();
  if (threads > 1 && !support.ok) {
    note = `wasm backend: running on 1 thread instead of ${threads}: ${support.reason}`;
    threads = 1;
  }
  const shared = typeof SharedArrayBuffer !== 'undefined';
  relaxed = relaxedSimd();
  const module = kernelModule(shared, relaxed);
  const heap = new WasmHeap(shared);
  const main = new WebAssembly.Instance(module, {
    env: {
      memory: heap.memory,
      abort: () => {
        throw new BackendError('wasm kernel aborted');
      },
    },
  }).exports;
  writeSwizzleTable(heap);
  const pool = new ThreadPool(module, heap.memory, main, KERNEL_NAMES, threads);
  let columns = 0;
  return {
    heap,
    threads,
    cache: new WeightCache(heap, CACHE_BUDGET),
    pool,
    run: (name, ...args) => {
      if (name === 'setGeometry') {
        // rows (C·P) × L of the column matrix the next im2col/col2im calls walk.
        columns = args[0]! * args[4]! * args[5]! * args[6]! * args[7]! * args[8]! * args[9]!;
      }
      pool.run(name, args, WORK[name](args, columns) < MIN_PARALLEL_WORK ? 1 : threads);
    },
    close: () => pool.close(),
  };
}

/** Where the 36 swizzle masks of the 2:4 batch-1 kernel live (inside the reserved first page). */
export const SWIZZLE_TABLE = 1024;

/** The 6 ways to keep 2 of 4 positions, in the order the pattern byte numbers them. */
export const PAIRS_OF_FOUR: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 2],
  [0, 3],
  [1, 2],
  [1, 3],
  [2, 3],
];

/**
 * Mask 6·a + b gathers, from four inputs, the two row a keeps into lanes 0–1 and the two row b keeps
 * into lanes 2–3 (byte indices for i8x16.swizzle).
 */
function writeSwizzleTable(heap: WasmHeap): void {
  const bytes = heap.u8(SWIZZLE_TABLE, 36 * 16);
  for (let a = 0; a < 6; a++) {
    for (let b = 0; b < 6; b++) {
      const lanes = [...PAIRS_OF_FOUR[a]!, ...PAIRS_OF_FOUR[b]!];
      lanes.forEach((pos, lane) => {
        for (let byte = 0; byte < 4; byte++) bytes[(6 * a + b) * 16 + lane * 4 + byte] = pos * 4 + byte;
      });
    }
  }
}
