import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MT19937,
  ShapeError,
  Tensor,
  ValueError,
  batchNorm,
  fromArray,
  gradcheck,
  groupNorm,
  instanceNorm,
  layerNorm,
  ones,
  randn,
  zeros,
} from '../../../src/tensor/index.js';

const gen = (seed: number) => ({ generator: new MT19937(seed) });
const param = (shape: number[], seed: number) => randn(shape, { ...gen(seed), requiresGrad: true });

function expectClose(actual: Tensor, expected: ArrayLike<number>, atol = 1e-5): void {
  expect(actual.size).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual.data[i]! - expected[i]!)).toBeLessThanOrEqual(atol);
}

describe('batchNorm', () => {
  it('training: normalizes with the biased batch variance and updates running stats with the unbiased one', () => {
    const x = fromArray([[1], [2], [3], [6]]);
    const rm = zeros([1]);
    const rv = ones([1]);
    const out = batchNorm(x, rm, rv, null, null, { training: true });
    // mean 3, biased var 14/4, unbiased var 14/3.
    const s = Math.sqrt(3.5 + 1e-5);
    expectClose(out, [-2 / s, -1 / s, 0, 3 / s]);
    expectClose(rm, [0.3], 1e-7);
    expectClose(rv, [0.9 + 0.1 * (14 / 3)], 1e-6);
  });

  it('training honours a custom momentum', () => {
    const rm = fromArray([10, 10]);
    const rv = fromArray([1, 1]);
    batchNorm(
      fromArray([
        [0, 2],
        [2, 4],
      ]),
      rm,
      rv,
      null,
      null,
      { training: true, momentum: 0.5 },
    );
    expectClose(rm, [5.5, 6.5]);
    expectClose(rv, [1.5, 1.5]);
  });

  it('eval: uses the running statistics and leaves them unchanged', () => {
    const x = fromArray([[[1, 3]], [[5, 7]]]);
    const rm = fromArray([2]);
    const rv = fromArray([4]);
    const out = batchNorm(x, rm, rv, fromArray([3]), fromArray([1]), { training: false, eps: 0 });
    expectClose(out, [-0.5, 2.5, 5.5, 8.5]);
    expect(Array.from(rm.data)).toEqual([2]);
    expect(Array.from(rv.data)).toEqual([4]);
  });

  it('gradients match finite differences in training mode', () => {
    const x = param([3, 2, 4], 1);
    const r = gradcheck(
      (a, w, b) => batchNorm(a, zeros([2]), ones([2]), w, b, { training: true }),
      [x, param([2], 2), param([2], 3)],
    );
    expect(r.failure).toBeNull();
  });

  it('gradients match finite differences in eval mode', () => {
    const rm = fromArray([0.5, -0.2]);
    const rv = fromArray([1.5, 0.7]);
    const r = gradcheck(
      (a, w, b) => batchNorm(a, rm, rv, w, b, { training: false }),
      [param([3, 2, 2], 4), param([2], 5), param([2], 6)],
    );
    expect(r.failure).toBeNull();
  });

  it('rejects one value per channel when training, missing running stats in eval, and bad shapes', () => {
    expect(() => batchNorm(fromArray([[1, 2]]), null, null, null, null, { training: true })).toThrow(ValueError);
    expect(() => batchNorm(fromArray([[1, 2]]), null, null)).toThrow(/runningMean and runningVar must be given/);
    expect(() => batchNorm(zeros([2, 3]), zeros([3]), ones([3]), ones([2]))).toThrow(ShapeError);
    expect(() => batchNorm(zeros([2, 3]), zeros([2]), ones([3]))).toThrow(
      /runningMean must have shape \[3\], got \[2\]/,
    );
    expect(() => batchNorm(zeros([3]), null, null, null, null, { training: true })).toThrow(ShapeError);
  });
});

