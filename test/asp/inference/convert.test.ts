import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASP } from '../../../src/asp/index.js';
import { QatError, prepareQat } from '../../../src/asp/qat/index.js';
import {
  SparseConv1d,
  SparseConv2d,
  SparseConv3d,
  SparseLinear,
  cloneModule,
  fromSparseInference,
  planSparseInference,
  toSparseInference,
} from '../../../src/asp/inference/index.js';
import {
  BatchNorm2d,
  Conv1d,
  Conv2d,
  Conv3d,
  Flatten,
  Linear,
  Module,
  ReLU,
  Sequential,
} from '../../../src/nn/index.js';
import { isNM } from '../../../src/sparse/index.js';
import { MT19937, Tensor, ValueError, randn, setGpuMode, withBackend } from '../../../src/tensor/index.js';

const quiet = { verbosity: 0, allowPermutation: false, logger: () => {} } as const;

/** A model that keeps its layers in fields and an array, as hand-written models do. */
class TwoPath extends Module {
  readonly conv1d: Conv1d;
  readonly conv3d: Conv3d;
  readonly heads: Linear[] = [];

  constructor(g: MT19937) {
    super();
    this.conv1d = this.registerModule('conv1d', new Conv1d(16, 8, 3, { padding: 1, generator: g }));
    this.conv3d = this.registerModule('conv3d', new Conv3d(16, 16, [1, 2, 2], { bias: false, generator: g }));
    this.heads.push(this.registerModule('head', new Linear(32, 16, { generator: g })));
  }

  forward(x: Tensor): Tensor {
    // x [B, 16, 4]: conv1d → [B, 8, 4] → flat [B, 32]; conv3d sees x as [B, 16, 1, 2, 2].
    const a = this.conv1d.call(x);
    const b = this.conv3d.call(new Tensor(x.data.slice(), [x.shape[0]!, 16, 1, 2, 2]));
    const flat = new Tensor(
      a.data.map((v, i) => v + b.data[i % b.data.length]!),
      [x.shape[0]!, 32],
    );
    return this.heads[0]!.call(flat);
  }
}

function convNet(g: MT19937): Sequential {
  return new Sequential(
    new Conv2d(16, 16, 3, { padding: 1, generator: g }),
    new BatchNorm2d(16),
    new ReLU(),
    new Conv2d(16, 8, 1, { generator: g }),
    new Flatten(),
    new Linear(8 * 3 * 3, 10, { generator: g }), // [10, 72]: fails apex's shape filter, stays dense
  );
}

