import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MT19937 } from '../../../src/tensor/random.js';
import { ShapeError, ValueError } from '../../../src/tensor/errors.js';
import {
  canonicalPermutations,
  checkPermutation,
  permuteColumns,
  searchPermutation,
  sumAfter24,
  type SearchOptions,
} from '../../../src/permutation/index.js';

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const g = new MT19937(seed);
  const m = new Float32Array(rows * cols);
  for (let i = 0; i < m.length; i++) m[i] = g.nextDouble() * 2 - 1;
  return m;
}

const STRATEGIES: SearchOptions[] = [
  { strategy: 'osg', window: 8 },
  { strategy: 'osg', window: 8, escapes: 5 },
  { strategy: 'osg', window: 12 },
  { strategy: 'channel-swap' },
  { strategy: 'channel-swap', escapes: 5 },
  { strategy: 'progressive', timeLimit: 5, maxAttempts: 300 },
  { strategy: 'random', trials: 20 },
  { strategy: 'exhaustive' },
];

describe('every strategy', () => {
  it('returns a valid permutation that keeps at least the identity, with consistent metrics', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(8, 12, 16, 24),
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom(...STRATEGIES),
        (rows, cols, seed, opts) => {
          if (opts.strategy === 'osg' && (opts.window ?? 8) > cols) return;
          if (opts.strategy === 'exhaustive' && cols > 12) return;
          const m = randomMatrix(rows, cols, seed);
          const r = searchPermutation(m, rows, cols, { ...opts, seed });
          checkPermutation(r.permutation, cols);
          expect(r.permuted).toBe(sumAfter24(m, rows, cols, r.permutation));
          expect(r.permuted).toBeGreaterThanOrEqual(r.default24);
          expect(r.permuted).toBeLessThanOrEqual(r.bound + 1e-9);
          expect(r.bound).toBeLessThanOrEqual(r.unpruned + 1e-9);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('exhaustive search', () => {
  it('is optimal: no permutation of 8 columns keeps more (brute force over all 8! orders)', () => {
    const rows = 3;
    const all: number[][] = [];
    const perm = (prefix: number[], rest: number[]): void => {
      if (rest.length === 0) all.push(prefix);
      rest.forEach((c, i) => perm([...prefix, c], [...rest.slice(0, i), ...rest.slice(i + 1)]));
    };
    perm([], [0, 1, 2, 3, 4, 5, 6, 7]);
    expect(all.length).toBe(40320);
    for (const seed of [3, 4, 5]) {
      const m = randomMatrix(rows, 8, seed);
      let best = -1;
      for (const p of all) best = Math.max(best, sumAfter24(m, rows, 8, p));
      const r = searchPermutation(m, rows, 8, { strategy: 'exhaustive' });
      expect(r.permuted).toBeCloseTo(best, 12);
    }
  });

  it('is optimal on 12 columns against every canonical permutation scored directly', () => {
    const m = randomMatrix(4, 12, 9);
    const canon = canonicalPermutations(12);
    let best = -1;
    for (let p = 0; p < canon.length / 12; p++)
      best = Math.max(best, sumAfter24(m, 4, 12, canon.subarray(p * 12, p * 12 + 12)));
    expect(searchPermutation(m, 4, 12, { strategy: 'exhaustive' }).permuted).toBeCloseTo(best, 12);
    expect(searchPermutation(m, 4, 12, { strategy: 'osg', window: 12 }).permuted).toBeCloseTo(best, 12);
  });
});

describe('thresholds and scale', () => {
  it('a relative threshold finds the same permutation at any weight scale; the absolute one stops on tiny weights', () => {
    const m = randomMatrix(16, 32, 11);
    const tiny = m.map((v) => v * 1e-6);
    const rel = searchPermutation(m, 16, 32, { threshold: { relative: 1e-7 } });
    const relTiny = searchPermutation(tiny, 16, 32, { threshold: { relative: 1e-7 } });
    expect(Array.from(relTiny.permutation)).toEqual(Array.from(rel.permutation));
    expect(rel.efficacy).toBeGreaterThan(0);
    const absTiny = searchPermutation(tiny, 16, 32, {});
    expect(absTiny.efficacy).toBe(0);
  });
});

describe('input checks and helpers', () => {
  it('rejects bad shapes, values and options with typed errors that name the problem', () => {
    expect(() => searchPermutation(new Float32Array(10), 2, 6)).toThrow(ShapeError);
    expect(() => searchPermutation(new Float32Array(12), 2, 8)).toThrow(/expected 2×8 = 16 values, found 12/);
    expect(() => searchPermutation(new Float32Array([1, 2, 3, Number.NaN, 1, 1, 1, 1]), 1, 8)).toThrow(
      /column 3 is NaN/,
    );
    expect(() => searchPermutation(new Float32Array(8), 1, 8, { strategy: 'nope' as 'osg' })).toThrow(ValueError);
    expect(() => searchPermutation(new Float32Array(64), 1, 64, { strategy: 'exhaustive' })).toThrow(
      /at most 16 columns/,
    );
    expect(() => searchPermutation(new Float32Array(16), 1, 16, { escapes: -1 })).toThrow(
      /escapes must be an integer ≥ 0/,
    );
  });

  it('permuteColumns applies matrix[:, π]', () => {
    const m = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(permuteColumns(m, 2, 4, [3, 0, 1, 2]))).toEqual([4, 1, 2, 3, 8, 5, 6, 7]);
    expect(() => permuteColumns(m, 2, 4, [0, 0, 1, 2])).toThrow(/entry 1 is 0/);
  });

  it('a permutation that only reorders within and across whole groups keeps the same 2:4 magnitude', () => {
    const m = randomMatrix(5, 8, 2);
    expect(sumAfter24(m, 5, 8, [7, 5, 4, 6, 2, 0, 3, 1])).toBe(sumAfter24(m, 5, 8));
  });
});
