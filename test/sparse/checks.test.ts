import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/tensor/errors.js';
import { createMask, isNM, tensorRTReport } from '../../src/sparse/index.js';

const seq = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => 1 + ((i * 13) % 7));

describe('isNM', () => {
  it('counts nonzeros per group of M input channels', () => {
    expect(isNM(Float32Array.from([1, 0, 2, 0, 0, 0, 0, 3]), [1, 8], 2, 4)).toBe(true);
    expect(isNM(Float32Array.from([1, 0, 2, 5, 0, 0, 0, 3]), [1, 8], 2, 4)).toBe(false);
    expect(isNM(Float32Array.from([1, 0, 2, 5, 0, 0, 0, 3]), [1, 8], 4, 8)).toBe(true);
    expect(isNM(Float32Array.from([1, 0, 0, 5, 0, 0, 0, 3]), [1, 8], 1, 4)).toBe(false);
  });

  it('groups along C of the 2-D view, so a Conv2d weight is checked across input channels', () => {
    // (K=1, C=4, R=1, S=2): along C at s=0 the values are 1,0,1,0; at s=1 they are 5,5,5,0.
    const w = Float32Array.from([1, 5, 0, 5, 1, 5, 0, 0]);
    expect(isNM(w, [1, 4, 1, 2], 2, 4)).toBe(false);
    expect(isNM(Float32Array.from([1, 5, 0, 5, 1, 0, 0, 0]), [1, 4, 1, 2], 2, 4)).toBe(true);
  });

  it('is false (not an error) when C is not divisible by M, and validates its arguments', () => {
    expect(isNM(new Float32Array(6), [1, 6], 2, 4)).toBe(false);
    expect(() => isNM(new Float32Array(6), [2, 4], 2, 4)).toThrow(ShapeError);
    expect(() => isNM(new Float32Array(8), [2, 4], 4, 4)).toThrow(ValueError);
  });
});

describe('tensorRTReport', () => {
  it('reports a dense eligible-shape weight as violating every group', () => {
    const w = seq(8 * 16);
    const r = tensorRTReport(w, [8, 16]);
    expect(r.groupsChecked).toBe(32);
    expect(r.groupsViolating).toBe(32);
    expect(r.firstViolation).toEqual({ row: 0, group: 0 });
    expect(r.shapeEligible).toBe(true);
    expect(r.is24).toBe(false);
    expect(r.eligible).toBe(false);
    expect(r.keptMagnitudeFraction).toBeGreaterThan(0.5);
    expect(r.keptMagnitudeFraction).toBeLessThan(1);
  });

  it('finds a masked weight eligible, keeping all its magnitude', () => {
    const w = seq(8 * 16);
    const mask = createMask(w, [8, 16]);
    const pruned = w.map((x, i) => x * mask[i]!);
    const r = tensorRTReport(pruned, [8, 16]);
    expect(r).toMatchObject({
      groupsViolating: 0,
      is24: true,
      shapeEligible: true,
      eligible: true,
      firstViolation: null,
    });
    expect(r.keptMagnitudeFraction).toBe(1);
    expect(r.reasons).toEqual([]);
  });

  it('computes the magnitude fraction m4n2_1d would keep', () => {
    // Groups [4,3,2,1] and [1,1,1,1]: a 2:4 mask keeps 7 of 10 and 2 of 4.
    const w = new Float32Array(8 * 16);
    w.set([4, 3, 2, 1, 1, 1, 1, 1]);
    const r = tensorRTReport(w, [8, 16]);
    expect(r.keptMagnitudeFraction).toBeCloseTo(9 / 14, 12);
    expect(r.groupsViolating).toBe(2);
    expect(r.firstViolation).toEqual({ row: 0, group: 0 });
  });

  it("applies apex's shape rule (dim0 % 8, dim1 % 16) and explains why", () => {
    const r = tensorRTReport(new Float32Array(40 * 40), [40, 40]);
    expect(r.is24).toBe(true); // all zeros: every group has 4 zeros
    expect(r.shapeEligible).toBe(false);
    expect(r.eligible).toBe(false);
    expect(r.reasons[0]).toMatch(/\[40, 40\] fails the tensor-core rule/);
    expect(tensorRTReport(new Float32Array(12 * 16), [12, 16]).shapeEligible).toBe(false);
    expect(tensorRTReport(new Float32Array(16 * 16 * 3 * 3), [16, 16, 3, 3]).eligible).toBe(true);
    expect(tensorRTReport(new Float32Array(16), [16]).reasons[0]).toMatch(/rank 1/);
  });
});
