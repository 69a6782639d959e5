import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/tensor/errors.js';
import {
  SparsityError,
  bfloat16Bits,
  bfloat16Value,
  compress24,
  cutlassMetaOffset,
  decompress,
  fromCutlass,
  logicalMetaWords,
  m4n2_1d,
  metaNibble,
  toCutlass,
} from '../../src/sparse/index.js';
import { type CutlassCase, golden } from './golden.js';

describe('CUTLASS semi-structured layout', () => {
  it('codes the six pairs as docs/formats.md §2.3 lists them', () => {
    const pairs: [number, number, number][] = [
      [0, 1, 4],
      [0, 2, 8],
      [0, 3, 12],
      [1, 2, 9],
      [1, 3, 13],
      [2, 3, 14],
    ];
    for (const [i0, i1, nib] of pairs) expect(metaNibble(i0, i1)).toBe(nib);
    expect(() => metaNibble(2, 1)).toThrow(ValueError);
  });

  it('packs groups {0,1},{2,3},{1,2},{0,3} into the word 0xC9E4', () => {
    const mask = Uint8Array.from([1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1]);
    const c = compress24(new Float32Array(16).fill(1), mask, 1, 16);
    expect(Array.from(logicalMetaWords(c, 4))).toEqual([0xc9e4]);
  });

  it('places meta words at the offsets of the m=32 table', () => {
    const table: [number, number, number][] = [
      [0, 0, 0],
      [8, 0, 1],
      [0, 1, 2],
      [1, 0, 8],
      [9, 0, 9],
      [2, 0, 16],
      [0, 2, 64],
      [31, 3, 127],
    ];
    for (const [r, c, off] of table) expect(cutlassMetaOffset(r, c, 32)).toBe(off);
    // The map is a bijection onto the buffer, for both meta widths.
    for (const [rows, group, ilv] of [
      [64, 32, 4],
      [32, 16, 2],
    ] as const) {
      const seen = new Set<number>();
      for (let r = 0; r < rows; r++) for (let c = 0; c < 4; c++) seen.add(cutlassMetaOffset(r, c, rows, group, ilv));
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: rows * 4 }, (_, i) => i));
    }
  });

  const cases: [string, CutlassCase][] = [
    ['fp16', golden.cutlass_f16],
    ['bf16', golden.cutlass_bf16],
    ['int8', golden.cutlass_i8],
  ];
  for (const [name, g] of cases) {
    it(`matches the independent numpy encoder byte for byte (${name}, ${g.shape.join('x')})`, () => {
      const [rows, cols] = g.shape;
      const c = compress24(Float32Array.from(g.dense), Uint8Array.from(g.mask), rows, cols);
      const s = toCutlass(c, g.dtype);
      expect(Array.from(s.packed, (x) => (g.dtype === 'int8' ? x : x & 0xffff))).toEqual(g.packed);
      expect(Array.from(s.meta, (x) => (g.dtype === 'int8' ? x >>> 0 : x & 0xffff))).toEqual(g.meta);
      expect(s.metaDtype).toBe(g.dtype === 'int8' ? 'int32' : 'int16');
      // Import gives back the kept positions and (for int8, exactly) the values.
      const back = fromCutlass(s);
      expect(Array.from(back.indices)).toEqual(Array.from(c.indices));
      if (g.dtype === 'int8') expect(Array.from(decompress(back))).toEqual(Array.from(decompress(c)));
    });
  }

  it('round-trips fp16-representable weights exactly: encode, reorder, un-reorder, decode (property)', () => {
    const half = fc.integer({ min: -2048, max: 2048 }).map((x) => x / 8);
    fc.assert(
      fc.property(
        fc.array(half, { minLength: 32 * 32, maxLength: 32 * 32 }),
        fc.constantFrom('float16', 'bfloat16' as const),
        (vals, dtype) => {
          const w = Float32Array.from(vals);
          const mask = m4n2_1d({ data: w, rows: 32, cols: 32 });
          const c = compress24(w, mask, 32, 32);
          const back = fromCutlass(toCutlass(c, dtype));
          // bf16 keeps 8 significant bits, fewer than these values need: compare with the rounded weight.
          const round = dtype === 'float16' ? (x: number) => x : (x: number) => bfloat16Value(bfloat16Bits(x));
          const expected = decompress(c).map(round);
          expect(Array.from(decompress(back))).toEqual(Array.from(expected));
        },
      ),
      { numRuns: 20 },
    );
  });

  it('enforces shape constraints and value ranges with clear errors', () => {
    const c = (rows: number, cols: number) =>
      compress24(
        new Float32Array(rows * cols),
        m4n2_1d({ data: new Float32Array(rows * cols), rows, cols }),
        rows,
        cols,
      );
    expect(() => toCutlass(c(16, 16), 'float16')).toThrow(ShapeError);
    expect(() => toCutlass(c(16, 16), 'float16')).toThrow(/rows % 32 == 0 and cols % 32 == 0, found 16x16/);
    // One meta word per row would need a partner column in the interleaved store: refused.
    expect(() => toCutlass(c(32, 16), 'float16')).toThrow(/cols % 32/);
    expect(() => toCutlass(c(16, 32), 'int8')).toThrow(/cols % 64/);
    expect(toCutlass(c(16, 64), 'int8').meta).toHaveLength(32);
    const big = compress24(Float32Array.from([300, 1, 0, 0]), Uint8Array.from([1, 1, 0, 0]), 1, 4);
    const tall = {
      ...big,
      rows: 16,
      cols: 64,
      values: new Float32Array(512).fill(0.5),
      indices: new Uint8Array(512).map((_, i) => i % 2),
    };
    expect(() => toCutlass(tall, 'int8')).toThrow(/integers in \[-128, 127\]/);
  });

  it('rejects invalid meta nibbles on import', () => {
    const s = toCutlass(
      compress24(
        new Float32Array(32 * 32),
        new Uint8Array(32 * 32).map((_, i) => (i % 4 < 2 ? 1 : 0)),
        32,
        32,
      ),
    );
    const meta = Int16Array.from(s.meta);
    meta[0] = 0;
    expect(() => fromCutlass({ ...s, meta })).toThrow(SparsityError);
    expect(() => fromCutlass({ ...s, metaDtype: 'int32' })).toThrow(ValueError);
  });
});
