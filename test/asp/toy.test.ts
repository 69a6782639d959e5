/**
 * apex's toy problem (test/toy_problem.py, docs/apex-asp.md §4.2) with fewer steps: which layers are
 * sparsified, pruned weights staying exactly zero through the optimizer, recompute, restore.
 */
import { describe, expect, it } from 'vitest';
import { ASP } from '../../src/asp/index.js';
import { AdamW, type BaseHyper, Linear, type Optimizer, SGD } from '../../src/nn/index.js';
import { createMask, isNM } from '../../src/sparse/index.js';
import { MT19937 } from '../../src/tensor/index.js';
import { ToyModel, sameBits, train } from './helpers.js';

const dims = { batch: 32, inputs: 16, hidden: 40, outputs: 8 };

function run(makeOptimizer: (m: ToyModel) => Optimizer<BaseHyper>): void {
  const gen = new MT19937(1234);
  const model = new ToyModel(dims.batch, dims.inputs, dims.hidden, dims.outputs, 4, gen);
  const lines: string[] = [];
  const asp = ASP.initModelForPruning(model, {
    maskCalculator: 'm4n2_1d',
    whitelist: [Linear],
    allowRecomputeMask: true,
    logger: (l) => lines.push(l),
  });
  const opt = makeOptimizer(model);
  asp.initOptimizerForPruning(opt);

  // Only linear_layer_1 (40×16) passes the tensor-core filter; the 40×40 and 8×40 weights are auto-skipped.
  expect(asp.sparseParameterNames()).toEqual(['linear_layer_1.weight']);
  expect(lines.filter((l) => l.startsWith('[ASP] Auto skipping pruning'))).toEqual([
    '[ASP] Auto skipping pruning linear_layer_2::weight of size=[40, 40] and type=float32 for sparsity',
    '[ASP] Auto skipping pruning linear_layer_3::weight of size=[40, 40] and type=float32 for sparsity',
    '[ASP] Auto skipping pruning linear_layer_4::weight of size=[8, 40] and type=float32 for sparsity',
  ]);
  // apex's FusedAdam run logs the permutation it cannot do; ours says why it skipped.
  expect(lines.some((l) => l.includes('no exampleInput'))).toBe(true);

  const w = model.linears[0]!.weight;
  const mask = asp.sparseParameters[0]!.mask.data;
  const prunedStayZero = (): void => {
    for (let i = 0; i < w.size; i++)
      if (mask[i] === 0 && w.data[i] !== 0) throw new Error(`pruned weight ${i} revived: ${w.data[i]}`);
  };

  train(model, opt, dims, 8, gen);
  const dense0 = w.data.slice();
  asp.computeSparseMasks();
  const mask1 = createMask(dense0, w.shape);
  expect([...mask]).toEqual([...mask1]);
  expect(isNM(w.data, w.shape, 2, 4)).toBe(true);
  expect(mask.reduce((a, b) => a + b, 0)).toBe(w.size / 2);

  train(model, opt, dims, 12, gen, prunedStayZero);
  // Recompute: the dense weights come back first (kept entries as trained, pruned ones as stored).
  const dense1 = Float32Array.from(w.data, (v, i) => (mask1[i] ? v : dense0[i]!));
  asp.computeSparseMasks();
  const mask2 = createMask(dense1, w.shape);
  expect([...mask]).toEqual([...mask2]);
  expect(mask2).not.toEqual(mask1); // training moved the weights enough to change some groups
  expect(
    sameBits(
      w.data,
      Float32Array.from(dense1, (v, i) => v * mask2[i]!),
    ),
  ).toBe(true);

  train(model, opt, dims, 6, gen, prunedStayZero);
  const restored = Float32Array.from(w.data, (v, i) => (mask2[i] ? v : dense1[i]!));
  asp.restorePrunedWeights();
  expect(sameBits(w.data, restored)).toBe(true);
  expect(mask.every((v) => v === 1)).toBe(true);
  expect(asp.isSparsityEnabled()).toBe(false);

  train(model, opt, dims, 4, gen);
  expect(isNM(w.data, w.shape, 2, 4)).toBe(false); // dense training again
}

describe('apex toy problem', () => {
  it('SGD with momentum and weight decay', () => {
    run((m) => new SGD(m.parameters(), { lr: 1e-3, momentum: 0.9, weightDecay: 1e-2 }));
  });

  it('AdamW with weight decay', () => {
    run((m) => new AdamW(m.parameters(), { lr: 1e-2, weightDecay: 0.1 }));
  });

  it('without the ASP optimizer hooks, momentum revives pruned weights (why the hooks exist)', () => {
    const gen = new MT19937(7);
    const model = new ToyModel(dims.batch, dims.inputs, dims.hidden, dims.outputs, 4, gen);
    const asp = ASP.initModelForPruning(model, { allowPermutation: false, logger: () => {} });
    const opt = new SGD(model.parameters(), { lr: 1e-3, momentum: 0.9 });
    train(model, opt, dims, 3, gen);
    asp.computeSparseMasks();
    train(model, opt, dims, 1, gen);
    expect(isNM(model.linears[0]!.weight.data, [40, 16], 2, 4)).toBe(false);
  });
});
