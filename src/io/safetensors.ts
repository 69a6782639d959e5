import { ValueError } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { writeFileAtomic } from './atomic.js';
import { fromTensor } from './convert.js';
import {
  type Dtype,
  type StoredTensor,
  DTYPES,
  bytesFromTyped,
  checkStored,
  firstNonBool,
  typedFromBytes,
} from './dtypes.js';
import { quote } from './clip.js';
import { FormatError } from './errors.js';
import { type ReadLimits, readRegularFile } from './file_read.js';
import { METADATA_KEY, parseHeader } from './safetensors-header.js';

export interface SafetensorsFile {
  /** Tensors by name, in header order. A Map, so names like `__proto__` are ordinary keys. */
  readonly tensors: Map<string, StoredTensor>;
  /** The `__metadata__` strings, in an object with a null prototype (any key is an own key). */
  readonly metadata: Record<string, string>;
}

export type TensorsToSave = Map<string, StoredTensor | Tensor> | Record<string, StoredTensor | Tensor>;
export type MetadataToSave = Map<string, string> | Record<string, string>;

/**
 * Parses a whole safetensors file held in memory. `name` appears in errors. Every tensor gets
 * fresh storage (nothing aliases `bytes`).
 */
export function parseSafetensors(bytes: Uint8Array, name = '<memory>'): SafetensorsFile {
  const header = parseHeader(bytes, name);
  const tensors = new Map<string, StoredTensor>();
  for (const e of header.entries) {
    const start = header.dataStart + e.begin;
    const data = typedFromBytes(e.dtype, bytes.subarray(start, header.dataStart + e.end));
    if (e.dtype === 'BOOL') {
      const bad = firstNonBool(data as Uint8Array);
      if (bad >= 0)
        throw new FormatError(
          name,
          `tensor ${quote(e.name)}: BOOL byte is ${(data as Uint8Array)[bad]}, expected 0 or 1`,
          start + bad,
        );
    }
    // The header check tied dtype, shape and byte length together, so this pairing is sound.
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data } as StoredTensor);
  }
  return { tensors, metadata: header.metadata };
}

/** Reads a safetensors file: a regular file of at most `maxBytes` (see `readRegularFile`). */
export async function loadSafetensors(path: string, limits?: ReadLimits): Promise<SafetensorsFile> {
  return parseSafetensors(await readRegularFile(path, limits), path);
}

/** Position of each dtype in the reference's Dtype enum; the writer orders tensors by it, descending. */
const DTYPE_RANK: Readonly<Record<Dtype, number>> = {
  BOOL: 0,
  U8: 1,
  I8: 2,
  I16: 3,
  F16: 4,
  BF16: 5,
  I32: 6,
  F32: 7,
  F64: 8,
  I64: 9,
};

const utf8 = new TextEncoder();

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(utf8.encode(a), utf8.encode(b));
}

function entriesOf<V>(m: Map<string, V> | Record<string, V>): [string, V][] {
  return m instanceof Map ? [...m] : Object.entries(m);
}

/**
 * Builds safetensors bytes the way the reference writer lays them out: `__metadata__` first,
 * tensors sorted by dtype (widest first) then name, compact JSON, header padded with spaces to a
 * multiple of 8 so the data section starts aligned. Tensors are written as F32.
 */
export function serializeSafetensors(tensors: TensorsToSave, metadata?: MetadataToSave): Uint8Array {
  const items: [string, StoredTensor][] = [];
  for (const [name, t] of entriesOf(tensors)) {
    if (name === METADATA_KEY)
      throw new ValueError(`serializeSafetensors: '${METADATA_KEY}' is reserved and cannot name a tensor`);
    const stored = t instanceof Tensor ? fromTensor(t) : t;
    checkStored(stored, `serializeSafetensors: tensor ${JSON.stringify(name)}`);
    items.push([name, stored]);
  }
  items.sort(([na, a], [nb, b]) => DTYPE_RANK[b.dtype] - DTYPE_RANK[a.dtype] || compareUtf8(na, nb));

  const parts: string[] = [];
  if (metadata !== undefined) {
    const meta: string[] = [];
    for (const [k, v] of entriesOf(metadata)) {
      if (typeof v !== 'string')
        throw new ValueError(`serializeSafetensors: metadata ${JSON.stringify(k)} must be a string, got ${typeof v}`);
      meta.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    parts.push(`"${METADATA_KEY}":{${meta.join(',')}}`);
  }
  let offset = 0;
  for (const [name, t] of items) {
    const end = offset + t.data.length * DTYPES[t.dtype].size;
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`,
    );
    offset = end;
  }
  const json = utf8.encode(`{${parts.join(',')}}`);
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let at = 8 + headerLen;
  for (const [, t] of items) {
    const bytes = bytesFromTyped(t.data);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/** Writes a safetensors file atomically (see `serializeSafetensors` for the layout). */
export async function saveSafetensors(path: string, tensors: TensorsToSave, metadata?: MetadataToSave): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}
