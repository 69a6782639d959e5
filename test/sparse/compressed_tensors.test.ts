import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/tensor/errors.js';
import { FormatError } from '../../src/io/index.js';
import {
  SparsityError,
  compress24,
  decompress,
  fromCutlass24,
  fromSparse24Bitmask,
  compressNM,
  isTargeted,
  matchesTarget,
  parseSparsityConfig,
  m4n2_1d,
  toCutlass,
  toCutlass24,
  toSparse24Bitmask,
} from '../../src/sparse/index.js';
import { golden } from './golden.js';

const masked = (rows: number, cols: number, values: number[]) => {
  const w = Float32Array.from(values);
  return compress24(w, m4n2_1d({ data: w, rows, cols }), rows, cols);
};

describe('cutlass-24 (the CUTLASS layout under sparse24 keys)', () => {
  it('stores the CUTLASS packed values and meta under <param> keys', () => {
    const c = masked(
      32,
      64,
      Array.from({ length: 32 * 64 }, (_, i) => ((i * 37) % 19) - 9),
    );
    const rec = toCutlass24('model.fc1.weight', c);
    expect(Object.keys(rec).sort()).toEqual(['model.fc1.weight.cutlass_24_meta', 'model.fc1.weight.cutlass_24_values']);
    const packed = rec['model.fc1.weight.cutlass_24_values']!;
    const meta = rec['model.fc1.weight.cutlass_24_meta']!;
    expect([packed.dtype, packed.shape]).toEqual(['F16', [32, 32]]);
    expect([meta.dtype, meta.shape]).toEqual(['I16', [32, 4]]);
    if (meta.dtype !== 'I16') throw new Error(`meta dtype ${meta.dtype}`);
    expect(Array.from(meta.data)).toEqual(Array.from(toCutlass(c).meta));
    const back = fromCutlass24('model.fc1.weight', rec);
    expect(Array.from(decompress(back))).toEqual(Array.from(decompress(c)));
  });

  it('handles bf16 and the int8 / int32-meta variant', () => {
    const c = masked(
      16,
      64,
      Array.from({ length: 16 * 64 }, (_, i) => ((i * 11) % 200) - 100),
    );
    const rec8 = toCutlass24('w', c, 'int8');
    expect([
      rec8['w.cutlass_24_values']!.dtype,
      rec8['w.cutlass_24_meta']!.dtype,
      rec8['w.cutlass_24_meta']!.shape,
    ]).toEqual(['I8', 'I32', [16, 2]]);
    expect(Array.from(decompress(fromCutlass24('w', rec8)))).toEqual(Array.from(decompress(c)));
    const c32 = masked(
      32,
      32,
      Array.from({ length: 32 * 32 }, (_, i) => (i % 9) - 4),
    );
    const recBf = toCutlass24('w', c32, 'bfloat16');
    expect(recBf['w.cutlass_24_values']!.dtype).toBe('BF16');
    expect(Array.from(decompress(fromCutlass24('w', recBf)))).toEqual(Array.from(decompress(c32)));
  });

  it('a weight with zero rows exports as PyTorch shapes it: packed [0, k/2], meta [0, k/16] (int8: k/32)', () => {
    for (const [dtype, cols, metaCols] of [
      ['float16', 32, 2],
      ['bfloat16', 64, 4],
      ['int8', 64, 2],
    ] as const) {
      const c = compress24(new Float32Array(0), new Uint8Array(0), 0, cols);
      const rec = toCutlass24('w', c, dtype);
      expect(rec['w.cutlass_24_values']!.shape).toEqual([0, cols / 2]);
      expect(rec['w.cutlass_24_meta']!.shape).toEqual([0, metaCols]);
      expect(rec['w.cutlass_24_meta']!.data.length).toBe(0);
      const back = fromCutlass24('w', rec);
      expect([back.rows, back.cols, back.values.length]).toEqual([0, cols, 0]);
    }
  });

  it('names missing keys and mismatched dtypes', () => {
    const rec = toCutlass24('w', masked(32, 32, new Array(1024).fill(1)));
    expect(() => fromCutlass24('v', rec)).toThrow(/no key 'v.cutlass_24_values'/);
    expect(() =>
      fromCutlass24('w', { ...rec, 'w.cutlass_24_meta': { dtype: 'I32', shape: [32, 1], data: new Int32Array(32) } }),
    ).toThrow(ValueError);
  });
});

