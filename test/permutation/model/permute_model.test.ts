/**
 * permuteModel beyond apex's test models: the cases apex crashes on or gets wrong, the real small
 * models, staged application, and a property over random networks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BatchNorm2d,
  Conv2d,
  Conv3d,
  Linear,
  Module,
  ReLU,
  Sequential,
  mobilenetSmall,
  resnetSmall,
} from '../../../src/nn/index.js';
import { permuteAlong, permuteModel, replicatePermutation } from '../../../src/permutation/index.js';
import { MT19937, type Tensor, add, cat, rand, relu, sum } from '../../../src/tensor/index.js';
import { CHEAP, expectClose, forward, randomize } from './helpers.js';

function check(model: Module, shape: number[], c: number, k: number): ReturnType<typeof permuteModel> {
  randomize(model, 3);
  const x = rand(shape, { generator: new MT19937(2) });
  const before = forward(model, x);
  const report = permuteModel(model, x, CHEAP);
  expect(report.permutedC.length).toBe(c);
  expect(report.permutedK.length).toBe(k);
  expectClose(forward(model, x), before);
  return report;
}

class Conv3dNet extends Module {
  readonly a = this.registerModule('a', new Conv3d(16, 16, 3, { padding: 1 }));
  readonly bn = this.registerModule('bn', new Conv3d(16, 8, 1));
  forward(x: Tensor): Tensor {
    return this.bn.call(relu(this.a.call(x)));
  }
}

class InputResidual extends Module {
  readonly c1 = this.registerModule('conv1', new Conv2d(16, 16, 1));
  readonly c2 = this.registerModule('conv2', new Conv2d(16, 16, 1));
  forward(x: Tensor): Tensor {
    return this.c2.call(add(this.c1.call(x), x));
  }
}

class UsedTwice extends Module {
  readonly inp = this.registerModule('inp', new Conv2d(8, 16, 1));
  readonly shared = this.registerModule('shared', new Conv2d(16, 16, 1));
  readonly out = this.registerModule('out', new Conv2d(16, 8, 1));
  forward(x: Tensor): Tensor {
    return this.out.call(this.shared.call(relu(this.shared.call(this.inp.call(x)))));
  }
}

/** The branch taken depends on the data; only the branch that ran is traced and permuted. */
class DataDependent extends Module {
  readonly inp = this.registerModule('inp', new Linear(8, 16));
  readonly big = this.registerModule('big', new Linear(16, 16));
  readonly small = this.registerModule('small', new Linear(16, 16));
  readonly out = this.registerModule('out', new Linear(16, 8));
  forward(x: Tensor): Tensor {
    const h = this.inp.call(x);
    return this.out.call(sum(h).item() > 0 ? this.big.call(h) : this.small.call(h));
  }
}

describe('cases apex cannot handle', () => {
  it('Conv3d is a permutation target (apex: unknown module, a barrier)', () => {
    check(new Conv3dNet(), [2, 16, 3, 3, 3], 1, 2);
  });

  it('a residual straight from the input pins the add (apex silently permutes conv1)', () => {
    const r = check(new InputResidual(), [2, 16, 3, 3], 0, 0);
    expect(r.groups.some((g) => g.status === 'pinned' && g.reason === 'network input')).toBe(true);
  });

  it('a layer used twice gets one permutation per weight dimension', () => {
    // inp → shared → shared → out all meet in one class: shared's C and K, inp's K, out's C.
    const r = check(new UsedTwice(), [2, 8, 3, 3], 2, 4);
    expect(new Set(r.permutedC)).toEqual(new Set(['shared.weight', 'out.weight']));
  });

  it('data-dependent control flow: traces what ran', () => {
    const r = check(new DataDependent(), [4, 8], 2, 4);
    const ran = r.permutedC.includes('big.weight') ? 'big' : 'small';
    expect(r.permutedC).not.toContain(ran === 'big' ? 'small.weight' : 'big.weight');
  });

  it('a concat along channels is found from its dim, however it was written', () => {
    class Cat extends Module {
      readonly a = this.registerModule('a', new Conv2d(16, 16, 1));
      readonly b = this.registerModule('b', new Conv2d(16, 16, 1));
      readonly out = this.registerModule('out', new Conv2d(32, 16, 1));
      forward(x: Tensor): Tensor {
        return this.out.call(cat([this.a.call(x), this.b.call(x)], -3));
      }
    }
    check(new Cat(), [2, 16, 2, 2], 1, 4);
  });
});

