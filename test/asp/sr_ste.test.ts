import { describe, expect, it } from 'vitest';
import { ASP, SrSte } from '../../src/asp/index.js';
import { DataLoader, digitsDataset } from '../../src/nn/data/index.js';
import { Adam, Linear, ReLU, Sequential, evaluate, train } from '../../src/nn/index.js';
import { isNM } from '../../src/sparse/index.js';
import { manualSeed } from '../../src/tensor/index.js';

const quiet = { verbosity: 0, logger: () => {}, allowPermutation: false };
const mlp = (): Sequential => {
  manualSeed(21);
  return new Sequential(new Linear(64, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 10));
};
const trainSet = digitsDataset({ split: 'train', normalize: true });
const loader = (seed: number): DataLoader => new DataLoader(trainSet, { batchSize: 64, shuffle: true, seed });
const accuracy = (m: Sequential): number =>
  evaluate(m, new DataLoader(digitsDataset({ split: 'test', normalize: true }), { batchSize: 128 })).accuracy;

/** Every sparse weight is zero where its mask is, and the mask is N:M (along C; `transposed`: also along K). */
function expectSparse(asp: ASP, transposed = false): void {
  for (const sp of asp.sparseParameters) {
    expect(isNM(sp.mask.data, sp.mask.shape, 2, 4)).toBe(true);
    if (transposed) {
      const [r, c] = sp.mask.shape as [number, number];
      const t = new Float32Array(r * c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = sp.mask.data[i * c + j]!;
      expect(isNM(t, [c, r], 2, 4)).toBe(true);
    }
    sp.param.data.forEach((v, i) => {
      if (sp.mask.data[i] === 0) expect(v).toBe(0);
    });
  }
}

describe('SR-STE', () => {
  it('trained from dense on digits, it reaches the accuracy of ASP (dense, prune, fine-tune) within a point', () => {
    const a = mlp();
    train({
      model: a,
      trainLoader: loader(1),
      optimizer: new Adam(a.parameters(), { lr: 0.01 }),
      epochs: 6,
      quiet: true,
    });
    const asp = ASP.initModelForPruning(a, quiet);
    asp.computeSparseMasks();
    const fineTune = new Adam(a.parameters(), { lr: 0.003 });
    asp.initOptimizerForPruning(fineTune);
    train({ model: a, trainLoader: loader(2), optimizer: fineTune, epochs: 3, quiet: true });
    const aspAccuracy = accuracy(a);

    const b = mlp();
    const asp2 = ASP.initModelForPruning(b, quiet);
    const optimizer = new Adam(b.parameters(), { lr: 0.01 });
    const srste = SrSte.start(asp2, optimizer);
    const flips: number[] = [];
    train({
      model: b,
      trainLoader: loader(1),
      optimizer,
      epochs: 9,
      quiet: true,
      onEpoch: () => void flips.push(srste.flipRate()),
    });
    srste.finish();
    expect(accuracy(b)).toBeGreaterThanOrEqual(aspAccuracy - 0.01);
    expectSparse(asp2);
    expect(asp2.isSparsityEnabled()).toBe(true);
    // The masks settle: far fewer flips in the last epoch than in the first, but never none at all.
    expect(flips).toHaveLength(9);
    expect(flips[0]!).toBeGreaterThan(0);
    expect(flips.at(-1)!).toBeLessThan(flips[0]! / 3);
    expect(srste.steps).toBe(9 * Math.ceil(trainSet.length / 64));
  });

  it('the decay pulls pruned weights towards zero; after finish, ASP fine-tuning keeps the masks', () => {
    const prunedNorm = (decay: number): { norm: number; asp: ASP; model: Sequential } => {
      const model = mlp();
      const asp = ASP.initModelForPruning(model, quiet);
      const optimizer = new Adam(model.parameters(), { lr: 0.01 });
      const s = SrSte.start(asp, optimizer, { decay });
      train({ model, trainLoader: loader(3), optimizer, epochs: 2, quiet: true });
      let norm = 0;
      s.denseWeights().forEach((w, k) => {
        const mask = asp.sparseParameters[k]!.mask.data;
        w.forEach((v, i) => (norm += mask[i] === 0 ? v * v : 0));
      });
      s.finish();
      return { norm, asp, model };
    };
    const plain = prunedNorm(0);
    const decayed = prunedNorm(0.05);
    expect(decayed.norm).toBeLessThan(plain.norm / 2);
    const optimizer = new Adam(decayed.model.parameters(), { lr: 0.003 });
    decayed.asp.initOptimizerForPruning(optimizer);
    train({ model: decayed.model, trainLoader: loader(4), optimizer, epochs: 1, quiet: true });
    expectSparse(decayed.asp);
  });

  it('transposable masks: with m4n2_2d_greedy both W and Wᵀ are 2:4', () => {
    const model = mlp();
    const asp = ASP.initModelForPruning(model, { ...quiet, maskCalculator: 'm4n2_2d_greedy' });
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    const s = SrSte.start(asp, optimizer, { pattern: 'm4n2_2d_greedy', every: 4 });
    train({ model, trainLoader: loader(5), optimizer, epochs: 1, quiet: true });
    s.finish();
    expectSparse(asp, true);
  });

  it('refuses what it cannot run', () => {
    const model = mlp();
    const asp = ASP.initModelForPruning(model, quiet);
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    expect(() => SrSte.start(asp, optimizer, { every: 0 })).toThrow(/every must be a positive integer/);
    expect(() => SrSte.start(asp, optimizer, { decay: -1 })).toThrow(/decay must be a finite number >= 0/);
    asp.initOptimizerForPruning(optimizer);
    expect(() => SrSte.start(asp, optimizer)).toThrow(/SR-STE replaces them/);
  });
});
