import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ASP } from '../../../src/asp/index.js';
import { calibrate, prepareQat } from '../../../src/asp/qat/index.js';
import { onnxLayerWeights, parseOnnx, serializeOnnx } from '../../../src/io/index.js';
import { DataLoader, digitsDataset } from '../../../src/nn/data/index.js';
import { Linear, ReLU, Sequential, onnxModelOf } from '../../../src/nn/index.js';
import { isNM } from '../../../src/sparse/index.js';
import { MT19937, noGrad } from '../../../src/tensor/index.js';

type Ort = typeof import('onnxruntime-node');
const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;

describe('Sparse-QAT models export as QDQ ONNX', () => {
  it('QuantizeLinear/DequantizeLinear around float 2:4 weights; onnxruntime computes what the engine computes', async () => {
    const g = new MT19937(2);
    const model = new Sequential(
      new Linear(64, 64, { generator: g }),
      new ReLU(),
      new Linear(64, 16, { generator: g }),
    );
    ASP.initModelForPruning(model, { verbosity: 0, allowPermutation: false, logger: () => {} }).computeSparseMasks();
    const data = digitsDataset({ split: 'train', normalize: true });
    prepareQat(model);
    calibrate(model, new DataLoader(data, { batchSize: 32 }), 4);
    model.eval();

    const x = digitsDataset({ split: 'test', normalize: true }).images;
    const { model: proto, nodeCounts } = onnxModelOf(model, { exampleInput: x });
    // Two layers: weight and input quantizers on each.
    expect(nodeCounts['QuantizeLinear']).toBe(4);
    expect(nodeCounts['DequantizeLinear']).toBe(4);
    const bytes = serializeOnnx(proto);
    const session = await ort.InferenceSession.create(bytes);
    const theirs = (await session.run({ input: new ort.Tensor('float32', x.data, x.shape) })).output!
      .data as Float32Array;
    const ours = noGrad(() => model.call(x)).data;
    let worst = 0;
    let differing = 0;
    ours.forEach((v, i) => {
      const d = Math.abs(v - theirs[i]!);
      worst = Math.max(worst, d);
      if (d > 1e-5) differing++;
    });
    // float32 scales in the file vs float64 here: a rare element may round one step apart.
    expect(differing / ours.length).toBeLessThan(0.01);
    expect(worst).toBeLessThan(0.1);

    // The float weights stay initializers in front of the QDQ pair: check finds them, 2:4.
    const weights = onnxLayerWeights(parseOnnx(bytes, 'qdq.onnx'));
    expect(weights.map((w) => [w.name, w.op, w.dequantizedBy !== null])).toEqual([
      ['0.weight', 'Gemm', true],
      ['2.weight', 'Gemm', true],
    ]);
    expect(isNM(weights[0]!.tensor.data as Float32Array, [64, 64], 2, 4)).toBe(true);
  });
});