describe('real models', () => {
  it.each([
    ['resnetSmall', () => resnetSmall({ inChannels: 3, numClasses: 8, width: 16 }), [2, 3, 8, 8]],
    ['mobilenetSmall', () => mobilenetSmall({ inChannels: 3, numClasses: 8 }), [2, 3, 16, 16]],
  ] as const)('%s keeps its outputs and does not lose kept magnitude overall', (_n, make, shape) => {
    const model = make();
    randomize(model, 5);
    const x = rand([...shape], { generator: new MT19937(4) });
    const before = forward(model, x);
    const report = permuteModel(model, x, { search: { strategy: 'channel-swap' } });
    expectClose(forward(model, x), before);
    expect(report.permutedC.length).toBeGreaterThan(0);
    // A group's search maximises its siblings' total, so one sibling may lose a little while the
    // group gains; the total over all sparse layers must not drop.
    const total = (k: 'before' | 'after'): number => report.layers.reduce((s, l) => s + l[k], 0);
    expect(total('after')).toBeGreaterThanOrEqual(total('before') * (1 - 1e-6));
    // every BatchNorm in a permuted group has its running stats permuted too
    expect(report.permutedBuffers.length).toBeGreaterThan(0);
  });
});

describe('perLayerGuard', () => {
  it('keeps every sparse layer at or above its unpermuted kept magnitude, and only guards groups that needed it', () => {
    const run = (guard: boolean): ReturnType<typeof permuteModel> => {
      const model = resnetSmall({ inChannels: 3, numClasses: 8, width: 16 });
      randomize(model, 5);
      const x = rand([2, 3, 8, 8], { generator: new MT19937(4) });
      const before = forward(model, x);
      const report = permuteModel(model, x, { search: { strategy: 'channel-swap' }, perLayerGuard: guard });
      expectClose(forward(model, x), before);
      return report;
    };
    const free = run(false);
    const guarded = run(true);
    // Without the guard this model has a layer that loses (the search maximises its group's total).
    const losers = free.layers.filter((l) => l.after < l.before);
    expect(losers.length).toBeGreaterThan(0);
    for (const l of guarded.layers) expect(l.after).toBeGreaterThanOrEqual(l.before);
    const guardedGroups = guarded.groups.filter((g) => g.status === 'guarded');
    expect(guardedGroups.length).toBeGreaterThan(0);
    for (const g of guardedGroups) {
      expect(g.permutation).toBeNull();
      expect(g.reason).toMatch(/lowers .*'s kept magnitude/);
      // A guarded group is one whose free permutation made a member lose.
      expect(g.sparse.some((n) => losers.some((l) => l.name === n))).toBe(true);
    }
  });
});

describe('applying', () => {
  it('replicates a permutation over repeated blocks', () => {
    expect([...replicatePermutation([1, 0, 2], 2)]).toEqual([1, 0, 2, 4, 3, 5]);
    const d = Float32Array.from([10, 11, 20, 21]);
    expect([...permuteAlong(d, [2, 2], 0, [1, 0], 'w')]).toEqual([20, 21, 10, 11]);
    expect(() => permuteAlong(d, [2, 2], 1, [0, 1, 2], 'w')).toThrow(/multiple of the permutation length 3/);
  });
});

describe('property: a permuted random network computes the same function', () => {
  it('random Linear/Conv stacks with norms and residual adds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        (seed, depth, residual) => {
          const w = 16;
          class Net extends Module {
            readonly stem = this.registerModule('stem', new Conv2d(4, w, 1));
            readonly body = this.registerModule('body', new Sequential());
            readonly head = this.registerModule('head', new Conv2d(w, 8, 1));
            constructor() {
              super();
              for (let i = 0; i < depth; i++)
                this.body.append(new Sequential(new Conv2d(w, w, 1), new BatchNorm2d(w), new ReLU()));
            }
            forward(x: Tensor): Tensor {
              const s = this.stem.call(x);
              const b = this.body.call(s);
              return this.head.call(residual ? add(s, b) : b);
            }
          }
          const m = new Net();
          randomize(m, seed);
          const x = rand([2, 4, 2, 2], { generator: new MT19937(seed) });
          const before = forward(m, x);
          const r = permuteModel(m, x, { search: { strategy: 'random', trials: 3, seed } });
          expect(r.permutedC.length).toBeGreaterThan(0);
          expectClose(forward(m, x), before);
        },
      ),
      { numRuns: 15 },
    );
  });
});
