import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  AdamW,
  type AdamHyper,
  Linear,
  OptimizerError,
  type Optimizer,
  Parameter,
  SGD,
  type SGDHyper,
} from '../../../src/nn/index.js';
import { type Tensor, ValueError, fromArray, linear, manualSeed, mseLoss, randn } from '../../../src/tensor/index.js';
import { type FixtureTensor, mismatch, toTensor } from '../../helpers/fixtures.js';

interface OptimFixture {
  problem: Record<'weight' | 'bias' | 'x' | 'y', FixtureTensor>;
  runs: {
    optimizer: string;
    args: Record<string, number | boolean | number[]>;
    steps: Record<'weight' | 'bias', FixtureTensor>[];
  }[];
}

const fx = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/nn/optim.json', import.meta.url)), 'utf8'),
) as OptimFixture;

function make(name: string, params: Tensor[], args: OptimFixture['runs'][number]['args']): Optimizer<{ lr: number }> {
  if (name === 'SGD') return new SGD(params, args as unknown as SGDHyper);
  const a = args as unknown as Partial<AdamHyper>;
  return name === 'Adam' ? new Adam(params, a) : new AdamW(params, a);
}

describe('optimizers against torch 1.13 (3 steps of a tiny least-squares problem)', () => {
  for (const run of fx.runs) {
    it(`${run.optimizer} ${JSON.stringify(run.args)}`, () => {
      const w = toTensor(fx.problem.weight, true);
      const b = toTensor(fx.problem.bias, true);
      const x = toTensor(fx.problem.x);
      const y = toTensor(fx.problem.y);
      const opt = make(run.optimizer, [w, b], run.args);
      for (const expected of run.steps) {
        opt.zeroGrad();
        mseLoss(linear(x, w, b), y).backward();
        opt.step();
        expect(mismatch(w, expected.weight, 1e-6, 1e-5)).toBeNull();
        expect(mismatch(b, expected.bias, 1e-6, 1e-5)).toBeNull();
      }
    });
  }
});

/** Trains a small linear model for `steps` steps; returns the weights afterwards. */
function trainSteps(opt: Optimizer<{ lr: number }>, model: Linear, x: Tensor, y: Tensor, steps: number): void {
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    mseLoss(model.call(x), y).backward();
    opt.step();
  }
}

