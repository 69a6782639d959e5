import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/tensor/errors.js';
import {
  SparsityError,
  columnIndices,
  compress24,
  compressNM,
  compressWeight,
  compressedMask,
  createMask,
  decompress,
  decompressWeight,
  nmMask,
} from '../../src/sparse/index.js';

const floats = (n: number) =>
  fc
    .array(fc.float({ min: -1e6, max: 1e6, noNaN: true }), { minLength: n, maxLength: n })
    .map((a) => Float32Array.from(a));

describe('compressed 2:4 / N:M', () => {
  it('stores values [m][k/2] and kept positions, keeping a kept zero', () => {
    const w = Float32Array.from([0, 7, 5, 0, 1, 2, 3, 4]);
    const mask = Uint8Array.from([1, 1, 0, 0, 0, 0, 1, 1]); // keeps the 0 at column 0, drops the 5
    const c = compress24(w, mask, 1, 8);
    expect(Array.from(c.values)).toEqual([0, 7, 3, 4]);
    expect(Array.from(c.indices)).toEqual([0, 1, 2, 3]);
    expect(Array.from(columnIndices(c))).toEqual([0, 1, 6, 7]);
    expect(Array.from(compressedMask(c))).toEqual(Array.from(mask));
    expect(Array.from(decompress(c))).toEqual([0, 7, 0, 0, 0, 0, 3, 4]);
  });

  it('pads a group keeping fewer than N with its lowest unkept positions holding 0', () => {
    const c = compress24(Float32Array.from([9, 8, 7, 6]), Uint8Array.from([0, 0, 1, 0]), 1, 4);
    expect(Array.from(c.indices)).toEqual([0, 2]);
    expect(Array.from(c.values)).toEqual([0, 7]);
    expect(Array.from(decompress(c))).toEqual([0, 0, 7, 0]);
  });

  it('refuses a mask keeping too many, naming row and columns', () => {
    const mask = Uint8Array.from([1, 1, 0, 0, 1, 1, 1, 0]);
    expect(() => compress24(new Float32Array(8), mask, 2, 4)).toThrow(SparsityError);
    expect(() => compress24(new Float32Array(8), mask, 2, 4)).toThrow(/3 values in row 1, columns 0..3/);
    expect(() => compress24(new Float32Array(6), new Uint8Array(6), 1, 6)).toThrow(ShapeError);
    expect(() => compress24(new Float32Array(8), new Uint8Array(4), 2, 4)).toThrow(ShapeError);
  });

  it('decompress(compress(w, mask)) equals the masked weight exactly (property, 2:4 and N:M)', () => {
    const cases = fc.constantFrom([2, 4], [1, 4], [2, 8], [4, 8]);
    fc.assert(
      fc.property(cases, floats(3 * 16), ([n, m], w) => {
        const mask = nmMask({ data: w, rows: 3, cols: 16 }, n!, m!);
        const c = compressNM(w, mask, 3, 16, n!, m!);
        expect(c.values).toHaveLength((48 * n!) / m!);
        expect(Array.from(decompress(c))).toEqual(Array.from(w, (x, i) => (mask[i] ? x : 0)));
        const cols = columnIndices(c);
        for (let v = 0; v < cols.length; v++) {
          const row = Math.floor(v / ((16 * n!) / m!));
          expect(w[row * 16 + cols[v]!]).toBe(c.values[v]);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('compresses Conv weights through their mask view and maps back (property)', () => {
    const shape = [4, 8, 3, 2];
    fc.assert(
      fc.property(floats(4 * 8 * 3 * 2), (w) => {
        const mask = createMask(w, shape);
        const c = compressWeight(w, mask, shape);
        expect([c.rows, c.cols]).toEqual([3 * 2 * 4, 8]);
        expect(Array.from(decompressWeight(c))).toEqual(Array.from(w, (x, i) => (mask[i] ? x : 0)));
      }),
      { numRuns: 40 },
    );
  });

  it('decompressWeight needs a weight shape', () => {
    expect(() => decompressWeight(compress24(new Float32Array(4), Uint8Array.from([1, 1, 0, 0]), 1, 4))).toThrow(
      ShapeError,
    );
  });
});
