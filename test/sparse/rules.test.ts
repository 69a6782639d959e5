import { describe, expect, it } from 'vitest';
import { TENSOR_CORE_RULE, absSum, isTensorCoreShape, keptMagnitude } from '../../src/sparse/index.js';

describe("apex's tensor-core shape rule", () => {
  it('needs rank >= 2, dim0 % 8 == 0 and dim1 % 16 == 0', () => {
    expect(isTensorCoreShape([8, 16])).toBe(true);
    expect(isTensorCoreShape([16, 32, 3, 3])).toBe(true);
    expect(isTensorCoreShape([12, 16])).toBe(false);
    expect(isTensorCoreShape([8, 24])).toBe(false);
    expect(isTensorCoreShape([16])).toBe(false);
    expect(TENSOR_CORE_RULE).toBe('dim0 % 8 == 0 and dim1 % 16 == 0');
  });
});

describe('magnitude', () => {
  it('sums |w|, over a mask when given one, and the share a mask keeps', () => {
    const w = Float32Array.from([1, -2, 0.5, -4]);
    expect(absSum(w)).toBe(7.5);
    expect(absSum(w, Uint8Array.from([1, 0, 1, 0]))).toBe(1.5);
    expect(absSum(w, Float32Array.from([0, 1, 0, 1]))).toBe(6);
    expect(keptMagnitude(w, Uint8Array.from([0, 1, 0, 1]))).toBe(0.8);
    expect(keptMagnitude(new Float32Array(4), new Uint8Array(4))).toBe(1);
  });
});
