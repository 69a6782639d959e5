import { describe, expect, it } from 'vitest';
import {
  type Dataset,
  type Example,
  ShapeError,
  Subset,
  Tensor,
  TensorDataset,
  ValueError,
  stackExamples,
} from './imports.js';

function ds(n: number, row: number[] = [2, 3]): TensorDataset {
  const per = row.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: n * per }, (_, i) => i);
  const y = Float32Array.from({ length: n }, (_, i) => 100 + i);
  return new TensorDataset(new Tensor(x, [n, ...row]), new Tensor(y, [n]));
}

describe('TensorDataset', () => {
  it('returns example i as the i-th row of each tensor, in fresh storage', () => {
    const d = ds(4);
    expect(d.length).toBe(4);
    const e = d.get(2);
    expect(e.x.shape).toEqual([2, 3]);
    expect([...e.x.data]).toEqual([12, 13, 14, 15, 16, 17]);
    expect(e.y.shape).toEqual([]);
    expect([...e.y.data]).toEqual([102]);
    e.x.data[0] = -1;
    expect(d.images.data[12]).toBe(12);
  });

  it('getItems stacks rows in the order asked, repeats included', () => {
    const b = ds(5, [2]).getItems([4, 0, 4]);
    expect(b.x.shape).toEqual([3, 2]);
    expect([...b.x.data]).toEqual([8, 9, 0, 1, 8, 9]);
    expect(b.y.shape).toEqual([3]);
    expect([...b.y.data]).toEqual([104, 100, 104]);
  });

  it('keeps trailing label dimensions (one-hot or multi-target labels)', () => {
    const d = new TensorDataset(
      new Tensor(new Float32Array(6), [3, 2]),
      new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]),
    );
    expect([...d.get(1).y.data]).toEqual([3, 4]);
    expect(d.getItems([2, 1]).y.shape).toEqual([2, 2]);
  });

  it('rejects mismatched example counts and scalars, naming both shapes', () => {
    expect(
      () => new TensorDataset(new Tensor(new Float32Array(6), [3, 2]), new Tensor(new Float32Array(2), [2])),
    ).toThrow(/images \[3, 2\] hold 3 examples but labels \[2\] hold 2/);
    expect(() => new TensorDataset(new Tensor(new Float32Array(1), []), new Tensor(new Float32Array(1), [1]))).toThrow(
      ShapeError,
    );
  });

  it('rejects out-of-range and non-integer indices', () => {
    const d = ds(3);
    expect(() => d.get(3)).toThrow(ValueError);
    expect(() => d.get(-1)).toThrow(/index -1 is out of range for a dataset of length 3/);
    expect(() => d.get(1.5)).toThrow(ValueError);
    expect(() => d.getItems([0, 3])).toThrow(/getItems: index 3 is out of range/);
  });
});

describe('Subset', () => {
  it('maps indices through to the wrapped dataset, for get and getItems', () => {
    const s = new Subset(ds(6, [1]), [5, 1, 3]);
    expect(s.length).toBe(3);
    expect([...s.get(0).y.data]).toEqual([105]);
    const b = s.getItems([2, 0]);
    expect([...b.x.data]).toEqual([3, 5]);
    expect([...b.y.data]).toEqual([103, 105]);
  });

  it('nests, and falls back to get() when the wrapped dataset has no getItems', () => {
    const plain: Dataset<Example> = {
      length: 4,
      get: (i) => ({ x: new Tensor(Float32Array.from([i, -i]), [2]), y: new Tensor(Float32Array.from([i * 10]), []) }),
    };
    const s = new Subset(new Subset(plain, [3, 2, 1]), [2, 0]);
    const b = s.getItems([1, 0]);
    expect(b.x.shape).toEqual([2, 2]);
    expect([...b.x.data]).toEqual([3, -3, 1, -1]);
    expect([...b.y.data]).toEqual([30, 10]);
  });

  it('rejects indices outside the wrapped dataset at construction', () => {
    expect(() => new Subset(ds(3), [0, 3])).toThrow(
      /Subset: indices\[1\]: index 3 is out of range for a dataset of length 3/,
    );
    expect(() => new Subset(ds(3), [1]).get(1)).toThrow(ValueError);
  });
});

describe('stackExamples', () => {
  it('refuses examples of differing shapes, naming both examples', () => {
    const ragged: Dataset<Example> = {
      length: 2,
      get: (i) => ({ x: new Tensor(new Float32Array(i + 1), [i + 1]), y: new Tensor(new Float32Array(1), []) }),
    };
    expect(() => stackExamples(ragged, [0, 1])).toThrow(
      /example 1 has x of shape \[2\], expected \[1\] like example 0/,
    );
    expect(() => stackExamples(ragged, [])).toThrow(ValueError);
  });
});
