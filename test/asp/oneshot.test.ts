import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMask, patternNM, pruneStateDict, weightEligibility } from '../../src/asp/oneshot.js';
import { type StoredTensor, toFloat32 } from '../../src/io/index.js';
import { createMask, isNM } from '../../src/sparse/index.js';
import { SparsityError } from '../../src/sparse/errors.js';

describe('pruneStateDict', () => {
  it('property: F16 weights come back N:M with kept bits identical and pruned bits a signed zero', () => {
    const shapes = [
      [8, 16],
      [16, 32],
      [8, 16, 3],
      [8, 16, 1, 2],
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...shapes),
        fc.constantFrom('m4n2_1d', '2:4', '1:4', '2:8'),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (shape, pattern, seed) => {
          const n = shape.reduce<number>((a, b) => a * b, 1);
          let s = seed;
          // Random half bits that are finite: exponent below 31.
          const bits = Uint16Array.from({ length: n }, () => {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            return (s >>> 8) & 0xfbff;
          });
          const t: StoredTensor = { dtype: 'F16', shape: [...shape], data: bits };
          const { tensors, report } = pruneStateDict({ 'm.weight': t }, { pattern });
          expect(report[0]!.fate).toBe('pruned');
          const out = tensors.get('m.weight')!.data as Uint16Array;
          const mask = createMask(toFloat32(t), shape, pattern);
          const { n: keep, m } = patternNM(pattern);
          expect(isNM(toFloat32(tensors.get('m.weight')!), shape, keep, m)).toBe(true);
          for (let i = 0; i < n; i++) if (out[i] !== (mask[i] ? bits[i] : bits[i]! & 0x8000)) return false;
          return true;
        },
      ),
      { numRuns: 40 },
    );
  });

  it('applyMask zeroes with the sign kept, like apex p.mul_(mask)', () => {
    const out = applyMask(
      { dtype: 'F32', shape: [4], data: Float32Array.from([-2, 3, -4, 5]) },
      Uint8Array.from([0, 0, 1, 1]),
    );
    expect(Array.from(out.data as Float32Array, (v) => Object.is(v, -0))).toEqual([true, false, false, false]);
    expect(Array.from(out.data as Float32Array)).toEqual([-0, 0, -4, 5]);
  });

  it('eligibility follows apex: the shape filter is for F32/F16 only, integer and rank-1 tensors are not weights', () => {
    const f = (dtype: 'F32' | 'BF16', shape: number[]): StoredTensor =>
      dtype === 'F32'
        ? { dtype, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }
        : { dtype, shape, data: new Uint16Array(shape.reduce((a, b) => a * b, 1)) };
    expect(weightEligibility('a.weight', f('F32', [12, 16]), 4).eligible).toBe(false);
    expect(weightEligibility('a.weight', f('BF16', [12, 16]), 4).eligible).toBe(true);
    expect(weightEligibility('a.weight', f('BF16', [12, 6]), 4).reasons).toEqual([
      'input channels 6 are not divisible by M=4',
    ]);
    expect(weightEligibility('a.bias', f('F32', [16, 16]), 4)).toMatchObject({ candidate: false });
    expect(weightEligibility('x', f('F32', [16, 16]), 4, false)).toMatchObject({ candidate: true, eligible: true });
    expect(
      weightEligibility('a.weight', { dtype: 'I32', shape: [8, 16], data: new Int32Array(128) }, 4).reasons,
    ).toEqual(['dtype I32 is not a floating-point weight']);
    expect(patternNM('m4n2_2d_best')).toEqual({ n: 2, m: 4 });
    expect(() => patternNM('nope')).toThrow(SparsityError);
  });

  it('saveMasks replaces a mask buffer already in the input', () => {
    const w: StoredTensor = { dtype: 'F32', shape: [8, 16], data: Float32Array.from({ length: 128 }, (_, i) => i + 1) };
    const old: StoredTensor = { dtype: 'BOOL', shape: [8, 16], data: new Uint8Array(128).fill(1) };
    const r = pruneStateDict({ 'l.weight': w, 'l.__weight_mma_mask': old }, { saveMasks: true });
    expect(r.report.map((x) => x.fate)).toEqual(['pruned', 'replaced']);
    expect(r.tensors.get('l.__weight_mma_mask')!.data).toEqual(createMask(w.data as Float32Array, [8, 16]));
  });

  it('prunes a zero-element weight with huge dims at once, and wide N:M patterns', () => {
    const empty: StoredTensor = { dtype: 'F32', shape: [4503599627370496, 16, 0], data: new Float32Array(0) };
    const r = pruneStateDict({ 'e.weight': empty }, { pattern: '8:16' });
    expect(r.report[0]).toMatchObject({ fate: 'pruned', keptMagnitudeFraction: 1 });
    const w: StoredTensor = {
      dtype: 'F32',
      shape: [8, 64],
      data: Float32Array.from({ length: 512 }, (_, i) => ((i * 37) % 101) - 50),
    };
    const wide = pruneStateDict({ 'w.weight': w }, { pattern: '16:32' });
    expect(isNM(toFloat32(wide.tensors.get('w.weight')!), [8, 64], 16, 32)).toBe(true);
  });
});
