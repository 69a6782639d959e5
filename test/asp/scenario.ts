/**
 * apex's checkpoint scenario (checkpointing_test_part1/part2/reference, docs/apex-asp.md §4.3) with
 * fewer steps: Linear(8,32) (skipped: 8 % 16), Linear(32,32) ×2 and Linear(32,8) (sparsified),
 * seeds 4873 and 99875, allowRecomputeMask.
 */
import { ASP, type AspOptions } from '../../src/asp/index.js';
import { AdamW, Linear } from '../../src/nn/index.js';
import { MT19937 } from '../../src/tensor/index.js';
import { ToyModel, train } from './helpers.js';

export const DIMS = { batch: 32, inputs: 8, hidden: 32, outputs: 8 };
export const STEPS = { dense: 10, sparse: 15, resumed: 10 };

export const aspOptions = (pattern: string): AspOptions => ({
  maskCalculator: pattern,
  whitelist: [Linear],
  allowRecomputeMask: true,
  allowPermutation: false,
  verbosity: 0,
  logger: () => {},
});

export interface Prepared {
  model: ToyModel;
  asp: ASP;
  optimizer: AdamW;
}

/** Model, ASP and optimizer as both parts build them (init model, then optimizer). */
export function prepare(pattern: string, gen: MT19937): Prepared {
  const model = new ToyModel(DIMS.batch, DIMS.inputs, DIMS.hidden, DIMS.outputs, 4, gen);
  const asp = ASP.initModelForPruning(model, aspOptions(pattern));
  const optimizer = new AdamW(model.parameters(), { lr: 1e-3 });
  asp.initOptimizerForPruning(optimizer);
  return { model, asp, optimizer };
}

/** Part 1: seed 4873, dense steps, compute masks, sparse steps. */
export function part1(pattern: string): Prepared {
  const gen = new MT19937(4873);
  const p = prepare(pattern, gen);
  train(p.model, p.optimizer, DIMS, STEPS.dense, gen);
  p.asp.computeSparseMasks();
  train(p.model, p.optimizer, DIMS, STEPS.sparse, gen);
  return p;
}

/** Part 2's training: seed 99875, more sparse steps. */
export function resume(p: Prepared): void {
  train(p.model, p.optimizer, DIMS, STEPS.resumed, new MT19937(99875));
}
