import { describe, expect, it } from 'vitest';
import { ASP, AspError, type AspOptions, maskBufferName } from '../../src/asp/index.js';
import { Conv1d, Conv2d, Conv3d, Linear, Module, MultiheadAttention, SGD, StateDictError } from '../../src/nn/index.js';
import type { PermuteReport } from '../../src/permutation/index.js';
import { SparsityError, createMask, isNM } from '../../src/sparse/index.js';
import { MT19937, type Tensor, ValueError, ShapeError, randn, relu } from '../../src/tensor/index.js';

const quiet = (lines: string[] = []): Pick<AspOptions, 'logger' | 'allowPermutation'> => ({
  logger: (l) => lines.push(l),
  allowPermutation: false,
});

class Net extends Module {
  fc1: Linear;
  fc2: Linear;
  head: Linear;
  constructor(gen = new MT19937(1)) {
    super();
    this.fc1 = this.registerModule('fc1', new Linear(16, 32, { generator: gen }));
    this.fc2 = this.registerModule('fc2', new Linear(32, 16, { generator: gen }));
    this.head = this.registerModule('head', new Linear(16, 10, { generator: gen })); // 10 % 8 ≠ 0: auto-skipped
  }
  forward(x: Tensor): Tensor {
    return this.head.call(this.fc2.call(this.fc1.call(x)));
  }
}

class MyLinear extends Linear {}

