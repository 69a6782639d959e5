import { describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  CrossEntropyLoss,
  Dropout,
  Embedding,
  Flatten,
  GELU,
  Hardswish,
  Identity,
  InstanceNorm2d,
  LeakyReLU,
  Linear,
  MSELoss,
  MaxPool2d,
  MultiheadAttention,
  NLLLoss,
  ReLU,
  ReLU6,
  SiLU,
  Sigmoid,
  Tanh,
  init,
} from '../../src/nn/index.js';
import {
  MT19937,
  ShapeError,
  ValueError,
  fromArray,
  logSoftmax,
  manualSeed,
  ones,
  randn,
  sum,
  zeros,
} from '../../src/tensor/index.js';

const close = (a: ArrayLike<number>, b: number[], digits = 5): void => {
  expect(a.length).toBe(b.length);
  b.forEach((v, i) => expect(a[i]!).toBeCloseTo(v, digits));
};

describe('activation modules (values cross-checked with torch 1.13 by hand)', () => {
  const x = fromArray([-3, -0.5, 0, 0.5, 7]);
  it.each([
    ['ReLU', new ReLU(), [0, 0, 0, 0.5, 7]],
    ['ReLU6', new ReLU6(), [0, 0, 0, 0.5, 6]],
    ['LeakyReLU(0.2)', new LeakyReLU(0.2), [-0.6, -0.1, 0, 0.5, 7]],
    ['Sigmoid', new Sigmoid(), [0.04742587, 0.37754067, 0.5, 0.62245933, 0.99908895]],
    ['Tanh', new Tanh(), [-0.99505475, -0.46211716, 0, 0.46211716, 0.99999834]],
    ['SiLU', new SiLU(), [-0.14227762, -0.18877033, 0, 0.31122967, 6.99362264]],
    ['GELU', new GELU(), [-0.00404951, -0.15426877, 0, 0.34573123, 7]],
    ['Hardswish', new Hardswish(), [0, -0.20833333, 0, 0.29166667, 7]],
  ] as const)('%s', (_name, m, expected) => {
    const xg = fromArray([-3, -0.5, 0, 0.5, 7], undefined, { requiresGrad: true });
    const y = m.call(xg);
    close(y.data, [...expected]);
    sum(y).backward();
    expect(xg.grad!.shape).toEqual([5]);
    expect(x.data[0]).toBe(-3);
  });
});

describe('shape layers', () => {
  it('Flatten keeps the batch dim by default; Identity returns fresh storage', () => {
    const x = ones([2, 3, 4]);
    expect(new Flatten().call(x).shape).toEqual([2, 12]);
    expect(new Flatten(0).call(x).shape).toEqual([24]);
    const y = new Identity().call(x);
    expect(y.data).not.toBe(x.data);
    expect([...y.data]).toEqual([...x.data]);
  });

  it('pools: MaxPool2d stride defaults to the kernel, AvgPool2d, AdaptiveAvgPool2d', () => {
    const x = fromArray(
      Array.from({ length: 16 }, (_, i) => i),
      [1, 1, 4, 4],
    );
    expect([...new MaxPool2d(2).call(x).data]).toEqual([5, 7, 13, 15]);
    expect([...new AvgPool2d(2).call(x).data]).toEqual([2.5, 4.5, 10.5, 12.5]);
    expect([...new AdaptiveAvgPool2d(1).call(x).data]).toEqual([7.5]);
    expect(new MaxPool2d(3, { stride: 1, padding: 1 }).call(x).shape).toEqual([1, 1, 4, 4]);
  });
});

describe('Dropout and Embedding', () => {
  it('Dropout zeroes and rescales in training, copies in eval', () => {
    const d = new Dropout(0.5, { generator: new MT19937(1) });
    const y = d.call(ones([1000]));
    const kept = [...y.data].filter((v) => v !== 0);
    expect(kept.every((v) => v === 2)).toBe(true);
    expect(kept.length).toBeGreaterThan(400);
    expect(kept.length).toBeLessThan(600);
    d.eval();
    expect([...d.call(ones([4])).data]).toEqual([1, 1, 1, 1]);
    expect(() => new Dropout(1.5)).toThrow(/p must be in \[0, 1\], got 1.5/);
  });

  it('Embedding looks rows up and accumulates gradients of repeated indices', () => {
    const e = new Embedding(4, 2);
    e.weight.data.set([0, 1, 10, 11, 20, 21, 30, 31]);
    const y = e.call(
      fromArray([
        [3, 1],
        [1, 1],
      ]),
    );
    expect(y.shape).toEqual([2, 2, 2]);
    expect([...y.data]).toEqual([30, 31, 10, 11, 10, 11, 10, 11]);
    sum(y).backward();
    expect([...e.weight.grad!.data]).toEqual([0, 0, 3, 3, 0, 0, 1, 1]);
  });
});

describe('norm layers beyond the torch fixtures', () => {
  it('BatchNorm2d eval uses the running statistics; numBatchesTracked counts training calls', () => {
    const bn = new BatchNorm2d(1);
    bn.runningMean!.data[0] = 2;
    bn.runningVar!.data[0] = 4;
    bn.eval();
    close(bn.call(fromArray([2, 4, 6, 0], [1, 1, 2, 2])).data, [0, 1, 2, -1], 4);
    expect(bn.numBatchesTracked!.data[0]).toBe(0);
    bn.train();
    bn.call(randn([2, 1, 2, 2]));
    bn.call(randn([2, 1, 2, 2]));
    expect(bn.numBatchesTracked!.data[0]).toBe(2);
    expect(() => bn.call(ones([2, 1, 3]))).toThrow(/BatchNorm2d: expected a 4-d input, got shape \[2, 1, 3\]/);
  });

  it('InstanceNorm2d normalizes each plane and accepts unbatched input', () => {
    const n = new InstanceNorm2d(2);
    expect(n.namedParameters()).toHaveLength(0);
    const y = n.call(fromArray([1, 3, 1, 3, 0, 0, 4, 4], [2, 2, 2]));
    expect(y.shape).toEqual([2, 2, 2]);
    close(y.data, [-1, 1, -1, 1, -1, -1, 1, 1], 3);
    const tracked = new InstanceNorm2d(2, { trackRunningStats: true, affine: true });
    expect([...tracked.stateDict().keys()]).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
  });
});

