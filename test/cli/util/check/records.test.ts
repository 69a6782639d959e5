import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { denseOf } from '../../../../src/cli/util/check/dense_source.js';
import { decodeRecord, groupRecordKeys, recordKeyOf } from '../../../../src/cli/util/check/records.js';
import { FormatError, type StoredTensor } from '../../../../src/io/index.js';
import { compress24, decompress, toCutlass24, toSparse24Bitmask } from '../../../../src/sparse/index.js';

const asMap = (rec: Record<string, unknown>): Map<string, StoredTensor> =>
  new Map(Object.entries(rec) as [string, StoredTensor][]);

/**
 * A bitmask record (compressed-tensors' module keys) written by hand from any 0/1 mask (up to four
 * kept per group) and nonzero values.
 */
function bitmaskRecord(
  param: string,
  mask: Uint8Array,
  rows: number,
  cols: number,
): { tensors: Map<string, StoredTensor>; dense: Float32Array } {
  const bytesPerRow = Math.ceil(cols / 8);
  const bits = new Uint8Array(rows * bytesPerRow);
  const dense = new Float32Array(rows * cols);
  const kept: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (mask[r * cols + c] === 0) continue;
      bits[r * bytesPerRow + (c >> 3)]! |= 1 << (c & 7);
      dense[r * cols + c] = r * cols + c + 1;
      kept.push(r * cols + c + 1);
    }
  }
  return {
    dense,
    tensors: asMap({
      [`${param}.compressed`]: { dtype: 'F32', shape: [kept.length], data: Float32Array.from(kept) },
      [`${param}.bitmask`]: { dtype: 'U8', shape: [rows, bytesPerRow], data: bits },
      [`${param}.shape`]: { dtype: 'I64', shape: [2, 1], data: BigInt64Array.from([BigInt(rows), BigInt(cols)]) },
    }),
  };
}

