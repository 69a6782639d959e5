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
import { clip, quote } from './clip.js';
import { FormatError } from './errors.js';
import { type ReadLimits, readRegularFile } from './file_read.js';
import { PyLiteralError, type PyValue, formatNpyHeader, parsePyDict } from './npy-header.js';

/** numpy type codes (without the byte-order character) for each dtype an .npy file may hold. */
const NPY_CODES: Readonly<Partial<Record<Dtype, string>>> = {
  F64: 'f8',
  F32: 'f4',
  F16: 'f2',
  I64: 'i8',
  I32: 'i4',
  I16: 'i2',
  I8: 'i1',
  U8: 'u1',
  BOOL: 'b1',
};
const CODE_TO_DTYPE = new Map(Object.entries(NPY_CODES).map(([d, c]) => [c, d as Dtype]));

/** Header text beyond this is not a numpy file (numpy itself refuses headers over 10 kB by default). */
const MAX_NPY_HEADER = 1 << 20;

function field(file: string, dict: Map<string, PyValue>, key: string): PyValue {
  const v = dict.get(key);
  if (v === undefined) throw new FormatError(file, `npy header has no '${key}' entry`);
  return v;
}

/**
 * Parses an .npy file held in memory (format versions 1, 2 and 3). Little-endian data is read
 * as is; big-endian data ('>f4', ...) is converted to native order. Fortran-order arrays are
 * refused unless their layout equals C order (at most one dimension longer than 1).
 */
export function parseNpy(bytes: Uint8Array, name = '<memory>'): StoredTensor {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b))
    throw new FormatError(name, 'not an .npy file (missing the \\x93NUMPY magic)', 0);
  const major = bytes[6]!;
  if (major < 1 || major > 3 || bytes[7] !== 0)
    throw new FormatError(name, `unsupported .npy format version ${major}.${bytes[7]}; expected 1.0, 2.0 or 3.0`, 6);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw new FormatError(name, 'file ends inside the header length', 8);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lenBytes;
  if (headerLen > MAX_NPY_HEADER)
    throw new FormatError(name, `header length ${headerLen} exceeds the ${MAX_NPY_HEADER}-byte limit`, 8);
  if (headerStart + headerLen > bytes.length)
    throw new FormatError(name, `header length ${headerLen} runs past the end of the file (${bytes.length} bytes)`, 8);

  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(
      bytes.subarray(headerStart, headerStart + headerLen),
    );
  } catch {
    throw new FormatError(name, 'header is not valid UTF-8', headerStart);
  }
  let dict: Map<string, PyValue>;
  try {
    dict = parsePyDict(text);
  } catch (err) {
    if (!(err instanceof PyLiteralError)) throw err;
    throw new FormatError(name, `malformed npy header: ${err.message}`, headerStart + err.index);
  }
  for (const key of dict.keys()) {
    if (!['descr', 'fortran_order', 'shape'].includes(key))
      throw new FormatError(name, `npy header has unexpected key '${clip(key)}'`);
  }

  const descr = field(name, dict, 'descr');
  const order = typeof descr === 'string' ? descr[0] : undefined;
  const dtype = typeof descr === 'string' ? CODE_TO_DTYPE.get(descr.slice(1)) : undefined;
  if (
    dtype === undefined ||
    order === undefined ||
    !'<>|='.includes(order) ||
    (order === '|' && DTYPES[dtype].size > 1)
  ) {
    throw new FormatError(
      name,
      `unsupported dtype ${quote(descr)}; expected one of ${[...CODE_TO_DTYPE.keys()].map((c) => `'<${c}'`).join(', ')} (or big-endian '>')`,
    );
  }
  const fortran = field(name, dict, 'fortran_order');
  if (typeof fortran !== 'boolean')
    throw new FormatError(name, `fortran_order must be True or False, found ${quote(fortran)}`);
  const rawShape = field(name, dict, 'shape');
  if (!Array.isArray(rawShape) || rawShape.some((d) => typeof d !== 'number')) {
    throw new FormatError(name, `shape must be a tuple of non-negative integers, found ${quote(rawShape)}`);
  }
  const shape = rawShape as number[];
  if (fortran && shape.filter((d) => d > 1).length > 1) {
    throw new FormatError(
      name,
      `Fortran-order array of shape ${clip(`(${shape.join(', ')})`)} is not supported; save it with np.ascontiguousarray first`,
    );
  }

  const dataStart = headerStart + headerLen;
  const available = bytes.length - dataStart;
  let needed = shape.includes(0) ? 0 : DTYPES[dtype].size;
  for (const d of shape) {
    needed *= d;
    if (needed > available) break;
  }
  if (needed !== available) {
    const what =
      needed > available
        ? `is truncated: shape ${clip(`(${shape.join(', ')})`)} needs more than ${available} data bytes`
        : `has ${available - needed} bytes after the array data`;
    throw new FormatError(name, `file ${what}`, dataStart + Math.min(needed, available));
  }
  // '=' means native order; every host Node supports in practice is little-endian, as are .npy files in the wild.
  const data = typedFromBytes(dtype, bytes.subarray(dataStart), order !== '>');
  if (dtype === 'BOOL') {
    const bad = firstNonBool(data as Uint8Array);
    if (bad >= 0)
      throw new FormatError(name, `bool byte is ${(data as Uint8Array)[bad]}, expected 0 or 1`, dataStart + bad);
  }
  return { dtype, shape, data } as StoredTensor;
}

/** Reads an .npy file: a regular file of at most `maxBytes` (see `readRegularFile`). */
export async function loadNpy(path: string, limits?: ReadLimits): Promise<StoredTensor> {
  return parseNpy(await readRegularFile(path, limits), path);
}

/** .npy bytes as `np.save` writes them (little-endian, C order). A Tensor is written as '<f4'. */
export function serializeNpy(t: Tensor | StoredTensor): Uint8Array {
  const stored = t instanceof Tensor ? fromTensor(t) : t;
  checkStored(stored, 'serializeNpy');
  const code = NPY_CODES[stored.dtype];
  if (code === undefined)
    throw new ValueError(
      `serializeNpy: numpy has no ${stored.dtype} dtype; convert to F32 first (toTensor, then fromTensor)`,
    );
  const header = formatNpyHeader(`${DTYPES[stored.dtype].size === 1 ? '|' : '<'}${code}`, stored.shape);
  const data = bytesFromTyped(stored.data);
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}

export async function saveNpy(path: string, t: Tensor | StoredTensor): Promise<void> {
  await writeFileAtomic(path, serializeNpy(t));
}