describe('optimizer state dicts', () => {
  const cases: [string, (p: Parameter[]) => Optimizer<{ lr: number }>][] = [
    ['SGD momentum nesterov', (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
    ['Adam amsgrad', (p) => new Adam(p, { lr: 0.01, amsgrad: true })],
    ['AdamW', (p) => new AdamW(p, { lr: 0.01 })],
  ];
  for (const [name, makeOpt] of cases) {
    it(`${name}: save after 3 steps, restore into fresh objects, continue: bit-identical to an uninterrupted run`, () => {
      manualSeed(3);
      const x = randn([6, 4]);
      const y = randn([6, 2]);
      const a = new Linear(4, 2);
      const b = new Linear(4, 2);
      b.loadStateDict(a.stateDict());
      const optA = makeOpt(a.parameters());
      trainSteps(optA, a, x, y, 3);
      const modelSd = a.stateDict();
      const optSd = optA.stateDict();
      trainSteps(optA, a, x, y, 3);

      const optB = makeOpt(b.parameters());
      b.loadStateDict(modelSd);
      optB.loadStateDict(optSd);
      trainSteps(optB, b, x, y, 3);
      expect(b.weight.data).toEqual(a.weight.data);
      expect(b.bias!.data).toEqual(a.bias!.data);
    });
  }

  it('is plain data: parameters by index, moments as copies, PyTorch state keys', () => {
    const p = new Parameter(fromArray([1, 2]));
    const q = new Parameter(fromArray([3]));
    const opt = new Adam([{ params: [p] }, { params: [q], lr: 0.5 }], { lr: 0.1 });
    p.grad = fromArray([1, 1]);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.paramGroups.map((g) => [g.params, g.lr])).toEqual([
      [[0], 0.1],
      [[1], 0.5],
    ]);
    expect(Object.keys(sd.state)).toEqual(['0']);
    expect(Object.keys(sd.state[0]!).sort()).toEqual(['exp_avg', 'exp_avg_sq', 'step']);
    expect(sd.state[0]!['step']).toBe(1);
    const m = sd.state[0]!['exp_avg'] as Tensor;
    m.data[0] = 123;
    expect((opt.state.get(p)!['exp_avg'] as Tensor).data[0]).toBeCloseTo(0.1, 6);
  });

  it('rejects a state dict for other groups or shapes with OptimizerError', () => {
    const p = new Parameter(fromArray([1, 2]));
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = fromArray([1, 1]);
    opt.step();
    const sd = opt.stateDict();
    const other = new SGD([new Parameter(fromArray([1, 2, 3]))], { lr: 0.1, momentum: 0.9 });
    expect(() => other.loadStateDict(sd)).toThrow(OptimizerError);
    expect(() => other.loadStateDict(sd)).toThrow(/momentum_buffer.*\[2\].*\[3\]/);
    const two = new SGD([{ params: [new Parameter(fromArray([1, 2]))] }, { params: [new Parameter(fromArray([1]))] }], {
      lr: 1,
    });
    expect(() => two.loadStateDict(sd)).toThrow(/1 parameter groups, the optimizer 2/);
  });
});

describe('optimizer behaviour', () => {
  it('param groups keep their own lr; missing hyperparameters come from the defaults', () => {
    const p = new Parameter(fromArray([1]));
    const q = new Parameter(fromArray([1]));
    const opt = new SGD([{ params: [p] }, { params: [q], lr: 1 }], { lr: 0.1, momentum: 0.5 });
    expect(opt.paramGroups[1]!.momentum).toBe(0.5);
    p.grad = fromArray([1]);
    q.grad = fromArray([1]);
    opt.step();
    expect(p.data[0]).toBeCloseTo(0.9, 6);
    expect(q.data[0]).toBeCloseTo(0, 6);
  });

  it('skips parameters without a gradient and zeroGrad clears gradients', () => {
    const p = new Parameter(fromArray([1]));
    const opt = new Adam([p], { lr: 0.1 });
    opt.step();
    expect(p.data[0]).toBe(1);
    expect(opt.state.size).toBe(0);
    p.grad = fromArray([2]);
    opt.zeroGrad(false);
    expect(p.grad.data[0]).toBe(0);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it('runs pre hooks before and post hooks after the update; handles remove them', () => {
    const p = new Parameter(fromArray([1, 1]));
    const opt = new SGD([p], { lr: 1 });
    const seen: string[] = [];
    const pre = opt.registerStepPreHook((o) => {
      seen.push(`pre ${p.data[0]}`);
      o.paramGroups[0]!.params[0]!.grad!.data[1] = 0; // mask the second gradient
    });
    opt.registerStepPostHook(() => seen.push(`post ${p.data[0]}`));
    p.grad = fromArray([0.5, 0.5]);
    opt.step();
    expect(seen).toEqual(['pre 1', 'post 0.5']);
    expect([...p.data]).toEqual([0.5, 1]);
    pre.remove();
    p.grad = fromArray([0.5, 0.5]);
    opt.step();
    expect([...p.data]).toEqual([0, 0.5]);
  });

  it('step(closure) returns the closure value', () => {
    const p = new Parameter(fromArray([1]));
    const opt = new SGD([p], { lr: 1 });
    expect(opt.step(() => 42)).toBe(42);
  });

  it('names a bad hyperparameter', () => {
    const p = () => [new Parameter(fromArray([1]))];
    expect(() => new SGD(p(), { lr: -1 })).toThrow(ValueError);
    expect(() => new SGD(p(), { lr: 0.1, nesterov: true })).toThrow(/nesterov needs momentum > 0/);
    expect(() => new Adam(p(), { betas: [0.9, 1] })).toThrow(/betas\[1\] must be in \[0, 1\), got 1/);
    expect(() => new SGD([], { lr: 0.1 })).toThrow(/empty parameter list/);
    const shared = new Parameter(fromArray([1]));
    expect(() => new SGD([{ params: [shared] }, { params: [shared] }], { lr: 0.1 })).toThrow(/more than one group/);
  });
});
