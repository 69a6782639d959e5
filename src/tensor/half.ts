/**
 * Exact float16 and bfloat16 conversions. Narrowing rounds to nearest, ties to even, from the
 * float32 bit pattern (as numpy's float32 -> float16 cast and torch's bfloat16 do), so values are
 * first rounded to float32 when they arrive as JS numbers. Widening is exact.
 *
 * NaN: narrowing keeps the sign and the top payload bits and sets the quiet bit, so every NaN
 * stays a NaN (the canonical NaN 0x7fc00000 gives 0x7e00 / 0x7fc0, matching numpy and torch).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The IEEE bits of `x` rounded to float32. */
export function float32Bits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/** The float32 value with these IEEE bits. */
export function float32FromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0]!;
}

/** `value / 2^shift` rounded to nearest integer, ties to even (value < 2^53, shift >= 1). */
function shiftRoundEven(value: number, shift: number): number {
  const scale = 2 ** shift;
  const q = Math.floor(value / scale);
  const rem = value - q * scale;
  const half = scale / 2;
  return rem > half || (rem === half && q % 2 === 1) ? q + 1 : q;
}

/** float32 bits -> float16 bits. */
export function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  // float32 subnormals are below 2^-126, far under half the smallest float16 subnormal (2^-25).
  if (exp === 0) return sign;
  const e = exp - 127;
  const sig = 0x800000 | mant; // 24-bit significand: value = sig * 2^(e - 23)
  if (e > 15) return sign | 0x7c00;
  if (e >= -14) {
    let q = shiftRoundEven(sig, 13);
    let he = e + 15;
    if (q === 0x800) {
      q = 0x400;
      he += 1;
    }
    return he > 30 ? sign | 0x7c00 : sign | (he << 10) | (q - 0x400);
  }
  // Subnormal result: count units of 2^-24. sig * 2^(e-23) / 2^-24 = sig / 2^(-e-1).
  const shift = -e - 1;
  if (shift > 25) return sign; // sig < 2^24, so the quotient is below one half
  // A carry to 0x400 lands exactly on the smallest normal's bit pattern.
  return sign | shiftRoundEven(sig, shift);
}

/** float16 bits -> float32 bits (exact). */
export function float16BitsToFloat32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  return (float32Bits(mant * 2 ** -24) | sign) >>> 0;
}

/** float32 bits -> bfloat16 bits. */
export function float32BitsToBfloat16Bits(bits: number): number {
  const b = bits >>> 0;
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return (b >>> 16) | 0x40;
  const upper = b >>> 16;
  // Adding 0x7fff plus the lowest kept bit rounds ties to even; a carry out of the mantissa
  // correctly bumps the exponent, up to infinity.
  return Math.floor((b + 0x7fff + (upper & 1)) / 0x10000) & 0xffff;
}

/** bfloat16 bits -> float32 bits (exact). */
export function bfloat16BitsToFloat32Bits(h: number): number {
  return ((h & 0xffff) << 16) >>> 0;
}

export function float32ToFloat16Bits(x: number): number {
  return float32BitsToFloat16Bits(float32Bits(x));
}

export function float16BitsToFloat32(h: number): number {
  return float32FromBits(float16BitsToFloat32Bits(h));
}

export function float32ToBfloat16Bits(x: number): number {
  return float32BitsToBfloat16Bits(float32Bits(x));
}

export function bfloat16BitsToFloat32(h: number): number {
  return float32FromBits(bfloat16BitsToFloat32Bits(h));
}

function bitsOf(src: Float32Array): Uint32Array {
  return new Uint32Array(src.buffer, src.byteOffset, src.length);
}

/** Whole-array narrowing that works on the bits, so NaN signs and payloads survive. */
export function float32ArrayToFloat16Bits(src: Float32Array): Uint16Array {
  const bits = bitsOf(src);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < out.length; i++) out[i] = float32BitsToFloat16Bits(bits[i]!);
  return out;
}

export function float32ArrayToBfloat16Bits(src: Float32Array): Uint16Array {
  const bits = bitsOf(src);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < out.length; i++) out[i] = float32BitsToBfloat16Bits(bits[i]!);
  return out;
}

export function float16BitsToFloat32Array(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const bits = bitsOf(out);
  for (let i = 0; i < src.length; i++) bits[i] = float16BitsToFloat32Bits(src[i]!);
  return out;
}

export function bfloat16BitsToFloat32Array(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const bits = bitsOf(out);
  for (let i = 0; i < src.length; i++) bits[i] = bfloat16BitsToFloat32Bits(src[i]!);
  return out;
}
