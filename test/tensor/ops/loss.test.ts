import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MT19937,
  ShapeError,
  ValueError,
  crossEntropy,
  fromArray,
  gradcheck,
  logSoftmax,
  mseLoss,
  nllLoss,
  randn,
  zeros,
} from '../../../src/tensor/index.js';

const logits = (shape: number[], seed: number) => randn(shape, { generator: new MT19937(seed), requiresGrad: true });
const weight = fromArray([0.5, 2, 1.25]);

describe('crossEntropy', () => {
  it('is ln 2 for two equal logits, and ln(1 + e) for a one-logit margin against the target', () => {
    expect(crossEntropy(fromArray([[0, 0]]), fromArray([1])).item()).toBeCloseTo(Math.LN2, 6);
    expect(crossEntropy(fromArray([[1, 0]]), fromArray([1])).item()).toBeCloseTo(Math.log(1 + Math.E), 6);
  });

  it('mixes label smoothing as (1-ε)·nll + (ε/C)·Σ_c -log p_c', () => {
    const x = fromArray([[2, 0, -1]]);
    const lp = logSoftmax(x, 1).data;
    const expected = 0.8 * -lp[0]! + (0.2 / 3) * -(lp[0]! + lp[1]! + lp[2]!);
    expect(crossEntropy(x, fromArray([0]), { labelSmoothing: 0.2 }).item()).toBeCloseTo(expected, 6);
  });

  it("'mean' divides by the summed weight of non-ignored targets", () => {
    const x = logits([5, 3], 1);
    const t = fromArray([0, -100, 2, 1, -100]);
    const none = crossEntropy(x, t, { reduction: 'none', weight, labelSmoothing: 0.1 }).data;
    expect(none[1]).toBe(0);
    expect(none[4]).toBe(0);
    const total = none.reduce((a, b) => a + b, 0);
    const mean = crossEntropy(x, t, { weight, labelSmoothing: 0.1 }).item();
    expect(mean).toBeCloseTo(total / (0.5 + 1.25 + 2), 5);
    expect(crossEntropy(x, t, { reduction: 'sum', weight, labelSmoothing: 0.1 }).item()).toBeCloseTo(total, 5);
  });

  it('is NaN when every target is ignored, as in torch 1.13', () => {
    expect(crossEntropy(fromArray([[1, 2]]), fromArray([-100])).item()).toBeNaN();
  });

  it('equals nllLoss of logSoftmax without smoothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 }), fc.nat(1000), (n, c, seed) => {
        const g = new MT19937(seed);
        const x = randn([n, c], { generator: g });
        const t = fromArray(Array.from({ length: n }, () => g.nextInt(0, c)));
        const a = crossEntropy(x, t).item();
        const b = nllLoss(logSoftmax(x, 1), t).item();
        expect(Math.abs(a - b)).toBeLessThan(1e-5);
      }),
      { numRuns: 30 },
    );
  });

  it('gradients w.r.t. logits match finite differences (plain, smoothing + weights + ignore, K-dim)', () => {
    const plain = gradcheck((x) => crossEntropy(x, fromArray([2, 0, 1])), [logits([3, 3], 2)], { eps: 1e-3 });
    expect(plain.failure).toBeNull();
    const mixed = gradcheck(
      (x) => crossEntropy(x, fromArray([2, -100, 1, 0]), { weight, labelSmoothing: 0.3 }),
      [logits([4, 3], 3)],
      { eps: 1e-3 },
    );
    expect(mixed.failure).toBeNull();
    const kdim = gradcheck(
      (x) =>
        crossEntropy(
          x,
          fromArray([
            [0, 2],
            [1, 7],
          ]),
          { ignoreIndex: 7, reduction: 'none' },
        ),
      [logits([2, 3, 2], 4)],
      { eps: 1e-3 },
    );
    expect(kdim.failure).toBeNull();
  });

  it('accepts an unbatched [C] input with a scalar target', () => {
    expect(crossEntropy(fromArray([0, 0, 0]), fromArray(1)).item()).toBeCloseTo(Math.log(3), 6);
  });

  it('rejects out-of-range targets, bad shapes, bad options', () => {
    const x = zeros([2, 3]);
    expect(() => crossEntropy(x, fromArray([0, 5]))).toThrow(
      /target 5 at position 1 is out of range: expected a class index in \[0, 3\) or ignoreIndex -100/,
    );
    expect(() => crossEntropy(x, fromArray([0, -1]))).toThrow(ValueError);
    expect(() => crossEntropy(x, fromArray([0, 1.5]))).toThrow(ValueError);
    expect(() => crossEntropy(x, fromArray([0, 1, 2]))).toThrow(
      /target must have shape \[2\] for input of shape \[2, 3\], got \[3\]/,
    );
    expect(() => crossEntropy(x, fromArray([0, 1]), { weight: fromArray([1, 1]) })).toThrow(ShapeError);
    expect(() => crossEntropy(x, fromArray([0, 1]), { labelSmoothing: 1.5 })).toThrow(ValueError);
  });
});

describe('nllLoss', () => {
  it('picks -weight·input at the target class and averages by the target weights', () => {
    const x = fromArray([
      [-1, -2, -3],
      [-4, -5, -6],
    ]);
    expect(nllLoss(x, fromArray([2, 1])).item()).toBeCloseTo(4, 6);
    expect(nllLoss(x, fromArray([2, 1]), { weight }).item()).toBeCloseTo((1.25 * 3 + 2 * 5) / 3.25, 6);
    expect(Array.from(nllLoss(x, fromArray([0, 1]), { reduction: 'none', ignoreIndex: 0 }).data)).toEqual([0, 5]);
  });

  it('gradient matches finite differences', () => {
    const r = gradcheck(
      (x) =>
        nllLoss(
          x,
          fromArray([
            [1, 0],
            [2, 2],
          ]),
          { weight },
        ),
      [logits([2, 3, 2], 5)],
    );
    expect(r.failure).toBeNull();
  });

  it('rejects a target beyond the class count', () => {
    expect(() => nllLoss(zeros([1, 4]), fromArray([4]))).toThrow(
      /target 4 at position 0 is out of range: expected a class index in \[0, 4\)/,
    );
    expect(() => nllLoss(zeros([1, 4]), fromArray([0]), { reduction: 'avg' as 'mean' })).toThrow(ValueError);
  });
});

describe('mseLoss', () => {
  it('averages, sums or keeps the squared differences', () => {
    const a = fromArray([1, 2, 3]);
    const b = fromArray([1, 0, 6]);
    expect(mseLoss(a, b).item()).toBeCloseTo(13 / 3, 6);
    expect(mseLoss(a, b, { reduction: 'sum' }).item()).toBe(13);
    expect(Array.from(mseLoss(a, b, { reduction: 'none' }).data)).toEqual([0, 4, 9]);
  });

  it('gradients w.r.t. input and target match finite differences', () => {
    const r = gradcheck((x, y) => mseLoss(x, y), [logits([2, 3], 6), logits([2, 3], 7)]);
    expect(r.failure).toBeNull();
  });

  it('rejects different shapes', () => {
    expect(() => mseLoss(zeros([2, 3]), zeros([3, 2]))).toThrow(
      /target shape \[3, 2\] must equal input shape \[2, 3\]/,
    );
  });
});
