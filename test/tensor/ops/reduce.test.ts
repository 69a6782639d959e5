import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MT19937,
  ShapeError,
  Tensor,
  argmax,
  argmin,
  arange,
  fromArray,
  gradcheck,
  logSoftmax,
  max,
  mean,
  min,
  randn,
  softmax,
  sum,
  variance,
} from '../../../src/tensor/index.js';

function leaf(shape: number[], seed: number): Tensor {
  return randn(shape, { generator: new MT19937(seed), requiresGrad: true });
}

function expectGradOk(f: (x: Tensor) => Tensor, x: Tensor): void {
  expect(gradcheck(f, [x]).failure).toBeNull();
}

// x = np.arange(24).reshape(2, 3, 4)
const x = arange(24).reshape([2, 3, 4]);

describe('sum and mean', () => {
  it('reduces single axes, lists, negatives and everything (NumPy values)', () => {
    // x.sum(1)
    expect(sum(x, 1).toArray()).toEqual([
      [12, 15, 18, 21],
      [48, 51, 54, 57],
    ]);
    // x.sum((0, 2))
    expect(sum(x, [0, -1]).toArray()).toEqual([60, 92, 124]);
    expect(sum(x).toArray()).toBe(276);
    expect(sum(x, []).item()).toBe(276);
    expect(sum(x, -1, true).shape).toEqual([2, 3, 1]);
    expect(sum(x, undefined, true).shape).toEqual([1, 1, 1]);
    // x.mean(2)
    expect(mean(x, 2).toArray()).toEqual([
      [1.5, 5.5, 9.5],
      [13.5, 17.5, 21.5],
    ]);
    expect(x.mean().item()).toBe(11.5);
  });

  it('handles empty reductions as PyTorch: sum 0, mean NaN', () => {
    const e = fromArray([], [0, 3]);
    expect(sum(e, 0).toArray()).toEqual([0, 0, 0]);
    expect(Number.isNaN(mean(e).item())).toBe(true);
    expect(sum(e, 1).shape).toEqual([0]);
  });

  it('rejects bad and repeated axes', () => {
    expect(() => sum(x, 3)).toThrow(ShapeError);
    expect(() => sum(x, -4)).toThrow(ShapeError);
    expect(() => mean(x, [1, -2])).toThrow(ShapeError);
  });

  it('gradchecks over several axis choices', () => {
    expectGradOk((t) => sum(t, 1), leaf([2, 3, 5], 1));
    expectGradOk((t) => sum(t, [0, 2], true), leaf([3, 1, 4], 2));
    expectGradOk((t) => mean(t, -1), leaf([5, 3], 3));
    expectGradOk((t) => mean(t), leaf([7], 4));
  });
});

describe('variance', () => {
  const v = fromArray([
    [1, 2, 3, 4],
    [2, 4, 6, 8],
  ]);
  it('uses the correction as torch.var', () => {
    // np.var([[1,2,3,4],[2,4,6,8]], axis=1, ddof=1) = [1.6666666, 6.6666665]
    const unbiased = variance(v, 1);
    expect(unbiased.data[0]).toBeCloseTo(5 / 3, 6);
    expect(unbiased.data[1]).toBeCloseTo(20 / 3, 5);
    expect(Array.from(variance(v, 1, { correction: 0 }).data)).toEqual([1.25, 5]);
    // /usr/bin/python3 -c "import numpy as np; print(np.var([[1,2,3,4],[2,4,6,8]], ddof=1))" -> 5.357142857142857
    expect(v.var().item()).toBeCloseTo(5.357142857142857, 6);
    expect(variance(v, 0, { keepdim: true }).toArray()).toEqual([[0.5, 2, 4.5, 8]]);
    expect(Number.isNaN(variance(fromArray([3])).item())).toBe(true);
  });

  it('is exact for large offsets where E[x²]-E[x]² would cancel', () => {
    const big = fromArray([1e4 + 1, 1e4 + 2, 1e4 + 3]);
    expect(variance(big, 0).item()).toBe(1);
  });

  it('gradchecks with both corrections', () => {
    expectGradOk((t) => variance(t, 1), leaf([3, 5], 5));
    expectGradOk((t) => variance(t, [0, 2], { correction: 0, keepdim: true }), leaf([2, 3, 3], 6));
  });
});

