import { describe, expect, it } from 'vitest';
import { type PruneMethod, pruneLayer, pruneOneShot, reconstructionError } from '../../src/asp/index.js';
import { demoCnn } from '../../src/demo/model.js';
import { DataLoader, digitsDataset } from '../../src/nn/data/index.js';
import { Adam, Linear, Module, MultiheadAttention, ReLU, Sequential, evaluate, train } from '../../src/nn/index.js';
import { isNM } from '../../src/sparse/index.js';
import { Tensor, manualSeed, noGrad, randn } from '../../src/tensor/index.js';

const quiet = { verbosity: 0, logger: () => {} };

function trainedMlp(): Sequential {
  manualSeed(11);
  const model = new Sequential(new Linear(64, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 10));
  const data = digitsDataset({ split: 'train', normalize: true });
  train({
    model,
    trainLoader: new DataLoader(data, { batchSize: 64, shuffle: true, seed: 1 }),
    optimizer: new Adam(model.parameters(), { lr: 0.01 }),
    epochs: 4,
    quiet: true,
  });
  return model;
}

function calibration(): Tensor {
  const d = digitsDataset({ split: 'train', normalize: true });
  const x = new Float32Array(256 * 64);
  for (let i = 0; i < 256; i++) x.set(d.get(i).x.data, i * 64);
  return new Tensor(x, [256, 64]);
}

function accuracy(model: Sequential): number {
  return evaluate(model, new DataLoader(digitsDataset({ split: 'test', normalize: true }), { batchSize: 128 }))
    .accuracy;
}

/** ‖f(X) − g(X)‖² / ‖g(X)‖² of the logits on the test split: how far pruning moved the model. */
function outputDistance(f: Sequential, g: Sequential): number {
  const x = digitsDataset({ split: 'test', normalize: true }).images;
  const [a, b] = noGrad(() => [f.call(x), g.call(x)]);
  let num = 0;
  let den = 0;
  a!.data.forEach((v, i) => {
    num += (v - b!.data[i]!) ** 2;
    den += b!.data[i]! ** 2;
  });
  return num / den;
}

