import { describe, expect, it } from 'vitest';
import { Tensor, ValueError, manualSeed, mseLoss } from '../../../src/tensor/index.js';
import { DataLoader, Subset, TensorDataset, digitsDataset } from '../../../src/nn/data/index.js';
import {
  Adam,
  BatchNorm2d,
  Conv2d,
  CosineAnnealingLR,
  CrossEntropyLoss,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  SGD,
  Sequential,
  StepLR,
  type StepContext,
  countCorrect,
  evaluate,
  train,
} from '../../../src/nn/index.js';

/** Two conv stages for 1×8×8 digits: 8 and 16 channels, 2×2 max pools, a linear head. */
function digitsCnn(): Sequential {
  return new Sequential(
    new Conv2d(1, 8, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(8, 16, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(64, 10),
  );
}

const trainSet = digitsDataset({ split: 'train', layout: 'image', normalize: true });
const testSet = digitsDataset({ split: 'test', layout: 'image', normalize: true });
const tiny = new Subset(
  trainSet,
  Array.from({ length: 64 }, (_, i) => i * 3),
);

describe('train on digits', () => {
  it('a small CNN reaches >= 97% test accuracy with a fixed seed', () => {
    // Seed 1 reaches 98.3% (353/359); seed 0 reaches 97.2%, too close to the bar to be a good test.
    manualSeed(1);
    const model = digitsCnn();
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    const trainLoader = new DataLoader(trainSet, { batchSize: 16, shuffle: true, seed: 1 });
    const epochs = 3;
    const t0 = performance.now();
    const history = train({
      model,
      optimizer,
      scheduler: new CosineAnnealingLR(optimizer, epochs * trainLoader.length),
      schedulerStep: 'batch',
      trainLoader,
      testLoader: new DataLoader(testSet, { batchSize: 512 }),
      epochs,
      quiet: true,
    });
    const seconds = (performance.now() - t0) / 1000;
    const last = history.at(-1)!;
    console.log(
      `digits CNN: test accuracy ${(last.testAccuracy! * 100).toFixed(2)}% after ${history.length} epochs, ${seconds.toFixed(1)} s`,
    );
    expect(history.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(last.testAccuracy!).toBeGreaterThanOrEqual(0.97);
    expect(last.trainLoss).toBeLessThan(history[0]!.trainLoss);
    expect(evaluate(model, new DataLoader(testSet, { batchSize: 100 })).accuracy).toBe(last.testAccuracy);
  });
});

describe('train', () => {
  function setup(seed: number): { model: Sequential; optimizer: SGD } {
    manualSeed(seed);
    const model = new Sequential(new Flatten(), new Linear(64, 10));
    return { model, optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }) };
  }

  it('is reproducible for a fixed seed, and differs for another', () => {
    const run = (seed: number, loaderSeed: number): number[] => {
      const { model, optimizer } = setup(seed);
      return train({
        model,
        optimizer,
        trainLoader: new DataLoader(tiny, { batchSize: 8, shuffle: true, seed: loaderSeed }),
        epochs: 3,
        quiet: true,
      }).map((e) => e.trainLoss);
    };
    const a = run(1, 2);
    expect(run(1, 2)).toEqual(a);
    expect(run(1, 3)).not.toEqual(a);
    expect(run(4, 2)).not.toEqual(a);
  });

  it('calls onStep after every optimizer step and onEpoch after every epoch', () => {
    const { model, optimizer } = setup(2);
    const steps: [number, number, number][] = [];
    const epochs: number[] = [];
    let weightAtStep = -1;
    train({
      model,
      optimizer,
      trainLoader: new DataLoader(tiny, { batchSize: 16 }),
      epochs: 2,
      quiet: true,
      onStep: (ctx: StepContext) => {
        steps.push([ctx.epoch, ctx.step, ctx.globalStep]);
        expect(ctx.model).toBe(model);
        expect(ctx.optimizer).toBe(optimizer);
        expect(ctx.batch.x.shape).toEqual([16, 1, 8, 8]);
        expect(Number.isFinite(ctx.loss)).toBe(true);
        weightAtStep = model.parameters()[0]!.data[0]!;
      },
      onEpoch: ({ epoch, history }) => void epochs.push(epoch * 10 + history.length),
    });
    expect(steps).toEqual([
      [0, 0, 0],
      [0, 1, 1],
      [0, 2, 2],
      [0, 3, 3],
      [1, 0, 4],
      [1, 1, 5],
      [1, 2, 6],
      [1, 3, 7],
    ]);
    expect(epochs).toEqual([1, 12]);
    expect(weightAtStep).toBe(model.parameters()[0]!.data[0]);
  });

  it('stops early when onEpoch returns false', () => {
    const { model, optimizer } = setup(3);
    const h = train({
      model,
      optimizer,
      trainLoader: new DataLoader(tiny, { batchSize: 32 }),
      epochs: 5,
      quiet: true,
      onEpoch: ({ epoch }) => epoch < 1,
    });
    expect(h.map((e) => e.epoch)).toEqual([0, 1]);
  });

  it('steps the scheduler per epoch or per batch', () => {
    for (const [schedulerStep, expected] of [
      ['epoch', 0.1 * 0.5 ** 2],
      ['batch', 0.1 * 0.5 ** 4],
    ] as const) {
      const { model, optimizer } = setup(4);
      const scheduler = new StepLR(optimizer, 1, 0.5);
      const h = train({
        model,
        optimizer,
        scheduler,
        schedulerStep,
        trainLoader: new DataLoader(tiny, { batchSize: 32 }),
        epochs: 2,
        quiet: true,
      });
      expect(optimizer.paramGroups[0]!.lr).toBeCloseTo(expected, 15);
      expect(h[1]!.lr).toBe(optimizer.paramGroups[0]!.lr);
    }
  });

  it('accepts a loss module or function, and reports NaN accuracy for non-class outputs', () => {
    const { model, optimizer } = setup(5);
    const h1 = train({
      model,
      optimizer,
      loss: new CrossEntropyLoss({ labelSmoothing: 0.1 }),
      trainLoader: new DataLoader(tiny, { batchSize: 32 }),
      epochs: 1,
      quiet: true,
    });
    expect(h1[0]!.trainAccuracy).toBeGreaterThanOrEqual(0);
    manualSeed(5);
    const reg = new Linear(2, 1);
    const x = new Tensor(Float32Array.from([1, 0, 0, 1, 1, 1, 2, 1]), [4, 2]);
    const y = new Tensor(Float32Array.from([1, 2, 3, 4]), [4, 1]);
    const h2 = train({
      model: reg,
      optimizer: new SGD(reg.parameters(), { lr: 0.05 }),
      loss: mseLoss,
      trainLoader: new DataLoader(new TensorDataset(x, y), { batchSize: 2 }),
      epochs: 3,
      quiet: true,
    });
    expect(h2.every((e) => Number.isNaN(e.trainAccuracy))).toBe(true);
    expect(h2[2]!.trainLoss).toBeLessThan(h2[0]!.trainLoss);
  });

  it('writes progress to the injected stream unless quiet', () => {
    const chunks: string[] = [];
    const stream = { isTTY: false, write: (s: string) => void chunks.push(s) };
    const { model, optimizer } = setup(6);
    train({
      model,
      optimizer,
      trainLoader: new DataLoader(tiny, { batchSize: 32 }),
      testLoader: new DataLoader(tiny, { batchSize: 64 }),
      epochs: 2,
      progress: { stream },
    });
    expect(chunks).toHaveLength(2);
    expect(chunks[1]).toMatch(
      /^epoch 2\/2 train loss \d\.\d{4} acc \d+\.\d\d% \| test loss \d\.\d{4} acc \d+\.\d\d% \| \d+\.\ds\n$/,
    );
    train({
      model,
      optimizer,
      trainLoader: new DataLoader(tiny, { batchSize: 32 }),
      epochs: 1,
      quiet: true,
      progress: { stream },
    });
    expect(chunks).toHaveLength(2);
  });

  it('rejects bad epoch ranges and scheduler modes', () => {
    const { model, optimizer } = setup(7);
    const trainLoader = new DataLoader(tiny, { batchSize: 32 });
    expect(() => train({ model, optimizer, trainLoader, epochs: 2, startEpoch: 3 })).toThrow(
      /startEpoch must be an integer in \[0, epochs = 2\], got 3/,
    );
    expect(() => train({ model, optimizer, trainLoader, epochs: -1 })).toThrow(ValueError);
    expect(() => train({ model, optimizer, trainLoader, epochs: 1, schedulerStep: 'step' as 'batch' })).toThrow(
      /schedulerStep must be 'batch' or 'epoch'/,
    );
  });
});

describe('evaluate', () => {
  it('computes mean loss and accuracy in eval mode and restores every module mode', () => {
    manualSeed(8);
    const lin = new Linear(2, 3);
    lin.weight.data.set([1, 0, 0, 1, 0, 0]);
    lin.bias!.data.set([0, 0, 0.5]);
    const drop = new Dropout(0.9);
    const bn = new BatchNorm2d(1);
    const model = new Sequential(lin, drop);
    model.registerModule('frozen', bn);
    bn.eval();
    let seenTraining: boolean | null = null;
    const spy = new (class extends Linear {
      override forward(x: Tensor): Tensor {
        seenTraining = this.training;
        return x;
      }
    })(3, 3);
    model.append(spy);
    // Rows pick classes 0, 1, 2, 0 (the tie in the last row goes to the lowest index); targets 0, 1, 1, 0.
    const x = new Tensor(Float32Array.from([2, 0, 0, 2, 0, 0, 1, 1]), [4, 2]);
    const y = new Tensor(Float32Array.from([0, 1, 1, 0]), [4]);
    const res = evaluate(model, new DataLoader(new TensorDataset(x, y), { batchSize: 3 }));
    expect(res.accuracy).toBe(0.75);
    expect(seenTraining).toBe(false);
    // Without dropout (eval), the logits are exactly the linear map: check the loss by hand.
    const ce = (l: number[], t: number): number => Math.log(l.reduce((s, v) => s + Math.exp(v), 0)) - l[t]!;
    const expected = (ce([2, 0, 0.5], 0) + ce([0, 2, 0.5], 1) + ce([0, 0, 0.5], 1) + ce([1, 1, 0.5], 0)) / 4;
    expect(res.loss).toBeCloseTo(expected, 5);
    expect(model.training).toBe(true);
    expect(drop.training).toBe(true);
    expect(bn.training).toBe(false);
  });

  it('countCorrect checks shapes', () => {
    expect(
      countCorrect(new Tensor(Float32Array.from([0, 1, 1, 0]), [2, 2]), new Tensor(Float32Array.from([1, 1]), [2])),
    ).toBe(1);
    expect(() => countCorrect(new Tensor(new Float32Array(4), [4]), new Tensor(new Float32Array(4), [4]))).toThrow(
      /expected logits \[N, C\] and targets \[N\], got \[4\] and \[4\]/,
    );
  });
});
