import { describe, expect, it } from 'vitest';
import {
  MT19937,
  Tensor,
  ValueError,
  abs,
  clamp,
  eq,
  erf,
  exp,
  fromArray,
  ge,
  gelu,
  gradcheck,
  gt,
  hardswish,
  le,
  leakyRelu,
  log,
  lt,
  ne,
  neg,
  randn,
  relu,
  relu6,
  sigmoid,
  silu,
  sqrt,
  tanh,
  where,
} from '../../../src/tensor/index.js';

/** Random inputs kept at least `gap` away from the kinks listed, so finite differences are valid. */
function leaf(
  shape: number[],
  seed: number,
  opts: { scale?: number; shift?: number; kinks?: number[]; gap?: number } = {},
): Tensor {
  const t = randn(shape, { generator: new MT19937(seed), requiresGrad: true });
  const gap = opts.gap ?? 0.05;
  for (let i = 0; i < t.size; i++) {
    let v = t.data[i]! * (opts.scale ?? 1) + (opts.shift ?? 0);
    for (const k of opts.kinks ?? []) if (Math.abs(v - k) < gap) v = k + (v >= k ? gap : -gap);
    t.data[i] = v;
  }
  return t;
}

function expectGradOk(f: (x: Tensor) => Tensor, x: Tensor): void {
  const r = gradcheck(f, [x]);
  expect(r.failure).toBeNull();
}

describe('erf', () => {
  it('matches Python math.erf to float32 precision and better', () => {
    // /usr/bin/python3 -c "import math; print([repr(math.erf(x)) for x in (0.001,0.1,0.5,1,2,2.9,3,3.5,5,-0.7)])"
    const golden: [number, number][] = [
      [0.001, 0.0011283787909692365],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [2.9, 0.9999589021219005],
      [3, 0.9999779095030014],
      [3.5, 0.9999992569016276],
      [5, 0.9999999999984626],
      [-0.7, -0.6778011938374184],
    ];
    for (const [x, want] of golden) {
      expect(Math.abs(erf(x) - want)).toBeLessThan(1e-11 + 1e-12 * Math.abs(want));
      expect(erf(-x)).toBe(-erf(x));
    }
    expect(erf(0)).toBe(0);
    expect(erf(Infinity)).toBe(1);
    expect(Number.isNaN(erf(NaN))).toBe(true);
  });
});

describe('unary values', () => {
  const x = fromArray([-4, -1, 0, 0.5, 3, 7]);
  it('computes the piecewise activations', () => {
    expect(relu(x).toArray()).toEqual([0, 0, 0, 0.5, 3, 7]);
    expect(relu6(x).toArray()).toEqual([0, 0, 0, 0.5, 3, 6]);
    expect(leakyRelu(x).toArray()).toEqual([-0.04, -0.01, 0, 0.5, 3, 7].map(Math.fround));
    expect(leakyRelu(x, 0.2).data[0]).toBeCloseTo(-0.8, 6);
    expect(Array.from(hardswish(x).data, (v) => v + 0)).toEqual([0, -1 / 3, 0, (0.5 * 3.5) / 6, 3, 7].map(Math.fround));
    expect(abs(x).toArray()).toEqual([4, 1, 0, 0.5, 3, 7]);
    expect(neg(x).toArray()).toEqual([4, 1, -0, -0.5, -3, -7]);
    expect(clamp(x, -1, 2).toArray()).toEqual([-1, -1, 0, 0.5, 2, 2]);
    expect(clamp(x, undefined, 0).toArray()).toEqual([-4, -1, 0, 0, 0, 0]);
    expect(clamp(x, 1).toArray()).toEqual([1, 1, 1, 1, 3, 7]);
  });

  it('computes the smooth functions', () => {
    const v = fromArray([-2, 0, 1]);
    expect(Array.from(exp(v).data)).toEqual([Math.exp(-2), 1, Math.E].map(Math.fround));
    expect(Array.from(log(fromArray([1, 0.5])).data)).toEqual([0, Math.fround(Math.log(0.5))]);
    expect(Array.from(sqrt(fromArray([0, 4, 2])).data)).toEqual([0, 2, Math.fround(Math.SQRT2)]);
    expect(Array.from(tanh(v).data)).toEqual([Math.tanh(-2), 0, Math.tanh(1)].map(Math.fround));
    expect(Array.from(sigmoid(v).data)).toEqual([1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-1))].map(Math.fround));
    expect(silu(fromArray([1])).data[0]).toBeCloseTo(0.7310585786300049, 6);
    // Extreme inputs stay finite.
    expect(Array.from(sigmoid(fromArray([-1000, 1000])).data)).toEqual([0, 1]);
  });

  it('computes GELU like PyTorch in both forms', () => {
    // /usr/bin/python3 -c "import torch; print(torch.nn.functional.gelu(torch.tensor([-3.,-1,0.5,2])).tolist())"
    const v = fromArray([-3, -1, 0.5, 2]);
    const exact = [-0.004049867391586304, -0.1586552858352661, 0.3457311987876892, 1.9544999599456787];
    gelu(v).data.forEach((y, i) => expect(y).toBeCloseTo(exact[i]!, 6));
    // the same with approximate='tanh'
    const approx = [-0.0036374330520629883, -0.15880799293518066, 0.3457140028476715, 1.9545977115631104];
    gelu(v, 'tanh').data.forEach((y, i) => expect(y).toBeCloseTo(approx[i]!, 6));
    expect(() => gelu(v, 'fast' as 'tanh')).toThrow(ValueError);
  });

  it('rejects clamp without bounds', () => {
    expect(() => clamp(fromArray([1]))).toThrow(ValueError);
  });
});

