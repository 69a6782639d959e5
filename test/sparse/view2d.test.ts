import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/tensor/errors.js';
import { runScript } from '../helpers/child.js';
import { createMask, fromView, isNM, tensorRTReport, toView, viewDims, viewIndexMap } from '../../src/sparse/index.js';

const iota = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i);

describe('2-D mask view', () => {
  it('keeps vectors and Linear weights as they are', () => {
    expect(viewDims([12])).toEqual({ rows: 1, cols: 12 });
    expect(viewDims([3, 8])).toEqual({ rows: 3, cols: 8 });
    expect(Array.from(toView(iota(24), [3, 8]).data)).toEqual(Array.from(iota(24)));
  });

  it('puts Conv1d (K,C,R) element (k,c,r) at row k*R+r, column c', () => {
    const [K, C, R] = [2, 4, 3];
    const v = toView(iota(K * C * R), [K, C, R]);
    expect([v.rows, v.cols]).toEqual([K * R, C]);
    for (let k = 0; k < K; k++)
      for (let c = 0; c < C; c++)
        for (let r = 0; r < R; r++) expect(v.data[(k * R + r) * C + c]).toBe((k * C + c) * R + r);
  });

  it('puts Conv2d (K,C,R,S) element (k,c,r,s) at row (r*S+s)*K+k, column c', () => {
    const [K, C, R, S] = [3, 4, 2, 5];
    const v = toView(iota(K * C * R * S), [K, C, R, S]);
    expect([v.rows, v.cols]).toEqual([R * S * K, C]);
    for (let k = 0; k < K; k++)
      for (let c = 0; c < C; c++)
        for (let r = 0; r < R; r++)
          for (let s = 0; s < S; s++) expect(v.data[((r * S + s) * K + k) * C + c]).toBe(((k * C + c) * R + r) * S + s);
  });

  it('puts Conv3d (K,C,T,R,S) element at row ((t*R+r)*S+s)*K+k', () => {
    const [K, C, T, R, S] = [2, 4, 2, 3, 2];
    const v = toView(iota(K * C * T * R * S), [K, C, T, R, S]);
    expect([v.rows, v.cols]).toEqual([T * R * S * K, C]);
    const flat = (k: number, c: number, t: number, r: number, s: number): number =>
      (((k * C + c) * T + t) * R + r) * S + s;
    expect(v.data[(((1 * R + 2) * S + 1) * K + 1) * C + 3]).toBe(flat(1, 3, 1, 2, 1));
  });

  it('fromView inverts toView for every rank (property)', () => {
    const shapeArb = fc
      .integer({ min: 1, max: 5 })
      .chain((rank) => fc.array(fc.integer({ min: 1, max: 4 }), { minLength: rank, maxLength: rank }));
    fc.assert(
      fc.property(shapeArb, (shape) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const w = iota(n);
        expect(Array.from(fromView(toView(w, shape).data, shape))).toEqual(Array.from(w));
        expect(new Set(viewIndexMap(shape)).size).toBe(n);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects rank 0 and rank 6, and data of the wrong length', () => {
    expect(() => viewDims([])).toThrow(ShapeError);
    expect(() => viewDims([1, 1, 1, 1, 1, 1])).toThrow(/rank must be 1 to 5/);
    expect(() => toView(iota(5), [2, 3])).toThrow(ShapeError);
  });
});

describe('hostile shapes', () => {
  const HUGE_EMPTY = [4503599627370496, 16, 0];

  it('a zero-element weight with huge dims views, masks and checks at once', { timeout: 60_000 }, () => {
    // In a child first: the old failure was a synchronous endless loop, which would hang this process.
    const child = runScript(fileURLToPath(new URL('scripts/hostile_shapes.ts', import.meta.url)), [], 30_000);
    expect(child.timedOut, 'the child was still running after 30 s').toBe(false);
    expect(child.stdout.trim(), child.stderr).toBe('ok');
    expect(viewDims([2 ** 52, 0, 16])).toEqual({ rows: 0, cols: 0 });
    expect(viewDims(HUGE_EMPTY)).toEqual({ rows: 0, cols: 16 });
    expect(viewIndexMap(HUGE_EMPTY)).toHaveLength(0);
    expect(toView(new Float32Array(0), HUGE_EMPTY).data).toHaveLength(0);
    expect(fromView(new Uint8Array(0), [2 ** 52, 0, 2 ** 40])).toHaveLength(0);
    for (const pattern of ['m4n2_1d', '2:8', '8:16', 'm4n2_2d_best'])
      expect(createMask(new Float32Array(0), HUGE_EMPTY, pattern)).toHaveLength(0);
    expect(isNM(new Float32Array(0), HUGE_EMPTY, 2, 4)).toBe(true);
    expect(tensorRTReport(new Float32Array(0), HUGE_EMPTY)).toMatchObject({
      groupsChecked: 0,
      groupsViolating: 0,
      is24: true,
    });
    // C = 0 with a huge row count: the view has no rows, not 2^56 empty ones.
    expect(tensorRTReport(new Float32Array(0), [2 ** 52, 0, 16]).groupsChecked).toBe(0);
  });

  it('rejects negative, fractional and unsafe dimensions and element counts with a ShapeError naming the shape', () => {
    expect(() => viewDims([-8, -16])).toThrow(ShapeError);
    expect(() => viewDims([-8, -16])).toThrow(/shape \[-8, -16\] must hold non-negative integers/);
    expect(() => viewDims([2.5, 4])).toThrow(ShapeError);
    expect(() => viewDims([2 ** 53, 1])).toThrow(ShapeError);
    expect(() => viewDims([2 ** 40, 2 ** 20])).toThrow(/more than 2\^53 - 1 elements/);
    expect(() => toView(new Float32Array(128), [-8, -16])).toThrow(ShapeError);
    expect(() => isNM(new Float32Array(128), [-8, -16], 2, 4)).toThrow(ShapeError);
    expect(() => tensorRTReport(new Float32Array(128), [-8, -16])).toThrow(ShapeError);
    expect(() => createMask(new Float32Array(128), [-8, -16])).toThrow(ShapeError);
  });
});