describe('pruneOneShot', () => {
  const dense = trainedMlp();
  const denseState = dense.stateDict();
  const fresh = (): Sequential => {
    const m = new Sequential(new Linear(64, 64), new ReLU(), new Linear(64, 32), new ReLU(), new Linear(32, 10));
    m.loadStateDict(denseState);
    return m;
  };
  const results = new Map<PruneMethod, { acc: number; distance: number; errors: (number | null)[] }>();
  for (const method of ['magnitude', 'wanda', 'sparsegpt'] as const) {
    it(`${method}: 2:4 masks in apex's buffers, pruned weights, a report per layer`, () => {
      const model = fresh();
      const progress: string[] = [];
      const r = pruneOneShot(model, calibration(), {
        method,
        asp: quiet,
        onLayer: (l, i, n) => progress.push(`${i + 1}/${n} ${l.name}`),
      });
      expect(r.layers.map((l) => [l.name, l.method, l.rows])).toEqual([
        ['0.weight', method, 256],
        ['2.weight', method, 256],
      ]);
      expect(progress).toEqual(['1/2 0.weight', '2/2 2.weight']);
      const state = model.stateDict();
      for (const name of ['0', '2']) {
        const w = state.get(`${name}.weight`)!;
        const mask = state.get(`${name}.__weight_mma_mask`)!;
        expect(isNM(mask.data, mask.shape, 2, 4)).toBe(true);
        w.data.forEach((v, i) => {
          if (mask.data[i] === 0) expect(v).toBe(0);
        });
      }
      expect(r.asp.isSparsityEnabled()).toBe(true);
      results.set(method, {
        acc: accuracy(model),
        distance: outputDistance(model, fresh()),
        errors: r.layers.map((l) => l.reconstructionError),
      });
    });
  }

  it('SparseGPT < Wanda < magnitude: in the first layer’s error and in how far the model’s outputs move', () => {
    const [mag, wanda, gpt] = [results.get('magnitude')!, results.get('wanda')!, results.get('sparsegpt')!];
    // Layer 0 sees the same calibration rows under every method.
    expect(gpt.errors[0]!).toBeLessThan(wanda.errors[0]!);
    expect(wanda.errors[0]!).toBeLessThan(mag.errors[0]!);
    // On the test split (not the calibration rows), logits relative to the dense model's.
    expect(gpt.distance).toBeLessThan(wanda.distance);
    expect(wanda.distance).toBeLessThan(mag.distance);
    // Accuracy is a coarse signal on 359 images (magnitude pruning even gains here), so only a floor.
    expect(gpt.acc).toBeGreaterThan(accuracy(fresh()) - 0.03);
  });

  it('ASP fine-tuning continues from it and keeps the pruned weights at zero', () => {
    const model = fresh();
    const { asp } = pruneOneShot(model, calibration(), { method: 'sparsegpt', asp: quiet });
    const optimizer = new Adam(model.parameters(), { lr: 0.005 });
    asp.initOptimizerForPruning(optimizer);
    train({
      model,
      trainLoader: new DataLoader(digitsDataset({ split: 'train', normalize: true }), {
        batchSize: 64,
        shuffle: true,
        seed: 2,
      }),
      optimizer,
      epochs: 1,
      quiet: true,
    });
    const state = model.stateDict();
    for (const name of ['0', '2']) {
      const w = state.get(`${name}.weight`)!;
      const mask = state.get(`${name}.__weight_mma_mask`)!;
      w.data.forEach((v, i) => {
        if (mask.data[i] === 0) expect(v).toBe(0);
      });
    }
  });

  it('prunes Conv layers along their input channels, sequentially, and names what it prunes by magnitude', () => {
    manualSeed(5);
    const cnn = demoCnn(8);
    const images = randn([8, 1, 8, 8]);
    const r = pruneOneShot(cnn, images, { method: 'sparsegpt', asp: quiet, blocksize: 16 });
    expect(r.layers.map((l) => [l.name, l.rows])).toEqual([
      ['3.weight', 8 * 4 * 4],
      ['6.weight', 8 * 2 * 2],
      ['9.weight', 8],
    ]);
    for (const l of r.layers) expect(l.reconstructionError!).toBeLessThan(1);
    const state = cnn.stateDict();
    const mask = state.get('3.__weight_mma_mask')!;
    expect(isNM(mask.data, mask.shape, 2, 4)).toBe(true);

    class WithAttention extends Sequential {}
    const att = new WithAttention(new Linear(16, 16));
    const mha = new MultiheadAttention(16, 2);
    att.registerModule('att', mha);
    const r2 = pruneOneShot(att, randn([4, 16]), { method: 'wanda', asp: quiet });
    expect(r2.layers.find((l) => l.name === 'att.in_proj_weight')).toMatchObject({
      method: 'magnitude',
      note: 'the calibration batches never reached it: pruned by magnitude',
    });
  });

  /** x → self-attention (q = k = v = x) or cross-attention (k = v = memory) → Linear. */
  class Attend extends Module {
    readonly att: MultiheadAttention;
    readonly fc = this.registerModule('fc', new Linear(16, 16));
    constructor(
      readonly batchFirst: boolean,
      readonly memory: Tensor | null,
    ) {
      super();
      this.att = this.registerModule('att', new MultiheadAttention(16, 2, { batchFirst }));
    }
    forward(x: Tensor): Tensor {
      const kv = this.memory ?? x;
      return this.fc.call(this.att.call(x, kv, kv, { needWeights: false })[0]);
    }
  }

  for (const batchFirst of [true, false]) {
    it(`prunes self-attention's in_proj_weight on its input rows (batchFirst ${batchFirst}), cross-attention by magnitude`, () => {
      manualSeed(3);
      const x = randn(batchFirst ? [3, 5, 16] : [5, 3, 16]);
      const model = new Attend(batchFirst, null);
      const weight = model.att.inProjWeight.data.slice();
      const r = pruneOneShot(model, x, { method: 'sparsegpt', asp: quiet, blocksize: 8 });
      const att = r.layers.find((l) => l.name === 'att.in_proj_weight')!;
      expect(att).toMatchObject({ method: 'sparsegpt', shape: [48, 16], rows: 15, note: null });
      // The error is the one of the [3E, E] weight on the 15 token rows of x, whatever the layout.
      const rows = new Tensor(x.data.slice(), [15, 16]);
      const w = new Tensor(weight, [48, 16]);
      const pruned = new Tensor(model.att.inProjWeight.data.slice(), [48, 16]);
      expect(att.reconstructionError).toBeCloseTo(reconstructionError(w, pruned, rows), 6);
      const byMagnitude = pruneLayer(w, { method: 'magnitude', pattern: '2:4' });
      expect(att.reconstructionError!).toBeLessThanOrEqual(reconstructionError(w, byMagnitude.weight, rows));
      const mask = model.stateDict().get('att.__in_proj_weight_mma_mask')!;
      expect(isNM(mask.data, mask.shape, 2, 4)).toBe(true);

      const cross = new Attend(batchFirst, randn(batchFirst ? [3, 7, 16] : [7, 3, 16]));
      const rc = pruneOneShot(cross, x, { method: 'wanda', asp: quiet });
      expect(rc.layers.find((l) => l.name === 'att.in_proj_weight')).toMatchObject({
        method: 'magnitude',
        reconstructionError: null,
        note: 'attention with distinct query, key or value (not self-attention): pruned by magnitude',
      });
      expect(rc.layers.find((l) => l.name === 'fc.weight')).toMatchObject({ method: 'wanda', rows: 15 });
    });
  }

  it('refuses empty calibration and unknown methods', () => {
    expect(() => pruneOneShot(fresh(), [], { method: 'wanda' })).toThrow(/calibration holds no batch/);
    expect(() => pruneOneShot(fresh(), calibration(), { method: 'obs' as never })).toThrow(/unknown method 'obs'/);
  });
});