describe('compressed-tensors records for check', () => {
  it('record keys group by <param>; .meta and .shape count only beside a distinctive key or under a .weight param', () => {
    expect(recordKeyOf('fc.weight.cutlass_24_values')).toEqual({ param: 'fc.weight', suffix: 'cutlass_24_values' });
    expect(recordKeyOf('fc.weight.cutlass_24_meta')).toEqual({ param: 'fc.weight', suffix: 'cutlass_24_meta' });
    expect(recordKeyOf('fc.compressed')).toEqual({ param: 'fc', suffix: 'compressed' });
    expect(recordKeyOf('fc.bitmask')).toEqual({ param: 'fc', suffix: 'bitmask' });
    // Earlier sparse24 files: the legacy CUTLASS meta under the weight.
    expect(recordKeyOf('fc.weight.meta')).toEqual({ param: 'fc.weight', suffix: 'meta' });
    expect(recordKeyOf('fc.meta')).toBeNull();
    expect(recordKeyOf('fc.shape')).toBeNull();
    expect(recordKeyOf('fc.weight')).toBeNull();
    const groups = groupRecordKeys([
      'a.bitmask',
      'b.weight',
      'a.shape',
      'c.weight.cutlass_24_meta',
      'a.compressed',
      'd.shape',
      'e.weight.sparse_24_packed_weight',
      'e.weight.meta',
    ]);
    expect([...groups]).toEqual([
      ['a', ['a.bitmask', 'a.shape', 'a.compressed']],
      ['c.weight', ['c.weight.cutlass_24_meta']],
      ['e.weight', ['e.weight.sparse_24_packed_weight', 'e.weight.meta']],
    ]);
  });

  it('property: a bitmask decodes to the dense matrix, and groups keeping more than 2 of 4 are counted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 20, maxLength: 20 }),
        (rows, groupsPerRow, codes) => {
          const cols = 4 * groupsPerRow;
          const mask = new Uint8Array(rows * cols);
          let expected = 0;
          for (let g = 0; g < (rows * cols) / 4; g++) {
            const code = codes[g]!;
            let bitsSet = 0;
            for (let i = 0; i < 4; i++) {
              if (((code >> i) & 1) === 0) continue;
              mask[4 * g + i] = 1;
              bitsSet++;
            }
            if (bitsSet > 2) expected++;
          }
          const { tensors, dense } = bitmaskRecord('w', mask, rows, cols);
          const d = decodeRecord('f', 'w', [...tensors.keys()], tensors);
          expect(d).toMatchObject({
            name: 'w.weight',
            format: 'sparse-24-bitmask',
            dtype: 'F32',
            shape: [rows, cols],
            storedGroups: (rows * cols) / 4,
            storedViolatingGroups: expected,
          });
          expect([...denseOf(d.source)]).toEqual([...dense]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("cutlass-24 (fp16 and int8) and the writer's bitmask (module keys) decode back to the masked matrix", () => {
    const rows = 32;
    const cols = 64;
    const w = Float32Array.from({ length: rows * cols }, (_, i) => (i % 4 === 0 || i % 4 === 2 ? (i % 11) - 5 : 0));
    const c = compress24(
      w,
      Uint8Array.from(w, (_, i) => (i % 4 === 0 || i % 4 === 2 ? 1 : 0)),
      rows,
      cols,
    );
    for (const [rec, param, name, format, dtype, keys] of [
      [
        toCutlass24('l.weight', c, 'float16'),
        'l.weight',
        'l.weight',
        'cutlass-24',
        'F16',
        ['l.weight.cutlass_24_values', 'l.weight.cutlass_24_meta'],
      ],
      [
        toCutlass24('l.weight', c, 'int8'),
        'l.weight',
        'l.weight',
        'cutlass-24',
        'I8',
        ['l.weight.cutlass_24_values', 'l.weight.cutlass_24_meta'],
      ],
      [
        toSparse24Bitmask('l.weight', c, 'bfloat16'),
        'l',
        'l.weight',
        'sparse-24-bitmask',
        'BF16',
        ['l.compressed', 'l.bitmask', 'l.shape'],
      ],
    ] as const) {
      const tensors = asMap(rec);
      expect([...groupRecordKeys(tensors.keys())]).toEqual([[param, [...keys]]]);
      const d = decodeRecord('f', param, [...tensors.keys()], tensors);
      expect(d).toMatchObject({ param, name, format, dtype, shape: [rows, cols], storedViolatingGroups: 0, keys });
      expect([...denseOf(d.source)]).toEqual([...decompress(c)]);
    }
  });

  it('incomplete, mixed, doubled and inconsistent records are FormatErrors naming the param and key', () => {
    const c = compress24(
      new Float32Array(32 * 64),
      Uint8Array.from({ length: 32 * 64 }, (_, i) => (i % 4 < 2 ? 1 : 0)),
      32,
      64,
    );
    const bm = asMap(toSparse24Bitmask('l.weight', c, 'float32'));
    const decode = (t: Map<string, StoredTensor>): unknown =>
      decodeRecord(
        'x.safetensors',
        'l',
        [...t.keys()].filter((k) => k.startsWith('l.') && k !== 'l.weight'),
        t,
      );
    const without = new Map(bm);
    without.delete('l.shape');
    expect(() => decode(without)).toThrow(FormatError);
    expect(() => decode(without)).toThrow(
      "x.safetensors: sparse-24-bitmask record 'l' is incomplete: missing key 'l.shape' (found l.compressed, l.bitmask)",
    );
    const mixed = new Map(bm).set('l.cutlass_24_meta', { dtype: 'I16', shape: [1], data: new Int16Array(1) });
    expect(() => decode(mixed)).toThrow(
      "x.safetensors: compressed record 'l' mixes cutlass-24 and sparse-24-bitmask keys (l.compressed, l.bitmask, l.shape, l.cutlass_24_meta); expected the keys of one format",
    );
    const doubled = new Map(bm).set('l.weight', { dtype: 'F32', shape: [32, 64], data: new Float32Array(32 * 64) });
    expect(() => decode(doubled)).toThrow(
      "x.safetensors: 'l.weight' is stored both dense and as a sparse-24-bitmask record (l.compressed, l.bitmask, l.shape); expected one of the two",
    );
    expect(() => decodeRecord('x.safetensors', 'l.weight', [...bm.keys()], bm)).toThrow(
      "x.safetensors: key 'l.compressed' is not a compressed record key of 'l.weight'",
    );
    const oddCols = new Map(bm).set('l.shape', {
      dtype: 'I64',
      shape: [2, 1],
      data: BigInt64Array.from([32n, 62n]),
    });
    expect(() => decode(oddCols)).toThrow(
      "x.safetensors: sparse-24-bitmask record 'l': key 'l.shape' gives 62 columns, which do not split into groups of 4",
    );
    const wrongBits = new Map(bm).set('l.bitmask', { dtype: 'I32', shape: [32, 2], data: new Int32Array(64) });
    expect(() => decode(wrongBits)).toThrow(
      "x.safetensors: sparse-24-bitmask record 'l': key 'l.bitmask' must be U8 [32, 8] for shape [32, 64], found I32 [32, 2]",
    );
  });
});
