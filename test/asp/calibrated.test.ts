import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pruneLayer, reconstructionError, sparseGpt } from '../../src/asp/index.js';
import { isNM } from '../../src/sparse/index.js';
import { MT19937, ShapeError, Tensor, ValueError, randn } from '../../src/tensor/index.js';

interface Case {
  rows: number;
  cols: number;
  samples: number;
  n: number;
  m: number;
  blocksize: number;
  percdamp: number;
  weight: number[];
  inputs: number[];
  wanda_mask: number[];
  sparsegpt_weight: number[];
  sparsegpt_mask: number[];
}
/** Written by tools/make_calibrated_fixtures.py (a float64 torch reference of both methods). */
const golden = JSON.parse(readFileSync(new URL('../fixtures/asp/calibrated.json', import.meta.url), 'utf8')) as Record<
  'c24' | 'c28',
  Case
>;

const tensors = (c: Case): { w: Tensor; x: Tensor } => ({
  w: new Tensor(Float32Array.from(c.weight), [c.rows, c.cols]),
  x: new Tensor(Float32Array.from(c.inputs), [c.samples, c.cols]),
});

describe('pruneLayer against the float64 torch reference', () => {
  for (const key of ['c24', 'c28'] as const) {
    const c = golden[key];
    it(`${key}: ${c.n}:${c.m}, [${c.rows}, ${c.cols}], blocks of ${c.blocksize}, outliers and a dead input`, () => {
      const { w, x } = tensors(c);
      const pattern = `${c.n}:${c.m}`;
      const wanda = pruneLayer(w, { method: 'wanda', pattern, inputs: x });
      expect([...wanda.mask.data]).toEqual(c.wanda_mask);
      const gpt = pruneLayer(w, {
        method: 'sparsegpt',
        pattern,
        inputs: x,
        blocksize: c.blocksize,
        percdamp: c.percdamp,
      });
      expect([...gpt.mask.data]).toEqual(c.sparsegpt_mask);
      let worst = 0;
      gpt.weight.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - c.sparsegpt_weight[i]!))));
      // float32 output of a float64 computation: within a few float32 ulps of the reference.
      expect(worst).toBeLessThan(1e-5);
      // The dead input's column is zero in SparseGPT's result.
      for (let r = 0; r < c.rows; r++) expect(gpt.weight.data[r * c.cols + 5]).toBe(0);
      expect([...w.data]).toEqual(c.weight.map(Math.fround)); // the input is untouched
    });
  }

  it('on a layer with outlier input features: SparseGPT ≤ Wanda ≤ magnitude in reconstruction error', () => {
    const { w, x } = tensors(golden.c24);
    const err = (method: 'magnitude' | 'wanda' | 'sparsegpt'): number =>
      reconstructionError(w, pruneLayer(w, { method, inputs: x, blocksize: 8 }).weight, x);
    const [mag, wanda, gpt] = [err('magnitude'), err('wanda'), err('sparsegpt')];
    expect(gpt).toBeLessThan(wanda);
    expect(wanda).toBeLessThan(mag);
  });
});

describe('pruneLayer reductions', () => {
  it('Wanda with equal input norms is magnitude pruning', () => {
    const w = randn([8, 32], { generator: new MT19937(3) });
    // Every column of X has norm 2: signs and positions differ, norms do not.
    const x = new Tensor(
      Float32Array.from({ length: 4 * 32 }, (_, i) => (i % 3 === 0 ? -1 : 1)),
      [4, 32],
    );
    const wanda = pruneLayer(w, { method: 'wanda', inputs: x });
    const magnitude = pruneLayer(w, { method: 'magnitude', pattern: '2:4' });
    expect([...wanda.mask.data]).toEqual([...magnitude.mask.data]);
    expect([...wanda.weight.data]).toEqual([...magnitude.weight.data]);
  });

  it('SparseGPT with H ∝ I is magnitude pruning, kept weights unchanged', () => {
    const w = randn([8, 16], { generator: new MT19937(4) });
    const x = new Tensor(
      Float32Array.from({ length: 16 * 16 }, (_, i) => (i % 17 === 0 ? 3 : 0)),
      [16, 16],
    );
    const gpt = pruneLayer(w, { method: 'sparsegpt', inputs: x, blocksize: 8 });
    const magnitude = pruneLayer(w, { method: 'magnitude', pattern: '2:4' });
    expect([...gpt.mask.data]).toEqual([...magnitude.mask.data]);
    expect([...gpt.weight.data]).toEqual([...magnitude.weight.data]);
  });
});

describe('pruneLayer results satisfy their pattern', () => {
  it('every method, random shapes and N:M patterns, Linear and Conv weights', () => {
    fc.assert(
      fc.property(
        fc.constantFrom([2, 4], [1, 4], [2, 8], [4, 8]),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('magnitude', 'wanda', 'sparsegpt'),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        ([n, m], rows, groups, method, conv, seed) => {
          const g = new MT19937(seed);
          const c = m! * groups;
          const shape = conv ? [rows, c, 2, 1] : [rows, c];
          const w = randn(shape, { generator: g });
          const cols = w.size / rows;
          const x = randn([5, cols], { generator: g });
          const r = pruneLayer(w, { method, pattern: `${n}:${m}`, inputs: x, blocksize: m });
          expect(r.weight.shape).toEqual(shape);
          // Groups of M along the input channels of the mask view (apex's, TensorRT's).
          expect(isNM(r.mask.data, shape, n!, m!)).toBe(true);
          r.weight.data.forEach((v, i) => {
            if (r.mask.data[i] === 0) expect(v).toBe(0);
          });
          const kept = r.mask.data.reduce((a, b) => a + b, 0);
          expect(kept).toBe((w.size / m!) * n!);
          return true;
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('pruneLayer refuses what it cannot do', () => {
  const w = randn([4, 8]);
  it('names the problem', () => {
    expect(() => pruneLayer(w, { method: 'wanda' })).toThrow(/method 'wanda' needs calibration inputs/);
    expect(() => pruneLayer(w, { method: 'sparsegpt', inputs: randn([3, 4]) })).toThrow(ShapeError);
    expect(() => pruneLayer(w, { method: 'sparsegpt', inputs: randn([3, 8]), blocksize: 6 })).toThrow(
      /blocksize must be a positive multiple of M=4/,
    );
    expect(() => pruneLayer(randn([4]), { method: 'magnitude' })).toThrow(ShapeError);
    expect(() => pruneLayer(w, { method: 'wanda', inputs: randn([2, 8]), pattern: 'm4n2_2d_best' })).toThrow(
      ValueError,
    );
    const nan = new Tensor(
      Float32Array.from({ length: 32 }, (_, i) => (i === 7 ? NaN : 1)),
      [4, 8],
    );
    expect(() => pruneLayer(nan, { method: 'magnitude' })).toThrow(/NaN at flat index 7/);
    expect(() => pruneLayer(w, { method: 'obs' as never })).toThrow(/unknown method 'obs'/);
  });

  it('sparseGpt refuses a Hessian that is not positive definite', () => {
    const h = Float64Array.from([1, 2, 0, 0, 2, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]); // eigenvalues 3, -1, 1, 1
    expect(() => sparseGpt(new Float32Array(8), 2, 4, h, { n: 2, m: 4, percdamp: 0, blocksize: 4 })).toThrow(
      /not positive definite/,
    );
  });
});
