import { describe, expect, it } from 'vitest';
import { denseCases } from '../../src/bench/cases.js';
import { markdownTable, attachRatios, type Measurement } from '../../src/bench/report.js';
import { onnxruntimePeers } from '../../src/bench/peers/onnxruntime.js';
import { singleNodeModel } from '../../src/bench/peers/onnx-model.js';
import { kernels } from '../../src/tensor/index.js';
import { createRequire } from 'node:module';

type Ort = typeof import('onnxruntime-node');

describe('benchmark peers compute what sparse24 computes', () => {
  it('the one-node ONNX writer builds a Gemm(transB) that onnxruntime runs to the reference result', async () => {
    const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
    const a = Float32Array.from({ length: 6 }, (_, i) => i - 2); // [2, 3]
    const b = Float32Array.from({ length: 12 }, (_, i) => (i % 5) - 1.5); // [4, 3], used transposed
    const model = singleNodeModel(
      'Gemm',
      [
        { name: 'A', shape: [2, 3] },
        { name: 'B', shape: [4, 3] },
      ],
      [2, 4],
      { transB: 1 },
    );
    const session = await ort.InferenceSession.create(model);
    const out = await session.run({ A: new ort.Tensor('float32', a, [2, 3]), B: new ort.Tensor('float32', b, [4, 3]) });
    const expected = kernels('reference').gemm(a, b, {
      batch: 1,
      m: 2,
      k: 3,
      n: 4,
      transA: false,
      transB: true,
      strideA: 0,
      strideB: 0,
    });
    expect(Array.from(out['Y']!.data as Float32Array)).toEqual(Array.from(expected));
    await session.release();
  });

  it('the Conv model with pads and kernel_shape matches the reference conv kernel', async () => {
    const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;
    const x = Float32Array.from({ length: 2 * 5 * 5 }, (_, i) => Math.sin(i));
    const w = Float32Array.from({ length: 3 * 2 * 3 * 3 }, (_, i) => Math.cos(i));
    const model = singleNodeModel(
      'Conv',
      [
        { name: 'X', shape: [1, 2, 5, 5] },
        { name: 'W', shape: [3, 2, 3, 3] },
      ],
      [1, 3, 5, 5],
      { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
    );
    const session = await ort.InferenceSession.create(model);
    const out = (
      await session.run({
        X: new ort.Tensor('float32', x, [1, 2, 5, 5]),
        W: new ort.Tensor('float32', w, [3, 2, 3, 3]),
      })
    )['Y']!.data as Float32Array;
    const ref = kernels('reference').conv(x, w, null, {
      batch: 1,
      inChannels: 2,
      outChannels: 3,
      groups: 1,
      inSize: [1, 5, 5],
      kernelSize: [1, 3, 3],
      stride: [1, 1, 1],
      padding: [0, 1, 1],
      dilation: [1, 1, 1],
      outSize: [1, 5, 5],
    });
    out.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 5));
    await session.release();
  });

  it('peer ratios compare each sparse24 row with the fastest peer on the same case', () => {
    const row = (
      implementation: string,
      peer: boolean,
      medianMs: number,
      caseId = 'c',
      variant: 'dense' | '2:4' = 'dense',
      backend = implementation,
    ): Measurement => ({
      caseId,
      label: caseId,
      implementation,
      backend,
      variant,
      peer,
      medianMs,
      samples: 3,
      gflops: 1,
      ratioToBestPeer: null,
      bestPeer: null,
      sparseSpeedup: null,
    });
    const rows = [
      row('ours', false, 40, 'c', 'dense', 'reference'),
      row('ours 2:4', false, 25, 'c', '2:4', 'reference'),
      row('p1', true, 10),
      row('p2', true, 20),
      row('p3', true, 1, 'other'),
    ];
    attachRatios(rows);
    expect(rows[0]!.ratioToBestPeer).toBe(0.25);
    expect(rows[0]!.bestPeer).toBe('p1');
    expect(rows[0]!.sparseSpeedup).toBeNull();
    expect(rows[1]!.ratioToBestPeer).toBe(0.4);
    expect(rows[1]!.sparseSpeedup).toBe(1.6);
    expect(rows[2]!.ratioToBestPeer).toBeNull();
    const table = markdownTable(rows);
    expect(table).toContain('| c | ours | 40.0 | 1.00 | 0.25× (p1) |  |');
    expect(table).toContain('| c | ours 2:4 | 25.0 | 1.00 | 0.40× (p1) | 1.60× |');
  });

  it('the suite has the standard shapes and correct FLOP counts', () => {
    const ids = denseCases(false).map((c): [string, number] => [c.id, c.flops]);
    expect(ids).toEqual([
      ['gemm-256', 2 * 256 ** 3],
      ['gemm-512', 2 * 512 ** 3],
      ['gemm-1024', 2 * 1024 ** 3],
      ['linear-64x1024x1024', 2 * 64 * 1024 * 1024],
      ['linear-256x1024x1024', 2 * 256 * 1024 * 1024],
      ['linear-1x4096x4096', 2 * 4096 * 4096],
      ['conv2d-resnet', 2 * 8 * 64 * 64 * 56 * 56 * 9],
    ]);
    expect(onnxruntimePeers).toBeTypeOf('function');
  });
});
