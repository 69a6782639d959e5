/**
 * Apex's published table (docs/apex-asp.md §3.13) on np.random.seed(1); np.random.rand(128, 64).
 * We sum in float64 as apex's NumPy path does, so values are compared with apex's CPU re-run to
 * the printed digits. The README's own digits come from apex's GPU kernels, which sum in float32
 * with atomicAdd in no fixed order: the same matrix gives 2852.3755–2852.3794 over random add
 * orders (measured by replaying the kernel's partial sums), so README digits are checked to that
 * spread (±0.0025) rather than exactly.
 */
import { describe, expect, it } from 'vitest';
import { MT19937 } from '../../../src/tensor/random.js';
import {
  efficacy,
  rowHalfBound,
  searchPermutation,
  sumAfter24,
  unprunedMagnitude,
} from '../../../src/permutation/index.js';

function seed1Matrix(): Float32Array {
  const g = new MT19937(1);
  const m = new Float32Array(128 * 64);
  for (let i = 0; i < m.length; i++) m[i] = g.nextDouble();
  return m;
}

const M = seed1Matrix();
const GPU_SPREAD = 0.0025;
const APEX_W8_PERMUTATION = [
  0, 9, 12, 35, 4, 10, 28, 37, 50, 19, 45, 21, 34, 17, 18, 58, 16, 46, 39, 3, 49, 43, 15, 62, 6, 7, 41, 25, 48, 11, 44,
  47, 13, 20, 22, 1, 55, 29, 26, 27, 5, 2, 32, 52, 40, 30, 42, 54, 53, 57, 60, 31, 36, 56, 23, 33, 59, 38, 61, 63, 51,
  24, 14, 8,
];

describe('objective on the seed-1 128×64 matrix', () => {
  it('starts with NumPy’s first values', () => {
    expect(M[0]).toBe(Math.fround(0.417022004702574));
    expect(M[1]).toBe(Math.fround(0.7203244934421581));
  });

  it('unpruned 4083.169, 50%-per-row bound 3042.332, default 2:4 2852.377 (README 2852.376 on GPU)', () => {
    expect(unprunedMagnitude(M).toFixed(3)).toBe('4083.169');
    expect(rowHalfBound(M, 128, 64).toFixed(3)).toBe('3042.332');
    const d = sumAfter24(M, 128, 64);
    expect(d.toFixed(3)).toBe('2852.377');
    expect(Math.abs(d - 2852.376)).toBeLessThan(GPU_SPREAD);
  });

  it('efficacy is 0 at the default, 1 at the bound', () => {
    expect(efficacy(10, 6, 8, 6)).toBe(0);
    expect(efficacy(10, 6, 8, 8)).toBe(1);
    expect(efficacy(10, 6, 8, 7)).toBe(0.5);
    expect(efficacy(10, 8, 8, 8)).toBe(1);
  });
});

describe('apex published search results', () => {
  it('optimize_stripe_groups,8,0 → 2919.759 (README 2919.757) with exactly apex’s permutation, 35.5%', () => {
    const r = searchPermutation(M, 128, 64, { strategy: 'osg', window: 8, escapes: 0 });
    expect(Array.from(r.permutation)).toEqual(APEX_W8_PERMUTATION);
    expect(r.permuted.toFixed(3)).toBe('2919.759');
    expect(Math.abs(r.permuted - 2919.757)).toBeLessThan(GPU_SPREAD);
    expect((r.efficacy * 100).toFixed(1)).toBe('35.5');
    expect(r.unpruned.toFixed(3)).toBe('4083.169');
    expect(r.bound.toFixed(3)).toBe('3042.332');
    expect(r.default24.toFixed(3)).toBe('2852.377');
    expect(r.strategy).toBe('osg');
    expect(r.seconds).toBeGreaterThan(0);
  });

  it('channel_swap,0 → 2913.351 (README 2913.352), 32.1%', () => {
    const r = searchPermutation(M, 128, 64, { strategy: 'channel-swap', escapes: 0 });
    expect(r.permuted.toFixed(3)).toBe('2913.351');
    expect(Math.abs(r.permuted - 2913.352)).toBeLessThan(GPU_SPREAD);
    expect((r.efficacy * 100).toFixed(1)).toBe('32.1');
  });

  it('channel_swap,100 with seed 1 → 2914.174, the README’s value', () => {
    const r = searchPermutation(M, 128, 64, { strategy: 'channel-swap', escapes: 100, seed: 1 });
    expect(r.permuted.toFixed(3)).toBe('2914.174');
    expect((r.efficacy * 100).toFixed(1)).toBe('32.5');
  });

  it('random,1000 with seed 1 → 2873.381 (README 2873.380), 11.1%: NumPy’s shuffle stream reproduced', () => {
    const r = searchPermutation(M, 128, 64, { strategy: 'random', trials: 1000, seed: 1 });
    expect(r.permuted.toFixed(3)).toBe('2873.381');
    expect((r.efficacy * 100).toFixed(1)).toBe('11.1');
  });

  it('optimize_stripe_groups,8,100 keeps at least the escape-free result (README 2919.758)', () => {
    const r = searchPermutation(M, 128, 64, { strategy: 'osg', window: 8, escapes: 100, seed: 1 });
    expect(r.permuted).toBeGreaterThanOrEqual(2919.759 - 1e-3);
  });

  it('optimize_stripe_groups,12,0 → 2923.577 (37.5%); README’s GPU run printed 2921.947 (36.6%)', () => {
    // Deterministic in float64. The README figure is not reproduced: see the closing note of
    // issue 5 — ours converges higher, from the same greedy rule, on CPU sums.
    const r = searchPermutation(M, 128, 64, { strategy: 'osg', window: 12, escapes: 0 });
    expect(r.permuted.toFixed(3)).toBe('2923.577');
    expect(r.permuted).toBeGreaterThan(2921.947);
    const exact = searchPermutation(M, 128, 64, { strategy: 'osg', window: 12, escapes: 0, tracking: 'exact' });
    expect(exact.permuted.toFixed(3)).toBe('2923.577');
  });
});
