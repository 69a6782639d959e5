import { describe, expect, it } from 'vitest';
import {
  type Reduction,
  type Tensor,
  adaptiveAvgPool2d,
  avgPool2d,
  batchNorm,
  conv1d,
  conv2d,
  conv3d,
  crossEntropy,
  embedding,
  gelu,
  groupNorm,
  instanceNorm,
  layerNorm,
  linear,
  logSoftmax,
  maxPool2d,
  mseLoss,
  nllLoss,
  softmax,
} from '../../src/tensor/index.js';
import { type FixtureArgs, type FixtureCase, loadTorchFixture, mismatch, toTensor } from '../helpers/fixtures.js';

/**
 * Golden tests against PyTorch 1.13 (fixtures written by tools/make_torch_fixtures.py). For each
 * case the op runs on the fixture's inputs, its outputs are compared, then the fixture's random
 * upstream gradient is backpropagated and every input gradient compared.
 * Tolerance: |ours - torch| <= ATOL + RTOL·|torch|, ATOL = 1e-5, RTOL = 1e-4 — float32 noise from a
 * different summation order, far below any real mistake (a wrong element is off by O(0.1)).
 */
const ATOL = 1e-5;
const RTOL = 1e-4;

type Inputs = Record<string, Tensor>;
type Runner = (t: Inputs, args: FixtureArgs) => Tensor;

function need(t: Inputs, key: string): Tensor {
  const v = t[key];
  if (v === undefined) throw new Error(`fixture case lacks input '${key}'`);
  return v;
}

function intOrTuple(args: FixtureArgs, key: string): number | number[] | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v === 'number' || Array.isArray(v)) return v;
  throw new Error(`fixture arg '${key}' should be a number or a list, got ${String(v)}`);
}

function num(args: FixtureArgs, key: string): number | undefined {
  const v = args[key];
  if (v === undefined || typeof v === 'number') return v;
  throw new Error(`fixture arg '${key}' should be a number, got ${String(v)}`);
}

function reduction(args: FixtureArgs): Reduction | undefined {
  const v = args['reduction'];
  if (v === undefined || v === 'mean' || v === 'sum' || v === 'none') return v;
  throw new Error(`fixture arg 'reduction' is not a reduction: ${String(v)}`);
}

const conv =
  (f: typeof conv2d): Runner =>
  (t, a) =>
    f(need(t, 'x'), need(t, 'w'), t['b'] ?? null, {
      stride: intOrTuple(a, 'stride'),
      padding: intOrTuple(a, 'padding'),
      dilation: intOrTuple(a, 'dilation'),
      groups: num(a, 'groups'),
    });

const classLoss = (t: Inputs, a: FixtureArgs) => ({
  reduction: reduction(a),
  ignoreIndex: num(a, 'ignoreIndex'),
  weight: t['weight'] ?? null,
});

/** Ops by fixture name. Batch and instance norm also update their running buffers in place. */
const runners: Record<string, Runner> = {
  conv1d: conv(conv1d),
  conv2d: conv(conv2d),
  conv3d: conv(conv3d),
  linear: (t) => linear(need(t, 'x'), need(t, 'w'), t['b'] ?? null),
  batchNorm: (t, a) =>
    batchNorm(need(t, 'x'), need(t, 'runningMean'), need(t, 'runningVar'), t['weight'] ?? null, t['bias'] ?? null, {
      training: a['training'] === true,
      momentum: num(a, 'momentum'),
      eps: num(a, 'eps'),
    }),
  layerNorm: (t, a) =>
    layerNorm(
      need(t, 'x'),
      intOrTuple(a, 'normalizedShape') ?? [],
      t['weight'] ?? null,
      t['bias'] ?? null,
      num(a, 'eps'),
    ),
  groupNorm: (t, a) =>
    groupNorm(need(t, 'x'), num(a, 'numGroups') ?? 1, t['weight'] ?? null, t['bias'] ?? null, num(a, 'eps')),
  instanceNorm: (t, a) =>
    instanceNorm(need(t, 'x'), need(t, 'runningMean'), need(t, 'runningVar'), t['weight'] ?? null, t['bias'] ?? null, {
      useInputStats: a['useInputStats'] !== false,
      momentum: num(a, 'momentum'),
      eps: num(a, 'eps'),
    }),
  embedding: (t) => embedding(need(t, 'indices'), need(t, 'weight')),
  crossEntropy: (t, a) =>
    crossEntropy(need(t, 'x'), need(t, 'target'), { ...classLoss(t, a), labelSmoothing: num(a, 'labelSmoothing') }),
  nllLoss: (t, a) => nllLoss(need(t, 'x'), need(t, 'target'), classLoss(t, a)),
  mseLoss: (t, a) => mseLoss(need(t, 'x'), need(t, 'target'), { reduction: reduction(a) }),
  maxPool2d: (t, a) =>
    maxPool2d(need(t, 'x'), {
      kernelSize: intOrTuple(a, 'kernelSize') ?? 1,
      stride: intOrTuple(a, 'stride'),
      padding: intOrTuple(a, 'padding'),
      dilation: intOrTuple(a, 'dilation'),
    }),
  avgPool2d: (t, a) =>
    avgPool2d(need(t, 'x'), {
      kernelSize: intOrTuple(a, 'kernelSize') ?? 1,
      stride: intOrTuple(a, 'stride'),
      padding: intOrTuple(a, 'padding'),
      countIncludePad: a['countIncludePad'] === undefined ? undefined : a['countIncludePad'] === true,
    }),
  adaptiveAvgPool2d: (t, a) => adaptiveAvgPool2d(need(t, 'x'), intOrTuple(a, 'outputSize') ?? 1),
  softmax: (t, a) => softmax(need(t, 'x'), num(a, 'dim') ?? -1),
  logSoftmax: (t, a) => logSoftmax(need(t, 'x'), num(a, 'dim') ?? -1),
  gelu: (t, a) => gelu(need(t, 'x'), a['approximate'] === 'tanh' ? 'tanh' : 'none'),
};

function check(c: FixtureCase, run: Runner): void {
  const inputs: Inputs = {};
  for (const [k, v] of Object.entries(c.inputs)) inputs[k] = toTensor(v, k in c.grads);
  const out = run(inputs, c.args);
  expect(mismatch(out, c.outputs['out']!, ATOL, RTOL), 'out').toBeNull();
  // Any other recorded output is an input updated in place (running statistics of the norms).
  for (const [k, expected] of Object.entries(c.outputs)) {
    if (k !== 'out') expect(mismatch(need(inputs, k), expected, ATOL, RTOL), k).toBeNull();
  }
  out.backward(toTensor(c.upstream));
  for (const [k, expected] of Object.entries(c.grads)) {
    const g = need(inputs, k).grad;
    expect(g, `grad of ${k}`).not.toBeNull();
    expect(mismatch(g!, expected, ATOL, RTOL), `grad of ${k}`).toBeNull();
  }
}

for (const [op, run] of Object.entries(runners)) {
  describe(`golden ${op} (torch 1.13)`, () => {
    const fixture = loadTorchFixture(op);
    it('fixture holds cases', () => {
      expect(fixture.cases.length).toBeGreaterThan(0);
    });
    for (const c of fixture.cases) it(c.name, () => check(c, run));
  });
}
