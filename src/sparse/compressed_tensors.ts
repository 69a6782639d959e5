/**
 * compressed-tensors' 2:4 checkpoint forms (docs/formats.md §3), as plain records of typed arrays keyed the
 * way its safetensors files are. Writing them to a file is src/io's job; the entry type matches
 * io's `StoredTensor` structurally (safetensors dtype names, F16/BF16 as raw 16-bit patterns).
 *
 *   sparse-24:          <param>.sparse_24_packed_weight, <param>.meta  (the CUTLASS layout)
 *   sparse-24-bitmask:  <param>.compressed [rows][cols/2], <param>.bitmask uint8 [rows][ceil(cols/8)]
 *                       (numpy.packbits(mask, axis=-1, bitorder='little')), <param>.shape int64 [rows, cols]
 */
import { ShapeError, ValueError } from '../tensor/errors.js';
import type { Compressed24 } from './compressed.js';
import { compressNM, compressedMask } from './compressed.js';
import { type CutlassValueDtype, fromCutlass, metaWordsPerRow, toCutlass } from './cutlass.js';
import { SparsityError } from './errors.js';
import { fromHalfBits, toHalfBits } from './half.js';
import { weightElements } from './view2d.js';

export type SparseStoredTensor =
  | { readonly dtype: 'F32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'F16' | 'BF16'; readonly shape: readonly number[]; readonly data: Uint16Array }
  | { readonly dtype: 'I8'; readonly shape: readonly number[]; readonly data: Int8Array }
  | { readonly dtype: 'I16'; readonly shape: readonly number[]; readonly data: Int16Array }
  | { readonly dtype: 'I32'; readonly shape: readonly number[]; readonly data: Int32Array }
  | { readonly dtype: 'I64'; readonly shape: readonly number[]; readonly data: BigInt64Array }
  | { readonly dtype: 'U8'; readonly shape: readonly number[]; readonly data: Uint8Array };

export type SparseStoredRecord = Record<string, SparseStoredTensor>;

const HALF = { float16: 'F16', bfloat16: 'BF16' } as const;

function entry(record: SparseStoredRecord, key: string): SparseStoredTensor {
  const e = record[key];
  if (e === undefined)
    throw new ValueError(`compressed-tensors record has no key '${key}' (keys: ${Object.keys(record).join(', ')})`);
  return e;
}

/** `sparse-24`: the CUTLASS layout under compressed-tensors' key names. */
export function toSparse24(param: string, c: Compressed24, dtype: CutlassValueDtype = 'float16'): SparseStoredRecord {
  const s = toCutlass(c, dtype);
  const packedShape = [c.rows, c.cols / 2];
  const packed: SparseStoredTensor =
    s.packed instanceof Int8Array
      ? { dtype: 'I8', shape: packedShape, data: s.packed }
      : { dtype: HALF[dtype as 'float16' | 'bfloat16'], shape: packedShape, data: s.packed };
  // [rows, cols/16] (or cols/32 for int8), as PyTorch shapes meta: also right for zero rows.
  const metaShape = [c.rows, metaWordsPerRow(c.cols, dtype)];
  const meta: SparseStoredTensor =
    s.meta instanceof Int32Array
      ? { dtype: 'I32', shape: metaShape, data: s.meta }
      : { dtype: 'I16', shape: metaShape, data: s.meta };
  return { [`${param}.sparse_24_packed_weight`]: packed, [`${param}.meta`]: meta };
}

/** Reads `sparse-24` keys back into a compressed 2:4 matrix. */
export function fromSparse24(param: string, record: SparseStoredRecord): Compressed24 {
  const packed = entry(record, `${param}.sparse_24_packed_weight`);
  const meta = entry(record, `${param}.meta`);
  if (packed.shape.length !== 2)
    throw new ShapeError(`${param}.sparse_24_packed_weight must be 2-D, found shape [${packed.shape.join(', ')}]`);
  const rows = packed.shape[0]!;
  const cols = packed.shape[1]! * 2;
  if (packed.dtype === 'I8' && meta.dtype === 'I32') {
    return fromCutlass({ rows, cols, packed: packed.data, packedDtype: 'int8', meta: meta.data, metaDtype: 'int32' });
  }
  if ((packed.dtype === 'F16' || packed.dtype === 'BF16') && meta.dtype === 'I16') {
    const packedDtype = packed.dtype === 'F16' ? 'float16' : 'bfloat16';
    return fromCutlass({ rows, cols, packed: packed.data, packedDtype, meta: meta.data, metaDtype: 'int16' });
  }
  throw new ValueError(
    `${param}: sparse-24 needs F16/BF16 values with I16 meta or I8 with I32, found ${packed.dtype} and ${meta.dtype}`,
  );
}

/** `sparse-24-bitmask`: kept values, a little-endian bit-packed mask and the dense shape. */
export function toSparse24Bitmask(
  param: string,
  c: Compressed24,
  dtype: 'float32' | 'float16' | 'bfloat16' = 'float16',
): SparseStoredRecord {
  const bytesPerRow = Math.ceil(c.cols / 8);
  const bitmask = new Uint8Array(c.rows * bytesPerRow);
  const mask = compressedMask(c);
  for (let r = 0; r < (c.cols === 0 ? 0 : c.rows); r++) {
    for (let col = 0; col < c.cols; col++) {
      if (mask[r * c.cols + col]) bitmask[r * bytesPerRow + (col >> 3)]! |= 1 << (col & 7);
    }
  }
  const valueShape = [c.rows, c.cols / 2];
  const compressed: SparseStoredTensor =
    dtype === 'float32'
      ? { dtype: 'F32', shape: valueShape, data: Float32Array.from(c.values) }
      : { dtype: HALF[dtype], shape: valueShape, data: toHalfBits(c.values, dtype) };
  return {
    [`${param}.compressed`]: compressed,
    [`${param}.bitmask`]: { dtype: 'U8', shape: [c.rows, bytesPerRow], data: bitmask },
    [`${param}.shape`]: { dtype: 'I64', shape: [2], data: BigInt64Array.from([BigInt(c.rows), BigInt(c.cols)]) },
  };
}

function readShape(param: string, e: SparseStoredTensor): [number, number] {
  const values = e.dtype === 'I64' ? Array.from(e.data, Number) : e.dtype === 'I32' ? Array.from(e.data) : null;
  if (values === null || values.length !== 2) {
    throw new ValueError(
      `${param}.shape must hold two integers (I64 or I32) [rows, cols], found ${e.dtype} with ${e.data.length} values`,
    );
  }
  return [values[0]!, values[1]!];
}

/** Reads `sparse-24-bitmask` keys back into a compressed 2:4 matrix (the bitmask is the mask). */
export function fromSparse24Bitmask(param: string, record: SparseStoredRecord): Compressed24 {
  const [rows, cols] = readShape(param, entry(record, `${param}.shape`));
  weightElements([rows, cols], `${param}.shape`);
  const bits = entry(record, `${param}.bitmask`);
  const comp = entry(record, `${param}.compressed`);
  const bytesPerRow = Math.ceil(cols / 8);
  if (bits.dtype !== 'U8' || bits.data.length !== rows * bytesPerRow) {
    throw new ShapeError(
      `${param}.bitmask must be U8 [${rows}, ${bytesPerRow}], found ${bits.dtype} with ${bits.data.length} bytes`,
    );
  }
  let values: Float32Array;
  if (comp.dtype === 'F32') values = comp.data;
  else if (comp.dtype === 'F16' || comp.dtype === 'BF16')
    values = fromHalfBits(comp.data, comp.dtype === 'F16' ? 'float16' : 'bfloat16');
  else throw new ValueError(`${param}.compressed must be F32, F16 or BF16, found ${comp.dtype}`);
  const mask = new Uint8Array(rows * cols);
  const dense = new Float32Array(rows * cols);
  let next = 0;
  for (let r = 0; r < (cols === 0 ? 0 : rows); r++) {
    for (let col = 0; col < cols; col++) {
      if ((bits.data[r * bytesPerRow + (col >> 3)]! >> (col & 7)) & 1) {
        if (next >= values.length)
          throw new SparsityError(`${param}: bitmask marks more values than the ${values.length} stored`);
        mask[r * cols + col] = 1;
        dense[r * cols + col] = values[next++]!;
      }
    }
  }
  if (next !== values.length)
    throw new SparsityError(`${param}: bitmask marks ${next} values but ${values.length} are stored`);
  return compressNM(dense, mask, rows, cols, 2, 4) as Compressed24;
}
