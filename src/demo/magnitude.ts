/** Kept magnitude per layer: how much of a weight's |w| a mask pattern keeps. */
import { absSum, createMask } from '../sparse/index.js';
import type { Tensor } from '../tensor/index.js';

/** Sum of |w| over the whole weight. */
export const totalMagnitude = (w: Float32Array): number => absSum(w);

/** Sum of |w| over the entries `pattern`'s mask (computed on `w` itself) keeps. */
export function keptUnderPattern(weight: Tensor, pattern: string): number {
  return absSum(weight.data, createMask(weight.data, weight.shape, pattern));
}

/** Sum of |w·mask|: what a pruned weight still holds. */
export const maskedMagnitude = (w: Float32Array, mask: Float32Array): number => absSum(w, mask);
