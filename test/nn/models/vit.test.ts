import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ASP } from '../../../src/asp/index.js';
import { serializeOnnx } from '../../../src/io/index.js';
import { MultiheadAttention, VisionTransformer, vitSmall } from '../../../src/nn/index.js';
import { onnxModelOf } from '../../../src/nn/onnx/index.js';
import { isTensorCoreShape, isNM } from '../../../src/sparse/index.js';
import { MT19937, Tensor, noGrad, randn } from '../../../src/tensor/index.js';

type Ort = typeof import('onnxruntime-node');
const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
const quiet = { verbosity: 0, logger: () => {} };

describe('vitSmall', () => {
  it('maps [N, C, S, S] images to [N, classes] through patch tokens, with the parameters it declares', () => {
    const m = vitSmall({
      imageSize: 12,
      patchSize: 3,
      channels: 2,
      dim: 16,
      depth: 3,
      heads: 2,
      mlpRatio: 4,
      classes: 7,
    });
    expect(m.tokens).toBe(16);
    const y = noGrad(() => m.call(randn([5, 2, 12, 12], { generator: new MT19937(1) })));
    expect(y.shape).toEqual([5, 7]);
    const shapes = new Map(m.namedParameters().map(([k, p]) => [k, p.shape]));
    expect(shapes.get('patch.weight')).toEqual([16, 2, 3, 3]);
    expect(shapes.get('pos_embed')).toEqual([1, 16, 16]);
    expect(shapes.get('blocks.2.attn.in_proj_weight')).toEqual([48, 16]);
    expect(shapes.get('blocks.2.mlp.0.weight')).toEqual([64, 16]);
    expect(shapes.get('blocks.2.mlp.2.weight')).toEqual([16, 64]);
    expect(shapes.get('head.weight')).toEqual([7, 16]);
    expect(shapes.has('blocks.3.ln1.weight')).toBe(false);
    // patch 16·2·9+16, pos 256; per block: LNs 64, in_proj 768+48, out 256+16, mlp 1024+64+1024+16; norm 32, head 119
    expect(m.parameters().reduce((s, p) => s + p.size, 0)).toBe(304 + 256 + 3 * 3280 + 32 + 119);
  });

  it('each image is classified on its own: the first row of a batch equals that image alone', () => {
    const m = vitSmall();
    m.eval();
    const x = randn([3, 1, 8, 8], { generator: new MT19937(2) });
    const all = noGrad(() => m.call(x));
    const first = noGrad(() => m.call(new Tensor(x.data.slice(0, 64), [1, 1, 8, 8])));
    expect(first.shape).toEqual([1, 10]);
    first.data.forEach((v, j) => expect(v).toBeCloseTo(all.data[j]!, 5));
  });

  it('rejects widths that do not fit', () => {
    expect(() => vitSmall({ imageSize: 8, patchSize: 3 })).toThrow(/patchSize \(3\) must divide imageSize \(8\)/);
    expect(() => vitSmall({ dim: 30, heads: 4 })).toThrow(/heads \(4\) must divide dim \(30\)/);
    expect(() => vitSmall({ depth: 0 })).toThrow(/depth must be a positive integer/);
  });

  it('is prunable by ASP: every attention and MLP weight passes apex’s rule and becomes 2:4', () => {
    const m = vitSmall({ generator: new MT19937(3) });
    const asp = ASP.initModelForPruning(m, { ...quiet, maskCalculator: 'm4n2_1d', allowPermutation: false });
    expect(asp.sparseParameterNames()).toEqual(
      [0, 1].flatMap((b) => [
        `blocks.${b}.attn.in_proj_weight`,
        `blocks.${b}.attn.out_proj.weight`,
        `blocks.${b}.mlp.0.weight`,
        `blocks.${b}.mlp.2.weight`,
      ]),
    );
    asp.computeSparseMasks();
    for (const sp of asp.sparseParameters) {
      expect(isTensorCoreShape(sp.param.shape)).toBe(true);
      expect(isNM(sp.param.data, sp.param.shape, 2, 4)).toBe(true);
    }
    expect([...m.modules()].filter((x) => x instanceof MultiheadAttention)).toHaveLength(2);
  });

  it('exports to ONNX: onnxruntime computes the same logits, pruned or not', async () => {
    for (const prune of [false, true]) {
      const m: VisionTransformer = vitSmall({ generator: new MT19937(4) });
      if (prune) ASP.initModelForPruning(m, { ...quiet, allowPermutation: false }).computeSparseMasks();
      if (prune) expect(m.blocks.at(0).attn.inProjWeight.data.filter((v) => v === 0).length).toBe(96 * 16);
      m.eval();
      const x = randn([2, 1, 8, 8], { generator: new MT19937(5) });
      const { model, inputs, outputs } = onnxModelOf(m, { exampleInput: [x] });
      const session = await ort.InferenceSession.create(serializeOnnx(model));
      const result = await session.run({ [inputs[0]!.name]: new ort.Tensor('float32', x.data, inputs[0]!.shape) });
      const theirs = result[outputs[0]!.name]!.data as Float32Array;
      const ours = noGrad(() => m.call(x));
      expect(theirs.length).toBe(ours.size);
      ours.data.forEach((v, i) => expect(Math.abs(theirs[i]! - v)).toBeLessThan(1e-4 * Math.max(1, Math.abs(v))));
    }
  });
});
