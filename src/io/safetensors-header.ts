import { type Dtype, DTYPES, isDtype } from './dtypes.js';
import { clip, quote, shapeText } from './clip.js';
import { FormatError } from './errors.js';
import { JsonLimitError, JsonNumber, JsonSyntaxError, type JsonValue, parseJsonStrict } from './json.js';

/** The reference implementation's cap; a larger header is a corrupt or hostile file. */
export const MAX_HEADER_BYTES = 100_000_000;
/**
 * Most tensors (and, separately, `__metadata__` entries) in one file. Real checkpoints hold
 * thousands of tensors per file; the cap keeps a hostile header (a 100 MB header can list ~1.8 M
 * tensors) to about a second and a few hundred MB of parsing before it is refused.
 */
export const MAX_TENSORS = 100_000;
/** Most JSON values in a header: ~20 per tensor at the tensor cap (an entry of rank 4 has 10). */
export const MAX_HEADER_VALUES = 20 * MAX_TENSORS;
export const METADATA_KEY = '__metadata__';

export interface HeaderEntry {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: number[];
  /** Byte range relative to the first byte after the header. */
  readonly begin: number;
  readonly end: number;
}

export interface ParsedHeader {
  readonly entries: HeaderEntry[];
  readonly metadata: Record<string, string>;
  /** Absolute offset of the data section (8 + header length). */
  readonly dataStart: number;
}

const ENTRY_FIELDS = ['dtype', 'shape', 'data_offsets'];

/** A JSON integer written as plain digits (as serde's u64 demands), within the safe range. */
function asIndex(v: JsonValue | undefined): number | null {
  if (!(v instanceof JsonNumber) || !/^(0|[1-9][0-9]*)$/.test(v.text)) return null;
  const n = v.value;
  return Number.isSafeInteger(n) ? n : null;
}

function describe(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v instanceof JsonNumber) return clip(v.text);
  if (v instanceof Map) return 'an object';
  if (Array.isArray(v)) return 'an array';
  return quote(v);
}

function parseEntry(file: string, name: string, v: JsonValue): HeaderEntry {
  const where = `tensor ${quote(name)}`;
  if (!(v instanceof Map))
    throw new FormatError(file, `${where}: expected an object with dtype, shape, data_offsets, found ${describe(v)}`);
  for (const key of v.keys()) {
    if (!ENTRY_FIELDS.includes(key))
      throw new FormatError(file, `${where}: unexpected field ${quote(key)}; expected only ${ENTRY_FIELDS.join(', ')}`);
  }
  const dtype = v.get('dtype');
  if (typeof dtype !== 'string' || !isDtype(dtype)) {
    throw new FormatError(file, `${where}: dtype ${describe(dtype)} is not one of ${Object.keys(DTYPES).join(', ')}`);
  }
  const rawShape = v.get('shape');
  if (!Array.isArray(rawShape))
    throw new FormatError(file, `${where}: shape must be an array, found ${describe(rawShape)}`);
  const shape: number[] = [];
  for (const d of rawShape) {
    const n = asIndex(d);
    if (n === null)
      throw new FormatError(file, `${where}: shape entries must be non-negative integers, found ${describe(d)}`);
    shape.push(n);
  }
  const offsets = v.get('data_offsets');
  const begin = Array.isArray(offsets) && offsets.length === 2 ? asIndex(offsets[0]) : null;
  const end = Array.isArray(offsets) && offsets.length === 2 ? asIndex(offsets[1]) : null;
  if (begin === null || end === null || end < begin) {
    throw new FormatError(file, `${where}: data_offsets must be [begin, end] with integers 0 <= begin <= end`);
  }
  const bytes = end - begin;
  // Multiply with an early exit so a hostile shape cannot overflow into a wrong "match".
  let expected = shape.includes(0) ? 0 : DTYPES[dtype].size;
  for (const d of shape) {
    expected *= d;
    if (expected > bytes) break;
  }
  if (expected !== bytes) {
    throw new FormatError(
      file,
      `${where}: ${dtype} shape ${shapeText(shape)} needs ${expected > bytes ? 'more than ' + bytes : expected} bytes but data_offsets span ${bytes}`,
    );
  }
  return { name, dtype, shape, begin, end };
}

function parseMetadata(file: string, v: JsonValue): Record<string, string> {
  if (!(v instanceof Map))
    throw new FormatError(file, `${METADATA_KEY} must be an object of strings, found ${describe(v)}`);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, val] of v) {
    if (typeof val !== 'string')
      throw new FormatError(file, `${METADATA_KEY}[${quote(k)}] must be a string, found ${describe(val)}`);
    out[k] = val;
  }
  return out;
}

/** Reads and validates the header of a safetensors buffer, without touching tensor data. */
export function parseHeader(bytes: Uint8Array, file: string): ParsedHeader {
  if (bytes.length < 8)
    throw new FormatError(file, `file is ${bytes.length} bytes, too short for the 8-byte header length`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES))
    throw new FormatError(file, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`, 0);
  const len = Number(n);
  if (8 + len > bytes.length)
    throw new FormatError(file, `header length ${len} runs past the end of the file (${bytes.length} bytes)`, 0);
  const raw = bytes.subarray(8, 8 + len);
  if (raw[0] !== 0x7b) throw new FormatError(file, `header must start with '{'`, 8);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new FormatError(file, 'header is not valid UTF-8', 8);
  }
  let json: JsonValue;
  try {
    // maxKeys + 1: room for __metadata__ beside MAX_TENSORS tensors.
    json = parseJsonStrict(text, { maxValues: MAX_HEADER_VALUES, maxKeys: MAX_TENSORS + 1 });
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    const at = 8 + new TextEncoder().encode(text.slice(0, err.index)).length;
    if (err instanceof JsonLimitError) {
      throw new FormatError(
        file,
        `header holds ${err.message}; the limits are ${MAX_TENSORS} tensors and ${MAX_HEADER_VALUES} JSON values per file`,
        at,
      );
    }
    throw new FormatError(file, `header is not valid JSON: ${err.message}`, at);
  }
  if (!(json instanceof Map)) throw new FormatError(file, 'header must be a JSON object', 8);

  let metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  const entries: HeaderEntry[] = [];
  for (const [name, v] of json) {
    if (name === METADATA_KEY) metadata = parseMetadata(file, v);
    else entries.push(parseEntry(file, name, v));
  }

  if (entries.length > MAX_TENSORS)
    throw new FormatError(file, `header lists ${entries.length} tensors; the limit is ${MAX_TENSORS} per file`, 8);

  const dataStart = 8 + len;
  const dataLength = bytes.length - dataStart;
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let next = 0;
  for (const e of byOffset) {
    if (e.begin !== next) {
      const problem = e.begin < next ? 'overlaps the previous tensor' : `leaves a gap (previous data ends at ${next})`;
      throw new FormatError(
        file,
        `tensor ${quote(e.name)}: data_offsets [${e.begin}, ${e.end}] ${problem}`,
        dataStart + e.begin,
      );
    }
    next = e.end;
  }
  if (next !== dataLength) {
    throw new FormatError(
      file,
      `tensor data should be ${next} bytes after the header but the file holds ${dataLength}`,
      dataStart + Math.min(next, dataLength),
    );
  }
  return { entries, metadata, dataStart };
}
