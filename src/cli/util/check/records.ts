/**
 * Compressed 2:4 records inside a safetensors file, found and decoded for `sparse24 check`.
 *
 * A record is the group of keys that together stand for one weight:
 *   cutlass-24:         <param>.cutlass_24_values + <param>.cutlass_24_meta   (sparse24's CUTLASS form)
 *                       or, as earlier sparse24 versions wrote it, <param>.sparse_24_packed_weight + <param>.meta
 *   sparse-24-bitmask:  <module>.compressed + <module>.bitmask + <module>.shape (compressed-tensors';
 *                       the weight is <module>.weight), or the same under `<module>.weight.` (earlier sparse24)
 * `.cutlass_24_values`, `.cutlass_24_meta`, `.sparse_24_packed_weight`, `.compressed` and `.bitmask`
 * are distinctive enough to mark a record on their own; `.meta` and `.shape` are ordinary words, so
 * they join a record only beside a distinctive key of the same prefix, or under a `.weight` param
 * (`fc.weight.meta`, as earlier sparse24 files name them). That way a truncated record is reported
 * as truncated instead of passing as a few unrelated tensors.
 *
 * The bitmask is decoded here rather than with `fromSparse24Bitmask`, which rejects a mask that
 * keeps three of four outright: check must report such a record as a 2:4 violation (exit 1 under
 * --strict), not as an unreadable file. It is validated from its bits alone (padding, the count
 * of kept values, groups keeping more than two) and never expanded whole: check reads the dense
 * matrix tile by tile (see dense_source.ts), so a small file claiming a huge shape costs what
 * the file holds, not what the shape claims. Anything that makes a record undecodable — a missing key,
 * a wrong dtype, sizes that disagree, a meta nibble that is no ordered pair — is a FormatError
 * naming the param and the key, which the CLI turns into one line and exit 2.
 */
import { type Dtype, FormatError, type StoredTensor, clip } from '../../../io/index.js';
import {
  type SparseStoredRecord,
  type SparseStoredTensor,
  decompress,
  fromHalfBits,
  fromCutlass24,
} from '../../../sparse/index.js';
import { Sparse24Error } from '../../../tensor/errors.js';
import { formatShape } from '../../../tensor/shape.js';
import { type DenseSource, bitmaskSource, denseSource } from './dense_source.js';

export type RecordFormat = 'cutlass-24' | 'sparse-24-bitmask';

/** One compressed record, decoded to its dense [rows][cols] matrix. */
export interface DecodedRecord {
  /** The keys' common prefix (a module for compressed-tensors' bitmask, else the weight). */
  readonly param: string;
  /** The weight the record stands for (`<module>.weight` for compressed-tensors' bitmask keys). */
  readonly name: string;
  readonly format: RecordFormat;
  /** Dtype of the stored values (F16/BF16/I8 for cutlass-24; F32/F16/BF16 for the bitmask). */
  readonly dtype: Dtype;
  readonly shape: readonly [number, number];
  /** The dense matrix the record stands for (zeros where nothing is stored), read tile by tile. */
  readonly source: DenseSource;
  /** Groups of four columns in the stored pattern (meta or bitmask). */
  readonly storedGroups: number;
  /** Groups whose stored pattern keeps more than two of four (always 0 for valid CUTLASS meta). */
  readonly storedViolatingGroups: number;
  /** The file keys the record is made of, in file order. */
  readonly keys: readonly string[];
}

const SUFFIXES: Readonly<Record<string, RecordFormat>> = {
  cutlass_24_values: 'cutlass-24',
  cutlass_24_meta: 'cutlass-24',
  sparse_24_packed_weight: 'cutlass-24',
  meta: 'cutlass-24',
  compressed: 'sparse-24-bitmask',
  bitmask: 'sparse-24-bitmask',
  shape: 'sparse-24-bitmask',
};
const DISTINCTIVE = new Set([
  'cutlass_24_values',
  'cutlass_24_meta',
  'sparse_24_packed_weight',
  'compressed',
  'bitmask',
]);
const CUTLASS_KEYS = ['cutlass_24_values', 'cutlass_24_meta'] as const;
const LEGACY_CUTLASS_KEYS = ['sparse_24_packed_weight', 'meta'] as const;
const BITMASK_KEYS = ['compressed', 'bitmask', 'shape'] as const;

/** The `<param>` and key suffix of a key that may belong to a compressed record, else null. */
function splitKey(key: string): { param: string; suffix: string } | null {
  const dot = key.lastIndexOf('.');
  if (dot <= 0) return null;
  const param = key.slice(0, dot);
  const suffix = key.slice(dot + 1);
  return suffix in SUFFIXES ? { param, suffix } : null;
}

/** The `<param>` and suffix of a key that marks a record on its own (see the top), else null. */
export function recordKeyOf(key: string): { param: string; suffix: string } | null {
  const r = splitKey(key);
  if (r === null) return null;
  if (!DISTINCTIVE.has(r.suffix) && !r.param.endsWith('.weight') && r.param !== 'weight') return null;
  return r;
}

