import { ShapeError, ValueError } from '../tensor/errors.js';
import { formatShape } from '../tensor/shape.js';

/**
 * Element types, named as safetensors names them. The same vocabulary describes what `.npy` and
 * IDX readers return, so one set of helpers (`toFloat32`, `toTensor`) serves every format.
 */
export type Dtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** The typed array each dtype is stored in. F16 and BF16 keep their raw 16-bit patterns. */
export interface DtypeArrays {
  F64: Float64Array;
  F32: Float32Array;
  F16: Uint16Array;
  BF16: Uint16Array;
  I64: BigInt64Array;
  I32: Int32Array;
  I16: Int16Array;
  I8: Int8Array;
  U8: Uint8Array;
  BOOL: Uint8Array;
}

/** A tensor as a file holds it: its own dtype, a shape and data of that dtype (fresh storage). */
export type StoredTensor = {
  [D in Dtype]: { readonly dtype: D; readonly shape: readonly number[]; readonly data: DtypeArrays[D] };
}[Dtype];

export type StoredData = DtypeArrays[Dtype];

interface DtypeInfo {
  readonly size: number;
  /** Builds the typed array over a fresh, aligned buffer of native-endian bytes. */
  readonly view: (buffer: ArrayBuffer) => StoredData;
  readonly ctor: new (length: number) => StoredData;
}

export const DTYPES: Readonly<Record<Dtype, DtypeInfo>> = {
  F64: { size: 8, view: (b) => new Float64Array(b), ctor: Float64Array },
  F32: { size: 4, view: (b) => new Float32Array(b), ctor: Float32Array },
  F16: { size: 2, view: (b) => new Uint16Array(b), ctor: Uint16Array },
  BF16: { size: 2, view: (b) => new Uint16Array(b), ctor: Uint16Array },
  I64: { size: 8, view: (b) => new BigInt64Array(b), ctor: BigInt64Array },
  I32: { size: 4, view: (b) => new Int32Array(b), ctor: Int32Array },
  I16: { size: 2, view: (b) => new Int16Array(b), ctor: Int16Array },
  I8: { size: 1, view: (b) => new Int8Array(b), ctor: Int8Array },
  U8: { size: 1, view: (b) => new Uint8Array(b), ctor: Uint8Array },
  BOOL: { size: 1, view: (b) => new Uint8Array(b), ctor: Uint8Array },
};

export function isDtype(name: string): name is Dtype {
  return Object.prototype.hasOwnProperty.call(DTYPES, name);
}

export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swapInPlace(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/**
 * Copies file bytes (little- or big-endian) into a fresh typed array of `dtype`. The copy also
 * fixes alignment: tensor data inside a file may start at any byte.
 */
export function typedFromBytes(dtype: Dtype, bytes: Uint8Array, littleEndian = true): StoredData {
  // `new Uint8Array(view)` copies; `slice()` would not on a Node Buffer.
  return typedInPlace(dtype, new Uint8Array(bytes).buffer, littleEndian);
}

/**
 * Views a buffer the caller owns (and gives up) as `dtype`, fixing the byte order in place: no
 * copy, for readers that read file bytes straight into a fresh buffer of the exact size.
 */
export function typedInPlace(dtype: Dtype, buffer: ArrayBuffer, littleEndian = true): StoredData {
  const info = DTYPES[dtype];
  if (info.size > 1 && littleEndian !== HOST_IS_LITTLE_ENDIAN) swapInPlace(new Uint8Array(buffer), info.size);
  return info.view(buffer);
}

/** The inverse of `typedFromBytes`: a fresh byte copy in the requested byte order. */
export function bytesFromTyped(data: StoredData, littleEndian = true): Uint8Array {
  const bytes = new Uint8Array(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (data.BYTES_PER_ELEMENT > 1 && littleEndian !== HOST_IS_LITTLE_ENDIAN) swapInPlace(bytes, data.BYTES_PER_ELEMENT);
  return bytes;
}

/** Index of the first byte of a BOOL tensor that is neither 0 nor 1, or -1. */
export function firstNonBool(data: Uint8Array): number {
  for (let i = 0; i < data.length; i++) if (data[i]! > 1) return i;
  return -1;
}

/**
 * Checks a caller-built StoredTensor before it is written: known dtype, a typed array of the
 * right kind, a valid shape, and a length that matches it.
 */
export function checkStored(t: StoredTensor, what: string): void {
  if (!isDtype(t.dtype)) {
    throw new ValueError(
      `${what}: unknown dtype '${String(t.dtype)}'; expected one of ${Object.keys(DTYPES).join(', ')}`,
    );
  }
  const info = DTYPES[t.dtype];
  if (!(t.data instanceof info.ctor) || t.data.BYTES_PER_ELEMENT !== info.size) {
    throw new ValueError(
      `${what}: dtype ${t.dtype} needs its data in a ${info.ctor.name}, got ${t.data.constructor.name}`,
    );
  }
  let n = 1;
  for (const d of t.shape) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new ShapeError(`${what}: shape ${formatShape(t.shape)} must contain non-negative integers`);
    n *= d;
  }
  if (n !== t.data.length) {
    throw new ShapeError(`${what}: shape ${formatShape(t.shape)} needs ${n} elements but data has ${t.data.length}`);
  }
  if (t.dtype === 'BOOL') {
    const bad = firstNonBool(t.data);
    if (bad >= 0) throw new ValueError(`${what}: BOOL data must be 0 or 1, found ${t.data[bad]} at index ${bad}`);
  }
}
