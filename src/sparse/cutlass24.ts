/**
 * `cutlass-24`: sparse24's own file form of PyTorch's CUTLASS 2:4 layout (docs/formats.md §2), per
 * weight parameter `<param>` (e.g. `fc1.weight`):
 *
 *   <param>.cutlass_24_values  F16/BF16 [rows][cols/2] (I8 for int8)   — torch's `packed`
 *   <param>.cutlass_24_meta    I16 [rows][cols/16] (I32 [rows][cols/32] for int8) — torch's `meta`
 *
 * The bytes are exactly what `to_sparse_semi_structured` holds; the key names are ours. This is
 * no compressed-tensors format (docs/formats.md §3.5). Files written by sparse24 before the rename
 * used `<param>.sparse_24_packed_weight` and `<param>.meta` for the same bytes; `fromCutlass24`
 * still reads those.
 */
import { ShapeError, ValueError } from '../tensor/errors.js';
import type { Compressed24 } from './compressed.js';
import { type CutlassValueDtype, fromCutlass, metaWordsPerRow, toCutlass } from './cutlass.js';
import { type SparseStoredRecord, type SparseStoredTensor, recordEntry } from './stored_record.js';

export const CUTLASS24_KEYS = { values: 'cutlass_24_values', meta: 'cutlass_24_meta' } as const;
/** The key suffixes sparse24 wrote before `cutlass-24` had its own name (read only). */
export const LEGACY_CUTLASS24_KEYS = { values: 'sparse_24_packed_weight', meta: 'meta' } as const;

const HALF = { float16: 'F16', bfloat16: 'BF16' } as const;

/** The CUTLASS layout of `c` under the `cutlass-24` keys of `param`. */
export function toCutlass24(param: string, c: Compressed24, dtype: CutlassValueDtype = 'float16'): SparseStoredRecord {
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
  return { [`${param}.${CUTLASS24_KEYS.values}`]: packed, [`${param}.${CUTLASS24_KEYS.meta}`]: meta };
}

/** The key suffixes `record` uses for `param`: the current ones, else the legacy ones, else null. */
export function cutlass24KeysIn(
  param: string,
  has: (key: string) => boolean,
): typeof CUTLASS24_KEYS | typeof LEGACY_CUTLASS24_KEYS | null {
  if (has(`${param}.${CUTLASS24_KEYS.values}`)) return CUTLASS24_KEYS;
  if (has(`${param}.${LEGACY_CUTLASS24_KEYS.values}`)) return LEGACY_CUTLASS24_KEYS;
  return null;
}

/** Reads a `cutlass-24` record (current or legacy key names) back into a compressed 2:4 matrix. */
export function fromCutlass24(param: string, record: SparseStoredRecord): Compressed24 {
  const keys = cutlass24KeysIn(param, (k) => k in record) ?? CUTLASS24_KEYS;
  const valuesKey = `${param}.${keys.values}`;
  const packed = recordEntry(record, valuesKey, 'cutlass-24');
  const meta = recordEntry(record, `${param}.${keys.meta}`, 'cutlass-24');
  if (packed.shape.length !== 2)
    throw new ShapeError(`${valuesKey} must be 2-D, found shape [${packed.shape.join(', ')}]`);
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
    `${param}: cutlass-24 needs F16/BF16 values with I16 meta or I8 with I32, found ${packed.dtype} and ${meta.dtype}`,
  );
}
