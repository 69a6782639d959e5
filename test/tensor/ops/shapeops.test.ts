import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MT19937,
  ShapeError,
  Tensor,
  ValueError,
  arange,
  cat,
  clone,
  concat,
  expand,
  flatten,
  fromArray,
  gradcheck,
  indexSelect,
  narrow,
  pad,
  permute,
  randn,
  reshape,
  slice,
  split,
  squeeze,
  stack,
  transpose,
  unsqueeze,
  view,
} from '../../../src/tensor/index.js';

function leaf(shape: number[], seed: number): Tensor {
  return randn(shape, { generator: new MT19937(seed), requiresGrad: true });
}

function expectGradOk(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  expect(gradcheck(f, inputs).failure).toBeNull();
}

// x = np.arange(24).reshape(2, 3, 4)
const x = arange(24).reshape([2, 3, 4]);

describe('reshape family', () => {
  it('reshapes with one inferred axis and never aliases', () => {
    const r = reshape(x, [4, -1]);
    expect(r.shape).toEqual([4, 6]);
    expect(r.data).not.toBe(x.data);
    expect(Array.from(r.data)).toEqual(Array.from(x.data));
    expect(view(x, [24]).shape).toEqual([24]);
    expect(x.view([-1, 2]).shape).toEqual([12, 2]);
  });

  it('rejects impossible shapes', () => {
    expect(() => reshape(x, [5, -1])).toThrow(ShapeError);
    expect(() => reshape(x, [-1, -1])).toThrow(ShapeError);
    expect(() => reshape(x, [2, 3])).toThrow(ShapeError);
    expect(() => reshape(x, [2.5, 2])).toThrow(ValueError);
  });

  it('squeezes, unsqueezes and flattens as PyTorch', () => {
    const s = fromArray([1, 2, 3], [1, 3, 1]);
    expect(squeeze(s).shape).toEqual([3]);
    expect(squeeze(s, 0).shape).toEqual([3, 1]);
    expect(squeeze(s, 1).shape).toEqual([1, 3, 1]); // size 3: left alone
    expect(squeeze(s, [0, -1]).shape).toEqual([3]);
    expect(unsqueeze(x, -1).shape).toEqual([2, 3, 4, 1]);
    expect(unsqueeze(x, 0).shape).toEqual([1, 2, 3, 4]);
    expect(flatten(x).shape).toEqual([24]);
    expect(flatten(x, 1).shape).toEqual([2, 12]);
    expect(flatten(x, 0, 1).shape).toEqual([6, 4]);
    expect(flatten(fromArray(5)).shape).toEqual([1]);
    expect(() => unsqueeze(x, 5)).toThrow(ShapeError);
    expect(() => flatten(x, 2, 1)).toThrow(ShapeError);
  });
});

