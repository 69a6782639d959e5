/**
 * The lab's kernel benchmark and compressed-inference check, per backend of this browser: a dense
 * Linear (x·Wᵀ, W masked 2:4) against the same weight compressed (sparseLinear), and the trained 2:4
 * demo model (./demo_model.ts) run compressed on the digits test set. Each mode is selected through
 * the library's backend API (setBackend, setGpuMode, setWasmThreads); gpu.js `webgpu`, whose readback
 * is asynchronous, runs the same calls through `runAsync`. A mode that throws is recorded with its
 * error, not fatal. max |Δ| is against the reference backend's dense result (for the model: the
 * masked dense model's logits on reference). Times are medians of a few runs after a warm-up
 * (compilation excluded): a browser's clock is coarse, so read them as rough.
 */
import {
  MT19937,
  type Tensor,
  compressWeight,
  createMask,
  fromArray,
  linear,
  noGrad,
  runAsync,
  setBackend,
  setGpuMode,
  setWasmThreads,
  sparseLinear,
  wasmReady,
} from 'sparse24';
import { type DemoModel, accuracy } from './demo_model.js';
import { maxAbsDiff } from './max_abs_diff.js';

export interface ModeSpec {
  readonly mode: string;
  readonly backend: string;
  readonly gpuMode: string | null;
  /** Run through `runAsync` (gpu.js webgpu: no synchronous readback). */
  readonly async?: boolean;
  /** wasm: the threads asked for (the calling thread included). */
  readonly threads?: number;
}

/**
 * Threads of the multi-threaded wasm row: this browser's cores, and at least 2 so the row shows
 * threads even on a one-core machine (where it cannot be faster).
 */
const WASM_THREADS = Math.max(2, globalThis.navigator?.hardwareConcurrency ?? 2);

export const LAB_MODES: readonly ModeSpec[] = [
  { mode: 'reference', backend: 'reference', gpuMode: null },
  { mode: 'wasm/1t', backend: 'wasm', gpuMode: null, threads: 1 },
  { mode: `wasm/${WASM_THREADS}t`, backend: 'wasm', gpuMode: null, threads: WASM_THREADS },
  { mode: 'webgl2', backend: 'gpu', gpuMode: 'webgl2' },
  { mode: 'webgpu', backend: 'gpu', gpuMode: 'webgpu', async: true },
];

export interface ModeResult extends ModeSpec {
  /** wasm: the threads the kernels really ran on (1 in a page that is not cross-origin isolated). */
  readonly threadsRan: number | null;
  /** wasm: why fewer threads ran than were asked for, or null. */
  readonly threadNote: string | null;
  /** Everything ran; false means `error` says what threw. */
  readonly ran: boolean;
  readonly error: string | null;
  readonly denseMs: number | null;
  readonly sparseMs: number | null;
  /** denseMs / sparseMs, measured in the same run. */
  readonly speedup: number | null;
  readonly maxAbsDiffDense: number | null;
  readonly maxAbsDiffSparse: number | null;
  /** The demo model run compressed on this mode: its logits against the masked dense model's on reference. */
  readonly maxAbsDiffModel: number | null;
  /** The compressed demo model's accuracy on the digits test set, on this mode. */
  readonly modelAccuracy: number | null;
}

export interface BenchShape {
  readonly batch: number;
  readonly inFeatures: number;
  readonly outFeatures: number;
}

export const LAB_BENCH_SHAPE: BenchShape = { batch: 64, inFeatures: 512, outFeatures: 512 };

function gaussian(shape: number[], g: MT19937): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromArray(
    Float32Array.from({ length: n }, () => g.nextGauss()),
    shape,
  );
}

async function median(fn: () => unknown, runs: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)]!;
}

/** The fixed inputs of a run: seeded, so every mode (and every browser) sees the same numbers. */
export function benchInputs(demo: DemoModel, shape: BenchShape = LAB_BENCH_SHAPE) {
  const g = new MT19937(2024);
  const x = gaussian([shape.batch, shape.inFeatures], g);
  const w = gaussian([shape.outFeatures, shape.inFeatures], g);
  const mask = createMask(w, 'm4n2_1d');
  for (let i = 0; i < mask.length; i++) if (mask[i] === 0) w.data[i] = 0;
  const compressed = compressWeight(w.data, mask, w.shape);
  return { x, w, compressed, demo };
}

export type BenchInputs = ReturnType<typeof benchInputs>;

/** The reference backend's outputs every mode is compared with. */
export function referenceOutputs(i: BenchInputs): { dense: Float32Array; model: Float32Array } {
  setBackend('reference');
  return noGrad(() => ({ dense: linear(i.x, i.w).data, model: i.demo.model.call(i.demo.images).data }));
}

/** Runs one mode; never rejects (a failing mode is a row with its error). */
export async function runMode(
  spec: ModeSpec,
  i: BenchInputs,
  ref: { dense: Float32Array; model: Float32Array },
  runs = 5,
): Promise<ModeResult> {
  try {
    if (spec.gpuMode !== null) setGpuMode(spec.gpuMode);
    setBackend(spec.backend);
    let threadsRan: number | null = null;
    let threadNote: string | null = null;
    if (spec.threads !== undefined) {
      setWasmThreads(spec.threads);
      // In a page the worker threads start in the background: wait for them before timing.
      const info = await wasmReady();
      threadsRan = info.threads;
      threadNote = info.threadNote;
    }
    const on = async <T>(fn: () => T): Promise<T> =>
      spec.async === true ? runAsync(() => noGrad(fn), { mode: spec.gpuMode ?? undefined }) : noGrad(fn);
    const dense = (await on(() => linear(i.x, i.w))).data;
    const sparse = (await on(() => sparseLinear(i.x, i.compressed))).data;
    const model = (await on(() => i.demo.sparseModel.call(i.demo.images))).data;
    const denseMs = await median(() => on(() => linear(i.x, i.w)), runs);
    const sparseMs = await median(() => on(() => sparseLinear(i.x, i.compressed)), runs);
    return {
      ...spec,
      ran: true,
      error: null,
      threadsRan,
      threadNote,
      denseMs,
      sparseMs,
      speedup: denseMs / sparseMs,
      maxAbsDiffDense: maxAbsDiff(dense, ref.dense),
      maxAbsDiffSparse: maxAbsDiff(sparse, ref.dense),
      maxAbsDiffModel: maxAbsDiff(model, ref.model),
      modelAccuracy: accuracy(model, i.demo.labels),
    };
  } catch (e) {
    const error = (e as Error).message ?? String(e);
    return {
      ...spec,
      ran: false,
      error,
      threadsRan: null,
      threadNote: null,
      denseMs: null,
      sparseMs: null,
      speedup: null,
      maxAbsDiffDense: null,
      maxAbsDiffSparse: null,
      maxAbsDiffModel: null,
      modelAccuracy: null,
    };
  } finally {
    setBackend('reference');
  }
}