/** Groups the record keys of a file by `<param>`, in file order of each param's first key. */
export function groupRecordKeys(keys: Iterable<string>): Map<string, string[]> {
  const all = [...keys];
  const marked = new Set(all.map(recordKeyOf).flatMap((r) => (r === null ? [] : [r.param])));
  const groups = new Map<string, string[]>();
  for (const key of all) {
    const r = splitKey(key);
    if (r === null || !marked.has(r.param)) continue;
    const list = groups.get(r.param);
    if (list === undefined) groups.set(r.param, [key]);
    else list.push(key);
  }
  return groups;
}

/** Each record key of `groups` mapped to its record's `<param>`. */
export function recordParamOfKey(groups: ReadonlyMap<string, readonly string[]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [param, keys] of groups) for (const k of keys) out.set(k, param);
  return out;
}

/** The weight a record stands for: bitmask keys of a module stand for `<module>.weight`. */
function weightNameOf(param: string, format: RecordFormat): string {
  return format === 'sparse-24-bitmask' && !param.endsWith('.weight') && param !== 'weight' ? `${param}.weight` : param;
}

function asSparseStored(t: StoredTensor): SparseStoredTensor | null {
  switch (t.dtype) {
    case 'F64':
    case 'BOOL':
      return null;
    default:
      return t;
  }
}

function decodeCutlass24(
  file: string,
  param: string,
  tensors: ReadonlyMap<string, StoredTensor>,
  keys: string[],
  suffixes: readonly string[],
): DecodedRecord {
  const record: SparseStoredRecord = {};
  for (const suffix of suffixes) {
    const key = `${param}.${suffix}`;
    const t = asSparseStored(tensors.get(key)!);
    if (t === null)
      throw new FormatError(
        file,
        `cutlass-24 record '${param}': key '${key}' has dtype ${tensors.get(key)!.dtype}; expected F16/BF16/I8 values with I16/I32 meta`,
      );
    record[key] = t;
  }
  let c;
  try {
    c = fromCutlass24(param, record);
  } catch (e) {
    if (e instanceof Sparse24Error)
      throw new FormatError(
        file,
        `cutlass-24 record '${param}' (keys ${keys.join(', ')}) cannot be decoded: ${e.message}`,
      );
    throw e;
  }
  // fromCutlass accepts only ordered pairs i0 < i1 per group, so the stored pattern is 2:4 exactly.
  return {
    param,
    name: param,
    format: 'cutlass-24',
    dtype: tensors.get(`${param}.${suffixes[0]!}`)!.dtype,
    shape: [c.rows, c.cols],
    source: denseSource(decompress(c), c.rows, c.cols),
    storedGroups: (c.rows * c.cols) / 4,
    storedViolatingGroups: 0,
    keys,
  };
}

function readShape(file: string, param: string, t: StoredTensor): [number, number] {
  const values = t.dtype === 'I64' ? Array.from(t.data, Number) : t.dtype === 'I32' ? Array.from(t.data) : null;
  // Zero rows or columns are a valid (empty) weight: prune writes them, so check must read them.
  if (values === null || values.length !== 2 || !values.every((v) => Number.isSafeInteger(v) && v >= 0)) {
    const found = values === null ? `dtype ${t.dtype}` : `values ${clip(`[${values.join(', ')}]`)}`;
    throw new FormatError(
      file,
      `sparse-24-bitmask record '${param}': key '${param}.shape' must hold two non-negative integers [rows, cols] as I64 or I32, found ${found}`,
    );
  }
  const [rows, cols] = values as [number, number];
  if (cols % 4 !== 0)
    throw new FormatError(
      file,
      `sparse-24-bitmask record '${param}': key '${param}.shape' gives ${cols} columns, which do not split into groups of 4`,
    );
  return [rows, cols];
}

function storedValues(file: string, param: string, t: StoredTensor): Float32Array {
  switch (t.dtype) {
    case 'F32':
      return t.data;
    case 'F16':
      return fromHalfBits(t.data, 'float16');
    case 'BF16':
      return fromHalfBits(t.data, 'bfloat16');
    default:
      throw new FormatError(
        file,
        `sparse-24-bitmask record '${param}': key '${param}.compressed' must be F32, F16 or BF16, found ${t.dtype}`,
      );
  }
}

/**
 * Checks a bitmask against its shape and values from the bits alone: no padding bit set, one
 * stored value per set bit; counts the groups of four keeping more than two. Groups of four never
 * straddle a byte (cols % 4 == 0), so each is one nibble.
 */
