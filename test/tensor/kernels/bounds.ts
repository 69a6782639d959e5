import { expect } from 'vitest';

/**
 * Asserts got[i] is within the error bound of a float32 sum of `terms` products evaluated in any
 * order, against the float64-accumulated reference: |got - want| <= (terms + 2)·2⁻²³·absSum[i],
 * absSum being the same computation on absolute values (Σ|aᵢ·bᵢ|). Twice the textbook γ_T = T·u
 * (u = 2⁻²⁴), covering the product roundings and the reference's own final rounding.
 */
export function expectWithinSumBound(got: Float32Array, want: Float32Array, absSum: Float32Array, terms: number): void {
  expect(got.length).toBe(want.length);
  const factor = (terms + 2) * 2 ** -23;
  let worst = -Infinity;
  let at = -1;
  for (let i = 0; i < got.length; i++) {
    const excess = Math.abs(got[i]! - want[i]!) - factor * absSum[i]! - 1e-38;
    if (!(excess <= 0) && !(excess <= worst)) {
      worst = excess;
      at = i;
    }
  }
  if (at >= 0) {
    expect.fail(
      `element ${at}: got ${got[at]}, reference ${want[at]}, allowed ±${factor * absSum[at]!} (${terms} terms)`,
    );
  }
}
