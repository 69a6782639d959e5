/**
 * What the library computes, on the Node side, for the lab page's masks section of one weight: each
 * pattern's kept share and Σ|w| on the page's 2-D view, and the groups of four keeping more than two.
 * The lab tests compare the page's published `masks` with it.
 */
import { expect } from 'vitest';
import { absSum, createMask, keptMagnitude, toView } from '../../src/index.js';

export const PATTERNS = ['m4n2_1d', 'm4n2_2d_best', '4:8'];

export interface MaskRow {
  pattern: string;
  keptFraction: number;
  keptMagnitude: number;
  violations: number;
  error: string | null;
}

export function expectedMasks(data: Float32Array, shape: number[]): MaskRow[] {
  const view = toView(data, shape).data;
  return PATTERNS.map((pattern) => {
    const mask = toView(createMask(data, shape, pattern), shape).data;
    let violations = 0;
    for (let g = 0; g < mask.length / 4; g++)
      if (mask[4 * g]! + mask[4 * g + 1]! + mask[4 * g + 2]! + mask[4 * g + 3]! > 2) violations++;
    return {
      pattern,
      keptFraction: keptMagnitude(view, mask),
      keptMagnitude: absSum(view, mask),
      violations,
      error: null,
    };
  });
}

/** The page's rows equal the library's for this weight (sums to the last bits a float64 order allows). */
export function expectMasksOf(masks: MaskRow[], data: Float32Array, shape: number[]): void {
  const want = expectedMasks(data, shape);
  expect(masks.map((m) => m.pattern)).toEqual(PATTERNS);
  masks.forEach((m, i) => {
    const w = want[i]!;
    expect(m.error, m.pattern).toBeNull();
    expect(m.violations, m.pattern).toBe(w.violations);
    expect(m.keptFraction, m.pattern).toBeCloseTo(w.keptFraction, 12);
    expect(m.keptMagnitude, m.pattern).toBeCloseTo(w.keptMagnitude, 9);
  });
  expect(masks[0]!.violations).toBe(0); // m4n2_1d is 2:4 by construction
}
