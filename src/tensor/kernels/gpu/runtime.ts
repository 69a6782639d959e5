import type {
  GPU,
  IConstantsThis,
  IGPUKernelSettings,
  IKernelRunShortcut,
  KernelFunction,
  KernelOutput,
  ThreadKernelVariable,
} from 'gpu.js';
import { BackendError } from '../../errors.js';
import { loadGpuJs } from './load.js';

/**
 * gpu.js modes. On Node: webasm (default), cpu, and headlessgl with the optional `gl` package. In a
 * browser: webgl2 and webgl (synchronous, like the Node modes) and webgpu, whose every kernel call
 * is a Promise: it runs only through the asynchronous kernel sets (`runAsync`, `forwardAsync`).
 */
export const GPU_MODES = ['webasm', 'cpu', 'headlessgl', 'webgl', 'webgl2', 'webgpu'] as const;
export type GpuMode = (typeof GPU_MODES)[number];

/** Modes with no synchronous readback: a synchronous kernel set refuses them. */
export const ASYNC_ONLY_MODES: readonly GpuMode[] = ['webgpu'];

export function isGpuMode(mode: string): mode is GpuMode {
  return (GPU_MODES as readonly string[]).includes(mode);
}

/**
 * Checks that `mode` can run here and creates its gpu.js instance. Unsupported modes are reported
 * as BackendErrors with the reason, instead of gpu.js's generic "not supported" or a crash.
 */
export function createGpu(mode: string): GPU {
  if (!isGpuMode(mode)) {
    throw new BackendError(`unknown gpu.js mode '${mode}'; expected one of ${GPU_MODES.join(', ')}`);
  }
  const { GPU: GpuJs, resolves } = loadGpuJs();
  if (mode === 'headlessgl' && !GpuJs.isHeadlessGLSupported) {
    throw new BackendError(
      resolves('gl')
        ? "gpu.js mode 'headlessgl': the 'gl' package is installed but could not create a GL context on this machine; use SPARSE24_GPU_MODE=webasm or cpu"
        : "gpu.js mode 'headlessgl' needs the optional 'gl' package, which is not installed (npm install gl); use SPARSE24_GPU_MODE=webasm or cpu",
    );
  }
  const flags = GpuJs as unknown as Record<string, boolean | undefined>;
  const supported: Record<GpuMode, () => boolean> = {
    webasm: () => GpuJs.isWebAssemblySupported,
    cpu: () => true,
    headlessgl: () => GpuJs.isHeadlessGLSupported,
    webgl: () => GpuJs.isWebGLSupported,
    webgl2: () => GpuJs.isWebGL2Supported,
    webgpu: () => flags['isWebGPUSupported'] === true,
  };
  if (!supported[mode]()) {
    throw new BackendError(
      `gpu.js mode '${mode}' is not supported in this environment (Node has webasm and cpu; a browser adds webgl2, webgl and, with navigator.gpu, webgpu)`,
    );
  }
  return new GpuJs({ mode } as ConstructorParameters<typeof GPU>[0]);
}

/** gpu.js runs loops no longer than this unless a kernel raises its `loopMaxIterations`. */
const GPU_JS_DEFAULT_LOOP_MAX = 1000;

/** Copies a kernel result (a Float32Array, or nested arrays of them) into one fresh array. */
export function flatten(out: KernelOutput, length: number): Float32Array {
  const flat = new Float32Array(length);
  let at = 0;
  const walk = (v: unknown): void => {
    if (v instanceof Float32Array) {
      flat.set(v, at);
      at += v.length;
    } else if (Array.isArray(v)) {
      for (const item of v) walk(item);
    } else {
      throw new BackendError(
        `gpu.js returned ${typeof v} where an array result was expected (is the mode a texture-only pipeline?)`,
      );
    }
  };
  walk(out);
  if (at !== length) throw new BackendError(`gpu.js returned ${at} values, expected ${length}`);
  return flat;
}

export interface KernelSpec<A extends ThreadKernelVariable[], C extends IConstantsThis> {
  /** A kernel function: gpu.js parses its source text, it is never called from TS. */
  source: KernelFunction<A, C>;
  /** Thread grid [x, y, z]; x varies fastest, matching the row-major flattening. */
  output: [number, number, number];
  constants: C;
  /** The longest loop the kernel runs; raises gpu.js's iteration cap when needed. */
  longestLoop: number;
  /** Helper functions the kernel calls (gpu.js compiles them alongside). */
  functions?: ((...args: number[]) => number)[];
}

