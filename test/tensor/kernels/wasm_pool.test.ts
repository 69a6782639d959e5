import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../../src/tensor/errors.js';
import { referenceKernels as ref } from '../../../src/tensor/kernels/reference/index.js';
import type { PoolParams } from '../../../src/tensor/kernels/types.js';
import { requestedThreads, setWasmThreads, wasmKernels as wasm } from '../../../src/tensor/kernels/wasm/index.js';
import { poolParams, poolSizes, randomArray } from './arbitraries.js';

/**
 * The wasm pooling kernels visit each window's taps in the reference's order, compare in f32 (exact)
 * and sum in f64 in the reference's order, rounding to f32 once, exactly as the reference does. So
 * the tolerance is zero: every value must be the same float (Object.is: NaN equals NaN, +0 is not
 * -0), and every argmax the same index.
 */
const seed = fc.integer({ min: 1, max: 100_000 });

/** Values in [-1, 1) with ties (a coarse grid), and, when `special`, NaN, -Infinity and ±0 mixed in. */
function inputs(n: number, s: number, special: boolean): Float32Array {
  const specials = [Number.NaN, -Infinity, 0, -0, -Infinity];
  return randomArray(n, s).map((v, i) => {
    if (special && i % 5 === s % 5) return specials[Math.floor(i / 5) % specials.length]!;
    return i % 3 === 0 ? Math.round(v * 4) / 4 : v;
  });
}

function expectSameFloats(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  const bad = Array.from(got).findIndex((v, i) => !Object.is(v, want[i]!));
  if (bad >= 0) expect({ index: bad, value: got[bad] }).toEqual({ index: bad, value: want[bad] });
}

function checkPool(p: PoolParams, s: number, special: boolean): void {
  const n = poolSizes(p);
  const x = inputs(n.x, s, special);
  const dy = inputs(n.y, s + 1, false);
  const got = wasm.maxPool(x, p);
  const want = ref.maxPool(x, p);
  expect(Array.from(got.argmax)).toEqual(Array.from(want.argmax));
  expectSameFloats(got.values, want.values);
  expectSameFloats(wasm.maxPoolBackward(dy, want.argmax, p), ref.maxPoolBackward(dy, want.argmax, p));
  expectSameFloats(wasm.avgPool(x, p), ref.avgPool(x, p));
  expectSameFloats(wasm.avgPoolBackward(dy, p), ref.avgPoolBackward(dy, p));
}

/** Dilated windows whose padding swallows whole windows (beyond what the ops allow). */
const paddedDilation: fc.Arbitrary<PoolParams> = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    countIncludePad: fc.boolean(),
    k: fc.integer({ min: 1, max: 3 }),
    s: fc.integer({ min: 1, max: 2 }),
    d: fc.integer({ min: 2, max: 4 }),
    pad: fc.integer({ min: 1, max: 3 }),
    n: fc.integer({ min: 1, max: 5 }),
    h: fc.integer({ min: 1, max: 4 }),
  })
  .map(({ batch, channels, countIncludePad, k, s, d, pad, n, h }): PoolParams => {
    const span = d * (k - 1) + 1;
    const w = Math.max(n, span - 2 * pad);
    const out = Math.floor((w + 2 * pad - span) / s) + 1;
    return {
      batch,
      channels,
      countIncludePad,
      inSize: [1, h, w],
      kernelSize: [1, 1, k],
      stride: [1, 1, s],
      padding: [0, 0, pad],
      dilation: [1, 1, d],
      outSize: [1, h, out],
    };
  });

const previousThreads = requestedThreads();
afterAll(() => setWasmThreads(previousThreads));

describe.each([1, 2])('wasm pooling equals the reference exactly on %i thread(s)', (threads) => {
  const onThreads = (): void => setWasmThreads(threads);

  it('over random pooling parameters, with ties', () => {
    onThreads();
    fc.assert(
      fc.property(poolParams, seed, (p, s) => checkPool(p, s, false)),
      { numRuns: 150 },
    );
  });

  it('with NaN, -Infinity and signed zeros in the input', () => {
    onThreads();
    fc.assert(
      fc.property(poolParams, seed, (p, s) => checkPool(p, s, true)),
      { numRuns: 150 },
    );
  });

  it('with dilated windows wholly in the padding (argmax -1, -Infinity)', () => {
    onThreads();
    fc.assert(
      fc.property(paddedDilation, seed, fc.boolean(), (p, s, special) => checkPool(p, s, special)),
      { numRuns: 150 },
    );
    const p: PoolParams = {
      batch: 1,
      channels: 2,
      countIncludePad: false,
      inSize: [1, 1, 1],
      kernelSize: [1, 1, 2],
      stride: [1, 1, 1],
      padding: [0, 0, 2],
      dilation: [1, 1, 2],
      outSize: [1, 1, 3],
    };
    // Windows read positions {-2, 0}, {-1, 1}, {0, 2}: the middle one lies wholly in the padding.
    const got = wasm.maxPool(new Float32Array([5, 7]), p);
    expect(Array.from(got.argmax)).toEqual([0, -1, 0, 0, -1, 0]);
    expect(Array.from(got.values)).toEqual([5, -Infinity, 5, 7, -Infinity, 7]);
    // Without countIncludePad its average divides 0 by 0, as in the reference.
    expect(Number.isNaN(wasm.avgPool(new Float32Array([5, 7]), p)[1])).toBe(true);
    checkPool(p, 3, false);
  });

  it('on planes big enough to run on every thread', () => {
    onThreads();
    const p: PoolParams = {
      batch: 16,
      channels: 16,
      countIncludePad: true,
      inSize: [1, 28, 28],
      kernelSize: [1, 2, 2],
      stride: [1, 2, 2],
      padding: [0, 0, 0],
      dilation: [1, 1, 1],
      outSize: [1, 14, 14],
    };
    checkPool(p, 11, true);
    checkPool(
      {
        ...p,
        kernelSize: [1, 3, 3],
        padding: [0, 1, 1],
        countIncludePad: false,
        stride: [1, 1, 1],
        outSize: [1, 28, 28],
      },
      12,
      false,
    );
  });
});

describe('wasm pooling checks its arguments', () => {
  const p: PoolParams = {
    batch: 1,
    channels: 1,
    countIncludePad: true,
    inSize: [1, 2, 2],
    kernelSize: [1, 2, 2],
    stride: [1, 2, 2],
    padding: [0, 0, 0],
    dilation: [1, 1, 1],
    outSize: [1, 1, 1],
  };
  it('refuses wrong lengths and an argmax outside the plane', () => {
    expect(() => wasm.maxPool(new Float32Array(3), p)).toThrow(ShapeError);
    expect(() => wasm.avgPoolBackward(new Float32Array(2), p)).toThrow(ShapeError);
    expect(() => wasm.maxPoolBackward(new Float32Array(1), new Int32Array([4]), p)).toThrow(ValueError);
    expect(() => wasm.maxPoolBackward(new Float32Array(1), new Int32Array([-2]), p)).toThrow(ValueError);
  });
});
