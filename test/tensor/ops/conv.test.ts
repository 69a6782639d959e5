import { describe, expect, it } from 'vitest';
import {
  MT19937,
  ShapeError,
  Tensor,
  conv1d,
  conv2d,
  conv3d,
  fromArray,
  gradcheck,
  randn,
  traceGraph,
  withBackend,
} from '../../../src/tensor/index.js';

const leaf = (shape: number[], g: MT19937) => randn(shape, { generator: g, requiresGrad: true });

describe('conv2d', () => {
  it('computes a hand-checked cross-correlation with bias', () => {
    const x = fromArray([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    const w = fromArray([1, 0, 0, -1], [1, 1, 2, 2]);
    const y = conv2d(x, w, fromArray([1]));
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect([...y.data]).toEqual([-3, -3, -3, -3]);
  });

  it('accepts unbatched input and tuple options', () => {
    const y = conv2d(randn([2, 5, 6]), randn([4, 2, 3, 1]), null, {
      stride: [2, 1],
      padding: [1, 0],
      dilation: [1, 2],
    });
    // H: floor((5 + 2 - 2 - 1)/2) + 1 = 3; W: floor((6 - 0 - 1)/1) + 1 = 6.
    expect(y.shape).toEqual([4, 3, 6]);
  });

  it('throws ShapeErrors that name the shapes', () => {
    expect(() => conv2d(randn([1, 3, 4, 4]), randn([4, 3, 2, 2]), null, { groups: 2 })).toThrow(
      /divisible by groups = 2.*\[1, 3, 4, 4\].*\[4, 3, 2, 2\]/,
    );
    expect(() => conv2d(randn([1, 4, 4, 4]), randn([4, 3, 2, 2]))).toThrow(/\[4, 3, 2, 2\].*\[1, 4, 4, 4\]/);
    expect(() => conv2d(randn([1, 3, 4, 4]), randn([4, 3, 2]))).toThrow(ShapeError);
    expect(() => conv2d(randn([1, 3, 1, 1]), randn([4, 3, 2, 2]))).toThrow(ShapeError);
  });

  it('records conv attributes for tracing', () => {
    const y = traceGraph(() => conv2d(randn([1, 4, 5, 5]), randn([4, 1, 3, 3]), null, { groups: 4, padding: 1 }));
    expect(y.trace?.op).toBe('conv2d');
    expect(y.trace?.attrs).toMatchObject({ groups: 4, padding: [1, 1], stride: [1, 1], kernelSize: [3, 3] });
  });
});

describe('conv gradients (gradcheck)', () => {
  const g = new MT19937(3);
  const check = (f: (x: Tensor, w: Tensor, b: Tensor) => Tensor, xs: number[], ws: number[], k: number) => {
    const r = gradcheck(f, [leaf(xs, g), leaf(ws, g), leaf([k], g)]);
    expect(r.failure).toBeNull();
  };

  it('conv1d with stride, padding and dilation', () => {
    check((x, w, b) => conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2 }), [2, 2, 7], [3, 2, 2], 3);
  });

  it('conv2d with groups and asymmetric options', () => {
    check((x, w, b) => conv2d(x, w, b, { groups: 2, stride: [1, 2], padding: [1, 0] }), [1, 4, 4, 5], [2, 2, 2, 3], 2);
  });

  it('conv2d depthwise', () => {
    check((x, w, b) => conv2d(x, w, b, { groups: 3, padding: 1 }), [2, 3, 3, 3], [3, 1, 3, 3], 3);
  });

  it('conv3d with dilation and padding', () => {
    check(
      (x, w, b) => conv3d(x, w, b, { padding: [1, 0, 1], dilation: [1, 2, 1] }),
      [1, 2, 3, 4, 3],
      [2, 2, 2, 2, 2],
      2,
    );
  });
});

describe("conv on backend 'gpu'", () => {
  it('equals the reference backend, forward and gradients', () => {
    const g = new MT19937(5);
    const x = leaf([2, 4, 5, 4], g);
    const w = leaf([6, 2, 3, 2], g);
    const b = leaf([6], g);
    const run = () => {
      for (const t of [x, w, b]) t.grad = null;
      const y = conv2d(x, w, b, { groups: 2, stride: [2, 1], padding: 1, dilation: [1, 2] });
      y.backward(
        new Tensor(
          Float32Array.from({ length: y.size }, (_, i) => Math.sin(i)),
          y.shape,
        ),
      );
      return [y.data, x.grad!.data, w.grad!.data, b.grad!.data];
    };
    const want = withBackend('reference', run);
    const got = withBackend('gpu', run);
    got.forEach((arr, i) => arr.forEach((v, j) => expect(v).toBeCloseTo(want[i]![j]!, 4)));
  });

  it('passes gradcheck for conv1d on the gpu backend', () => {
    const g = new MT19937(9);
    const r = withBackend('gpu', () =>
      gradcheck(
        (x: Tensor, w: Tensor) => conv1d(x, w, null, { stride: 2, padding: 1 }),
        [leaf([1, 2, 6], g), leaf([2, 2, 3], g)],
      ),
    );
    expect(r.failure).toBeNull();
  });
});