function scanBitmask(
  file: string,
  param: string,
  mask: Uint8Array,
  rows: number,
  cols: number,
): { kept: number; violating: number } {
  const bytesPerRow = Math.ceil(cols / 8);
  const nibbles = cols / 4;
  let kept = 0;
  let violating = 0;
  for (let r = 0; r < rows && nibbles > 0; r++) {
    for (let b = 0; b < bytesPerRow; b++) {
      const byte = mask[r * bytesPerRow + b]!;
      if (byte === 0) continue;
      for (let half = 0; half < 2; half++) {
        const nibble = (byte >> (4 * half)) & 15;
        if (nibble === 0) continue;
        if (2 * b + half >= nibbles) {
          const bit = 8 * b + 4 * half + Math.log2(nibble & -nibble);
          throw new FormatError(
            file,
            `sparse-24-bitmask record '${param}': key '${param}.bitmask' sets padding bit ${bit} of row ${r}, past the ${cols} columns`,
          );
        }
        const n = (nibble & 1) + ((nibble >> 1) & 1) + ((nibble >> 2) & 1) + (nibble >> 3);
        kept += n;
        if (n > 2) violating++;
      }
    }
  }
  return { kept, violating };
}

function decodeBitmask(
  file: string,
  param: string,
  tensors: ReadonlyMap<string, StoredTensor>,
  keys: string[],
): DecodedRecord {
  const [rows, cols] = readShape(file, param, tensors.get(`${param}.shape`)!);
  const bits = tensors.get(`${param}.bitmask`)!;
  const bytesPerRow = Math.ceil(cols / 8);
  // The claimed shape must match the bytes present before anything of its size is allocated.
  if ((bits.dtype !== 'U8' && bits.dtype !== 'BOOL') || bits.data.length !== rows * bytesPerRow) {
    throw new FormatError(
      file,
      `sparse-24-bitmask record '${param}': key '${param}.bitmask' must be U8 [${rows}, ${bytesPerRow}] for shape [${rows}, ${cols}], found ${bits.dtype} ${clip(formatShape(bits.shape))}`,
    );
  }
  const mask = bits.data as Uint8Array;
  const { kept, violating } = scanBitmask(file, param, mask, rows, cols);
  const values = storedValues(file, param, tensors.get(`${param}.compressed`)!);
  if (values.length !== kept) {
    throw new FormatError(
      file,
      `sparse-24-bitmask record '${param}': key '${param}.bitmask' marks ${kept} kept values but '${param}.compressed' holds ${values.length}`,
    );
  }
  return {
    param,
    name: weightNameOf(param, 'sparse-24-bitmask'),
    format: 'sparse-24-bitmask',
    dtype: tensors.get(`${param}.compressed`)!.dtype,
    shape: [rows, cols],
    source: bitmaskSource(mask, bytesPerRow, values, rows, cols),
    storedGroups: (rows * cols) / 4,
    storedViolatingGroups: violating,
    keys,
  };
}

/** Decodes one grouped record (see `groupRecordKeys`); throws FormatError when it is incomplete or inconsistent. */
export function decodeRecord(
  file: string,
  param: string,
  keys: string[],
  tensors: ReadonlyMap<string, StoredTensor>,
): DecodedRecord {
  const suffixes = keys.map((k) => {
    const r = splitKey(k);
    if (r === null || r.param !== param)
      throw new FormatError(file, `key '${k}' is not a compressed record key of '${param}'`);
    return r.suffix;
  });
  const formats = new Set(suffixes.map((s) => SUFFIXES[s]!));
  if (formats.size > 1) {
    throw new FormatError(
      file,
      `compressed record '${param}' mixes cutlass-24 and sparse-24-bitmask keys (${keys.join(', ')}); expected the keys of one format`,
    );
  }
  const format = [...formats][0]!;
  const legacy = format === 'cutlass-24' && !suffixes.some((x) => (CUTLASS_KEYS as readonly string[]).includes(x));
  if (
    format === 'cutlass-24' &&
    !legacy &&
    suffixes.some((x) => (LEGACY_CUTLASS_KEYS as readonly string[]).includes(x))
  )
    throw new FormatError(
      file,
      `cutlass-24 record '${param}' mixes current and legacy keys (${keys.join(', ')}); expected ${CUTLASS_KEYS.join(' + ')}`,
    );
  const required = format === 'sparse-24-bitmask' ? BITMASK_KEYS : legacy ? LEGACY_CUTLASS_KEYS : CUTLASS_KEYS;
  const missing = required.filter((x) => !suffixes.includes(x)).map((x) => `'${param}.${x}'`);
  if (missing.length > 0) {
    throw new FormatError(
      file,
      `${format} record '${param}' is incomplete: missing key ${missing.join(' and ')} (found ${keys.join(', ')})`,
    );
  }
  const weight = weightNameOf(param, format);
  if (tensors.has(weight)) {
    throw new FormatError(
      file,
      `'${weight}' is stored both dense and as a ${format} record (${keys.join(', ')}); expected one of the two`,
    );
  }
  return format === 'cutlass-24'
    ? decodeCutlass24(file, param, tensors, keys, required)
    : decodeBitmask(file, param, tensors, keys);
}
