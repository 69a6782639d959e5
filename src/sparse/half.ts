/**
 * The 16-bit value dtypes of the compressed-format exports, dispatched to the exact conversions
 * in src/tensor/half.ts (round to nearest even on narrowing, exact widening, NaN stays NaN).
 */
import {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from '../tensor/half.js';

/** float16 bits of a number (first rounded to float32). */
export const float16Bits = float32ToFloat16Bits;
/** The float32 value of float16 bits. */
export const float16Value = float16BitsToFloat32;
/** bfloat16 bits of a number (first rounded to float32). */
export const bfloat16Bits = float32ToBfloat16Bits;
/** The float32 value of bfloat16 bits. */
export const bfloat16Value = bfloat16BitsToFloat32;

export type HalfDtype = 'float16' | 'bfloat16';

/** Float32 values -> 16-bit patterns of `dtype`. */
export function toHalfBits(values: ArrayLike<number>, dtype: HalfDtype): Uint16Array {
  const narrow = dtype === 'float16' ? float16Bits : bfloat16Bits;
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = narrow(values[i]!);
  return out;
}

/** 16-bit patterns of `dtype` -> float32 values. */
export function fromHalfBits(bits: ArrayLike<number>, dtype: HalfDtype): Float32Array {
  const widen = dtype === 'float16' ? float16Value : bfloat16Value;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = widen(bits[i]!);
  return out;
}