describe('permute and transpose', () => {
  it('matches NumPy transpose', () => {
    // np.arange(24).reshape(2,3,4).transpose(2,0,1)[1] = [[1,5,9],[13,17,21]]
    const p = permute(x, [2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect((p.toArray() as number[][][])[1]).toEqual([
      [1, 5, 9],
      [13, 17, 21],
    ]);
    const t = transpose(
      fromArray([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      0,
      -1,
    );
    expect(t.toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(x.permute([0, 1, 2]).toArray()).toEqual(x.toArray());
  });

  it('rejects bad permutations', () => {
    expect(() => permute(x, [0, 1])).toThrow(ShapeError);
    expect(() => permute(x, [0, 0, 1])).toThrow(ShapeError);
    expect(() => transpose(x, 0, 3)).toThrow(ShapeError);
  });

  it('gradchecks', () => {
    expectGradOk((t) => permute(t, [1, 2, 0]), [leaf([2, 3, 4], 1)]);
    expectGradOk((t) => transpose(t, 0, 1), [leaf([3, 5], 2)]);
    expectGradOk((t) => reshape(t, [5, 3]), [leaf([3, 5], 3)]);
    expectGradOk((t) => flatten(unsqueeze(squeeze(t), 1)), [leaf([1, 3, 1, 2], 4)]);
    expectGradOk(clone, [leaf([4], 5)]);
  });
});

describe('narrow, slice, indexSelect', () => {
  it('narrow and slice pick ranges as PyTorch and Python slicing', () => {
    expect(narrow(x, 2, 1, 2).toArray()).toEqual([
      [
        [1, 2],
        [5, 6],
        [9, 10],
      ],
      [
        [13, 14],
        [17, 18],
        [21, 22],
      ],
    ]);
    expect(narrow(x, 1, -1, 1).shape).toEqual([2, 1, 4]);
    const r = arange(10);
    expect(slice(r, 0, 1, 8, 3).toArray()).toEqual([1, 4, 7]);
    expect(slice(r, 0, -3).toArray()).toEqual([7, 8, 9]);
    expect(slice(r, 0, 5, 100).toArray()).toEqual([5, 6, 7, 8, 9]);
    expect(slice(r, 0, 8, 2).toArray()).toEqual([]);
    expect(() => narrow(x, 2, 3, 2)).toThrow(ShapeError);
    expect(() => slice(r, 0, 0, 5, 0)).toThrow(ValueError);
  });

  it('indexSelect gathers rows, repeats allowed', () => {
    const m = fromArray([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(indexSelect(m, 0, fromArray([2, 0, 2])).toArray()).toEqual([
      [5, 6],
      [1, 2],
      [5, 6],
    ]);
    expect(m.indexSelect(1, fromArray([1])).toArray()).toEqual([[2], [4], [6]]);
    expect(() => indexSelect(m, 0, fromArray([3]))).toThrow(ShapeError);
    expect(() => indexSelect(m, 0, fromArray([0.5]))).toThrow(ValueError);
    expect(() => indexSelect(m, 0, fromArray([[0]]))).toThrow(ShapeError);
  });

  it('indexSelect with repeated indices accumulates the gradient', () => {
    const m = fromArray(
      [
        [1, 2],
        [3, 4],
      ],
      undefined,
      { requiresGrad: true },
    );
    indexSelect(m, 0, fromArray([1, 1, 0]))
      .sum()
      .backward();
    expect(m.grad!.toArray()).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('gradchecks', () => {
    expectGradOk((t) => narrow(t, 1, 1, 3), [leaf([2, 5], 6)]);
    expectGradOk((t) => slice(t, 0, 1, undefined, 2), [leaf([6, 2], 7)]);
    expectGradOk((t) => indexSelect(t, 1, fromArray([2, 0, 2])), [leaf([2, 3], 8)]);
  });
});

describe('cat, stack, split', () => {
  const a = fromArray([
    [1, 2],
    [3, 4],
  ]);
  const b = fromArray([[5, 6]]);
  it('concatenates and stacks', () => {
    expect(cat([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(concat([a, fromArray([[9], [8]])], -1).toArray()).toEqual([
      [1, 2, 9],
      [3, 4, 8],
    ]);
    expect(stack([a, a.mul(10)], 1).toArray()).toEqual([
      [
        [1, 2],
        [10, 20],
      ],
      [
        [3, 4],
        [30, 40],
      ],
    ]);
    expect(stack([fromArray(1), fromArray(2)]).toArray()).toEqual([1, 2]);
    expect(stack([a, a], -1).shape).toEqual([2, 2, 2]);
  });

  it('rejects mismatched shapes and empty lists', () => {
    expect(() => cat([a, b], 1)).toThrow(ShapeError);
    expect(() => cat([])).toThrow(ValueError);
    expect(() => stack([a, b])).toThrow(ShapeError);
    expect(() => cat([fromArray(1)])).toThrow(ShapeError);
  });

  it('splits by size and by sections', () => {
    const r = arange(7);
    expect(split(r, 3).map((t) => t.toArray())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(split(r, [2, 5]).map((t) => t.toArray())).toEqual([
      [0, 1],
      [2, 3, 4, 5, 6],
    ]);
    expect(x.split(2, -1).map((t) => t.shape)).toEqual([
      [2, 3, 2],
      [2, 3, 2],
    ]);
    expect(() => split(r, [2, 2])).toThrow(ShapeError);
    expect(() => split(r, 0)).toThrow(ValueError);
  });

  it('gradchecks', () => {
    expectGradOk((p, q) => cat([p, q], 1), [leaf([2, 3], 9), leaf([2, 1], 10)]);
    expectGradOk((p, q) => stack([p, q], 1), [leaf([3, 2], 11), leaf([3, 2], 12)]);
    expectGradOk(
      (t) => {
        const [p, q] = split(t, [1, 3], 1);
        return cat([q!, p!.mul(2)], 1);
      },
      [leaf([2, 4], 13)],
    );
  });
});

describe('pad and expand', () => {
  it('pads in F.pad order and crops with negative widths', () => {
    const m = fromArray([
      [1, 2],
      [3, 4],
    ]);
    expect(pad(m, [1, 0]).toArray()).toEqual([
      [0, 1, 2],
      [0, 3, 4],
    ]);
    expect(pad(m, [0, 1, 1, 0], 9).toArray()).toEqual([
      [9, 9, 9],
      [1, 2, 9],
      [3, 4, 9],
    ]);
    expect(pad(m, [-1, 0]).toArray()).toEqual([[2], [4]]);
    expect(() => pad(m, [1])).toThrow(ShapeError);
    expect(() => pad(m, [0, 0, 0, 0, 0, 0])).toThrow(ShapeError);
    expect(() => pad(m, [-3, 0])).toThrow(ShapeError);
  });

  it('expands size-1 and new leading axes', () => {
    const c = fromArray([[1], [2]]);
    expect(expand(c, [2, 3]).toArray()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(c.expand([2, -1, 2]).toArray()).toEqual([
      [
        [1, 1],
        [2, 2],
      ],
      [
        [1, 1],
        [2, 2],
      ],
    ]);
    expect(() => expand(c, [3, 3])).toThrow(ShapeError);
    expect(() => expand(c, [3])).toThrow(ShapeError);
  });

  it('gradchecks', () => {
    expectGradOk((t) => pad(t, [1, 2, 0, 1], 0.5), [leaf([2, 3], 14)]);
    expectGradOk((t) => pad(t, [-1, 1]), [leaf([3, 3], 15)]);
    expectGradOk((t) => expand(t, [2, 3, 4]), [leaf([3, 1], 16)]);
  });

  it('clone copies storage but keeps history', () => {
    const t = fromArray([1, 2], undefined, { requiresGrad: true });
    const c = clone(t);
    expect(c.data).not.toBe(t.data);
    c.mul(3).sum().backward();
    expect(t.grad!.toArray()).toEqual([3, 3]);
  });
});

describe('round-trip properties', () => {
  const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });

  it('permuting by dims and then by the inverse permutation restores the tensor', () => {
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 0, max: 1000 }), (shape, seed) => {
        const t = randn(shape, { generator: new MT19937(seed) });
        const dims = shape.map((_d, i) => i).sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13));
        const inverse = new Array<number>(dims.length);
        dims.forEach((d, i) => (inverse[d] = i));
        const back = permute(permute(t, dims), inverse);
        expect(back.shape).toEqual(shape);
        expect(back.data).toEqual(t.data);
      }),
      { numRuns: 40 },
    );
  });

  it('split then cat along the same axis restores the tensor', () => {
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 1, max: 3 }), fc.nat(), (shape, size, axisSeed) => {
        const t = randn(shape, { generator: new MT19937(axisSeed) });
        const dim = axisSeed % shape.length;
        const back = cat(split(t, size, dim), dim);
        expect(back.shape).toEqual(shape);
        expect(back.data).toEqual(t.data);
      }),
      { numRuns: 40 },
    );
  });
});
