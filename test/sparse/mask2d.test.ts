import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/tensor/errors.js';
import { TRANSPOSABLE_24_PATTERNS, blockScore, isNM, m4n2_2d_best, m4n2_2d_greedy } from '../../src/sparse/index.js';

const popcount = (x: number): number => {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
};

/** Every 16-bit 4x4 mask with exactly two ones in each row and each column, by brute force. */
const ALL_TRANSPOSABLE: number[] = [];
for (let p = 0; p < 1 << 16; p++) {
  let ok = true;
  for (let i = 0; i < 4 && ok; i++) {
    ok = popcount((p >> (4 * i)) & 0xf) === 2 && popcount(p & (0x1111 << i)) === 2;
  }
  if (ok) ALL_TRANSPOSABLE.push(p);
}

const matrix = (rows: number, cols: number) =>
  fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: rows * cols, maxLength: rows * cols });

/** At most 2 kept per 4 consecutive entries of every row and of every column. */
function isTransposable24(mask: Uint8Array, rows: number, cols: number): boolean {
  const t = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = mask[r * cols + c]!;
  return isNM(mask, [rows, cols], 2, 4) && isNM(t, [cols, rows], 2, 4);
}

describe('transposable 2:4 masks', () => {
  it('has exactly the 90 patterns brute force finds, each once', () => {
    expect(ALL_TRANSPOSABLE).toHaveLength(90);
    expect([...TRANSPOSABLE_24_PATTERNS].sort((a, b) => a - b)).toEqual(ALL_TRANSPOSABLE);
    // Documented order: rows from apex's 1-D order, row 0 outermost: {1,3},{1,3},{0,2},{0,2} comes first.
    expect(TRANSPOSABLE_24_PATTERNS[0]).toBe(0b1010 | (0b1010 << 4) | (0b0101 << 8) | (0b0101 << 12));
  });

  it('m4n2_2d_best is optimal against brute force on random 4x4 blocks (property)', () => {
    fc.assert(
      fc.property(matrix(4, 4), (vals) => {
        const w = Float32Array.from(vals);
        const mask = m4n2_2d_best({ data: w, rows: 4, cols: 4 });
        const abs = Array.from(w, Math.abs);
        let bits = 0;
        for (let e = 0; e < 16; e++) if (mask[e]) bits |= 1 << e;
        expect(ALL_TRANSPOSABLE).toContain(bits);
        const best = Math.max(...ALL_TRANSPOSABLE.map((p) => blockScore(abs, p)));
        expect(blockScore(abs, bits)).toBe(best);
      }),
      { numRuns: 150 },
    );
  });

  it('picks the first pattern in the documented order on ties', () => {
    const zeros = { data: new Float32Array(16), rows: 4, cols: 4 };
    const mask = m4n2_2d_best(zeros);
    let bits = 0;
    for (let e = 0; e < 16; e++) if (mask[e]) bits |= 1 << e;
    expect(bits).toBe(TRANSPOSABLE_24_PATTERNS[0]);
  });

  it('both masks are 2:4 along rows and columns on multi-block views (property)', () => {
    fc.assert(
      fc.property(matrix(8, 12), (vals) => {
        const v = { data: Float32Array.from(vals), rows: 8, cols: 12 };
        const best = m4n2_2d_best(v);
        const greedy = m4n2_2d_greedy(v);
        expect(isTransposable24(best, 8, 12)).toBe(true);
        expect(best.reduce((a, b) => a + b, 0)).toBe(48);
        expect(isTransposable24(greedy, 8, 12)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('greedy keeps the largest entries first and can end with fewer than 8', () => {
    // Largest four form a 2x2 square at rows 0-1, cols 0-1; next at (2,0): column 0 full, skipped.
    const w = Float32Array.from([9, 9, 1, 1, 9, 9, 1, 1, 8, 0, 0, 0, 0, 0, 0, 0]);
    const m = m4n2_2d_greedy({ data: w, rows: 4, cols: 4 });
    expect(Array.from(m.subarray(0, 8))).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
    expect(m[8]).toBe(0);
    // Greedy fills columns 0, 2, 3 before row 1 gets its second entry: it stops at 7.
    const stuck = Float32Array.from([16, 13, 1, 19, 6, 11, 5, 7, 14, 3, 15, 4, 12, 0, 9, 18]);
    const g = m4n2_2d_greedy({ data: stuck, rows: 4, cols: 4 });
    expect(Array.from(g).join('')).toBe('1001010010100011');
    expect(m4n2_2d_best({ data: stuck, rows: 4, cols: 4 }).reduce((a, b) => a + b, 0)).toBe(8);
  });

  it('refuses views whose rows or columns are not multiples of 4', () => {
    expect(() => m4n2_2d_best({ data: new Float32Array(24), rows: 6, cols: 4 })).toThrow(ShapeError);
    expect(() => m4n2_2d_greedy({ data: new Float32Array(24), rows: 4, cols: 6 })).toThrow(ShapeError);
  });
});
