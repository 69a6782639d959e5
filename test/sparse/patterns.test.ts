import { afterEach, describe, expect, it } from 'vitest';
import { ValueError } from '../../src/tensor/errors.js';
import {
  SparsityError,
  getMaskCalculator,
  m4n2_1d,
  m4n2_2d_best,
  maskCalculatorNames,
  patternNM,
  registerMaskCalculator,
  resolvePattern,
  unregisterMaskCalculator,
} from '../../src/sparse/index.js';

const keepAll = (v: { rows: number; cols: number }): Uint8Array => new Uint8Array(v.rows * v.cols).fill(1);

afterEach(() => {
  unregisterMaskCalculator('keep-all');
});

describe('the pattern table', () => {
  it('resolves the built-ins to their calculators and 2:4', () => {
    expect(resolvePattern('m4n2_1d')).toEqual({ name: 'm4n2_1d', n: 2, m: 4, calculator: m4n2_1d });
    expect(resolvePattern('m4n2_2d_best').calculator).toBe(m4n2_2d_best);
    expect(getMaskCalculator('m4n2_1d')).toBe(m4n2_1d);
    expect(maskCalculatorNames().slice(0, 3)).toEqual(['m4n2_1d', 'm4n2_2d_best', 'm4n2_2d_greedy']);
  });

  it("resolves 'N:M' strings and refuses impossible ones with a SparsityError", () => {
    const p = resolvePattern('1:8');
    expect([p.name, p.n, p.m]).toEqual(['1:8', 1, 8]);
    expect(Array.from(p.calculator({ data: Float32Array.from([0, 0, 5, 0, 0, 0, 0, 1]), rows: 1, cols: 8 }))).toEqual([
      0, 0, 1, 0, 0, 0, 0, 0,
    ]);
    expect(() => resolvePattern('4:4')).toThrow(SparsityError);
    expect(() => resolvePattern('2:512')).toThrow(/M=512 is wider than the largest supported group/);
    expect(() => resolvePattern('nope')).toThrow(SparsityError);
    expect(() => resolvePattern('nope')).toThrow(/unknown mask pattern 'nope'; expected one of m4n2_1d, /);
  });

  it('knows no N:M for a user calculator', () => {
    registerMaskCalculator('keep-all', keepAll);
    expect(resolvePattern('keep-all')).toMatchObject({ name: 'keep-all', n: null, m: null });
    expect(() => patternNM('keep-all')).toThrow(ValueError);
    expect(patternNM('m4n2_2d_greedy')).toEqual({ n: 2, m: 4 });
    expect(patternNM('2:8')).toEqual({ n: 2, m: 8 });
  });

  it("follows the shared registry rules: new names, { replace: true }, built-ins and 'N:M' fixed", () => {
    registerMaskCalculator('keep-all', keepAll);
    expect(() => registerMaskCalculator('keep-all', keepAll)).toThrow(ValueError);
    registerMaskCalculator('keep-all', m4n2_1d, { replace: true });
    expect(getMaskCalculator('keep-all')).toBe(m4n2_1d);
    expect(() => registerMaskCalculator('m4n2_1d', keepAll, { replace: true })).toThrow(/built in/);
    expect(() => registerMaskCalculator('2:4', keepAll)).toThrow(/reserved/);
    expect(() => registerMaskCalculator('', keepAll)).toThrow(ValueError);
    expect(() => unregisterMaskCalculator('m4n2_1d')).toThrow(ValueError);
    expect(unregisterMaskCalculator('keep-all')).toBe(true);
    expect(unregisterMaskCalculator('keep-all')).toBe(false);
    expect(maskCalculatorNames()).not.toContain('keep-all');
  });
});