describe('compressed-tensors sparse-24-bitmask', () => {
  for (const g of [golden.bitmask_c16, golden.bitmask_c12]) {
    it(`matches numpy.packbits(bitorder='little') and fp16 values (${g.shape.join('x')})`, () => {
      const [rows, cols] = g.shape;
      const c = compress24(Float32Array.from(g.dense), Uint8Array.from(g.mask), rows, cols);
      const rec = toSparse24Bitmask('layer.weight', c);
      expect(Object.keys(rec).sort()).toEqual(['layer.bitmask', 'layer.compressed', 'layer.shape']);
      const bits = rec['layer.bitmask']!;
      expect([bits.dtype, bits.shape]).toEqual(['U8', [rows, Math.ceil(cols / 8)]]);
      if (bits.dtype !== 'U8') throw new Error(`bitmask dtype ${bits.dtype}`);
      expect(Array.from(bits.data)).toEqual(g.bitmask);
      const comp = rec['layer.compressed']!;
      expect([comp.dtype, comp.shape]).toEqual(['F16', [rows, cols / 2]]);
      if (comp.dtype !== 'F16') throw new Error(`compressed dtype ${comp.dtype}`);
      expect(Array.from(comp.data)).toEqual(g.compressed_f16);
      const shapeEntry = rec['layer.shape']!;
      expect([shapeEntry.dtype, shapeEntry.shape]).toEqual(['I64', [2, 1]]);
      if (shapeEntry.dtype === 'I64') expect(Array.from(shapeEntry.data)).toEqual([BigInt(rows), BigInt(cols)]);
    });
  }

  it('round-trips exactly in float32, keeping kept zeros (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 1, -2, 0.5, 3.25), { minLength: 4 * 24, maxLength: 4 * 24 }), (vals) => {
        const c = masked(4, 24, vals);
        const back = fromSparse24Bitmask('p', toSparse24Bitmask('p', c, 'float32'));
        expect(Array.from(back.indices)).toEqual(Array.from(c.indices));
        expect(Array.from(back.values)).toEqual(Array.from(c.values));
      }),
      { numRuns: 50 },
    );
  });

  it('rejects inconsistent records', () => {
    const rec = toSparse24Bitmask('p', masked(2, 8, [1, 2, 3, 4, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1]), 'float32');
    const fewer = { ...rec, 'p.compressed': { dtype: 'F32' as const, shape: [2, 3], data: new Float32Array(6) } };
    expect(() => fromSparse24Bitmask('p', fewer)).toThrow(SparsityError);
    const badShape = { ...rec, 'p.shape': { dtype: 'I64' as const, shape: [2], data: BigInt64Array.from([2n, 16n]) } };
    expect(() => fromSparse24Bitmask('p', badShape)).toThrow(ShapeError);
    const bitmask = Uint8Array.from([0xff, 0x00]);
    expect(() =>
      fromSparse24Bitmask('p', { ...rec, 'p.bitmask': { dtype: 'U8', shape: [2, 1], data: bitmask } }),
    ).toThrow(SparsityError);
  });
});

describe('cutlass-24 legacy keys and compressed-tensors targets', () => {
  it('reads the sparse_24_packed_weight/meta keys earlier sparse24 versions wrote, byte for byte', () => {
    const dense = new Float32Array(32 * 32).map((_, i) => (i % 4 < 2 ? (i % 7) + 1 : 0));
    const c = compressNM(dense, dense.map((v) => (v !== 0 ? 1 : 0)) as unknown as Uint8Array, 32, 32, 2, 4);
    const rec = toCutlass24('fc.weight', c as Parameters<typeof toCutlass24>[1]);
    const legacy = {
      'fc.weight.sparse_24_packed_weight': rec['fc.weight.cutlass_24_values']!,
      'fc.weight.meta': rec['fc.weight.cutlass_24_meta']!,
    };
    expect(fromCutlass24('fc.weight', legacy)).toEqual(fromCutlass24('fc.weight', rec));
  });

  it("follows compressed-tensors' is_match: class names, exact names, re: from the start", () => {
    expect(matchesTarget('fc1', ['Linear', 'Module'], 'Linear')).toBe(true);
    expect(matchesTarget('fc1', ['Conv2d'], 'Linear')).toBe(false);
    expect(matchesTarget('model.lm_head', [], 're:.*lm_head')).toBe(true);
    expect(matchesTarget('model.lm_head', [], 're:lm_head')).toBe(false);
    expect(matchesTarget('fc1', [], 'fc')).toBe(false);
    const config = parseSparsityConfig('config.json', {
      quantization_config: {
        quant_method: 'compressed-tensors',
        sparsity_config: { format: 'sparse-24-bitmask', targets: ['Linear'], ignore: ['head', 're:blocks\\.1\\.'] },
      },
    });
    expect(isTargeted(config, 'blocks.0.fc', ['Linear'])).toBe(true);
    expect(isTargeted(config, 'blocks.1.fc', ['Linear'])).toBe(false);
    expect(isTargeted(config, 'head', ['Linear'])).toBe(false);
    expect(() =>
      parseSparsityConfig('config.json', { quantization_config: { sparsity_config: { format: 'sparse-24' } } }),
    ).toThrow(FormatError);
    expect(() => parseSparsityConfig('config.json', [])).toThrow(FormatError);
  });
});