describe('Linear and Conv: PyTorch attributes and initialisation', () => {
  it('Conv2d exposes tuples and the weight layout [out, in/groups, kh, kw]', () => {
    const c = new Conv2d(4, 8, [3, 1], { stride: 2, padding: [1, 0], groups: 2 });
    expect([c.inChannels, c.outChannels, c.groups]).toEqual([4, 8, 2]);
    expect(c.kernelSize).toEqual([3, 1]);
    expect(c.stride).toEqual([2, 2]);
    expect(c.padding).toEqual([1, 0]);
    expect(c.dilation).toEqual([1, 1]);
    expect(c.weight.shape).toEqual([8, 2, 3, 1]);
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(
      /inChannels must be a positive multiple of groups \(2\), got 3/,
    );
    expect(() => new Conv2d(2, 2, [3, 3, 3])).toThrow(/kernelSize must be an integer >= 1 or 2 of them/);
  });

  it('weights and biases lie in ±1/√fanIn (kaiming-uniform a = √5) and depend only on the seed', () => {
    manualSeed(7);
    const a = new Conv2d(3, 4, 2);
    manualSeed(7);
    const b = new Conv2d(3, 4, 2);
    expect(a.weight.data).toEqual(b.weight.data);
    const bound = 1 / Math.sqrt(3 * 2 * 2);
    for (const v of [...a.weight.data, ...a.bias!.data]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(Math.max(...a.weight.data.map(Math.abs))).toBeGreaterThan(bound * 0.7);
    const l = new Linear(100, 3, { generator: new MT19937(1) });
    expect(Math.max(...l.weight.data.map(Math.abs))).toBeLessThanOrEqual(0.1);
  });

  it('init helpers: fans, xavier bound, gains', () => {
    expect(init.calculateFanInAndFanOut(zeros([8, 2, 3, 3]))).toEqual([18, 72]);
    const t = init.xavierUniform_(zeros([30, 20]), 1, new MT19937(2));
    expect(Math.max(...t.data.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 50));
    expect(init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(() => init.calculateFanInAndFanOut(zeros([3]))).toThrow(ValueError);
  });
});

describe('MultiheadAttention', () => {
  it('has PyTorch parameter layout and zero biases after init', () => {
    const m = new MultiheadAttention(8, 2);
    expect(m.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['in_proj_weight', [24, 8]],
      ['in_proj_bias', [24]],
      ['out_proj.weight', [8, 8]],
      ['out_proj.bias', [8]],
    ]);
    expect([...m.inProjBias!.data].every((v) => v === 0)).toBe(true);
    expect([...m.outProj.bias!.data].every((v) => v === 0)).toBe(true);
  });

  it('weights rows sum to 1; batchFirst transposes; per-head weights; unbatched input; masked keys get 0', () => {
    const m = new MultiheadAttention(4, 2, { batchFirst: true });
    const x = randn([3, 5, 4]);
    const [out, w] = m.call(x, x, x);
    expect(out.shape).toEqual([3, 5, 4]);
    expect(w!.shape).toEqual([3, 5, 5]);
    for (let r = 0; r < 15; r++) expect(w!.data.slice(r * 5, r * 5 + 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const [, perHead] = m.call(x, x, x, { averageAttnWeights: false });
    expect(perHead!.shape).toEqual([3, 2, 5, 5]);
    const [, none] = m.call(x, x, x, { needWeights: false });
    expect(none).toBeNull();
    const u = randn([5, 4]);
    const [uo, uw] = m.call(u, u, u, { keyPaddingMask: fromArray([0, 0, 0, 0, 1]) });
    expect(uo.shape).toEqual([5, 4]);
    expect(uw!.shape).toEqual([5, 5]);
    for (let r = 0; r < 5; r++) expect(uw!.data[r * 5 + 4]).toBe(0);
    expect(() => m.call(ones([3, 5, 3]), x, x)).toThrow(ShapeError);
    expect(() => new MultiheadAttention(6, 4)).toThrow(/embedDim \(6\) must be divisible by numHeads \(4\)/);
  });
});

describe('losses as modules', () => {
  it('CrossEntropyLoss, NLLLoss and MSELoss match the functional forms', () => {
    const logits = fromArray([
      [2, 0, -1],
      [0.5, 0.5, 1],
    ]);
    const target = fromArray([0, 2]);
    const ce = new CrossEntropyLoss().call(logits, target).item();
    const nll = new NLLLoss().call(logSoftmax(logits, 1), target).item();
    const expected =
      (-(2 - Math.log(Math.exp(2) + 1 + Math.exp(-1))) - (1 - Math.log(2 * Math.exp(0.5) + Math.exp(1)))) / 2;
    expect(ce).toBeCloseTo(expected, 5);
    expect(nll).toBeCloseTo(expected, 5);
    expect(new MSELoss({ reduction: 'sum' }).call(fromArray([1, 2]), fromArray([0, 0])).item()).toBe(5);
    expect(new CrossEntropyLoss({ reduction: 'none' }).call(logits, target).shape).toEqual([2]);
  });
});
