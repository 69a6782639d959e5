import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MT19937,
  ShapeError,
  Tensor,
  add,
  div,
  fromArray,
  gradcheck,
  mul,
  pow,
  randn,
  sub,
} from '../../../src/tensor/index.js';

function leaf(shape: number[], seed: number, shift = 0): Tensor {
  const t = randn(shape, { generator: new MT19937(seed), requiresGrad: true });
  for (let i = 0; i < t.size; i++) t.data[i]! += shift;
  return t;
}

function expectGradOk(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(f, inputs);
  expect(r.failure).toBeNull();
  expect(r.ok).toBe(true);
}

describe('binary element-wise values', () => {
  it('computes add, sub, mul, div on equal shapes', () => {
    const a = fromArray([
      [1, 2],
      [3, 4],
    ]);
    const b = fromArray([
      [10, 20],
      [30, 40],
    ]);
    expect(add(a, b).toArray()).toEqual([
      [11, 22],
      [33, 44],
    ]);
    expect(sub(a, b).toArray()).toEqual([
      [-9, -18],
      [-27, -36],
    ]);
    expect(mul(a, b).toArray()).toEqual([
      [10, 40],
      [90, 160],
    ]);
    expect(div(b, a).toArray()).toEqual([
      [10, 10],
      [10, 10],
    ]);
  });

  it('broadcasts a row against a column as NumPy does', () => {
    const col = fromArray([[1], [2], [3]]);
    const row = fromArray([10, 20]);
    const out = add(col, row);
    expect(out.shape).toEqual([3, 2]);
    expect(out.toArray()).toEqual([
      [11, 21],
      [12, 22],
      [13, 23],
    ]);
  });

  it('accepts plain numbers on either side', () => {
    const a = fromArray([1, 2, 4]);
    expect(sub(10, a).toArray()).toEqual([9, 8, 6]);
    expect(div(a, 2).toArray()).toEqual([0.5, 1, 2]);
    expect(a.mul(3).add(1).toArray()).toEqual([4, 7, 13]);
  });

  it('computes pow including fractional and zero exponents', () => {
    const a = fromArray([4, 9, 0, 2]);
    expect(pow(a, 0.5).toArray()).toEqual([2, 3, 0, Math.SQRT2].map(Math.fround));
    expect(pow(a, 0).toArray()).toEqual([1, 1, 1, 1]);
    expect(pow(2, fromArray([0, 3, -1])).toArray()).toEqual([1, 8, 0.5]);
    expect(a.pow(2).toArray()).toEqual([16, 81, 0, 4]);
  });

  it('rejects shapes that do not broadcast', () => {
    expect(() => add(fromArray([1, 2, 3]), fromArray([1, 2]))).toThrow(ShapeError);
    expect(() => mul(fromArray([[1, 2, 3]]), fromArray([[1], [2], [3], [4]]).reshape([2, 2]))).toThrow(ShapeError);
  });

  it('add is commutative and sub inverts add (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 8 }), (vals) => {
        const a = fromArray(vals);
        const b = fromArray(vals.map((v) => v * 0.5 + 1));
        expect(add(a, b).data).toEqual(add(b, a).data);
        const back = sub(add(a, b), b).data;
        for (let i = 0; i < vals.length; i++) expect(back[i]).toBeCloseTo(a.data[i]!, 2);
      }),
      { numRuns: 30 },
    );
  });
});

describe('binary element-wise gradients', () => {
  it('gradchecks add/sub/mul/div with broadcasting', () => {
    for (const op of [add, sub, mul]) {
      expectGradOk(op, [leaf([2, 3, 1], 1), leaf([4], 2)]);
      expectGradOk(op, [leaf([3], 3), leaf([2, 1, 3], 4)]);
    }
    expectGradOk(div, [leaf([2, 3], 5), leaf([3], 6, 3)]);
    expectGradOk(div, [leaf([1, 5], 7), leaf([3, 1], 8, 4)]);
  });

  it('gradchecks pow in base and exponent', () => {
    const base = leaf([2, 3], 9, 3); // positive bases keep log(a) finite
    const expo = leaf([3], 10);
    expectGradOk(pow, [base, expo]);
    expectGradOk((a) => pow(a, 3), [leaf([5], 11)]);
  });

  it('follows PyTorch at zero: no base gradient for exponent 0, no exponent gradient for base 0', () => {
    const a = fromArray([0, 2], undefined, { requiresGrad: true });
    const b = fromArray([0, 0], undefined, { requiresGrad: true });
    pow(a, b).sum().backward();
    expect(Array.from(a.grad!.data)).toEqual([0, 0]);
    expect(b.grad!.data[0]).toBe(0);
    expect(b.grad!.data[1]).toBeCloseTo(Math.log(2), 6);
  });

  it('sums gradients over broadcast dimensions', () => {
    const a = fromArray([[1], [2]], undefined, { requiresGrad: true });
    const b = fromArray([1, 2, 3], undefined, { requiresGrad: true });
    mul(a, b).sum().backward();
    expect(Array.from(a.grad!.data)).toEqual([6, 6]);
    expect(Array.from(b.grad!.data)).toEqual([3, 3, 3]);
  });
});
