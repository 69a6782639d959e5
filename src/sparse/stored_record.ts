/**
 * A compressed weight as a plain record of typed arrays keyed the way its safetensors file is.
 * Writing it to a file is src/io's job; the entry type matches io's `StoredTensor` structurally
 * (safetensors dtype names, F16/BF16 as raw 16-bit patterns).
 */
import { ValueError } from '../tensor/errors.js';

export type SparseStoredTensor =
  | { readonly dtype: 'F32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'F16' | 'BF16'; readonly shape: readonly number[]; readonly data: Uint16Array }
  | { readonly dtype: 'I8'; readonly shape: readonly number[]; readonly data: Int8Array }
  | { readonly dtype: 'I16'; readonly shape: readonly number[]; readonly data: Int16Array }
  | { readonly dtype: 'I32'; readonly shape: readonly number[]; readonly data: Int32Array }
  | { readonly dtype: 'I64'; readonly shape: readonly number[]; readonly data: BigInt64Array }
  | { readonly dtype: 'U8'; readonly shape: readonly number[]; readonly data: Uint8Array };

export type SparseStoredRecord = Record<string, SparseStoredTensor>;

/** `record[key]`, or a ValueError that lists the keys the record does have. */
export function recordEntry(record: SparseStoredRecord, key: string, format: string): SparseStoredTensor {
  const e = record[key];
  if (e === undefined)
    throw new ValueError(`${format} record has no key '${key}' (keys: ${Object.keys(record).join(', ')})`);
  return e;
}
