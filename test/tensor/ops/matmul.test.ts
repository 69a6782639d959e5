import { describe, expect, it } from 'vitest';
import {
  MT19937,
  ShapeError,
  Tensor,
  fromArray,
  gradcheck,
  linear,
  matmul,
  randn,
  withBackend,
} from '../../../src/tensor/index.js';

const gen = () => new MT19937(7);
const leaf = (shape: number[], g: MT19937) => randn(shape, { generator: g, requiresGrad: true });

describe('matmul', () => {
  it('multiplies 2-D matrices', () => {
    const a = fromArray([
      [1, 2],
      [3, 4],
    ]);
    const b = fromArray([
      [5, 6],
      [7, 8],
    ]);
    expect(matmul(a, b).toArray()).toEqual([
      [19, 22],
      [43, 50],
    ]);
  });

  it('follows torch.matmul for 1-D operands', () => {
    const v = fromArray([1, 2]);
    const m = fromArray([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const dotted = matmul(v, fromArray([3, 4]));
    expect(dotted.shape).toEqual([]);
    expect(dotted.item()).toBe(11);
    expect(matmul(v, m).toArray()).toEqual([9, 12, 15]);
    expect(matmul(m, fromArray([1, 0, 1])).toArray()).toEqual([4, 10]);
  });

  it('broadcasts batch dimensions', () => {
    const g = gen();
    const a = randn([3, 1, 2, 4], { generator: g });
    const b = randn([2, 4, 5], { generator: g });
    const c = matmul(a, b);
    expect(c.shape).toEqual([3, 2, 2, 5]);
    // Item [i, j] is a[i, 0] @ b[j]; check one entry by hand.
    const [i, j, r, col] = [2, 1, 1, 3];
    let want = 0;
    for (let t = 0; t < 4; t++) want += a.data[(i * 2 + r) * 4 + t]! * b.data[(j * 4 + t) * 5 + col]!;
    expect(c.data[((i * 2 + j) * 2 + r) * 5 + col]).toBeCloseTo(want, 5);
  });

  it('throws a ShapeError naming both shapes on mismatched inner dimensions', () => {
    expect(() => matmul(randn([2, 3]), randn([4, 2]))).toThrow(ShapeError);
    expect(() => matmul(randn([2, 3]), randn([4, 2]))).toThrow(/\[2, 3\].*\[4, 2\]/);
  });

  it.each([
    [[3], [3]],
    [[2, 3], [3]],
    [[3], [3, 2]],
    [
      [2, 3],
      [3, 4],
    ],
    [
      [2, 2, 3],
      [3, 2],
    ],
    [
      [2, 1, 2, 3],
      [3, 3, 2],
    ],
    [
      [1, 2, 3],
      [2, 3, 2],
    ],
  ])('passes gradcheck for %j @ %j', (sa, sb) => {
    const g = gen();
    const r = gradcheck(matmul, [leaf(sa, g), leaf(sb, g)]);
    expect(r.failure).toBeNull();
  });

  it('is available as a method', () => {
    const a = fromArray([[2]]);
    expect(a.matmul(fromArray([[3]])).item()).toBe(6);
  });
});

describe('linear', () => {
  it('computes x·Wᵀ + b', () => {
    const x = fromArray([[1, 2, 3]]);
    const w = fromArray([
      [1, 0, 0],
      [0, 1, 1],
    ]);
    expect(linear(x, w, fromArray([10, 20])).toArray()).toEqual([[11, 25]]);
  });

  it('keeps leading dimensions and accepts a 1-D input', () => {
    const w = randn([4, 3]);
    expect(linear(randn([2, 5, 3]), w).shape).toEqual([2, 5, 4]);
    expect(linear(randn([3]), w).shape).toEqual([4]);
  });

  it('rejects an in-features mismatch with a ShapeError naming both shapes', () => {
    expect(() => linear(randn([2, 5]), randn([4, 3]))).toThrow(/\[2, 5\].*\[4, 3\]/);
    expect(() => linear(randn([2, 3]), randn([4, 3]), randn([3]))).toThrow(ShapeError);
  });

  it('passes gradcheck with and without bias', () => {
    const g = gen();
    const x = leaf([2, 3, 4], g);
    const w = leaf([5, 4], g);
    const b = leaf([5], g);
    expect(gradcheck((xx: Tensor, ww: Tensor, bb: Tensor) => linear(xx, ww, bb), [x, w, b]).failure).toBeNull();
    expect(gradcheck((xx: Tensor, ww: Tensor) => linear(xx, ww), [x, w]).failure).toBeNull();
  });

  it('records in/out features for tracing', async () => {
    const { traceGraph } = await import('../../../src/tensor/index.js');
    const y = traceGraph(() => linear(randn([2, 3]), randn([4, 3])));
    expect(y.trace?.op).toBe('linear');
    expect(y.trace?.attrs).toMatchObject({ inFeatures: 3, outFeatures: 4, bias: false });
  });
});

describe("matmul and linear on backend 'gpu'", () => {
  it('equal the reference backend, forward and gradients', () => {
    const g = gen();
    const a = leaf([2, 1, 3, 4], g);
    const b = leaf([3, 4, 2], g);
    const w = leaf([5, 2], g);
    const bias = leaf([5], g);
    const run = () => {
      for (const t of [a, b, w, bias]) t.grad = null;
      const y = linear(matmul(a, b), w, bias);
      y.backward(
        new Tensor(
          Float32Array.from({ length: y.size }, (_, i) => Math.cos(i)),
          y.shape,
        ),
      );
      return [y.data, a.grad!.data, b.grad!.data, w.grad!.data, bias.grad!.data];
    };
    const want = withBackend('reference', run);
    const got = withBackend('gpu', run);
    got.forEach((arr, i) => arr.forEach((v, j) => expect(v).toBeCloseTo(want[i]![j]!, 4)));
  });
});
