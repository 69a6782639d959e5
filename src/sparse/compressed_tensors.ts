/**
 * compressed-tensors' `sparse-24-bitmask` tensors (docs/formats.md §3.1–§3.2), per 2-D weight of the
 * module `<module>` (keys take the module's name, as compressed-tensors writes them; it appends
 * `.weight` again when it decompresses):
 *
 *   <module>.compressed  the weight's dtype [rows][cols/2]: kept values, row-major
 *   <module>.bitmask     U8 [rows][ceil(cols/8)]: numpy.packbits(mask, axis=-1, bitorder='little')
 *   <module>.shape       I64 [2, 1]: [[rows], [cols]]
 *
 * The configuration that goes with them lives in the folder's config.json (ct_config.ts).
 */
import { ShapeError, ValueError } from '../tensor/errors.js';
import { joinName } from '../tensor/names.js';
import type { Compressed24 } from './compressed.js';
import { compressNM, compressedMask } from './compressed.js';
import { SparsityError } from './errors.js';
import { fromHalfBits, toHalfBits } from './half.js';
import { type SparseStoredRecord, type SparseStoredTensor, recordEntry } from './stored_record.js';
import { weightElements } from './view2d.js';

export const BITMASK_KEYS = ['compressed', 'bitmask', 'shape'] as const;

const HALF = { float16: 'F16', bfloat16: 'BF16' } as const;

/** The module a weight belongs to: `fc1.weight` → `fc1` (as compressed-tensors strips it); else `name`. */
export function bitmaskModuleOf(name: string): string {
  if (name === 'weight') return '';
  return name.endsWith('.weight') ? name.slice(0, -'.weight'.length) : name;
}

/** `sparse-24-bitmask` tensors of `c` under the keys of `name` (a module, or its `.weight`). */
export function toSparse24Bitmask(
  name: string,
  c: Compressed24,
  dtype: 'float32' | 'float16' | 'bfloat16' = 'float16',
): SparseStoredRecord {
  const module = bitmaskModuleOf(name);
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
    [joinName(module, 'compressed')]: compressed,
    [joinName(module, 'bitmask')]: { dtype: 'U8', shape: [c.rows, bytesPerRow], data: bitmask },
    [joinName(module, 'shape')]: {
      dtype: 'I64',
      shape: [2, 1],
      data: BigInt64Array.from([BigInt(c.rows), BigInt(c.cols)]),
    },
  };
}

function readShape(key: string, e: SparseStoredTensor): [number, number] {
  const values = e.dtype === 'I64' ? Array.from(e.data, Number) : e.dtype === 'I32' ? Array.from(e.data) : null;
  if (values === null || values.length !== 2) {
    throw new ValueError(
      `${key} must hold two integers (I64 [2, 1]) [[rows], [cols]], found ${e.dtype} with ${e.data.length} values`,
    );
  }
  return [values[0]!, values[1]!];
}

/**
 * Reads `sparse-24-bitmask` tensors back into a compressed 2:4 matrix (the bitmask is the mask).
 * `name` is the module or its `.weight`; a `shape` of [2, 1] or [2], I64 or I32, is accepted.
 */
export function fromSparse24Bitmask(name: string, record: SparseStoredRecord): Compressed24 {
  const module = bitmaskModuleOf(name);
  const key = (s: string): string => joinName(module, s);
  const [rows, cols] = readShape(key('shape'), recordEntry(record, key('shape'), 'sparse-24-bitmask'));
  weightElements([rows, cols], key('shape'));
  const bits = recordEntry(record, key('bitmask'), 'sparse-24-bitmask');
  const comp = recordEntry(record, key('compressed'), 'sparse-24-bitmask');
  const bytesPerRow = Math.ceil(cols / 8);
  if (bits.dtype !== 'U8' || bits.data.length !== rows * bytesPerRow) {
    throw new ShapeError(
      `${key('bitmask')} must be U8 [${rows}, ${bytesPerRow}], found ${bits.dtype} with ${bits.data.length} bytes`,
    );
  }
  let values: Float32Array;
  if (comp.dtype === 'F32') values = comp.data;
  else if (comp.dtype === 'F16' || comp.dtype === 'BF16')
    values = fromHalfBits(comp.data, comp.dtype === 'F16' ? 'float16' : 'bfloat16');
  else throw new ValueError(`${key('compressed')} must be F32, F16 or BF16, found ${comp.dtype}`);
  const mask = new Uint8Array(rows * cols);
  const dense = new Float32Array(rows * cols);
  let next = 0;
  for (let r = 0; r < (cols === 0 ? 0 : rows); r++) {
    for (let col = 0; col < cols; col++) {
      if ((bits.data[r * bytesPerRow + (col >> 3)]! >> (col & 7)) & 1) {
        if (next >= values.length)
          throw new SparsityError(`${module}: bitmask marks more values than the ${values.length} stored`);
        mask[r * cols + col] = 1;
        dense[r * cols + col] = values[next++]!;
      }
    }
  }
  if (next !== values.length)
    throw new SparsityError(`${module}: bitmask marks ${next} values but ${values.length} are stored`);
  return compressNM(dense, mask, rows, cols, 2, 4) as Compressed24;
}
