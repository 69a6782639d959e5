import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASP } from '../../../src/asp/index.js';
import { calibrate, exportQuantized, prepareQat } from '../../../src/asp/qat/index.js';
import { main } from '../../../src/cli/main.js';
import { DataLoader, digitsDataset } from '../../../src/nn/data/index.js';
import { Adam, Linear, ReLU, Sequential, evaluate, train } from '../../../src/nn/index.js';
import { MT19937 } from '../../../src/tensor/index.js';
import { capture, withTmp } from '../../cli/helpers.js';

const trainSet = digitsDataset({ split: 'train', normalize: true });
const testSet = digitsDataset({ split: 'test', normalize: true });
const testLoader = new DataLoader(testSet, { batchSize: 512 });

/** The stated margin: the 2:4 int8 model may lose at most 2 accuracy points against the dense float model. */
const MARGIN = 0.02;

describe('dense → 2:4 → sparse fine-tune → QAT on digits', () => {
  it('keeps accuracy within 2 points of dense and exports int8 2:4 weights that pass check', async () => {
    const g = new MT19937(1);
    const model = new Sequential(
      new Linear(64, 64, { generator: g }),
      new ReLU(),
      new Linear(64, 64, { generator: g }),
      new ReLU(),
      new Linear(64, 10, { generator: g }),
    );
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    const loader = (seed: number): DataLoader => new DataLoader(trainSet, { batchSize: 32, shuffle: true, seed });
    train({ model, optimizer, trainLoader: loader(1), epochs: 3, quiet: true });
    const dense = evaluate(model, testLoader).accuracy;

    const asp = ASP.initModelForPruning(model, {
      verbosity: 0,
      allowPermutation: false,
      logger: () => {},
    }).initOptimizerForPruning(optimizer);
    asp.computeSparseMasks();
    expect(asp.sparseParameterNames()).toEqual(['0.weight', '2.weight']); // [10, 64] fails apex's shape filter
    const pruned = evaluate(model, testLoader).accuracy;
    train({ model, optimizer, trainLoader: loader(2), epochs: 2, quiet: true });
    const sparse = evaluate(model, testLoader).accuracy;

    prepareQat(model);
    calibrate(model, loader(3), 8);
    optimizer.paramGroups.forEach((pg) => (pg.lr = 0.002));
    train({ model, optimizer, trainLoader: loader(4), epochs: 1, quiet: true });
    const qat = evaluate(model, testLoader).accuracy;
    console.log(
      `digits MLP accuracy: dense ${dense}, pruned ${pruned}, sparse fine-tuned ${sparse}, sparse int8 QAT ${qat}`,
    );
    expect(dense).toBeGreaterThan(0.93);
    expect(qat).toBeGreaterThanOrEqual(dense - MARGIN);
    expect(asp.isSparsityEnabled()).toBe(true);

    await withTmp(async (dir) => {
      const densePath = join(dir, 'int8.safetensors');
      const res = await exportQuantized(model, densePath);
      expect(res.layers.map((l) => [l.name, l.int8Is24, l.pattern24Broken])).toEqual([
        ['0', true, false],
        ['2', true, false],
        ['4', false, false],
      ]);
      expect(await main(['check', densePath, '--strict'], capture().io)).toBe(0);
      const j = capture();
      await main(['check', densePath, '--json'], j.io);
      const checked = (JSON.parse(j.out.join('')) as { tensors: { name: string; dtype: string; isNM: boolean }[] })
        .tensors;
      expect(checked.filter((t) => ['0.weight', '2.weight'].includes(t.name)).map((t) => [t.dtype, t.isNM])).toEqual([
        ['I8', true],
        ['I8', true],
      ]);

      const cutlassPath = join(dir, 'int8-24.safetensors');
      const sparse24 = await exportQuantized(model, cutlassPath, { layout: 'cutlass-24' });
      expect(sparse24.layers.map((l) => l.stored)).toEqual(['int8-cutlass-24', 'int8-cutlass-24', 'int8']);
      expect(await main(['check', cutlassPath, '--strict'], capture().io)).toBe(0);
    });
  });
});
