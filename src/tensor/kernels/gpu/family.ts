/**
 * A kernel family (dense, sparse) written once as plan builders, and turned into a synchronous
 * kernel set (GL, webasm and cpu modes) or an asynchronous one (every mode, webgpu included).
 */
import { BackendError } from '../../errors.js';
import type { AsyncKernels } from '../types.js';
import { ASYNC_ONLY_MODES, type GpuPlan, KernelCache, createGpu, runPlan, runPlanAsync } from './runtime.js';

type Methods<K> = Omit<K, 'name'>;

/** For each kernel of family K, a function from the same arguments to its plan. */
export type PlanFamily<K> = {
  [P in keyof Methods<K>]: Methods<K>[P] extends (...a: infer A) => infer R ? (...a: A) => GpuPlan<R> : never;
};

function mapPlans(plans: object, exec: (plan: GpuPlan<unknown>) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, build] of Object.entries(plans)) {
    out[name] = (...args: never[]) => exec((build as (...a: never[]) => GpuPlan<unknown>)(...args));
  }
  return out;
}

/** The synchronous kernel set of one mode. Throws a BackendError for a mode that cannot run here or is async-only. */
export function syncKernels<K extends { readonly name: string }>(mode: string, plans: PlanFamily<K>): K {
  if ((ASYNC_ONLY_MODES as readonly string[]).includes(mode)) {
    throw new BackendError(
      `gpu.js mode '${mode}' has no synchronous readback: run the model with 'await forwardAsync(model, x)' or a function with 'await runAsync(fn)', or pick a synchronous mode (webgl2, webgl, webasm, cpu)`,
    );
  }
  const cache = new KernelCache(createGpu(mode), mode);
  return { name: `gpu/${mode}`, ...mapPlans(plans, (p) => runPlan(cache, p)) } as unknown as K;
}

/** The asynchronous kernel set of one mode: every kernel returns a Promise of its result. */
export function asyncKernels<K extends { readonly name: string }>(mode: string, plans: PlanFamily<K>): AsyncKernels<K> {
  const cache = new KernelCache(createGpu(mode), mode);
  return {
    name: `gpu/${mode}`,
    ...mapPlans(plans, (p) => runPlanAsync(cache, p)),
  } as unknown as AsyncKernels<K>;
}
