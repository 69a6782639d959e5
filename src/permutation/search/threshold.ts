/**
 * When a search stops. Apex stops at an absolute improvement (5 × float16.tiny = 3.05e-4 for
 * optimize-stripe-groups), so its behaviour depends on the weights' scale: the same layer scaled
 * by 1e-3 is never permuted. A relative threshold is a fraction of the matrix's default 2:4 kept
 * magnitude instead, and is scale-free.
 */
import { ValueError } from '../../tensor/errors.js';

export type Threshold = { readonly absolute: number } | { readonly relative: number };

/** Apex's default for optimize stripe groups: 5 × the smallest normal float16 (2^-14). */
export const APEX_OSG_THRESHOLD: Threshold = { absolute: 5 * 2 ** -14 };

/** The absolute improvement below which a candidate is not taken, for a matrix keeping `default24`. */
export function resolveThreshold(t: Threshold, default24: number): number {
  const v = 'absolute' in t ? t.absolute : t.relative;
  if (!Number.isFinite(v) || v < 0) {
    throw new ValueError(
      `threshold: expected a finite number ≥ 0, got ${'absolute' in t ? 'absolute' : 'relative'} ${v}`,
    );
  }
  return 'absolute' in t ? v : v * default24;
}
