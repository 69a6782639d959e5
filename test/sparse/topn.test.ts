/**
 * The N:M selection (`topn.ts`) against the enumerator it replaced: every N-subset scored by its
 * float32-rounded |w| sum in position order, first maximum in lexicographic order, NaN first.
 * The oracle is kept here, verbatim in behaviour, so "identical to the old masks" stays checked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SparsityError, compressNM, createMask, isNM, nmMask, nmPatterns } from '../../src/sparse/index.js';
import { MT19937 } from '../../src/tensor/random.js';

function lexSubsets(n: number, m: number): number[][] {
  const out: number[][] = [];
  const pick: number[] = [];
  const walk = (start: number): void => {
    if (pick.length === n) return void out.push([...pick]);
    for (let i = start; i <= m - (n - pick.length); i++) {
      pick.push(i);
      walk(i + 1);
      pick.pop();
    }
  };
  walk(0);
  return out;
}

/** The pre-rewrite nmMask (lexicographic order; 2:4 is apex's order and is tested elsewhere). */
function oracleMask(data: Float32Array, n: number, m: number): number[] {
  const patterns = lexSubsets(n, m);
  const mask = new Array<number>(data.length).fill(0);
  for (let g = 0; g < data.length; g += m) {
    let best = -Infinity;
    let choice = 0;
    for (let k = 0; k < patterns.length; k++) {
      let score = 0;
      for (const p of patterns[k]!) score = Math.fround(score + Math.abs(data[g + p]!));
      if (Number.isNaN(score)) {
        choice = k;
        break;
      }
      if (score > best) {
        best = score;
        choice = k;
      }
    }
    for (const p of patterns[choice]!) mask[g + p] = 1;
  }
  return mask;
}

const nm = (data: Float32Array, n: number, m: number): number[] =>
  Array.from(nmMask({ data, rows: data.length / m, cols: m }, n, m));

const PATTERNS: [number, number][] = [
  [1, 4],
  [1, 5],
  [2, 5],
  [3, 5],
  [2, 6],
  [3, 6],
  [4, 6],
  [3, 7],
  [2, 8],
  [4, 8],
  [5, 8],
  [7, 8],
  [4, 9],
  [5, 10],
  [6, 12],
];
const ROUNDING = [
  1,
  1 + 2 ** -23,
  1 - 2 ** -24,
  2 ** -24,
  2 ** -25,
  3 * 2 ** -25,
  2 ** -23,
  0,
  2,
  2 + 2 ** -22,
  0.1,
  0.3,
  1.5,
  3,
];
const HUGE = [3.4028234663852886e38, 1.7014117331926443e38, 2 ** 127, 2 ** 104, 1e31, 0, 1];
const TIED = [0, 0, 1, -1, 2, 0.5, -3];
const values = (pool: number[]) => fc.constantFrom(...pool.flatMap((v) => [v, -v]));
const anyFloat = fc.float({ noNaN: true, noDefaultInfinity: true });
const groupValues = fc.oneof(
  values(ROUNDING),
  values(HUGE),
  values(TIED),
  anyFloat,
  fc.constantFrom(Number.NaN, Infinity, -Infinity),
);

