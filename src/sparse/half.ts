/**
 * float16 / bfloat16 bit conversions for the compressed-format exports. Narrowing rounds to
 * nearest, ties to even, from the float32 bits (like numpy's and torch's casts); widening is exact.
 * NaN stays NaN (quiet, sign and top payload bits kept when narrowing).
 * (src/io has its own copy for now; they will be merged.)
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Round-to-nearest-even of `value >> shift` for a non-negative integer value below 2^31. */
function roundShift(value: number, shift: number): number {
  const q = value >>> shift;
  const rem = value - (q << shift) >>> 0;
  const half = 1 << (shift - 1);
  return rem > half || (rem === half && (q & 1) === 1) ? q + 1 : q;
}

/** float16 bits of a number (first rounded to float32). */
export function float16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  const e = exp - 127;
  if (e > 15) return sign | 0x7c00;
  if (e >= -14) {
    // A carry out of the mantissa moves into the exponent, and from 30 into infinity: both right.
    return sign | roundShift(((e + 15) << 10 << 13) | mant, 13);
  }
  if (e < -25) return sign; // below half the smallest subnormal 2^-24 (float32 subnormals too)
  // Count units of 2^-24: the 24-bit significand times 2^(e+1).
  return sign | roundShift(0x800000 | mant, -e - 1);
}

/** The number a float16 bit pattern holds (exact). */
export function float16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  if (exp === 0) return sign * mant * 2 ** -24;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** bfloat16 bits of a number (first rounded to float32). */
export function bfloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return (bits >>> 16) | 0x40;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) / 0x10000) & 0xffff;
}

/** The number a bfloat16 bit pattern holds (exact). */
export function bfloat16Value(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0]!;
}

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