function prune<M extends Module>(model: M): M {
  ASP.initModelForPruning(model, quiet).computeSparseMasks();
  return model;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('toSparseInference', () => {
  it('swaps masked layers for sparse ones at the same names, keeps the rest, leaves the original alone', () => {
    const g = new MT19937(3);
    const model = prune(convNet(g));
    const before = [...model.stateDict()].map(([k, t]) => [k, [...t.data]] as const);
    const sparse = toSparseInference(model);
    expect(sparse).not.toBe(model);
    expect(sparse.at(0)).toBeInstanceOf(SparseConv2d);
    expect(sparse.at(3)).toBeInstanceOf(SparseConv2d);
    expect(sparse.at(5)).toBeInstanceOf(Linear);
    expect(sparse.at(1)).toBeInstanceOf(BatchNorm2d);
    expect(sparse.at(1)).not.toBe(model.at(1));
    expect(model.at(0)).toBeInstanceOf(Conv2d);
    expect([...model.stateDict()].map(([k, t]) => [k, [...t.data]] as const)).toEqual(before);
    expect([...sparse.stateDict().keys()]).toEqual([
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '3.bias',
      '5.weight',
      '5.bias',
    ]);
    expect(sparse.training).toBe(false);
    const plan = planSparseInference(model);
    expect(plan.map((p) => [p.name, p.convert])).toEqual([
      ['0', true],
      ['3', true],
      ['5', false],
    ]);
    expect(plan[2]!.reason).toMatch(/no ASP mask/);
  });

  it('converts layers kept in fields and arrays (Conv1d, Conv3d, Linear) and round-trips back', () => {
    const model = prune(new TwoPath(new MT19937(5)));
    const sparse = toSparseInference(model);
    expect(sparse.conv1d).toBeInstanceOf(SparseConv1d);
    expect(sparse.conv3d).toBeInstanceOf(SparseConv3d);
    expect(sparse.heads[0]).toBeInstanceOf(SparseLinear);
    expect(sparse.getSubmodule('head')).toBe(sparse.heads[0]);
    const dense = fromSparseInference(sparse);
    expect(dense.conv1d).toBeInstanceOf(Conv1d);
    expect(dense.heads[0]).toBe(dense.getSubmodule('head'));
    // Decompressed weights and masks equal the masked originals (a pruned -0 comes back as +0).
    const a = model.stateDict();
    const b = dense.stateDict();
    expect([...b.keys()]).toEqual([...a.keys()]);
    const plus = (t: Tensor): number[] => Array.from(t.data, (v) => v + 0);
    for (const [k, t] of a) expect(plus(b.get(k)!)).toEqual(plus(t));
  });

  it('fromWeights converts unmasked layers that are already 2:4; strict refuses a dense mask', () => {
    const g = new MT19937(7);
    const lin = new Linear(16, 8, { generator: g });
    lin.weight.data.forEach((_, i) => (lin.weight.data[i] = i % 4 < 2 ? 0 : lin.weight.data[i]!));
    expect(toSparseInference(new Sequential(lin)).at(0)).toBeInstanceOf(Linear);
    expect(toSparseInference(new Sequential(lin), { fromWeights: true }).at(0)).toBeInstanceOf(SparseLinear);
    const unmasked = new Sequential(new Linear(16, 8, { generator: g }));
    ASP.initModelForPruning(unmasked, quiet); // masks all ones: not computed yet
    expect(planSparseInference(unmasked)[0]!.reason).toMatch(/all ones/);
    expect(() => toSparseInference(unmasked, { strict: true })).toThrow(ValueError);
    expect(() => toSparseInference(unmasked, { strict: true })).toThrow(
      /layer '0' has an ASP mask but its mask is all ones/,
    );
  });

  it('a 1:4 mask converts too (padded groups hold a kept zero); the stored pattern is the mask', () => {
    const model = new Sequential(new Linear(16, 8, { generator: new MT19937(1) }));
    ASP.initModelForPruning(model, { ...quiet, maskCalculator: '1:4' }).computeSparseMasks();
    const sparse = toSparseInference(model).at(0) as SparseLinear;
    expect(isNM(sparse.weight.values, [8, 8], 1, 2)).toBe(true);
  });

  describe.each([
    ['reference', null],
    ['gpu', 'webasm'],
  ] as const)('same outputs as the masked dense model in eval mode (%s backend)', (backend, mode) => {
    it('random models and inputs', () => {
      if (mode !== null) setGpuMode(mode);
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 3 }), (seed, batch) => {
          const g = new MT19937(seed);
          for (const model of [prune(convNet(g)).eval(), prune(new TwoPath(g)).eval()] as Module[]) {
            const sparse = toSparseInference(model);
            const x =
              model instanceof TwoPath
                ? randn([batch, 16, 4], { generator: g })
                : randn([batch, 16, 3, 3], { generator: g });
            withBackend(backend, () => {
              const want = (model as Sequential).call(x).data;
              const got = (sparse as Sequential).call(x).data;
              expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
            });
          }
        }),
        { numRuns: 6 },
      );
    });
  });
});

describe('cloneModule', () => {
  it('copies a QAT-prepared layer as a plain layer that uses its own weights, not the original', () => {
    const model = new Sequential(new Linear(16, 8, { generator: new MT19937(2) }));
    prepareQat(model);
    const copy = cloneModule(model).eval();
    (model.at(0) as Linear).weight.data.fill(0);
    const x = randn([2, 16], { generator: new MT19937(3) });
    const y = copy.call(x).data;
    expect(y.some((v, i) => v !== (copy.at(0) as Linear).bias!.data[i % 8])).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(copy.at(0), 'forward')).toBe(false);
  });

  it('refuses a QAT-prepared model with a QatError naming its first prepared layer and the way out', () => {
    const model = new Sequential(new Linear(16, 8), new Linear(8, 16));
    const asp = ASP.initModelForPruning(model, { logger: () => {}, allowPermutation: false });
    asp.computeSparseMasks();
    prepareQat(model, { filter: (name) => name === '1' });
    expect(() => toSparseInference(model)).toThrow(QatError);
    expect(() => toSparseInference(model)).toThrow(
      /layer '1' is prepared for QAT .*exportQuantized.*before prepareQat/,
    );
    // Converting first, then preparing the dense layers that remain, is the order that works.
    const fresh = new Sequential(new Linear(16, 8), new Linear(8, 16));
    ASP.initModelForPruning(fresh, { logger: () => {}, allowPermutation: false }).computeSparseMasks();
    const sparse = toSparseInference(fresh);
    expect(sparse.at(0)).toBeInstanceOf(SparseLinear);
  });
});
