import { createRequire } from 'node:module';
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

/** gpu.js modes a synchronous backend can run in. On Node: webasm (default), cpu, and headlessgl with `gl`. */
export const GPU_MODES = ['webasm', 'cpu', 'headlessgl', 'webgl', 'webgl2'] as const;
export type GpuMode = (typeof GPU_MODES)[number];

export function isGpuMode(mode: string): mode is GpuMode {
  return (GPU_MODES as readonly string[]).includes(mode);
}

type GpuClass = typeof GPU;

/** Loads gpu.js on first use, so the reference backend never pays for it. */
function loadGpuJs(): { GPU: GpuClass; require: NodeJS.Require } {
  const require = createRequire(import.meta.url);
  return { GPU: (require('gpu.js') as { GPU: GpuClass }).GPU, require };
}

/**
 * Checks that `mode` can run here and creates its gpu.js instance. Unsupported modes are reported
 * as BackendErrors with the reason, instead of gpu.js's generic "not supported" or a crash.
 */
export function createGpu(mode: string): GPU {
  if (!isGpuMode(mode)) {
    throw new BackendError(`unknown gpu.js mode '${mode}'; expected one of ${GPU_MODES.join(', ')}`);
  }
  const { GPU: GpuJs, require } = loadGpuJs();
  if (mode === 'headlessgl' && !GpuJs.isHeadlessGLSupported) {
    let installed = true;
    try {
      require.resolve('gl');
    } catch {
      installed = false;
    }
    throw new BackendError(
      installed
        ? "gpu.js mode 'headlessgl': the 'gl' package is installed but could not create a GL context on this machine; use SPARSE24_GPU_MODE=webasm or cpu"
        : "gpu.js mode 'headlessgl' needs the optional 'gl' package, which is not installed (npm install gl); use SPARSE24_GPU_MODE=webasm or cpu",
    );
  }
  const supported: Record<GpuMode, () => boolean> = {
    webasm: () => GpuJs.isWebAssemblySupported,
    cpu: () => true,
    headlessgl: () => GpuJs.isHeadlessGLSupported,
    webgl: () => GpuJs.isWebGLSupported,
    webgl2: () => GpuJs.isWebGL2Supported,
  };
  if (!supported[mode]()) {
    throw new BackendError(`gpu.js mode '${mode}' is not supported in this environment (Node has webasm and cpu)`);
  }
  return new GpuJs({ mode });
}

/** gpu.js runs loops no longer than this unless a kernel raises its `loopMaxIterations`. */
const GPU_JS_DEFAULT_LOOP_MAX = 1000;

/** Copies a webasm/cpu kernel result (a Float32Array, or nested arrays of them) into one fresh array. */
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

/**
 * Compiled kernels, cached by a key that fixes every shape and parameter (gpu.js compiles per
 * output size and constants anyway, so a key is one compilation).
 */
export class KernelCache {
  /** A null kernel stands for an empty output, which gpu.js cannot compile. */
  private readonly compiled = new Map<string, { kernel: IKernelRunShortcut | null; length: number }>();

  constructor(private readonly gpu: GPU) {}

  get size(): number {
    return this.compiled.size;
  }

  run<A extends ThreadKernelVariable[], C extends IConstantsThis>(
    key: string,
    spec: () => KernelSpec<A, C>,
    args: A,
  ): Float32Array {
    let entry = this.compiled.get(key);
    if (entry === undefined) {
      const s = spec();
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
      entry = { kernel: length === 0 ? null : this.gpu.createKernel<A, C>(s.source, withLoops), length };
      this.compiled.set(key, entry);
    }
    if (entry.kernel === null) return new Float32Array(0);
    return flatten(entry.kernel(...args), entry.length);
  }
}