describe('N:M selection equals the enumerator', () => {
  it('on tie-heavy, rounding-hostile, overflowing and arbitrary values (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PATTERNS),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        ([n, m], groups, seed) => {
          const rng = new MT19937(seed);
          const pool = [...ROUNDING, ...HUGE, ...TIED];
          const data = Float32Array.from(
            { length: groups * m },
            () => pool[rng.nextInt(0, pool.length)]! * (rng.nextDouble() < 0.5 ? -1 : 1),
          );
          expect(nm(data, n, m)).toEqual(oracleMask(data, n, m));
        },
      ),
      { numRuns: 400 },
    );
    for (const arb of [values(ROUNDING), values(HUGE), values(TIED), anyFloat, groupValues]) {
      fc.assert(
        fc.property(fc.constantFrom(...PATTERNS), fc.array(arb, { minLength: 24, maxLength: 24 }), ([n, m], vals) => {
          const data = Float32Array.from(vals.slice(0, Math.floor(24 / m) * m));
          expect(nm(data, n, m)).toEqual(oracleMask(data, n, m));
        }),
        { numRuns: 300 },
      );
    }
  });

  it('on hand-picked cases where float32 rounding makes a smaller pair tie or win', () => {
    // 1 + (1 + 2^-23) rounds to 2 = 1 + 1, so the lexicographically first pair {0, 1} wins over the top 2.
    const tie = Float32Array.from([1, 1, 0, 1 + 2 ** -23, 0]);
    expect(nm(tie, 2, 5)).toEqual([1, 1, 0, 0, 0]);
    expect(nm(tie, 2, 5)).toEqual(oracleMask(tie, 2, 5));
    // Two overflowing sums tie at +Inf: the earlier pair holding the largest value wins.
    const big = Float32Array.from([3.4028234663852886e38, 2e31, 0, 0, 0, 3.4028234663852886e38]);
    expect(nm(big, 2, 6)).toEqual(oracleMask(big, 2, 6));
    expect(nm(big, 2, 6)).toEqual([1, 1, 0, 0, 0, 0]);
    // Constant non-dyadic groups: every subset scores the same, the first N win.
    const flat = new Float32Array(16).fill(0.1);
    expect(nm(flat, 8, 16)).toEqual(oracleMask(flat, 8, 16));
  });

  it('on 8:16 groups mixing near-ties (the dynamic-programming path), against the 12,870-subset oracle', () => {
    const rng = new MT19937(5);
    for (let trial = 0; trial < 12; trial++) {
      const data = Float32Array.from(
        { length: 32 },
        () => [0.1, 0.3, 0.7, 1 + 2 ** -23, 1, 2 ** -24][rng.nextInt(0, 6)]! * (1 + rng.nextInt(0, 3) * 2 ** -23),
      );
      expect(nm(data, 8, 16)).toEqual(oracleMask(data, 8, 16));
    }
  });
});

function randn(count: number, seed: number): Float32Array {
  const rng = new MT19937(seed);
  return Float32Array.from(
    { length: count },
    () => Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble()),
  );
}

describe('wide N:M patterns', () => {
  it('1:256 keeps the largest |w| of each row (no Int8 overflow at position 128)', () => {
    const w = randn(8 * 256, 1);
    const mask = createMask(w, [8, 256], '1:256');
    for (let r = 0; r < 8; r++) {
      const row = Array.from(w.subarray(r * 256, r * 256 + 256), Math.abs);
      const kept = Array.from(mask.subarray(r * 256, r * 256 + 256)).flatMap((v, i) => (v ? [i] : []));
      expect(kept).toEqual([row.indexOf(Math.max(...row))]);
    }
  });

  it.each([
    [16, 32],
    [32, 64],
    [4, 160],
    [12, 24],
    [128, 256],
  ])('%i:%i keeps N per group, a true top N on distinct integers, and a near-top N on randn', (n, m) => {
    const rows = 16;
    const cols = m * 2;
    const ints = Float32Array.from(
      { length: rows * cols },
      (_, i) => (i % 2 ? -1 : 1) * (1 + ((i * 7919) % (rows * cols))),
    );
    const gauss = randn(rows * cols, n + m);
    for (const w of [ints, gauss]) {
      const mask = createMask(w, [rows, cols], `${n}:${m}`);
      expect(isNM(mask, [rows, cols], n, m)).toBe(true);
      for (let g = 0; g < w.length; g += m) {
        const kept: number[] = [];
        const dropped: number[] = [];
        for (let i = 0; i < m; i++) (mask[g + i] ? kept : dropped).push(Math.abs(w[g + i]!));
        expect(kept).toHaveLength(n);
        // Exact for integers; for randn only float32 near-ties may swap a pair.
        const slack = w === ints ? 1 : 1 + n * 2 ** -22;
        expect(Math.min(...kept) * slack).toBeGreaterThanOrEqual(Math.max(...dropped));
      }
    }
  });

  it('refuses M above 256 at parse time, and enumerating a huge pattern list', () => {
    expect(() => createMask(new Float32Array(300), [1, 300], '1:300')).toThrow(SparsityError);
    expect(() => createMask(new Float32Array(300), [1, 300], '1:300')).toThrow(
      /M=300 is wider than the largest supported group, M=256/,
    );
    expect(() => createMask(new Float32Array(4), [1, 4], '1:99999999999999999999')).toThrow(/largest supported group/);
    expect(() => compressNM(new Float32Array(300), new Uint8Array(300), 1, 300, 1, 300)).toThrow(SparsityError);
    expect(() => nmPatterns(16, 32)).toThrow(/601080390 subsets/);
    expect(nmPatterns(8, 16)).toHaveLength(12870);
  });
});
