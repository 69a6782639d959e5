/** Kept magnitude per layer: how much of a weight's |w| a mask pattern keeps. */
import { createMask } from '../sparse/index.js';
import type { Tensor } from '../tensor/index.js';

/** Sum of |w| over the whole weight. */
export function totalMagnitude(w: Float32Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += Math.abs(w[i]!);
  return s;
}

/** Sum of |w| over the entries `pattern`'s mask (computed on `w` itself) keeps. */
export function keptUnderPattern(weight: Tensor, pattern: string): number {
  const mask = createMask(weight.data, weight.shape, pattern);
  let s = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) s += Math.abs(weight.data[i]!);
  return s;
}

/** Sum of |w·mask|: what a pruned weight still holds. */
export function maskedMagnitude(w: Float32Array, mask: Float32Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) if (mask[i] !== 0) s += Math.abs(w[i]!);
  return s;
}
