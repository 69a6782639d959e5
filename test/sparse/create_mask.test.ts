import { afterEach, describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/tensor/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import {
  SparsityError,
  createMask,
  fromView,
  isNM,
  m4n2_1d,
  maskCalculatorNames,
  registerMaskCalculator,
  toView,
  unregisterMaskCalculator,
} from '../../src/sparse/index.js';

const seq = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 23) - 11);

afterEach(() => {
  unregisterMaskCalculator('keep-first-half');
});

describe('createMask', () => {
  it('defaults to m4n2_1d and computes it on the 2-D view of a Conv2d weight', () => {
    const shape = [4, 8, 2, 3];
    const w = seq(4 * 8 * 2 * 3);
    const mask = createMask(w, shape);
    const v = toView(w, shape);
    expect(Array.from(mask)).toEqual(Array.from(fromView(m4n2_1d(v), shape)));
    expect(isNM(mask, shape, 2, 4)).toBe(true);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(w.length / 2);
  });

  it('accepts a Tensor and checks its shape', () => {
    const t = new Tensor(seq(32), [4, 8]);
    expect(Array.from(createMask(t, [4, 8], '1:4'))).toEqual(Array.from(createMask(t.data, [4, 8], '1:4')));
    expect(() => createMask(t, [8, 4])).toThrow(ShapeError);
  });

  it("takes a Tensor's own shape when only a pattern is given, and says what a flat array lacks", () => {
    const t = new Tensor(seq(4 * 8 * 2 * 3), [4, 8, 2, 3]);
    expect(Array.from(createMask(t, 'm4n2_1d'))).toEqual(Array.from(createMask(t.data, t.shape, 'm4n2_1d')));
    expect(Array.from(createMask(t, '1:4'))).toEqual(Array.from(createMask(t.data, t.shape, '1:4')));
    expect(Array.from(createMask(t))).toEqual(Array.from(createMask(t.data, t.shape)));
    const flat = seq(32) as Float32Array;
    const noShape = createMask as unknown as (w: Float32Array, p: string) => Uint8Array;
    expect(() => noShape(flat, 'm4n2_1d')).toThrow(ShapeError);
    expect(() => noShape(flat, 'm4n2_1d')).toThrow(/a Float32Array weight needs its shape/);
    expect(() => createMask(new Float32Array(128), [-8, -16])).toThrow(
      /shape \[-8, -16\] must hold non-negative integers/,
    );
  });

  it("runs 'N:M' strings and the 2-D patterns", () => {
    const w = seq(8 * 16);
    expect(isNM(createMask(w, [8, 16], '2:8'), [8, 16], 2, 8)).toBe(true);
    expect(createMask(w, [8, 16], '4:8').reduce((a, b) => a + b, 0)).toBe(64);
    expect(createMask(w, [8, 16], 'm4n2_2d_best').reduce((a, b) => a + b, 0)).toBe(64);
    expect(isNM(createMask(w, [8, 16], 'm4n2_2d_greedy'), [8, 16], 2, 4)).toBe(true);
  });

  it('names unknown patterns and bad N:M in a SparsityError', () => {
    expect(() => createMask(seq(16), [4, 4], 'm4n2_3d')).toThrow(SparsityError);
    expect(() => createMask(seq(16), [4, 4], 'm4n2_3d')).toThrow(/unknown mask pattern 'm4n2_3d'.*m4n2_1d/);
    expect(() => createMask(seq(16), [4, 4], '4:4')).toThrow(SparsityError);
  });

  it('refuses C not divisible by M with a ShapeError naming C and M', () => {
    expect(() => createMask(seq(24), [4, 6])).toThrow(ShapeError);
    expect(() => createMask(seq(24), [4, 6])).toThrow(/C=6 must be divisible by M=4/);
    expect(() => createMask(seq(32), [4, 8], '3:16')).toThrow(/M=16/);
  });

  it('refuses NaN/Inf, naming the index of the first one in the weight layout', () => {
    const w = seq(4 * 4 * 3);
    w[2 * 12 + 1 * 3 + 2] = NaN; // (k=2, c=1, r=2)
    w[40] = Infinity;
    expect(() => createMask(w, [4, 4, 3])).toThrow(SparsityError);
    expect(() => createMask(w, [4, 4, 3])).toThrow(/NaN at index \[2, 1, 2\] \(flat 29\)/);
    const inf = seq(16);
    inf[15] = -Infinity;
    expect(() => createMask(inf, [4, 4])).toThrow(/-Infinity at index \[3, 3\]/);
  });

  it('uses registered calculators and checks what they return', () => {
    registerMaskCalculator('keep-first-half', (v) => {
      const m = new Uint8Array(v.rows * v.cols);
      for (let r = 0; r < v.rows; r++) for (let c = 0; c < v.cols / 2; c++) m[r * v.cols + c] = 1;
      return m;
    });
    expect(maskCalculatorNames()).toContain('keep-first-half');
    expect(Array.from(createMask(seq(8), [2, 4], 'keep-first-half'))).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
    expect(() => registerMaskCalculator('keep-first-half', () => new Uint8Array(3))).toThrow(
      /'keep-first-half' is registered already; pass \{ replace: true \}/,
    );
    registerMaskCalculator('keep-first-half', () => new Uint8Array(3), { replace: true });
    expect(() => createMask(seq(8), [2, 4], 'keep-first-half')).toThrow(
      /returned 3 values, expected a Uint8Array of 8/,
    );
    expect(() => registerMaskCalculator('m4n2_1d', m4n2_1d)).toThrow(ValueError);
    expect(() => registerMaskCalculator('2:4', m4n2_1d)).toThrow(ValueError);
  });
});
