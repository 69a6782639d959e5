import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fakeQuantize, paramsFromRange, quantizeValues, roundHalfEven } from '../../../src/asp/qat/index.js';
import { ActivationFakeQuant } from '../../../src/asp/qat/index.js';
import { Tensor, sum } from '../../../src/tensor/index.js';

describe('fake quantization', () => {
  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, -3]);
  });

  it('symmetric per-tensor: scale = max|x|/127, values snap to the grid, clamping is symmetric', () => {
    const p = paramsFromRange([-1.27], [0.5], 'symmetric');
    expect(p.scale[0]).toBeCloseTo(0.01, 15);
    expect(p.zeroPoint[0]).toBe(0);
    const x = new Tensor(new Float32Array([0.014, 0.016, -1.27, 0.5, 0]), [5]);
    expect([...quantizeValues(x.data, x.shape, p)]).toEqual([1, 2, -127, 50, 0]);
    expect([...fakeQuantize(x, p).data]).toEqual([0.01, 0.02, -1.27, 0.5, 0].map(Math.fround));
  });

  it('asymmetric: the range includes 0 and q spans [-128, 127]', () => {
    const p = paramsFromRange([0], [2.55], 'asymmetric');
    expect(p.scale[0]).toBeCloseTo(0.01, 15);
    expect(p.zeroPoint[0]).toBe(-128);
    expect([...quantizeValues(new Float32Array([0, 2.55, 1]), [3], p)]).toEqual([-128, 127, -28]);
  });

  it('per-channel: each output channel has its own scale', () => {
    const w = new Tensor(new Float32Array([1, -0.5, 0.1, 0.2]), [2, 2]);
    const p = paramsFromRange([-0.5, 0.1], [1, 0.2], 'symmetric');
    expect([...quantizeValues(w.data, w.shape, p)]).toEqual([127, -64, 64, 127]);
  });

  it('maps 0 to exactly 0 for any range and scheme (so pruned weights stay pruned)', () => {
    fc.assert(
      fc.property(
        fc.float({ min: -100, max: 100, noNaN: true }),
        fc.float({ min: -100, max: 100, noNaN: true }),
        fc.constantFrom('symmetric' as const, 'asymmetric' as const),
        (a, b, scheme) => {
          const p = paramsFromRange([Math.min(a, b)], [Math.max(a, b)], scheme);
          const y = fakeQuantize(new Tensor(new Float32Array([0, -0]), [2]), p);
          expect(y.data[0]).toBe(0);
          expect(Math.abs(y.data[1]!)).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('straight-through estimator: the gradient passes where not clamped and is 0 where clamped', () => {
    const p = paramsFromRange([-1], [1], 'symmetric');
    const x = new Tensor(new Float32Array([-3, -0.3, 0, 0.7, 1, 1.004, 2]), [7], true);
    const y = fakeQuantize(x, p);
    sum(y).backward();
    // 1.004/ (1/127) = 127.5 → rounds to 128 (even) → clamped; 1 → 127 exactly → passes.
    expect([...x.grad!.data]).toEqual([0, 1, 1, 1, 1, 0, 0]);
  });
});

describe('activation observers', () => {
  it('minmax keeps the overall range; movingAverage moves toward each batch by the constant', () => {
    const mm = new ActivationFakeQuant({ observer: 'minmax' });
    const ma = new ActivationFakeQuant({ observer: 'movingAverage', averagingConstant: 0.5 });
    for (const batch of [
      [-1, 2],
      [0, 4],
    ]) {
      const x = new Tensor(new Float32Array(batch), [2]);
      mm.call(x);
      ma.call(x);
    }
    expect([mm.minVal.data[0], mm.maxVal.data[0]]).toEqual([-1, 4]);
    expect([ma.minVal.data[0], ma.maxVal.data[0]]).toEqual([-0.5, 3]);
    expect(mm.scale.data[0]).toBeCloseTo(5 / 255, 7);
  });

  it('passes values through before anything is observed, and freezes in eval mode', () => {
    const q = new ActivationFakeQuant();
    q.eval();
    const x = new Tensor(new Float32Array([0.123, 7]), [2]);
    expect(q.call(x)).toBe(x);
    expect(q.observed).toBe(false);
    q.train();
    q.call(new Tensor(new Float32Array([0, 1]), [2]));
    q.eval();
    expect([...q.call(x).data]).toEqual([Math.fround(31 / 255), 1]);
  });
});
