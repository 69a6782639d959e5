import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bfloat16Bits,
  bfloat16Value,
  float16Bits,
  float16Value,
  fromHalfBits,
  toHalfBits,
} from '../../src/sparse/index.js';
import { golden } from './golden.js';

const f32FromBits = (bits: number): number => new Float32Array(Uint32Array.of(bits).buffer)[0]!;

describe('float16 / bfloat16 conversions', () => {
  it('match numpy (float16) and torch (bfloat16) on edge values', () => {
    const values = golden.half.values_bits.map(f32FromBits);
    expect(values.map(float16Bits)).toEqual(golden.half.float16);
    expect(values.map(bfloat16Bits)).toEqual(golden.half.bfloat16);
  });

  it('round to nearest even on exact ties', () => {
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway, even stays
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway, odd rounds up
    expect(float16Bits(2 ** -25)).toBe(0); // half the smallest subnormal -> 0
    expect(float16Bits(3 * 2 ** -25)).toBe(2); // 1.5 units -> 2
    expect(float16Bits(65520)).toBe(0x7c00);
    expect(bfloat16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(bfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
  });

  it('keep NaN a NaN', () => {
    expect(Number.isNaN(float16Value(float16Bits(NaN)))).toBe(true);
    expect(Number.isNaN(bfloat16Value(bfloat16Bits(NaN)))).toBe(true);
  });

  it('widening then narrowing is the identity on every finite pattern (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (h) => {
        if ((h & 0x7c00) !== 0x7c00) expect(float16Bits(float16Value(h))).toBe(h);
        if ((h & 0x7f80) !== 0x7f80) expect(bfloat16Bits(bfloat16Value(h))).toBe(h);
      }),
      { numRuns: 2000 },
    );
  });

  it('converts arrays both ways', () => {
    const bits = toHalfBits([1, -2, 0.5], 'float16');
    expect(Array.from(bits)).toEqual([0x3c00, 0xc000, 0x3800]);
    expect(Array.from(fromHalfBits(bits, 'float16'))).toEqual([1, -2, 0.5]);
    expect(Array.from(fromHalfBits(toHalfBits([3, -0.25], 'bfloat16'), 'bfloat16'))).toEqual([3, -0.25]);
  });
});
