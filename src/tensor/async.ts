/**
 * Running synchronous engine code on asynchronous kernels (gpu.js webgpu, whose readback is a
 * Promise), without a second, async copy of every op and layer.
 *
 * `runAsync(fn)` runs `fn` on a temporary backend whose kernels are a replay log over async kernel
 * sets. A kernel call the log has not seen yet starts the async kernel, records its Promise and
 * aborts the run (it throws a private `PendingKernel`); `runAsync` awaits it and runs `fn` again
 * from the start. On the replay every recorded call returns its result at once, and the run goes
 * one kernel further. A function making L kernel calls runs L + 1 times, but each kernel runs once
 * on the device; what is repeated is the host work between kernels (elementwise ops, shape logic),
 * which for an inference pass is small next to the kernels. `fn` must be deterministic and free of
 * side effects that a repetition would double: inference under `noGrad` (see `forwardAsync`), not
 * training steps.
 */
import { BackendError } from './errors.js';
import { type KernelSet, getGpuMode, registerBackend, unregisterBackend, withBackend } from './backend.js';
import { createGpuKernelsAsync } from './kernels/gpu/index.js';

/** A kernel family whose kernels return Promises (`AsyncKernels<K>`), erased to what the replay needs. */
type AsyncFamily = { readonly name: string };

/** Makes the async families of one gpu.js mode; layers above add theirs (`registerAsyncFamily`). */
const familyFactories = new Map<string, (mode: string) => AsyncFamily>([['dense', createGpuKernelsAsync]]);

/** Adds a kernel family (by its KernelSet field name, e.g. 'sparse') to what `runAsync` provides. */
export function registerAsyncFamily(field: string, create: (mode: string) => AsyncFamily): void {
  familyFactories.set(field, create);
  sets.clear();
}

const sets = new Map<string, Record<string, AsyncFamily>>();

function asyncSets(mode: string): Record<string, AsyncFamily> {
  let set = sets.get(mode);
  if (set === undefined) {
    set = {};
    for (const [field, create] of familyFactories) set[field] = create(mode);
    sets.set(mode, set);
  }
  return set;
}

class PendingKernel extends Error {
  constructor(readonly done: Promise<void>) {
    super('sparse24: a kernel call is pending (internal to runAsync; it should never escape it)');
  }
}

interface Entry {
  what: string;
  result?: unknown;
}

/** A fresh copy of a recorded result: ops may write into a kernel's output, and a replay must not see that. */
function copy(v: unknown): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return (v as Float32Array).slice();
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]));
  }
  return v;
}

const describeCall = (family: string, kernel: string, args: unknown[]): string =>
  `${family}.${kernel}(${args.map((a) => (ArrayBuffer.isView(a) ? `[${(a as Float32Array).length}]` : JSON.stringify(a))).join(', ')})`;

let runs = 0;

/** Options of `runAsync`. */
export interface RunAsyncOptions {
  /** The gpu.js mode of the kernels (default: `getGpuMode()`), any mode, 'webgpu' included. */
  mode?: string;
}

/**
 * Runs `fn` with every kernel it calls (dense and sparse) on the asynchronous gpu.js kernels of
 * one mode, and resolves to its result. The calling code stays synchronous; see the file comment
 * for how, and for what `fn` must not do.
 */
export async function runAsync<T>(fn: () => T, options: RunAsyncOptions = {}): Promise<T> {
  const mode = options.mode ?? getGpuMode();
  const families = asyncSets(mode);
  const log: Entry[] = [];
  let cursor = 0;
  const replaying: Record<string, unknown> = {};
  for (const [field, fam] of Object.entries(families)) {
    const proxy: Record<string, unknown> = { name: `${fam.name} (async replay)` };
    for (const [kernel, run] of Object.entries(fam as Record<string, unknown>)) {
      if (typeof run !== 'function') continue;
      proxy[kernel] = (...args: unknown[]) => {
        const what = describeCall(field, kernel, args);
        const at = cursor++;
        const entry = log[at];
        if (entry !== undefined) {
          if (entry.what !== what) {
            throw new BackendError(
              `runAsync: call ${at} was ${entry.what} and is now ${what}; the function must make the same kernel calls on every run (no randomness or state changes)`,
            );
          }
          return copy(entry.result);
        }
        const fresh: Entry = { what };
        log.push(fresh);
        const started = (run as (...a: unknown[]) => Promise<unknown>)(...args);
        throw new PendingKernel(started.then((r) => void (fresh.result = r)));
      };
    }
    replaying[field] = proxy;
  }
  const name = `gpu-async/${mode}#${++runs}`;
  registerBackend(name, replaying as unknown as KernelSet);
  try {
    for (;;) {
      cursor = 0;
      try {
        return withBackend(name, fn);
      } catch (e) {
        if (!(e instanceof PendingKernel)) throw e;
        await e.done;
      }
    }
  } finally {
    unregisterBackend(name);
  }
}
