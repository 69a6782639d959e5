import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bfloat16BitsToFloat32,
  bfloat16BitsToFloat32Array,
  float16BitsToFloat32,
  float16BitsToFloat32Array,
  float32ArrayToBfloat16Bits,
  float32ArrayToFloat16Bits,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from '../../src/io/index.js';
import { float32BitsToBfloat16Bits, float32BitsToFloat16Bits, float32FromBits } from '../../src/tensor/half.js';
import { fixtureJson } from './fixtures.js';

interface HalfCases {
  f32_bits: number[];
  f16_bits: number[];
  bf16_bits: number[];
  f16_in: number[];
  f16_out_f32_bits: number[];
  bf16_in: number[];
  bf16_out_f32_bits: number[];
}
const cases = fixtureJson<HalfCases>('half_cases.json');

describe('float16', () => {
  it('matches numpy float32 -> float16 on tricky and random values', () => {
    expect(cases.f32_bits.length).toBeGreaterThan(1000);
    const mismatches = cases.f32_bits
      .map((b, i) => [b, float32BitsToFloat16Bits(b), cases.f16_bits[i]!] as const)
      .filter(([, got, want]) => got !== want);
    expect(mismatches).toEqual([]);
  });

  it('matches numpy float16 -> float32 (exact widening, NaN payloads included, array form)', () => {
    const got = float16BitsToFloat32Array(Uint16Array.from(cases.f16_in));
    expect([...new Uint32Array(got.buffer)]).toEqual(cases.f16_out_f32_bits);
    // The scalar form returns a JS number, which cannot carry a signalling NaN's bits; values agree.
    const scalar = cases.f16_in.map((h) => float16BitsToFloat32(h));
    expect(scalar).toEqual([...got]);
  });

  it('round-trips every one of the 65536 float16 patterns through float32 (NaNs stay NaN)', () => {
    for (let h = 0; h < 0x10000; h++) {
      const back = float32ToFloat16Bits(float16BitsToFloat32(h));
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNaN) expect(back & 0x7e00).toBe(0x7e00);
      else if (back !== h) expect.fail(`0x${h.toString(16)} came back as 0x${back.toString(16)}`);
    }
  });

  it('rounds to the nearest float16, ties to even (property over random float32 in range)', () => {
    fc.assert(
      fc.property(fc.float({ min: -65504, max: 65504, noNaN: true }), (x) => {
        const h = float32ToFloat16Bits(x);
        const v = float16BitsToFloat32(h);
        const f = Math.fround(x);
        const err = Math.abs(v - f);
        // Neighbours one code away (same sign) must not be closer.
        for (const n of [h - 1, h + 1]) {
          if ((n & 0x7fff) > 0x7bff || n < 0 || ((n ^ h) & 0x8000) !== 0) continue;
          const nv = float16BitsToFloat32(n);
          const nerr = Math.abs(nv - f);
          if (nerr < err || (nerr === err && (h & 1) === 1)) return false;
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('handles the edge cases by value', () => {
    expect(float32ToFloat16Bits(65519.99)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0); // halfway to the smallest subnormal: even is 0
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(2);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(NaN)).toBe(0x7e00);
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
  });
});

describe('bfloat16', () => {
  it('matches torch float32 -> bfloat16 on tricky and random values (NaN aside)', () => {
    // torch 1.13's vectorised CPU cast writes NaN as 0xffff, its scalar path as 0x7fc0; we keep
    // the sign and quiet the payload, which gives 0x7fc0 for the canonical NaN.
    const mismatches = cases.f32_bits
      .filter((b) => (b & 0x7fffffff) <= 0x7f800000)
      .map((b) => [b, float32BitsToBfloat16Bits(b), cases.bf16_bits[cases.f32_bits.indexOf(b)]!] as const)
      .filter(([, got, want]) => got !== want);
    expect(mismatches).toEqual([]);
  });

  it('matches torch bfloat16 -> float32', () => {
    const got = bfloat16BitsToFloat32Array(Uint16Array.from(cases.bf16_in));
    expect([...new Uint32Array(got.buffer)]).toEqual(cases.bf16_out_f32_bits);
    expect(cases.bf16_in.map((h) => bfloat16BitsToFloat32(h))).toEqual([...got]);
  });

  it('is the upper half of float32 when the lower half is zero, and rounds ties to even', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (h) => {
        const isNaN = (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;
        return isNaN || float32ToBfloat16Bits(bfloat16BitsToFloat32(h)) === h;
      }),
      { numRuns: 3000 },
    );
    expect(float32BitsToBfloat16Bits(0x3f808000)).toBe(0x3f80); // tie, even stays
    expect(float32BitsToBfloat16Bits(0x3f818000)).toBe(0x3f82); // tie, odd rounds up
    expect(float32BitsToBfloat16Bits(0x7f7fffff)).toBe(0x7f80); // overflow to inf
  });
});

describe('array forms', () => {
  it('keep NaN sign and payload bits that the scalar path cannot see', () => {
    const src = new Float32Array(new Uint32Array([0xffc00001, 0x7f800001, 0x3f800000]).buffer);
    expect([...float32ArrayToFloat16Bits(src)]).toEqual([0xfe00, 0x7e00, 0x3c00]);
    expect([...float32ArrayToBfloat16Bits(src)]).toEqual([0xffc0, 0x7fc0, 0x3f80]);
    expect(float32FromBits(0x3f800000)).toBe(1);
  });
});
