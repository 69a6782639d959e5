import { describe, expect, it } from 'vitest';
import { ASP, GradualPruning, cubicSparsity } from '../../src/asp/index.js';
import { DataLoader, digitsDataset } from '../../src/nn/data/index.js';
import { Adam, Linear, ReLU, Sequential, evaluate, train } from '../../src/nn/index.js';
import { isNM } from '../../src/sparse/index.js';
import { manualSeed } from '../../src/tensor/index.js';

const quiet = { verbosity: 0, logger: () => {}, allowPermutation: false };

describe('gradual N:M pruning', () => {
  it('follows the cubic schedule', () => {
    expect([0, 10, 15, 20, 30, 40, 50].map((t) => cubicSparsity(t, 10, 50))).toEqual([
      0,
      0,
      1 - 0.875 ** 3,
      1 - 0.75 ** 3,
      1 - 0.5 ** 3,
      1 - 0.25 ** 3,
      1,
    ]);
  });

  it('prunes the scheduled share of groups, never revives one, and ends N:M', () => {
    manualSeed(8);
    const model = new Sequential(new Linear(64, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 10));
    const asp = ASP.initModelForPruning(model, quiet);
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    const data = digitsDataset({ split: 'train', normalize: true });
    const stepsPerEpoch = Math.ceil(data.length / 64);
    const gradual = GradualPruning.start(asp, optimizer, { startStep: 5, endStep: 2 * stepsPerEpoch, frequency: 3 });
    const history: { step: number; share: number[]; masks: Float32Array[] }[] = [];
    optimizer.registerStepPostHook(() => {
      history.push({
        step: gradual.steps,
        share: asp.sparseParameters.map((sp) => {
          let dropped = 0;
          for (const v of sp.mask.data) dropped += 1 - v;
          return dropped / (sp.mask.size / 2); // 2 of every 4 dropped in a pruned group
        }),
        masks: asp.sparseParameters.map((sp) => sp.mask.data.slice()),
      });
    });
    train({
      model,
      trainLoader: new DataLoader(data, { batchSize: 64, shuffle: true, seed: 1 }),
      optimizer,
      epochs: 3,
      quiet: true,
    });
    gradual.finish();
    // The post hooks run in registration order, so each entry shows the masks after that step's update.
    for (const h of history) {
      if (h.step % 3 !== 0 && h.step !== 2 * stepsPerEpoch) continue;
      const want = cubicSparsity(h.step, 5, 2 * stepsPerEpoch);
      h.share.forEach((s, k) => {
        const groups = asp.sparseParameters[k]!.mask.size / 4;
        expect(s).toBeCloseTo(want >= 1 ? 1 : Math.round(want * groups) / groups, 10);
      });
    }
    let revived = 0;
    for (let i = 1; i < history.length; i++) {
      history[i]!.masks.forEach((m, k) => m.forEach((v, j) => (revived += v > history[i - 1]!.masks[k]![j]! ? 1 : 0)));
    }
    expect(revived).toBe(0);
    for (const sp of asp.sparseParameters) {
      expect(isNM(sp.mask.data, sp.mask.shape, 2, 4)).toBe(true);
      sp.param.data.forEach((v, i) => {
        if (sp.mask.data[i] === 0) expect(v).toBe(0);
      });
    }
    const accuracy = evaluate(
      model,
      new DataLoader(digitsDataset({ split: 'test', normalize: true }), { batchSize: 128 }),
    ).accuracy;
    expect(accuracy).toBeGreaterThan(0.9);
  });

  it('refuses block patterns and empty ranges', () => {
    const model = new Sequential(new Linear(64, 64));
    const asp = ASP.initModelForPruning(model, quiet);
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    expect(() => GradualPruning.start(asp, optimizer, { endStep: 0 })).toThrow(/0 <= startStep < endStep/);
    expect(() => GradualPruning.start(asp, optimizer, { endStep: 10, pattern: 'm4n2_2d_best' })).toThrow(/4×4 blocks/);
  });
});