describe('unary gradients', () => {
  it('gradchecks the smooth functions on odd shapes', () => {
    expectGradOk(neg, leaf([3, 5], 1));
    expectGradOk(exp, leaf([2, 3, 2], 2));
    expectGradOk(log, leaf([7], 3, { scale: 0.3, shift: 2 }));
    expectGradOk(sqrt, leaf([5, 1], 4, { scale: 0.3, shift: 2 }));
    expectGradOk(sigmoid, leaf([3, 3], 5, { scale: 2 }));
    expectGradOk(tanh, leaf([4, 2], 6));
    expectGradOk(silu, leaf([9], 7, { scale: 2 }));
    expectGradOk((t) => gelu(t), leaf([3, 4], 8, { scale: 2 }));
    expectGradOk((t) => gelu(t, 'tanh'), leaf([3, 4], 9, { scale: 2 }));
  });

  it('gradchecks the piecewise functions away from their kinks', () => {
    expectGradOk(abs, leaf([6], 10, { kinks: [0] }));
    expectGradOk(relu, leaf([2, 5], 11, { kinks: [0] }));
    expectGradOk(relu6, leaf([11], 12, { scale: 4, shift: 3, kinks: [0, 6] }));
    expectGradOk(hardswish, leaf([13], 13, { scale: 3, kinks: [-3, 3] }));
    expectGradOk((t) => leakyRelu(t, 0.1), leaf([3, 3], 14, { kinks: [0] }));
    expectGradOk((t) => clamp(t, -0.5, 0.7), leaf([12], 15, { kinks: [-0.5, 0.7] }));
  });

  it('uses PyTorch conventions exactly at the kinks', () => {
    // Expected gradients printed by torch 1.13 (/usr/bin/python3) for x = [0, 6, -3, 3, -0.5].
    const x = fromArray([0, 6, -3, 3, -0.5], undefined, { requiresGrad: true });
    const grad = (f: (t: Tensor) => Tensor): number[] => {
      x.grad = null;
      f(x).sum().backward();
      return Array.from(x.grad!.data);
    };
    expect(grad(relu)).toEqual([0, 1, 0, 1, 0]);
    expect(grad(relu6)).toEqual([0, 0, 0, 1, 0]);
    expect(grad(abs)).toEqual([0, 1, -1, 1, -1]);
    expect(grad((t) => clamp(t, -0.5, 3))).toEqual([1, 0, 0, 1, 1]);
    expect(grad((t) => leakyRelu(t, 0.25))).toEqual([0.25, 1, 0.25, 1, 0.25]);
    expect(grad(hardswish)).toEqual([0.5, 1, -0.5, 1.5, Math.fround(-0.5 / 3 + 0.5)]);
  });
});

describe('comparisons and where', () => {
  const a = fromArray([[1, 2, 3]]);
  const b = fromArray([[2], [3]]);
  it('produces broadcast 0/1 masks', () => {
    expect(eq(a, b).toArray()).toEqual([
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(ne(a, b).toArray()).toEqual([
      [1, 0, 1],
      [1, 1, 0],
    ]);
    expect(lt(a, b).toArray()).toEqual([
      [1, 0, 0],
      [1, 1, 0],
    ]);
    expect(le(a, b).toArray()).toEqual([
      [1, 1, 0],
      [1, 1, 1],
    ]);
    expect(gt(a, 2).toArray()).toEqual([[0, 0, 1]]);
    expect(ge(a, 2).toArray()).toEqual([[0, 1, 1]]);
    expect(a.eq(2).toArray()).toEqual([[0, 1, 0]]);
  });

  it('never records gradients for masks', () => {
    const x = fromArray([1, 2], undefined, { requiresGrad: true });
    const m = gt(x, 1);
    expect(m.requiresGrad).toBe(false);
    expect(m.gradFn).toBeNull();
  });

  it('where picks by condition with broadcasting and routes gradients', () => {
    const cond = fromArray([1, 0, 1]);
    const x = fromArray(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      undefined,
      { requiresGrad: true },
    );
    const y = fromArray([-1], undefined, { requiresGrad: true });
    const out = where(cond, x, y);
    expect(out.toArray()).toEqual([
      [1, -1, 3],
      [4, -1, 6],
    ]);
    out.sum().backward();
    expect(x.grad!.toArray()).toEqual([
      [1, 0, 1],
      [1, 0, 1],
    ]);
    expect(y.grad!.toArray()).toEqual([2]);
    expect(where(fromArray([0, 2]), 5, 7).toArray()).toEqual([7, 5]);
    expect(
      fromArray([1, 2])
        .where(fromArray([1, 0]), 0)
        .toArray(),
    ).toEqual([1, 0]);
  });

  it('gradchecks where with broadcast operands', () => {
    const cond = fromArray([[1, 0, 0, 1]]);
    const r = gradcheck((p, q) => where(cond, p, q), [leaf([3, 1], 20), leaf([3, 4], 21)]);
    expect(r.failure).toBeNull();
  });
});
