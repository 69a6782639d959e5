import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/tensor/errors.js';
import { createMask, m4n2_1d, nmMask, nmPatterns } from '../../src/sparse/index.js';
import { golden } from './golden.js';

const view = (values: number[], cols = values.length) => ({
  data: Float32Array.from(values),
  rows: values.length / cols,
  cols,
});
const mask1d = (values: number[]): number[] => Array.from(m4n2_1d(view(values)));

/** Float32 matrices (rows x cols) with many ties: values from a small set. */
const tiedMatrix = (rows: number, cols: number) =>
  fc.array(fc.constantFrom(0, 0, 1, -1, 2, 0.5, -3), { minLength: rows * cols, maxLength: rows * cols });
const anyMatrix = (rows: number, cols: number) =>
  fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: rows * cols, maxLength: rows * cols });

describe('m4n2_1d (apex, bit for bit)', () => {
  it('reproduces every example of docs/apex-asp.md §2.2', () => {
    expect(mask1d([2, 8, 9, 9])).toEqual([0, 0, 1, 1]);
    expect(mask1d([0, 0, 0, 0])).toEqual([0, 1, 0, 1]);
    expect(mask1d([1, 1, 1, 1])).toEqual([0, 1, 0, 1]);
    expect(mask1d([5, 5, 5, 1])).toEqual([1, 1, 0, 0]);
    expect(mask1d([1, 2, 2, 1])).toEqual([0, 1, 1, 0]);
    expect(mask1d([-3, 1, 0, -3])).toEqual([1, 0, 0, 1]);
    expect(mask1d([0.1, 0.2, 0.3, 0.4])).toEqual([0, 0, 1, 1]);
  });

  it('ties after float32 rounding of |a|+|b| go to the earlier apex pattern', () => {
    // 1 + 2^-30 rounds to 1 in float32, so {0,1} (pattern 1) ties {0,2} and wins by order.
    expect(mask1d([1, 0, 2 ** -30, 0])).toEqual([1, 1, 0, 0]);
  });

  it('matches torch on the generated fixtures (tie-heavy and random)', () => {
    for (const c of [golden.m4n2_1d_tie, golden.m4n2_1d_randn]) {
      expect(Array.from(m4n2_1d(view(c.weight, c.shape[1])))).toEqual(c.mask);
    }
  });

  it('matches apex create_mask on Conv1d and Conv2d weights', () => {
    for (const c of [golden.create_mask_conv1d, golden.create_mask_conv2d]) {
      expect(Array.from(createMask(Float32Array.from(c.weight), c.shape, 'm4n2_1d'))).toEqual(c.mask);
    }
  });

  it('keeps exactly 2 per group, including the largest magnitude, when sums are exact (property)', () => {
    fc.assert(
      fc.property(tiedMatrix(3, 8), (vals) => {
        const w = Float32Array.from(vals);
        const m = m4n2_1d({ data: w, rows: 3, cols: 8 });
        for (let g = 0; g < 24; g += 4) {
          expect(m[g]! + m[g + 1]! + m[g + 2]! + m[g + 3]!).toBe(2);
          const abs = [0, 1, 2, 3].map((i) => Math.abs(w[g + i]!));
          const top = Math.max(...abs);
          expect([0, 1, 2, 3].some((i) => m[g + i] === 1 && abs[i] === top)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a pair with the maximal float32 sum for arbitrary floats (property)', () => {
    fc.assert(
      fc.property(anyMatrix(3, 8), (vals) => {
        const w = Float32Array.from(vals);
        const m = m4n2_1d({ data: w, rows: 3, cols: 8 });
        for (let g = 0; g < 24; g += 4) {
          const abs = [0, 1, 2, 3].map((i) => Math.abs(w[g + i]!));
          const kept = [0, 1, 2, 3].filter((i) => m[g + i] === 1);
          expect(kept).toHaveLength(2);
          const sorted = [...abs].sort((a, b) => b - a);
          expect(Math.fround(abs[kept[0]!]! + abs[kept[1]!]!)).toBe(Math.fround(sorted[0]! + sorted[1]!));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('like apex, can drop the largest value when float32 rounding ties two pairs', () => {
    // (1+2^-23) + 1 rounds to 2 = 1 + 1, and {1,3} comes first in apex's order.
    expect(mask1d([1 + 2 ** -23, 1, 0, 1])).toEqual([0, 1, 0, 1]);
  });

  it('refuses C not divisible by 4', () => {
    expect(() => m4n2_1d(view([1, 2, 3, 4, 5, 6]))).toThrow(ShapeError);
  });

  it('treats NaN as the maximum like torch.argmax (called directly)', () => {
    expect(mask1d([NaN, 0, 0, 0])).toEqual([1, 1, 0, 0]); // first pattern touching position 0
    expect(mask1d([0, 0, NaN, 0])).toEqual([0, 1, 1, 0]);
  });
});

describe('general N:M masks', () => {
  it('enumerates subsets lexicographically, apex order for 2:4', () => {
    expect(nmPatterns(1, 4).map((p) => Array.from(p))).toEqual([[0], [1], [2], [3]]);
    expect(nmPatterns(2, 4).map((p) => Array.from(p))).toEqual([
      [1, 3],
      [0, 1],
      [1, 2],
      [0, 2],
      [0, 3],
      [2, 3],
    ]);
    expect(nmPatterns(4, 8)).toHaveLength(70);
    expect(() => nmPatterns(4, 4)).toThrow(ValueError);
    expect(() => nmPatterns(0, 4)).toThrow(ValueError);
  });

  it('keeps the N largest |w|, lower index first on equal magnitudes', () => {
    expect(Array.from(nmMask(view([3, -7, 7, 1]), 1, 4))).toEqual([0, 1, 0, 0]);
    expect(Array.from(nmMask(view([5, 0, 0, 5, 1, 2, 3, 4]), 2, 8))).toEqual([1, 0, 0, 1, 0, 0, 0, 0]);
    expect(Array.from(nmMask(view([1, 1, 1, 1, 1, 1, 1, 1]), 4, 8))).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(nmMask(view([0, 9, 0, 8, 7, 0, 6, 0]), 4, 8))).toEqual([0, 1, 0, 1, 1, 0, 1, 0]);
  });

  it("'2:4' equals m4n2_1d exactly (property, tie-heavy and arbitrary floats)", () => {
    for (const arb of [tiedMatrix(2, 16), anyMatrix(2, 16)]) {
      fc.assert(
        fc.property(arb, (vals) => {
          const v = { data: Float32Array.from(vals), rows: 2, cols: 16 };
          expect(Array.from(nmMask(v, 2, 4))).toEqual(Array.from(m4n2_1d(v)));
        }),
        { numRuns: 150 },
      );
    }
  });

  it('keeps exactly N per group and no dropped |w| exceeds a kept one (property)', () => {
    const cases = fc.constantFrom([1, 4], [2, 8], [4, 8], [3, 6]);
    fc.assert(
      fc.property(cases, tiedMatrix(2, 24), ([n, m], vals) => {
        const w = Float32Array.from(vals);
        const mask = nmMask({ data: w, rows: 2, cols: 24 }, n!, m!);
        for (let g = 0; g < 48; g += m!) {
          const kept: number[] = [];
          const dropped: number[] = [];
          for (let i = 0; i < m!; i++) (mask[g + i] ? kept : dropped).push(Math.abs(w[g + i]!));
          expect(kept).toHaveLength(n!);
          expect(Math.min(...kept)).toBeGreaterThanOrEqual(Math.max(...dropped));
        }
      }),
      { numRuns: 100 },
    );
  });
});
