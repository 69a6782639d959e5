import { expect } from 'vitest';
import { type AnyModule, Module } from '../../../src/nn/index.js';
import { type PermuteModelOptions, type PermuteReport, permuteModel } from '../../../src/permutation/index.js';
import { MT19937, type Tensor, noGrad, rand } from '../../../src/tensor/index.js';

/** A model with the input shape and the counts apex's test module declares. */
export abstract class TestModel extends Module {
  abstract readonly inputShape: number[];
}

/**
 * Seeded values everywhere: weights, biases, affine params and running statistics (variances kept
 * positive), so a permutation that misses any of them changes the output.
 */
export function randomize(model: AnyModule, seed = 7): void {
  const g = new MT19937(seed);
  for (const [name, t] of [...model.namedParameters(), ...model.namedBuffers()]) {
    if (name.endsWith('num_batches_tracked') || name.includes('_mma_')) continue;
    const positive = name.endsWith('running_var');
    for (let i = 0; i < t.data.length; i++) {
      const u = g.nextDouble();
      t.data[i] = positive ? 0.5 + u : (u - 0.5) * (name.endsWith('weight') ? 0.6 : 1);
    }
  }
}

export function forward(model: AnyModule, x: Tensor): Float32Array {
  model.eval();
  return noGrad(() => {
    const y = (model.call as (t: Tensor) => Tensor | [Tensor, unknown])(x);
    return (Array.isArray(y) ? y[0] : y).data.slice();
  });
}

export function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const excess = Math.abs(actual[i]! - expected[i]!) - (1e-5 + 1e-4 * Math.abs(expected[i]!));
    worst = Math.max(worst, excess);
  }
  expect(worst).toBeLessThanOrEqual(0);
}

/** A cheap search: these tests check the bookkeeping, not the search quality. */
export const CHEAP: PermuteModelOptions = { search: { strategy: 'random', trials: 2 } };

/** apex's harness: permute, then check counts, no unpermuted dims, same output. */
export function runApexCase(
  model: TestModel,
  expectedC: number,
  expectedK: number,
  opts: PermuteModelOptions = CHEAP,
  prepare?: () => void,
): PermuteReport {
  randomize(model);
  prepare?.();
  const x = rand(model.inputShape, { generator: new MT19937(1) });
  const before = forward(model, x);
  const report = permuteModel(model, x, opts);
  expect(report.permutedC.length).toBe(expectedC);
  expect(report.permutedK.length).toBe(expectedK);
  expect(report.unpermuted).toEqual([]);
  expectClose(forward(model, x), before);
  return report;
}
