import { describe, expect, it } from 'vitest';
import {
  AutogradError,
  ShapeError,
  ValueError,
  add,
  exp,
  fromArray,
  isGradEnabled,
  mul,
  noGrad,
  setGradEnabled,
  sum,
} from '../../src/tensor/index.js';

const leaf = (values: number[]) => fromArray(values, undefined, { requiresGrad: true });

describe('autograd engine', () => {
  it('accumulates gradients across two backward calls, as PyTorch', () => {
    const x = leaf([1, 2]);
    sum(mul(x, 3)).backward();
    sum(mul(x, 3)).backward();
    expect(x.grad!.toArray()).toEqual([6, 6]);
    x.grad = null;
    sum(mul(x, x)).backward();
    expect(x.grad!.toArray()).toEqual([2, 4]);
  });

  it('x + x gives gradient 2 (the same input twice)', () => {
    const x = leaf([1, -3]);
    sum(add(x, x)).backward();
    expect(x.grad!.toArray()).toEqual([2, 2]);
  });

  it('sums over both branches of a diamond graph', () => {
    // y = a·b + exp(a) with a = 2x, b = x + 1 reaches x by three paths: dy/dx = 2b + a + 2e^{2x}
    const x = leaf([0.5, -1]);
    const a = mul(x, 2);
    const b = add(x, 1);
    const y = sum(add(mul(a, b), exp(a)));
    y.backward();
    [0.5, -1].forEach((v, i) => expect(x.grad!.data[i]).toBeCloseTo(2 * (v + 1) + 2 * v + 2 * Math.exp(2 * v), 5));
  });

  it("does not let one op's pass-through gradient alias another accumulator", () => {
    // add hands back g itself; the engine must copy before adding the second path into it.
    const x = leaf([1]);
    const h = add(x, 0);
    const y = add(h, mul(h, 2));
    y.backward();
    expect(x.grad!.item()).toBe(3);
  });

  it('noGrad and setGradEnabled stop recording and restore the previous mode', () => {
    const x = leaf([1, 2]);
    const y = noGrad(() => mul(x, 2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
    const z = setGradEnabled(false, () => setGradEnabled(true, () => mul(x, 2)));
    expect(z.requiresGrad).toBe(true);
    expect(() =>
      noGrad(() => {
        throw new Error('inner');
      }),
    ).toThrow('inner');
    expect(isGradEnabled()).toBe(true);
  });

  it('detach cuts the graph and copies storage', () => {
    const x = leaf([2]);
    const d = mul(x, 3).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    const y = add(mul(d, x), x);
    y.backward();
    expect(x.grad!.item()).toBe(7); // d is a constant 6
    const e = x.detach();
    e.data[0] = 100;
    expect(x.data[0]).toBe(2);
  });

  it('retainGrad keeps the gradient of a non-leaf; others stay null', () => {
    const x = leaf([1, 2]);
    const h = mul(x, 3).retainGrad();
    const k = mul(h, h);
    sum(k).backward();
    expect(h.grad!.toArray()).toEqual([6, 12]);
    expect(k.grad).toBeNull();
    expect(x.grad!.toArray()).toEqual([18, 36]);
  });

  it('backward on a non-scalar without a gradient throws AutogradError', () => {
    const y = mul(leaf([1, 2]), 2);
    expect(() => y.backward()).toThrow(AutogradError);
    y.backward(fromArray([1, 0.5]));
    expect(() => y.backward(fromArray([1, 2, 3]))).toThrow(ShapeError);
  });

  it('backward on a tensor without history throws AutogradError', () => {
    expect(() => fromArray([1]).backward()).toThrow(AutogradError);
  });

  it('requiresGrad_(false) is refused on non-leaves', () => {
    const y = mul(leaf([1]), 2);
    expect(() => y.requiresGrad_(false)).toThrow(ValueError);
    expect(fromArray([1]).requiresGrad_().requiresGrad).toBe(true);
  });

  it('passes an explicit output gradient through', () => {
    const x = leaf([1, 2, 3]);
    mul(x, x).backward(fromArray([1, 0, -1]));
    expect(x.grad!.toArray()).toEqual([2, 0, -6]);
  });
});

describe('backward gradient shape', () => {
  it('rejects a gradient of the same size but another shape', () => {
    const y = mul(fromArray([[1], [2]], undefined, { requiresGrad: true }), 2);
    expect(() => y.backward(fromArray([1, 1]))).toThrow(ShapeError);
  });
});
