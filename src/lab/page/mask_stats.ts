/**
 * What the lab reports about one mask of a weight's 2-D view: the share of Σ|w| it keeps, and the
 * groups of four input channels that keep more than two (TensorRT's 2:4 kernels reject those; an
 * N:M mask with M > 4, such as 4:8, can produce them).
 */
import { absSum, createMask, keptMagnitude, toView } from 'sparse24';
import type { LabWeight } from './weights.js';

export interface MaskStats {
  readonly pattern: string;
  /** The mask in view layout ([rows][cols]), or null when the pattern failed on this weight. */
  readonly mask: Uint8Array | null;
  /** Share of Σ|w| the mask keeps (0 when the pattern failed). */
  readonly keptFraction: number;
  /** Σ|w| over the kept entries (0 when the pattern failed). */
  readonly keptMagnitude: number;
  /** Row-major indices (row * cols/4 + group) of groups of four that keep more than two. */
  readonly violations: number[];
  readonly error: string | null;
}

/** Groups of four along the columns with more than two nonzeros in `data` (a mask or a weight). */
export function violatingGroups(data: ArrayLike<number>, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let g = 0; g < (rows * cols) / 4; g++) {
    let nonzero = 0;
    for (let i = 0; i < 4; i++) if (data[4 * g + i] !== 0) nonzero++;
    if (nonzero > 2) out.push(g);
  }
  return out;
}

export function maskStats(w: LabWeight, pattern: string): MaskStats {
  try {
    const mask = toView(createMask(w.data, [...w.shape], pattern), [...w.shape]).data;
    return {
      pattern,
      mask,
      keptFraction: keptMagnitude(w.view, mask),
      keptMagnitude: absSum(w.view, mask),
      violations: violatingGroups(mask, w.rows, w.cols),
      error: null,
    };
  } catch (e) {
    return { pattern, mask: null, keptFraction: 0, keptMagnitude: 0, violations: [], error: (e as Error).message };
  }
}
