import { ValueError } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type Dtype, type StoredTensor, DTYPES, checkStored } from './dtypes.js';
import {
  bfloat16BitsToFloat32Array,
  float16BitsToFloat32Array,
  float32ArrayToBfloat16Bits,
  float32ArrayToFloat16Bits,
} from '../tensor/half.js';

/**
 * The values as float32 (fresh storage). Float16/bfloat16 widen exactly; F64 and integers round
 * to nearest float32 (I64 via a double, so magnitudes beyond 2^53 may round twice).
 */
export function toFloat32(stored: StoredTensor): Float32Array {
  switch (stored.dtype) {
    case 'F32':
      return stored.data.slice();
    case 'F16':
      return float16BitsToFloat32Array(stored.data);
    case 'BF16':
      return bfloat16BitsToFloat32Array(stored.data);
    case 'I64': {
      const out = new Float32Array(stored.data.length);
      for (let i = 0; i < out.length; i++) out[i] = Number(stored.data[i]!);
      return out;
    }
    default:
      return Float32Array.from(stored.data);
  }
}

/** The largest finite float32; a finite F64 beyond it becomes ±Infinity in `toFloat32`. */
export const FLOAT32_MAX = 3.4028234663852886e38;

export interface Float32Overflow {
  readonly index: number;
  /** The stored value (finite), not what float32 makes of it. */
  readonly value: number;
}

/**
 * The first stored value that is finite but beyond float32's range, so `toFloat32` turns it
 * into ±Infinity; null when there is none (only F64 can overflow: every I64 fits). Callers that
 * report on narrowed values use it to name the value the file really holds.
 */
export function float32Overflow(stored: StoredTensor): Float32Overflow | null {
  if (stored.dtype !== 'F64') return null;
  const data = stored.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (Number.isFinite(v) && !Number.isFinite(Math.fround(v))) return { index: i, value: v };
  }
  return null;
}

/** "value 1e+300 at flat index 3 is beyond float32's range (±3.4028234663852886e+38)". */
export function describeOverflow(o: Float32Overflow): string {
  return `value ${o.value} at flat index ${o.index} is beyond float32's range (±${FLOAT32_MAX})`;
}

/** A float32 leaf Tensor holding the stored values (see `toFloat32` for the rounding). */
export function toTensor(stored: StoredTensor): Tensor {
  checkStored(stored, 'toTensor');
  return new Tensor(toFloat32(stored), stored.shape);
}

const INT_RANGES: Partial<Record<Dtype, readonly [number, number]>> = {
  I32: [-(2 ** 31), 2 ** 31 - 1],
  I16: [-(2 ** 15), 2 ** 15 - 1],
  I8: [-128, 127],
  U8: [0, 255],
  BOOL: [0, 1],
  // float32 integers past 2^53 cannot occur below 2^63, and every float32 integer fits a double.
  I64: [-(2 ** 63), 2 ** 63 - 1],
};

/** Converts to `dtype` for writing. Integer dtypes refuse values they cannot hold exactly. */
export function fromTensor(t: Tensor, dtype: Dtype = 'F32'): StoredTensor {
  const src = t.data;
  const shape = [...t.shape];
  switch (dtype) {
    case 'F32':
      return { dtype, shape, data: src.slice() };
    case 'F64':
      return { dtype, shape, data: Float64Array.from(src) };
    case 'F16':
      return { dtype, shape, data: float32ArrayToFloat16Bits(src) };
    case 'BF16':
      return { dtype, shape, data: float32ArrayToBfloat16Bits(src) };
    default:
      break;
  }
  const range = INT_RANGES[dtype];
  if (range === undefined)
    throw new ValueError(
      `fromTensor: unknown dtype '${String(dtype)}'; expected one of ${Object.keys(DTYPES).join(', ')}`,
    );
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (!Number.isInteger(v) || v < range[0] || v > range[1]) {
      throw new ValueError(
        `fromTensor: element ${i} is ${v}, which ${dtype} cannot hold exactly (integers in [${range[0]}, ${range[1]}])`,
      );
    }
  }
  switch (dtype) {
    case 'I64': {
      const data = new BigInt64Array(src.length);
      for (let i = 0; i < src.length; i++) data[i] = BigInt(src[i]!);
      return { dtype, shape, data };
    }
    case 'I32':
      return { dtype, shape, data: Int32Array.from(src) };
    case 'I16':
      return { dtype, shape, data: Int16Array.from(src) };
    case 'I8':
      return { dtype, shape, data: Int8Array.from(src) };
    case 'U8':
    case 'BOOL':
      return { dtype, shape, data: Uint8Array.from(src) };
  }
}