describe('initModelForPruning', () => {
  it('adds persistent all-ones mask buffers under apex names and changes no weight', () => {
    const net = new Net();
    const before = net.fc1.weight.data.slice();
    const lines: string[] = [];
    const asp = ASP.initModelForPruning(net, { ...quiet(lines), allowRecomputeMask: true });
    expect(asp.sparseParameterNames()).toEqual(['fc1.weight', 'fc2.weight']);
    const keys = [...net.stateDict().keys()];
    expect(keys).toEqual([
      'fc1.weight',
      'fc1.bias',
      'fc1.__weight_mma_mask',
      'fc1.__weight_mma_pruned_p',
      'fc2.weight',
      'fc2.bias',
      'fc2.__weight_mma_mask',
      'fc2.__weight_mma_pruned_p',
      'head.weight',
      'head.bias',
    ]);
    expect([...net.stateDict().get('fc1.__weight_mma_mask')!.data].every((v) => v === 1)).toBe(true);
    expect([...net.stateDict().get('fc1.__weight_mma_pruned_p')!.data].every((v) => v === 0)).toBe(true);
    expect(net.fc1.weight.data).toEqual(before);
    expect(lines).toContain('[ASP] Auto skipping pruning head::weight of size=[10, 16] and type=float32 for sparsity');
    expect(lines).toContain('[ASP] Sparsifying fc1::weight of size=[32, 16] and type=float32');
    expect(lines).toContain('[ASP] Not sparsifying fc1::bias of size=[32] and type=float32 (not listed for its layer)');
    expect(asp.alreadyInitialized()).toBe(true);
    expect(new ASP().alreadyInitialized()).toBe(false);
  });

  it('without allowRecomputeMask registers only the mask; verbosity 0 still logs auto skips only', () => {
    const net = new Net();
    const lines: string[] = [];
    ASP.initModelForPruning(net, { ...quiet(lines), verbosity: 0 });
    expect([...net.stateDict().keys()].filter((k) => k.includes('mma'))).toEqual([
      'fc1.__weight_mma_mask',
      'fc2.__weight_mma_mask',
    ]);
    expect(lines).toEqual(['[ASP] Auto skipping pruning head::weight of size=[10, 16] and type=float32 for sparsity']);
  });

  it('sparsifies subclasses of whitelisted layers (apex: KeyError) and skips frozen parameters', () => {
    const m = new (class extends Module {
      a = this.registerModule('a', new MyLinear(16, 16));
      b = this.registerModule('b', new Linear(16, 16));
      forward(x: Tensor): Tensor {
        return this.b.call(this.a.call(x));
      }
    })();
    m.b.weight.requiresGrad_(false);
    const lines: string[] = [];
    const asp = ASP.initModelForPruning(m, quiet(lines));
    expect(asp.sparseParameterNames()).toEqual(['a.weight']);
    expect(lines).toContain('[ASP] Not sparsifying b::weight of size=[16, 16] and type=float32 (frozen)');
  });

  it('honours allowedLayerNames, disallowedLayerNames and the whitelist', () => {
    expect(
      ASP.initModelForPruning(new Net(), { ...quiet(), allowedLayerNames: ['fc2'] }).sparseParameterNames(),
    ).toEqual(['fc2.weight']);
    expect(
      ASP.initModelForPruning(new Net(), { ...quiet(), disallowedLayerNames: ['fc1'] }).sparseParameterNames(),
    ).toEqual(['fc2.weight']);
    expect(ASP.initModelForPruning(new Net(), { ...quiet(), whitelist: [Conv2d] }).sparseParameterNames()).toEqual([]);
  });

  it('covers Conv1d/2d/3d and MultiheadAttention (in_proj_weight and out_proj.weight)', () => {
    const m = new (class extends Module {
      c1 = this.registerModule('c1', new Conv1d(16, 8, 3));
      c2 = this.registerModule('c2', new Conv2d(32, 16, 3, { groups: 2 })); // in/groups = 16
      c3 = this.registerModule('c3', new Conv3d(16, 8, 1));
      mha = this.registerModule('mha', new MultiheadAttention(16, 2));
      forward(x: Tensor): Tensor {
        return x;
      }
    })();
    const asp = ASP.initModelForPruning(m, quiet());
    expect(asp.sparseParameterNames()).toEqual([
      'c1.weight',
      'c2.weight',
      'c3.weight',
      'mha.in_proj_weight',
      'mha.out_proj.weight',
    ]);
    expect(m.stateDict().has('mha.__in_proj_weight_mma_mask')).toBe(true);
    expect(m.stateDict().has('mha.out_proj.__weight_mma_mask')).toBe(true);
    asp.computeSparseMasks();
    for (const sp of asp.sparseParameters) expect(isNM(sp.param.data, sp.param.shape, 2, 4)).toBe(true);
  });

  it('customLayerDict adds a class and its parameter names; a whitelisted class without a list is refused', () => {
    class Gate extends Module {
      kernel = this.registerParameter('kernel', randn([8, 16], { generator: new MT19937(3) }));
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const m = new (class extends Module {
      g = this.registerModule('g', new Gate());
      forward(x: Tensor): Tensor {
        return x;
      }
    })();
    const asp = ASP.initModelForPruning(m, { ...quiet(), customLayerDict: new Map([[Gate, ['kernel']]]) });
    expect(asp.sparseParameterNames()).toEqual(['g.kernel']);
    expect(m.stateDict().has('g.__kernel_mma_mask')).toBe(true);
    expect(() => ASP.initModelForPruning(new Net(), { ...quiet(), whitelist: [Gate] })).toThrow(
      /Gate has no list of parameters.*customLayerDict/,
    );
  });
});

describe('errors', () => {
  it('init twice, a second ASP on the same model, optimizer before model, optimizer twice', () => {
    const net = new Net();
    const asp = ASP.initModelForPruning(net, quiet());
    expect(() => asp.initModelForPruning(new Net(), quiet())).toThrow(AspError);
    expect(() => asp.initModelForPruning(new Net(), quiet())).toThrow(/initialized already/);
    expect(() => ASP.initModelForPruning(net, quiet())).toThrow(/already prepared .* by another ASP/);
    expect(ASP.forModel(net)).toBe(asp);
    const opt = new SGD(net.parameters(), { lr: 0.1 });
    expect(() => new ASP().initOptimizerForPruning(opt)).toThrow(/call initModelForPruning\(model\) before/);
    asp.initOptimizerForPruning(opt);
    expect(() => asp.initOptimizerForPruning(opt)).toThrow(/initialized an optimizer already/);
  });

  it('unknown pattern fails at init with the registry error', () => {
    expect(() => ASP.initModelForPruning(new Net(), { ...quiet(), maskCalculator: 'm4n2_3d' })).toThrow(SparsityError);
    expect(() => ASP.initModelForPruning(new Net(), { ...quiet(), maskCalculator: 'm4n2_3d' })).toThrow(
      /unknown mask pattern 'm4n2_3d'/,
    );
  });

  it('recompute and restore without allowRecomputeMask throw and change nothing', () => {
    const net = new Net();
    const asp = ASP.initModelForPruning(net, quiet());
    asp.restorePrunedWeights(); // nothing applied yet: a no-op, as in apex
    asp.computeSparseMasks();
    const w = net.fc1.weight.data.slice();
    expect(() => asp.computeSparseMasks()).toThrow(AspError);
    expect(() => asp.computeSparseMasks()).toThrow(
      /unable to recompute the masks of fc1.weight, fc2.weight: allowRecomputeMask is false/,
    );
    expect(() => asp.restorePrunedWeights()).toThrow(/unable to restore the dense weights of fc1.weight, fc2.weight/);
    expect(net.fc1.weight.data).toEqual(w);
    expect(asp.isSparsityEnabled()).toBe(true);
  });

  it('methods before init say what to call first', () => {
    expect(() => new ASP().computeSparseMasks()).toThrow(/computeSparseMasks: call initModelForPruning\(model\) first/);
    expect(() => new ASP().restorePrunedWeights()).toThrow(AspError);
    expect(new ASP().isSparsityEnabled()).toBe(false);
  });

  it('isSparsityEnabled: false dense, true sparse, throws on a mix', () => {
    const net = new Net();
    const asp = ASP.initModelForPruning(net, { ...quiet(), allowRecomputeMask: true });
    expect(asp.isSparsityEnabled()).toBe(false);
    asp.computeSparseMasks();
    expect(asp.isSparsityEnabled()).toBe(true);
    asp.sparseParameters[1]!.mask.data.fill(1);
    expect(() => asp.isSparsityEnabled()).toThrow(
      /inconsistent model sparsity: dense masks on fc2.weight; sparse masks on fc1.weight/,
    );
    asp.restorePrunedWeights();
    expect(asp.isSparsityEnabled()).toBe(false);
  });

  it('a user mask function with the wrong size or non-0/1 values is refused', () => {
    const bad = (f: AspOptions['maskCalculator']): ASP =>
      ASP.initModelForPruning(new Net(), { ...quiet(), maskCalculator: f });
    expect(() => bad(() => new Uint8Array(3)).computeSparseMasks()).toThrow(ShapeError);
    expect(() => bad((w) => new Float32Array(w.size).fill(0.5)).computeSparseMasks()).toThrow(ValueError);
  });

  it('an unprepared model refuses an ASP state dict with the explanatory error', () => {
    const src = new Net();
    ASP.initModelForPruning(src, quiet()).computeSparseMasks();
    expect(() => new Net().loadStateDict(src.stateDict())).toThrow(StateDictError);
    expect(() => new Net().loadStateDict(src.stateDict())).toThrow(/\(initModelForPruning\) before loadStateDict/);
  });
});

describe('computeSparseMasks', () => {
  it('masks are createMask of the dense weight, pruned weights become zeros, sparsity is logged', () => {
    const net = new Net();
    const dense = net.fc1.weight.data.slice();
    const lines: string[] = [];
    const asp = ASP.initModelForPruning(net, { ...quiet(lines), verbosity: 2 });
    asp.computeSparseMasks();
    const expected = createMask(dense, [32, 16], 'm4n2_1d');
    expect([...net.stateDict().get(`fc1.${maskBufferName('weight')}`)!.data]).toEqual([...expected]);
    expect([...net.fc1.weight.data]).toEqual([...dense].map((v, i) => v * expected[i]!));
    expect(
      lines.filter((l) =>
        l.startsWith('[ASP] Enabled 50.00% sparsity for fc1::weight of size=[32, 16] and type=float32 with magnitude '),
      ),
    ).toHaveLength(1);
  });

  it.each([
    ['1:4', 1, 4, '75.00'],
    ['4:8', 4, 8, '50.00'],
    ['2:8', 2, 8, '75.00'],
  ])('general N:M through the same workflow: %s', (pattern, n, m, pct) => {
    const net = new Net();
    const lines: string[] = [];
    const asp = ASP.initModelForPruning(net, { ...quiet(lines), verbosity: 2, maskCalculator: pattern });
    asp.computeSparseMasks();
    for (const sp of asp.sparseParameters) expect(isNM(sp.param.data, sp.param.shape, n, m)).toBe(true);
    expect(lines.some((l) => l.startsWith(`[ASP] Enabled ${pct}% sparsity for fc2::weight`))).toBe(true);
    expect(asp.isSparsityEnabled()).toBe(true);
  });

  it('2-D masks (m4n2_2d_best, m4n2_2d_greedy) are 2:4 along rows and columns', () => {
    for (const pattern of ['m4n2_2d_best', 'm4n2_2d_greedy']) {
      const net = new Net();
      const asp = ASP.initModelForPruning(net, { ...quiet(), maskCalculator: pattern });
      asp.computeSparseMasks();
      const w = net.fc1.weight;
      expect(isNM(w.data, w.shape, 2, 4)).toBe(true);
      const t = new Float32Array(w.size); // transpose [16, 32]
      for (let r = 0; r < 32; r++) for (let c = 0; c < 16; c++) t[c * 32 + r] = w.data[r * 16 + c]!;
      expect(isNM(t, [16, 32], 2, 4)).toBe(true);
    }
  });

  it('a user mask function gets a copy of the weight in its own shape', () => {
    const net = new Net();
    const seen: string[] = [];
    const asp = ASP.initModelForPruning(net, {
      ...quiet(),
      maskCalculator: (w) => {
        seen.push(w.shape.join('x'));
        w.data.fill(7); // must not reach the model
        return Float32Array.from({ length: w.size }, (_, i) => i % 2);
      },
    });
    const dense = net.fc1.weight.data.slice();
    asp.computeSparseMasks();
    expect(seen).toEqual(['32x16', '16x32']);
    expect([...net.fc1.weight.data]).toEqual([...dense].map((v, i) => v * (i % 2)));
  });

  it('two models in one process keep separate state', () => {
    const a = new Net(new MT19937(1));
    const b = new Net(new MT19937(2));
    const aspA = ASP.initModelForPruning(a, { ...quiet(), maskCalculator: '1:4' });
    const aspB = ASP.initModelForPruning(b, { ...quiet(), maskCalculator: '2:4', allowRecomputeMask: true });
    aspA.computeSparseMasks();
    expect(aspA.isSparsityEnabled()).toBe(true);
    expect(aspB.isSparsityEnabled()).toBe(false);
    aspB.computeSparseMasks();
    expect(isNM(a.fc1.weight.data, [32, 16], 1, 4)).toBe(true);
    expect(isNM(b.fc1.weight.data, [32, 16], 1, 4)).toBe(false);
    aspB.restorePrunedWeights();
    expect(aspA.isSparsityEnabled()).toBe(true);
  });
});

const emptyReport = (): PermuteReport => ({
  groups: [],
  permutedC: [],
  permutedK: [],
  permutedBuffers: [],
  skipped: [],
  layers: [],
  unpermuted: [],
  nodes: [],
});

describe('permutation wiring', () => {
  it('runs the permutation (before masks) with the example input and the sparse parameter names', () => {
    const net = new Net();
    const x = randn([2, 16], { generator: new MT19937(5) });
    const calls: { names: readonly string[]; input: readonly Tensor[]; saveGraph: boolean; dir: string }[] = [];
    const report = emptyReport();
    const asp = ASP.initModelForPruning(net, {
      logger: () => {},
      exampleInput: x,
      allowRecomputeMask: true,
      permuteModel: (model, input, o) => {
        calls.push({ names: o.sparseParameters, input, saveGraph: o.saveGraph, dir: o.outputDir });
        (model as Net).fc1.weight.data.reverse(); // stands in for a permutation: masks must see it
        return report;
      },
    });
    expect(asp.permutationReport()).toBeNull();
    asp.setPermutationSavingParams({ savePermutationGraph: true, permutationOutputDir: '/tmp/g' });
    const permuted = net.fc1.weight.data.slice().reverse();
    asp.computeSparseMasks();
    expect(calls).toEqual([{ names: ['fc1.weight', 'fc2.weight'], input: [x], saveGraph: true, dir: '/tmp/g' }]);
    expect(asp.permutationReport()).toBe(report);
    expect(asp.lastPermutation()).toEqual({ report, seconds: expect.any(Number) });
    const mask = createMask(permuted, [32, 16]);
    expect([...net.fc1.weight.data]).toEqual([...permuted].map((v, i) => v * mask[i]!));
    asp.setPermutationSavingParams({ allowPermutation: false });
    asp.computeSparseMasks();
    expect(calls).toHaveLength(1);
  });

  it('allowPermutation without exampleInput logs a clear skip (even at verbosity 0) and computes masks', () => {
    const lines: string[] = [];
    let called = false;
    const asp = ASP.initModelForPruning(new Net(), {
      verbosity: 0,
      logger: (l) => lines.push(l),
      permuteModel: () => {
        called = true;
        return emptyReport();
      },
    });
    expect(lines.some((l) => /allowPermutation is true but no exampleInput was given/.test(l))).toBe(true);
    asp.computeSparseMasks();
    expect(called).toBe(false);
    expect(asp.isSparsityEnabled()).toBe(true);
  });
});

describe('pruneTrainedModel', () => {
  it('one call: apex whitelist [Linear, Conv2d, MHA], m4n2_1d masks, patched optimizer', () => {
    const m = new (class extends Module {
      c1 = this.registerModule('c1', new Conv1d(16, 8, 1));
      c2 = this.registerModule('c2', new Conv2d(16, 8, 1));
      fc = this.registerModule('fc', new Linear(16, 8));
      forward(x: Tensor): Tensor {
        return x;
      }
    })();
    const opt = new SGD(m.parameters(), { lr: 0.5 });
    const lines: string[] = [];
    const asp = ASP.pruneTrainedModel(m, opt, { logger: (l) => lines.push(l), allowPermutation: false });
    expect(asp.sparseParameterNames()).toEqual(['c2.weight', 'fc.weight']);
    expect(asp.isSparsityEnabled()).toBe(true);
    expect(asp.optimizer).toBe(opt);
    expect(lines.filter((l) => l.includes('Enabled 50.00% sparsity'))).toHaveLength(2);
    expect(lines.some((l) => l.includes('Sparsifying'))).toBe(false); // verbosity 2
    for (const p of m.parameters()) p.grad = randn(p.shape, { generator: new MT19937(9) });
    opt.step();
    expect(isNM(m.fc.weight.data, [8, 16], 2, 4)).toBe(true);
    expect(isNM(m.c1.weight.data, [8, 16, 1], 2, 4)).toBe(false);
  });
});

describe('built-in permutation', () => {
  it('permutes channels before masking, keeps the function, keeps at least as much magnitude', () => {
    const build = (): Module<[Tensor], Tensor> =>
      new (class extends Module {
        fc1 = this.registerModule('fc1', new Linear(16, 32, { generator: new MT19937(11) }));
        fc2 = this.registerModule('fc2', new Linear(32, 16, { generator: new MT19937(12) }));
        forward(x: Tensor): Tensor {
          return this.fc2.call(relu(this.fc1.call(x)));
        }
      })();
    const x = randn([4, 16], { generator: new MT19937(13) });
    const plain = build();
    const permuted = build();
    const before = permuted.call(x).data.slice();
    const aspPlain = ASP.initModelForPruning(plain, { ...quiet(), allowRecomputeMask: true });
    const progress: string[] = [];
    const aspPerm = ASP.initModelForPruning(permuted, {
      logger: () => {},
      exampleInput: x,
      allowRecomputeMask: true,
      permutation: { perLayerGuard: true, onProgress: (e) => progress.push(`${e.group}/${e.groups} ${e.status}`) },
    });
    aspPlain.computeSparseMasks();
    aspPerm.computeSparseMasks();
    // The settings reach the permutation library: one progress event per group of the typed report.
    const groups = aspPerm.permutationReport()?.groups ?? [];
    expect(progress).toEqual(groups.map((g) => `${g.id}/${groups.length} ${g.status}`));
    expect(aspPerm.permutationReport()?.permutedC).toContain('fc2.weight');
    expect(aspPlain.permutationReport()).toBeNull();
    const kept = (m: Module<[Tensor], Tensor>): number =>
      m
        .namedParameters()
        .filter(([n]) => n.endsWith('weight'))
        .reduce((s, [, p]) => s + p.data.reduce((a, v) => a + Math.abs(v), 0), 0);
    expect(kept(permuted)).toBeGreaterThanOrEqual(kept(plain) - 1e-4);
    for (const sp of aspPerm.sparseParameters) expect(isNM(sp.param.data, sp.param.shape, 2, 4)).toBe(true);
    aspPerm.restorePrunedWeights(); // dense again, permuted: same function as before pruning
    const after = permuted.call(x).data;
    after.forEach((v, i) => expect(v).toBeCloseTo(before[i]!, 4));
  });
});
