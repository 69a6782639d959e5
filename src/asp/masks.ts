/** Computing one parameter's mask and describing it. */
import { createMask, resolvePattern } from '../sparse/index.js';
import { ShapeError, ValueError } from '../tensor/errors.js';
import { Tensor, formatShape } from '../tensor/index.js';
import type { MaskFunction } from './options.js';

/** The mask (1 = keep) of `weight` as float 0/1, for a pattern name or a user function. */
export function computeMask(weight: Tensor, calculator: string | MaskFunction, what: string): Float32Array {
  if (typeof calculator === 'string') return Float32Array.from(createMask(weight.data, weight.shape, calculator));
  // A copy: a user function must not be able to change the weight it looks at.
  const out = calculator(new Tensor(weight.data.slice(), weight.shape));
  const data = out instanceof Tensor ? out.data : out;
  if (data.length !== weight.size || (out instanceof Tensor && out.size !== weight.size)) {
    throw new ShapeError(
      `maskCalculator returned ${data.length} values for ${what} of shape ${formatShape(weight.shape)}; expected ${weight.size}`,
    );
  }
  const mask = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v !== 0 && v !== 1) {
      throw new ValueError(
        `maskCalculator returned ${v} at flat index ${i} of the mask for ${what}; masks hold only 0 and 1`,
      );
    }
    mask[i] = v;
  }
  return mask;
}

/** Fails now, with the pattern table's error, on a pattern name that will not work at compute time. */
export function checkPattern(calculator: string | MaskFunction): void {
  if (typeof calculator === 'string') resolvePattern(calculator);
}

/** The M of a pattern name when the pattern table knows it (built-ins and 'N:M'), else null. */
export function patternGroupSize(calculator: string | MaskFunction): number | null {
  return typeof calculator === 'string' ? resolvePattern(calculator).m : null;
}

/** How many entries a 0/1 mask keeps. */
export function keptCount(mask: Float32Array): number {
  let kept = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) kept++;
  return kept;
}

export function isAllOnes(mask: Float32Array): boolean {
  return keptCount(mask) === mask.length;
}
