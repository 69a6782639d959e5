import { describe, expect, it } from 'vitest';
import {
  MT19937,
  ValueError,
  adaptiveAvgPool2d,
  avgPool1d,
  avgPool2d,
  avgPool3d,
  fromArray,
  gradcheck,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  randn,
  Tensor,
  withBackend,
} from '../../../src/tensor/index.js';

const g = new MT19937(11);
/** Distinct values keep max pooling differentiable under finite differences (no near-ties). */
const distinct = (shape: number[]) => {
  const t = randn(shape, { generator: g, requiresGrad: true });
  const order = [...t.data.keys()].sort((a, b) => t.data[a]! - t.data[b]!);
  order.forEach((idx, rank) => (t.data[idx] = rank * 0.1 - 1));
  return t;
};

describe('pool ops', () => {
  it('maxPool2d picks window maxima (stride defaults to kernelSize)', () => {
    const x = fromArray([1, 5, 2, 0, 3, 4, 8, 8, -1, -2, 0, 0, -3, -4, 0, 7], [1, 1, 4, 4]);
    const y = maxPool2d(x, { kernelSize: 2 });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect([...y.data]).toEqual([5, 8, -1, 7]);
  });

  it('avgPool2d honours countIncludePad', () => {
    const x = fromArray([2, 4, 6], [1, 1, 3]);
    expect([...avgPool2d(x, { kernelSize: [1, 2], padding: [0, 1] }).data]).toEqual([1, 5]);
    expect([...avgPool2d(x, { kernelSize: [1, 2], padding: [0, 1], countIncludePad: false }).data]).toEqual([2, 5]);
  });

  it('rejects padding over half the kernel', () => {
    expect(() => maxPool2d(randn([1, 1, 4, 4]), { kernelSize: 2, padding: 2 })).toThrow(ValueError);
  });

  it('computes output shapes for 1-d and 3-d pools', () => {
    expect(maxPool1d(randn([2, 3, 9]), { kernelSize: 3, stride: 2, dilation: 2 }).shape).toEqual([2, 3, 3]);
    expect(avgPool3d(randn([2, 4, 5, 6]), { kernelSize: 2 }).shape).toEqual([2, 2, 2, 3]);
  });

  it('adaptiveAvgPool2d matches the PyTorch windows on uneven sizes', () => {
    const x = fromArray([1, 2, 3, 4, 5], [1, 1, 5]);
    // H: 1 -> 1; W windows for 5 -> 3: [0,2), [1,4), [3,5).
    const y = adaptiveAvgPool2d(x, [1, 3]);
    expect([...y.data]).toEqual([1.5, 3, 4.5]);
    expect(adaptiveAvgPool2d(randn([2, 3, 4, 6]), 2).shape).toEqual([2, 3, 2, 2]);
    expect(adaptiveAvgPool2d(randn([3, 4, 6]), [null, 3]).shape).toEqual([3, 4, 3]);
  });

  it('maxPool1d with padding and stride, hand-checked', () => {
    const x = fromArray([1, 3, 2, 5, 4], [1, 5]);
    // Windows [-1, 1], [1, 3], [3, 5): padding never wins.
    expect([...maxPool1d(x, { kernelSize: 3, stride: 2, padding: 1 }).data]).toEqual([3, 5, 5]);
    expect([...maxPool1d(x, { kernelSize: 2, stride: 1 }).data]).toEqual([3, 3, 5, 5]);
  });
});

describe('pool gradients (gradcheck)', () => {
  it('maxPool1d / 2d / 3d', () => {
    const x1 = distinct([2, 2, 7]);
    expect(
      gradcheck((x) => maxPool1d(x, { kernelSize: 3, stride: 2, padding: 1 }), [x1], { eps: 1e-3 }).failure,
    ).toBeNull();
    const x2 = distinct([1, 2, 5, 5]);
    expect(
      gradcheck((x) => maxPool2d(x, { kernelSize: [2, 3], stride: 1, padding: [1, 1], dilation: [2, 1] }), [x2], {
        eps: 1e-3,
      }).failure,
    ).toBeNull();
    const x3 = distinct([1, 1, 3, 4, 4]);
    expect(
      gradcheck((x) => maxPool3d(x, { kernelSize: 2, stride: [1, 2, 2] }), [x3], { eps: 1e-3 }).failure,
    ).toBeNull();
  });

  it('avgPool1d / 2d / 3d with and without countIncludePad', () => {
    const x = randn([2, 2, 5, 6], { generator: g, requiresGrad: true });
    for (const countIncludePad of [true, false]) {
      expect(
        gradcheck((t) => avgPool2d(t, { kernelSize: 3, stride: 2, padding: 1, countIncludePad }), [x]).failure,
      ).toBeNull();
    }
    const x1 = randn([2, 7], { generator: g, requiresGrad: true });
    expect(
      gradcheck((t) => avgPool1d(t, { kernelSize: 2, padding: 1, countIncludePad: false }), [x1]).failure,
    ).toBeNull();
    const x3 = randn([1, 2, 3, 3, 4], { generator: g, requiresGrad: true });
    expect(gradcheck((t) => avgPool3d(t, { kernelSize: [2, 2, 3], stride: 1 }), [x3]).failure).toBeNull();
  });

  it('adaptiveAvgPool2d, even and uneven', () => {
    const x = randn([1, 2, 5, 6], { generator: g, requiresGrad: true });
    expect(gradcheck((t) => adaptiveAvgPool2d(t, [3, 4]), [x]).failure).toBeNull();
    expect(gradcheck((t) => adaptiveAvgPool2d(t, [5, 3]), [x]).failure).toBeNull();
  });
});

describe("pools on backend 'gpu'", () => {
  it('equal the reference backend, forward and gradients', () => {
    const x = distinct([2, 3, 5, 6]);
    const run = () => {
      x.grad = null;
      const outs = [
        maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }),
        avgPool2d(x, { kernelSize: [2, 3], stride: 1, padding: [1, 1], countIncludePad: false }),
        adaptiveAvgPool2d(x, [5, 2]),
      ];
      for (const y of outs)
        y.backward(
          new Tensor(
            Float32Array.from({ length: y.size }, (_, i) => Math.sin(i)),
            y.shape,
          ),
        );
      return [...outs.map((y) => y.data), x.grad!.data];
    };
    const want = withBackend('reference', run);
    const got = withBackend('gpu', run);
    got.forEach((arr, i) => arr.forEach((v, j) => expect(v).toBeCloseTo(want[i]![j]!, 4)));
  });
});