/** One kernel launch: the cache key that fixes its compilation, its spec (built on a miss) and its arguments. */
export interface Launch {
  readonly key: string;
  readonly spec: () => KernelSpec<ThreadKernelVariable[], IConstantsThis>;
  readonly args: ThreadKernelVariable[];
}

/** A typed launch, erased to `Launch` (gpu.js itself only sees the source text and the values). */
export function launch<A extends ThreadKernelVariable[], C extends IConstantsThis>(
  key: string,
  spec: () => KernelSpec<A, C>,
  args: A,
): Launch {
  return { key, spec: spec as unknown as Launch['spec'], args };
}

/**
 * What one kernel-set call does on the device: its launches (none for an empty result), and the
 * host work on their flat results (a transpose, an index conversion). The same plan runs
 * synchronously (`runPlan`) or asynchronously (`runPlanAsync`), so each kernel is written once.
 */
export interface GpuPlan<T> {
  readonly launches: readonly Launch[];
  finish(outs: Float32Array[]): T;
}

/** The common plan: one launch whose flat result is the answer. */
export const single = (l: Launch): GpuPlan<Float32Array> => ({ launches: [l], finish: (outs) => outs[0]! });

/** A plan that needs no device work (an empty output, say). */
export const hostOnly = <T>(value: () => T): GpuPlan<T> => ({ launches: [], finish: () => value() });

interface Compiled {
  kernel: IKernelRunShortcut | null;
  length: number;
}

/**
 * Compiled kernels, cached by a key that fixes every shape and parameter (gpu.js compiles per
 * output size and constants anyway, so a key is one compilation).
 */
export class KernelCache {
  /** A null kernel stands for an empty output, which gpu.js cannot compile. */
  private readonly compiled = new Map<string, Compiled>();

  constructor(
    private readonly gpu: GPU,
    readonly mode: string = 'cpu',
  ) {}

  get size(): number {
    return this.compiled.size;
  }

  private compile(l: Launch): Compiled {
    let entry = this.compiled.get(l.key);
    if (entry === undefined) {
      const s = l.spec();
      const length = s.output[0] * s.output[1] * s.output[2];
      const settings: IGPUKernelSettings = {
        output: s.output,
        constants: s.constants,
        precision: 'single',
        tactic: 'precision',
      };
      if (s.functions !== undefined) settings.functions = s.functions;
      // loopMaxIterations is honoured by every gpu.js backend but missing from its settings typing.
      const withLoops = { ...settings, loopMaxIterations: Math.max(GPU_JS_DEFAULT_LOOP_MAX, s.longestLoop + 1) };
      entry = { kernel: length === 0 ? null : this.gpu.createKernel(s.source, withLoops), length };
      this.compiled.set(l.key, entry);
    }
    return entry;
  }

  /** Runs one launch and waits for it: the synchronous modes only. */
  run(l: Launch): Float32Array {
    const entry = this.compile(l);
    if (entry.kernel === null) return new Float32Array(0);
    const out: unknown = entry.kernel(...l.args);
    if (out instanceof Promise) {
      throw new BackendError(
        `gpu.js mode '${this.mode}' returned a Promise to a synchronous kernel call; use the asynchronous kernel sets (runAsync, forwardAsync)`,
      );
    }
    return flatten(out as KernelOutput, entry.length);
  }

  /** Runs one launch in any mode: the Promise resolves once the result is read back. */
  async runAsync(l: Launch): Promise<Float32Array> {
    const entry = this.compile(l);
    if (entry.kernel === null) return new Float32Array(0);
    const out = (await (entry.kernel(...l.args) as unknown)) as KernelOutput;
    return flatten(out, entry.length);
  }
}

export function runPlan<T>(cache: KernelCache, plan: GpuPlan<T>): T {
  return plan.finish(plan.launches.map((l) => cache.run(l)));
}

/** Launches are awaited one after another: gpu.js kernels of one instance share its device state. */
export async function runPlanAsync<T>(cache: KernelCache, plan: GpuPlan<T>): Promise<T> {
  const outs: Float32Array[] = [];
  for (const l of plan.launches) outs.push(await cache.runAsync(l));
  return plan.finish(outs);
}
