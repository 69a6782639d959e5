import { describe, expect, it } from 'vitest';
import {
  ShapeError,
  Tensor,
  ValueError,
  arange,
  fromArray,
  full,
  ones,
  onesLike,
  tensor,
  zeros,
  zerosLike,
} from '../../src/tensor/index.js';

describe('creation', () => {
  it('fills constant tensors', () => {
    expect(zeros([2, 3]).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(ones([2]).toArray()).toEqual([1, 1]);
    expect(full([1, 2], 7.5).toArray()).toEqual([[7.5, 7.5]]);
    const z = zerosLike(ones([3, 1]));
    expect(z.shape).toEqual([3, 1]);
    expect(onesLike(z).toArray()).toEqual([[1], [1], [1]]);
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([]).item()).toBe(0);
    expect(zeros([0, 4]).size).toBe(0);
    expect(ones([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('arange follows NumPy lengths', () => {
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(2, 5).toArray()).toEqual([2, 3, 4]);
    // np.arange(0, 1, 0.3) has 4 elements
    expect(arange(0, 1, 0.3).size).toBe(4);
    expect(arange(5, 1, -2).toArray()).toEqual([5, 3]);
    expect(arange(3, 1).size).toBe(0);
    expect(() => arange(0, 1, 0)).toThrow(ValueError);
  });

  it('fromArray infers shapes and round-trips through toArray', () => {
    const nested = [[[1, 2]], [[3, 4]], [[5, 6]]];
    const t = fromArray(nested);
    expect(t.shape).toEqual([3, 1, 2]);
    expect(t.toArray()).toEqual(nested);
    expect(fromArray(3).shape).toEqual([]);
    expect(fromArray(3).toArray()).toBe(3);
    expect(tensor([1, 2, 3], [3, 1]).shape).toEqual([3, 1]);
    expect(fromArray([]).shape).toEqual([0]);
  });

  it('rejects ragged arrays, mismatched data and bad shapes', () => {
    expect(() => fromArray([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => fromArray([[1, 2], 3] as unknown as number[][])).toThrow(ShapeError);
    expect(() => fromArray([1, 2, 3], [2, 2])).toThrow(ShapeError);
    expect(() => zeros([2, -1])).toThrow(ShapeError);
    expect(() => zeros([1.5])).toThrow(ShapeError);
    expect(() => new Tensor(new Float32Array(3), [2])).toThrow(ShapeError);
  });

  it('stores float32 and freezes the shape', () => {
    const t = fromArray([0.1]);
    expect(t.data[0]).toBe(Math.fround(0.1));
    expect(t.dtype).toBe('float32');
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(() => fromArray([1, 2]).item()).toThrow(ShapeError);
  });
});
