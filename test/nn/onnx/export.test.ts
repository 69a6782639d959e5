import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoCnn } from '../../../src/demo/model.js';
import { loadOnnx, onnxLayerWeights, parseOnnx, serializeOnnx } from '../../../src/io/index.js';
import {
  BatchNorm1d,
  Conv1d,
  Conv3d,
  GELU,
  GroupNorm,
  LayerNorm,
  Linear,
  Module,
  MultiheadAttention,
  ReLU,
  Sequential,
  mobilenetSmall,
  resnetSmall,
} from '../../../src/nn/index.js';
import type { AnyModule } from '../../../src/nn/index.js';
import { OnnxExportError, exportOnnx, onnxModelOf } from '../../../src/nn/onnx/index.js';
import { MT19937, type Tensor, add, noGrad, randn } from '../../../src/tensor/index.js';
import { ASP, toSparseInference } from '../../../src/asp/index.js';

type Ort = typeof import('onnxruntime-node');
const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
const dir = mkdtempSync(join(tmpdir(), 'sparse24-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Largest |a - b| relative to max(1, |b|). */
function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

/** Exports `model`, runs the file in onnxruntime and returns its outputs beside the engine's. */
async function roundTrip(model: AnyModule, inputs: Tensor[]): Promise<{ ours: Tensor[]; theirs: Float32Array[] }> {
  model.eval();
  const { model: proto, inputs: ins, outputs } = onnxModelOf(model, { exampleInput: inputs });
  const session = await ort.InferenceSession.create(serializeOnnx(proto));
  const feeds = Object.fromEntries(ins.map((d, i) => [d.name, new ort.Tensor('float32', inputs[i]!.data, d.shape)]));
  const result = await session.run(feeds);
  const raw = noGrad(() => (model.call as (...a: Tensor[]) => unknown)(...inputs));
  const ours = (Array.isArray(raw) ? raw : [raw]).filter((t): t is Tensor => t !== null);
  return { ours, theirs: outputs.map((o) => result[o.name]!.data as Float32Array) };
}

/** Tolerance: float32 kernels that sum in different orders (ours accumulate in float64 in places). */
const TOL = 1e-4;

class TransformerBlock extends Module {
  readonly ln1 = this.registerModule('ln1', new LayerNorm([32]));
  readonly attn = this.registerModule('attn', new MultiheadAttention(32, 4, { batchFirst: true }));
  readonly ln2 = this.registerModule('ln2', new LayerNorm([32]));
  readonly mlp = this.registerModule('mlp', new Sequential(new Linear(32, 64), new GELU(), new Linear(64, 32)));
  forward(x: Tensor): Tensor {
    const h = this.ln1.call(x);
    const [a] = this.attn.call(h, h, h, { needWeights: false });
    const y = add(x, a);
    return add(y, this.mlp.call(this.ln2.call(y)));
  }
}

describe('exportOnnx: the file onnxruntime runs computes what the engine computes', () => {
  const g = (): MT19937 => new MT19937(7);
  const cases: [string, () => AnyModule, () => Tensor[]][] = [
    ['the demo CNN', () => demoCnn(28), () => [randn([3, 1, 28, 28], { generator: g() })]],
    ['resnetSmall', () => resnetSmall(), () => [randn([2, 3, 32, 32], { generator: g() })]],
    ['mobilenetSmall', () => mobilenetSmall(), () => [randn([2, 3, 32, 32], { generator: g() })]],
    [
      'a Conv1d model (stride, padding, dilation, groups, BatchNorm1d)',
      () =>
        new Sequential(
          new Conv1d(4, 8, 3, { padding: 2, dilation: 2 }),
          new BatchNorm1d(8),
          new ReLU(),
          new Conv1d(8, 8, 3, { stride: 2, groups: 4 }),
        ),
      () => [randn([2, 4, 17], { generator: g() })],
    ],
    [
      'a Conv3d model with GroupNorm',
      () =>
        new Sequential(
          new Conv3d(2, 8, 3, { padding: 1 }),
          new GroupNorm(2, 8),
          new ReLU(),
          new Conv3d(8, 4, [1, 2, 2], { stride: 2 }),
        ),
      () => [randn([1, 2, 4, 6, 6], { generator: g() })],
    ],
    [
      'a transformer block (LayerNorm, MultiheadAttention, GELU MLP, residuals)',
      () => new TransformerBlock(),
      () => [randn([2, 5, 32], { generator: g() })],
    ],
  ];
  for (const [name, build, inputs] of cases) {
    it(name, async () => {
      const model = build();
      // Non-trivial running statistics, so BatchNorm's export is really exercised.
      for (const [k, t] of model.namedBuffers()) {
        if (k.endsWith('running_mean')) t.data.forEach((_v, i, a) => (a[i] = 0.1 * ((i % 5) - 2)));
        if (k.endsWith('running_var')) t.data.forEach((_v, i, a) => (a[i] = 0.5 + 0.1 * (i % 3)));
      }
      const { ours, theirs } = await roundTrip(model, inputs());
      expect(theirs.length).toBe(ours.length);
      ours.forEach((t, i) => {
        expect(theirs[i]!.length).toBe(t.size);
        expect(maxRelError(theirs[i]!, t.data)).toBeLessThan(TOL);
      });
    });
  }
});

describe('exportOnnx: the file', () => {
  it('keeps weights as dense initializers under state-dict names, Gemm [out, in] and Conv KCRS', async () => {
    const model = demoCnn(28);
    const path = join(dir, 'demo.onnx');
    const written = await exportOnnx(model, path, { exampleInput: randn([1, 1, 28, 28]) });
    const file = await loadOnnx(path);
    expect(file.opsets.get('')).toBe(17);
    const state = new Map(model.namedParameters());
    const weights = onnxLayerWeights(file);
    expect(weights.length).toBe(
      [...state.keys()].filter((k) => k.endsWith('weight') && state.get(k)!.ndim >= 2).length,
    );
    for (const w of weights) {
      const p = state.get(w.name)!;
      expect(w.transposed).toBe(false);
      expect(w.tensor.shape).toEqual(p.shape);
      expect([...w.tensor.data]).toEqual([...p.data]);
    }
    expect(written.inputs).toEqual([{ name: 'input', shape: [1, 1, 28, 28] }]);
    expect(Object.keys(written.nodeCounts)).toEqual(expect.arrayContaining(['Conv', 'Gemm', 'Relu']));
  });

  it('names the op and module it cannot export', async () => {
    const model = new Sequential(new Linear(16, 16), new ReLU(), new Linear(16, 8));
    ASP.initModelForPruning(model, { logger: () => {}, allowPermutation: false }).computeSparseMasks();
    const sparse = toSparseInference(model);
    expect(() => onnxModelOf(sparse, { exampleInput: randn([2, 16]) })).toThrow(OnnxExportError);
    expect(() => onnxModelOf(sparse, { exampleInput: randn([2, 16]) })).toThrow(
      /exportOnnx: op 'sparseLinear' in module '0' has no ONNX mapping/,
    );
    // The dense pruned model exports, zeros included.
    const { model: proto } = onnxModelOf(model, { exampleInput: randn([2, 16]) });
    const w = onnxLayerWeights(parseOnnx(serializeOnnx(proto), 'm'))[0]!;
    expect([...w.tensor.data]).toEqual([...model.namedParameters()[0]![1].data]);
    expect([...w.tensor.data].filter((v) => v === 0).length).toBe(128);
  });

  it('refuses bad names and empty example inputs', () => {
    const model = new Sequential(new Linear(4, 2));
    expect(() => onnxModelOf(model, { exampleInput: [] })).toThrow(/exampleInput holds no tensor/);
    expect(() => onnxModelOf(model, { exampleInput: randn([1, 4]), inputNames: ['a', 'b'] })).toThrow(
      /1 inputs need 1 names, got 2/,
    );
    expect(() => onnxModelOf(model, { exampleInput: randn([1, 4]), outputNames: [''] })).toThrow(
      /distinct and non-empty/,
    );
  });
});
