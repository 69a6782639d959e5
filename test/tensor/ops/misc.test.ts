import { describe, expect, it } from 'vitest';
import {
  MT19937,
  ShapeError,
  Tensor,
  ValueError,
  dropout,
  embedding,
  fromArray,
  gradcheck,
  ones,
  randn,
  zeros,
} from '../../../src/tensor/index.js';

describe('dropout', () => {
  it('zeroes an element exactly when its uniform draw is below p, and scales survivors by 1/(1-p)', () => {
    const x = randn([50], { generator: new MT19937(3) });
    const out = dropout(x, 0.4, true, new MT19937(99));
    const draws = new MT19937(99);
    for (let i = 0; i < 50; i++) {
      const keep = draws.nextDouble() >= 0.4;
      expect(out.data[i]).toBeCloseTo(keep ? x.data[i]! / 0.6 : 0, 5);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const x = ones([200]);
    const a = dropout(x, 0.5, true, new MT19937(7));
    const b = dropout(x, 0.5, true, new MT19937(7));
    const c = dropout(x, 0.5, true, new MT19937(8));
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
  });

  it('drops about a fraction p and keeps the mean', () => {
    const n = 20000;
    const out = dropout(ones([n]), 0.3, true, new MT19937(1));
    let zerosCount = 0;
    let sum = 0;
    for (const v of out.data) {
      if (v === 0) zerosCount++;
      else expect(v).toBeCloseTo(1 / 0.7, 6);
      sum += v;
    }
    // Binomial sd of the drop fraction is sqrt(0.21 / n) ≈ 0.0032; allow about 5 sd.
    expect(Math.abs(zerosCount / n - 0.3)).toBeLessThan(0.016);
    expect(Math.abs(sum / n - 1)).toBeLessThan(0.025);
  });

  it('is an unaliased identity when not training or p = 0, and all zeros for p = 1', () => {
    const x = fromArray([1, -2, 3]);
    for (const out of [dropout(x, 0.5, false), dropout(x, 0, true)]) {
      expect(Array.from(out.data)).toEqual([1, -2, 3]);
      expect(out.data).not.toBe(x.data);
    }
    expect(Array.from(dropout(x, 1, true, new MT19937(1)).data).every((v) => v === 0)).toBe(true);
  });

  it('backpropagates through the same mask', () => {
    const x = new Tensor(new Float32Array(30).fill(2), [30], true);
    const out = dropout(x, 0.5, true, new MT19937(5));
    out.backward(ones([30]));
    for (let i = 0; i < 30; i++) expect(x.grad!.data[i]).toBeCloseTo(out.data[i]! / 2, 6);
  });

  it('rejects p outside [0, 1]', () => {
    expect(() => dropout(ones([2]), 1.5)).toThrow(/dropout probability must be in \[0, 1\], got 1.5/);
    expect(() => dropout(ones([2]), -0.1)).toThrow(ValueError);
  });
});

describe('embedding', () => {
  const table = () =>
    fromArray(
      [
        [0, 1],
        [10, 11],
        [20, 21],
      ],
      undefined,
      { requiresGrad: true },
    );

  it('looks up rows into shape [...indices, dim]', () => {
    const out = embedding(
      fromArray([
        [2, 0, 1],
        [1, 1, 0],
      ]),
      table(),
    );
    expect(out.shape).toEqual([2, 3, 2]);
    expect(Array.from(out.data)).toEqual([20, 21, 0, 1, 10, 11, 10, 11, 10, 11, 0, 1]);
  });

  it('scatter-adds the gradient, accumulating repeated indices', () => {
    const w = table();
    const out = embedding(fromArray([1, 1, 2, 1]), w);
    out.backward(
      fromArray([
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
      ]),
    );
    expect(Array.from(w.grad!.data)).toEqual([0, 0, 11, 14, 5, 6]);
  });

  it('gradient matches finite differences', () => {
    const r = gradcheck(
      (w) =>
        embedding(
          fromArray([
            [0, 2],
            [2, 2],
          ]),
          w,
        ),
      [randn([3, 4], { generator: new MT19937(2), requiresGrad: true })],
    );
    expect(r.failure).toBeNull();
  });

  it('rejects out-of-range or fractional indices and a weight that is not 2-D', () => {
    expect(() => embedding(fromArray([0, 3]), table())).toThrow(
      /embedding index 3 at position 1 is out of range: expected an integer in \[0, 3\)/,
    );
    expect(() => embedding(fromArray([-1]), table())).toThrow(ValueError);
    expect(() => embedding(fromArray([0.5]), table())).toThrow(ValueError);
    expect(() => embedding(fromArray([0]), zeros([3]))).toThrow(ShapeError);
  });
});