describe('max, min, argmax, argmin', () => {
  const m = fromArray([
    [3, 7, 7, 1],
    [5, -2, 5, -2],
  ]);
  it('returns values along an axis and over everything', () => {
    expect(max(m, 1).toArray()).toEqual([7, 5]);
    expect(min(m, 1).toArray()).toEqual([1, -2]);
    expect(max(m, 0, true).toArray()).toEqual([[5, 7, 7, 1]]);
    expect(m.max().item()).toBe(7);
    expect(m.min().item()).toBe(-2);
  });

  it('argmax/argmin take the first occurrence, flat without dim', () => {
    expect(argmax(m, 1).toArray()).toEqual([1, 0]);
    expect(argmin(m, 1).toArray()).toEqual([3, 1]);
    expect(argmax(m, 0).toArray()).toEqual([1, 0, 0, 0]);
    expect(argmax(m).item()).toBe(1);
    expect(argmin(m).item()).toBe(5);
    expect(argmax(m, -1, true).shape).toEqual([2, 1]);
  });

  it('propagates NaN as the extreme, as PyTorch', () => {
    const n = fromArray([1, NaN, 3]);
    expect(Number.isNaN(max(n).item())).toBe(true);
    expect(argmax(n).item()).toBe(1);
    expect(argmin(n).item()).toBe(1);
  });

  it('sends the gradient of max(dim) to the first maximum only', () => {
    const t = fromArray(
      [
        [3, 7, 7, 1],
        [5, -2, 5, -2],
      ],
      undefined,
      { requiresGrad: true },
    );
    max(t, 1).sum().backward();
    expect(t.grad!.toArray()).toEqual([
      [0, 1, 0, 0],
      [1, 0, 0, 0],
    ]);
    t.grad = null;
    min(t, 1).sum().backward();
    expect(t.grad!.toArray()).toEqual([
      [0, 0, 0, 1],
      [0, 1, 0, 0],
    ]);
  });

  it('splits the full-reduction gradient evenly among ties (torch.amax)', () => {
    const t = fromArray(
      [
        [3, 7, 7, 1],
        [5, 7, 5, -2],
      ],
      undefined,
      { requiresGrad: true },
    );
    t.max().backward();
    expect(t.grad!.toArray()).toEqual(
      [
        [0, 1 / 3, 1 / 3, 0],
        [0, 1 / 3, 0, 0],
      ].map((r) => r.map(Math.fround)),
    );
  });

  it('rejects empty reductions and bad axes', () => {
    expect(() => max(fromArray([], [0]))).toThrow(ShapeError);
    expect(() => argmin(fromArray([], [2, 0]), 1)).toThrow(ShapeError);
    expect(() => max(m, 2)).toThrow(ShapeError);
    expect(max(fromArray([], [0, 3]), 1).shape).toEqual([0]);
  });

  it('gradchecks max/min (distinct values)', () => {
    expectGradOk((t) => max(t, 1), leaf([3, 5], 7));
    expectGradOk((t) => min(t, 0, true), leaf([4, 3], 8));
    expectGradOk((t) => max(t), leaf([2, 3], 9));
  });
});

describe('softmax and logSoftmax', () => {
  it('matches known values and sums to one', () => {
    // scipy.special.softmax([1, 2, 3]) = [0.09003057, 0.24472847, 0.66524096]
    const s = softmax(fromArray([1, 2, 3]), 0);
    [0.09003057, 0.24472847, 0.66524096].forEach((want, i) => expect(s.data[i]).toBeCloseTo(want, 7));
    const t = randn([3, 4, 5], { generator: new MT19937(3) });
    const sums = sum(softmax(t, 1), 1).data;
    for (const v of sums) expect(v).toBeCloseTo(1, 6);
    const ls = logSoftmax(fromArray([1, 2, 3]), -1);
    [-2.40760596, -1.40760596, -0.40760596].forEach((want, i) => expect(ls.data[i]).toBeCloseTo(want, 6));
  });

  it('stays finite for huge logits', () => {
    const s = softmax(fromArray([1000, 1001, -1e30]), 0);
    expect(s.data[0]).toBeCloseTo(0.26894142, 6);
    expect(s.data[2]).toBe(0);
    const ls = logSoftmax(fromArray([1000, 0]), 0);
    expect(ls.data[0]).toBe(0);
    expect(ls.data[1]).toBe(-1000);
  });

  it('gradchecks along each axis', () => {
    expectGradOk((t) => softmax(t, 0), leaf([3, 4], 10));
    expectGradOk((t) => softmax(t, 1), leaf([2, 3, 2], 11));
    expectGradOk((t) => logSoftmax(t, -1), leaf([3, 5], 12));
    expectGradOk((t) => logSoftmax(t, 0), leaf([4, 2], 13));
  });

  it('rejects a bad axis', () => {
    expect(() => softmax(fromArray([1, 2]), 1)).toThrow(ShapeError);
  });
});

describe('reduction properties', () => {
  it('summing over a list of axes equals summing them one at a time (last first)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 }), fc.nat(), (shape, seed) => {
        const t = fromArray(
          Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_v, i) => (i * 7 + seed) % 5),
          shape,
        );
        const axes = [0, shape.length - 1];
        const once = sum(t, axes);
        const stepwise = sum(sum(t, shape.length - 1), 0);
        expect(once.shape).toEqual(stepwise.shape);
        expect(once.data).toEqual(stepwise.data);
      }),
      { numRuns: 30 },
    );
  });

  it('softmax is unchanged by adding a constant along the axis', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.double({ min: -50, max: 50, noNaN: true }), (n, c) => {
        const t = randn([2, n], { generator: new MT19937(n) });
        const a = softmax(t, 1).data;
        const b = softmax(t.add(c), 1).data;
        for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i]!, 5);
      }),
      { numRuns: 30 },
    );
  });
});