describe('layerNorm', () => {
  it('gives each row zero mean and unit (biased) variance, then applies the affine parameters', () => {
    const x = fromArray([
      [1, 2, 3, 4],
      [-1, 0, 0, 5],
    ]);
    const out = layerNorm(x, 4, null, null, 0);
    for (let r = 0; r < 2; r++) {
      const row = Array.from(out.data.subarray(r * 4, r * 4 + 4));
      const mean = row.reduce((a, b) => a + b, 0) / 4;
      const v = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
      expect(Math.abs(mean)).toBeLessThan(1e-6);
      expect(Math.abs(v - 1)).toBeLessThan(1e-5);
    }
    const affine = layerNorm(x, [4], fromArray([2, 2, 2, 2]), fromArray([1, 1, 1, 1]), 0);
    for (let i = 0; i < 8; i++) expect(affine.data[i]).toBeCloseTo(2 * out.data[i]! + 1, 5);
  });

  it('gradients match finite differences over two trailing dims', () => {
    const r = gradcheck(
      (a, w, b) => layerNorm(a, [2, 3], w, b),
      [param([2, 2, 3], 7), param([2, 3], 8), param([2, 3], 9)],
    );
    expect(r.failure).toBeNull();
  });

  it('rejects a normalizedShape that is not a suffix of the input shape', () => {
    expect(() => layerNorm(zeros([2, 3]), [2])).toThrow(
      /normalizedShape \[2\] must be a non-empty suffix of the input shape \[2, 3\]/,
    );
    expect(() => layerNorm(zeros([2, 3]), [3], ones([2]))).toThrow(ShapeError);
  });
});

describe('groupNorm and instanceNorm', () => {
  it('groupNorm with one group per channel equals instanceNorm; with one group, layerNorm over [C, *]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 2, max: 4 }),
        fc.nat(1000),
        (n, c, l, seed) => {
          const x = randn([n, c, l], gen(seed));
          const gAll = groupNorm(x, c);
          const inst = instanceNorm(x);
          const gOne = groupNorm(x, 1);
          const ln = layerNorm(x, [c, l]);
          for (let i = 0; i < x.size; i++) {
            expect(Math.abs(gAll.data[i]! - inst.data[i]!)).toBeLessThan(1e-5);
            expect(Math.abs(gOne.data[i]! - ln.data[i]!)).toBeLessThan(1e-5);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('groupNorm gradients match finite differences', () => {
    const r = gradcheck((a, w, b) => groupNorm(a, 2, w, b), [param([2, 4, 3], 10), param([4], 11), param([4], 12)]);
    expect(r.failure).toBeNull();
  });

  it('instanceNorm gradients match finite differences, with input stats and with running stats', () => {
    const r1 = gradcheck(
      (a, w, b) => instanceNorm(a, null, null, w, b),
      [param([2, 3, 4], 13), param([3], 14), param([3], 15)],
    );
    expect(r1.failure).toBeNull();
    const rm = fromArray([0.1, -0.3, 0.2]);
    const rv = fromArray([0.8, 1.2, 2]);
    const r2 = gradcheck((a) => instanceNorm(a, rm, rv, null, null, { useInputStats: false }), [param([2, 3, 2], 16)]);
    expect(r2.failure).toBeNull();
  });

  it('instanceNorm updates running stats with the batch average of per-instance statistics', () => {
    // Channel 0: instance means 1 and 5, unbiased variances 2 and 8.
    const x = fromArray([[[0, 2]], [[3, 7]]]);
    const rm = zeros([1]);
    const rv = ones([1]);
    instanceNorm(x, rm, rv, null, null, { momentum: 0.5 });
    expectClose(rm, [1.5]);
    expectClose(rv, [0.5 + 0.5 * 5]);
  });

  it('rejects a group count that does not divide the channels', () => {
    expect(() => groupNorm(zeros([1, 6, 2]), 4)).toThrow(
      /numGroups must be a positive divisor of the channel count 6, got 4/,
    );
    expect(() => groupNorm(zeros([1, 6, 2]), 3, ones([3]))).toThrow(ShapeError);
    expect(() => instanceNorm(zeros([2, 3, 1]))).toThrow(ValueError);
  });
});
