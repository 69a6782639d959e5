import { noGrad } from './autograd.js';
import { Tensor } from './tensor.js';

export interface GradcheckOptions {
  /** Finite-difference step. Float32 forward passes need a fairly large one. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Seed of the random output weighting that turns a tensor output into a scalar. */
  seed?: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** Largest |analytic - numeric| over all checked inputs and elements. */
  maxAbsError: number;
  /** Description of the first element outside tolerance, if any. */
  failure: string | null;
}

/** Deterministic weights in [-1, 1) so a tensor-valued f reduces to a scalar with a full gradient. */
function outputWeights(n: number, seed: number): Float64Array {
  const w = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    w[i] = s / 2147483648 - 1;
  }
  return w;
}

/**
 * Compares autograd's gradient of `f` with central finite differences, for every element of every
 * input that requires grad. The tensor output is reduced to the scalar Σ wᵢ·outᵢ with fixed random
 * weights; that sum is accumulated in float64 so the numeric side loses no more precision than the
 * float32 forward pass itself.
 */
export function gradcheck(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  opts: GradcheckOptions = {},
): GradcheckResult {
  const eps = opts.eps ?? 1e-2;
  const atol = opts.atol ?? 1e-2;
  const rtol = opts.rtol ?? 1e-2;
  const probe = noGrad(() => f(...inputs));
  const w = outputWeights(probe.size, opts.seed ?? 12345);
  const scalar = (): number => {
    const out = noGrad(() => f(...inputs)).data;
    let s = 0;
    for (let i = 0; i < out.length; i++) s += w[i]! * out[i]!;
    return s;
  };

  for (const t of inputs) t.grad = null;
  const out = f(...inputs);
  out.backward(new Tensor(Float32Array.from(w), out.shape));

  let maxAbsError = 0;
  let failure: string | null = null;
  inputs.forEach((t, ti) => {
    if (!t.requiresGrad) return;
    const analytic = t.grad?.data ?? new Float32Array(t.size);
    for (let i = 0; i < t.size; i++) {
      const orig = t.data[i]!;
      t.data[i] = orig + eps;
      t.markModified();
      const plus = scalar();
      t.data[i] = orig - eps;
      t.markModified();
      const minus = scalar();
      t.data[i] = orig;
      t.markModified();
      // The perturbation actually applied, after float32 rounding.
      const h = Math.fround(orig + eps) - Math.fround(orig - eps);
      const numeric = (plus - minus) / h;
      const err = Math.abs(analytic[i]! - numeric);
      maxAbsError = Math.max(maxAbsError, err);
      if (failure === null && err > atol + rtol * Math.abs(numeric)) {
        failure = `input ${ti} element ${i}: analytic ${analytic[i]} vs numeric ${numeric}`;
      }
    }
  });
  return { ok: failure === null, maxAbsError, failure };
}
