import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASP } from '../../../src/asp/index.js';
import {
  SparseConv2d,
  SparseLinear,
  compressedStateDict,
  exportCompressed,
  importCompressed,
  toSparseInference,
} from '../../../src/asp/inference/index.js';
import { main } from '../../../src/cli/main.js';
import { float16BitsToFloat32Array, float32ArrayToFloat16Bits, loadSafetensors } from '../../../src/io/index.js';
import { Conv2d, Flatten, Linear, ReLU, Sequential } from '../../../src/nn/index.js';
import { MT19937, ValueError, randn, withBackend } from '../../../src/tensor/index.js';
import { capture, withTmp } from '../../cli/helpers.js';

const quiet = { verbosity: 0, allowPermutation: false, logger: () => {} } as const;

/**
 * Conv [16, 16, 1, 1] (stored dense), Linear [64, 64] (fits the fp16 CUTLASS layout) and
 * Linear [16, 64] (does not).
 */
function build(seed: number): Sequential {
  const g = new MT19937(seed);
  return new Sequential(
    new Conv2d(16, 16, 1, { generator: g }),
    new Flatten(),
    new Linear(64, 64, { generator: g }),
    new ReLU(),
    new Linear(64, 16, { generator: g }), // 16 rows: too few for the fp16 CUTLASS layout (rows % 32)
  );
}

function pruned(seed: number): Sequential {
  const model = build(seed);
  ASP.initModelForPruning(model, quiet).computeSparseMasks();
  return model.eval();
}

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

async function check(path: string): Promise<{
  code: number;
  report: { verdict: string; tensors: { name: string; isNM: boolean; candidate: boolean }[] };
}> {
  const c = capture();
  const code = await main(['check', path, '--strict'], c.io);
  const j = capture();
  await main(['check', path, '--json'], j.io);
  return { code, report: JSON.parse(j.out.join('')) };
}

describe('exportCompressed / importCompressed', () => {
  it('sparse-24: fp16 CUTLASS keys for Linear that fit, dense + mask otherwise; check --strict passes', async () => {
    await withTmp(async (dir) => {
      const model = pruned(1);
      const path = join(dir, 'model.safetensors');
      const res = await exportCompressed(model, path);
      expect(res.compressed).toEqual(['2']);
      expect(res.dense.map((d) => d.name)).toEqual(['0', '4']);
      expect(res.dense[1]!.reason).toMatch(/rows % 32/);
      const file = await loadSafetensors(path);
      expect(file.tensors.get('2.weight.cutlass_24_values')!.dtype).toBe('F16');
      expect(file.tensors.get('2.weight.cutlass_24_meta')!.dtype).toBe('I16');
      expect(file.tensors.has('2.weight')).toBe(false);
      expect(file.tensors.has('2.__weight_mma_mask')).toBe(false);
      expect(file.tensors.get('0.__weight_mma_mask')!.dtype).toBe('BOOL');
      const config = JSON.parse(file.metadata['sparsity_config']!);
      expect(config).toMatchObject({
        format: 'cutlass-24',
        sparsity_structure: '2:4',
        targets: ['2'],
        ignore: ['0', '4'],
        global_sparsity: 0.5,
      });

      const { code, report } = await check(path);
      expect(code).toBe(0);
      expect(report.verdict).toBe('sparse');
      expect(report.tensors.filter((t) => t.candidate).map((t) => [t.name, t.isNM])).toEqual([
        ['0.weight', true],
        ['4.weight', true],
        ['2.weight', true],
      ]);

      // Into a fresh ASP-prepared model: weights are the fp16-rounded masked weights, masks identical.
      const back = build(99);
      ASP.initModelForPruning(back, quiet);
      const imp = await importCompressed(back, path);
      expect(imp.decompressed).toEqual(['2']);
      const w = (model.at(2) as Linear).weight.data;
      const rounded = float16BitsToFloat32Array(float32ArrayToFloat16Bits(w)).map((v) => v + 0);
      expect(bits((back.at(2) as Linear).weight.data)).toEqual(bits(rounded));
      for (const i of [0, 2, 4]) {
        expect([...(back.at(i).getLocal('__weight_mma_mask') as { data: Float32Array }).data]).toEqual([
          ...(model.at(i).getLocal('__weight_mma_mask') as { data: Float32Array }).data,
        ]);
      }
      expect(bits((back.at(4) as Linear).weight.data)).toEqual(
        bits((model.at(4) as Linear).weight.data.map((v) => v + 0)),
      );
    });
  });

  it('sparse-24-bitmask with float32 values round-trips bit-exactly (up to the sign of pruned zeros)', async () => {
    await withTmp(async (dir) => {
      const model = pruned(2);
      const path = join(dir, 'bitmask.safetensors');
      const res = await exportCompressed(model, path, { format: 'sparse-24-bitmask' });
      expect(res.compressed).toEqual(['2', '4']);
      const file = await loadSafetensors(path);
      expect([...file.tensors.keys()].filter((k) => k.startsWith('4.')).sort()).toEqual([
        '4.bias',
        '4.weight.bitmask',
        '4.weight.compressed',
        '4.weight.shape',
      ]);
      expect((await check(path)).code).toBe(0);
      const back = build(98);
      ASP.initModelForPruning(back, quiet);
      await importCompressed(back, path);
      for (const i of [2, 4]) {
        const want = (model.at(i) as Linear).weight.data.map((v) => v + 0);
        expect(bits((back.at(i) as Linear).weight.data)).toEqual(bits(want));
      }
      expect(ASP.forModel(back)!.isSparsityEnabled()).toBe(true);
    });
  });

  it('imports into a sparse-inference model and computes what the masked dense model computes', async () => {
    await withTmp(async (dir) => {
      const model = pruned(3);
      const path = join(dir, 'm.safetensors');
      await exportCompressed(model, path, { format: 'sparse-24-bitmask' });
      const target = toSparseInference(pruned(4));
      expect(target.at(0)).toBeInstanceOf(SparseConv2d);
      expect(target.at(2)).toBeInstanceOf(SparseLinear);
      await importCompressed(target, path);
      const x = randn([2, 16, 2, 2], { generator: new MT19937(5) });
      withBackend('reference', () => {
        const want = model.call(x).data;
        const got = target.call(x).data;
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5);
      });
    });
  });

  it('refuses float32 sparse-24, and unknown keys under strict', async () => {
    expect(() => compressedStateDict(pruned(1), { format: 'cutlass-24', dtype: 'float32' })).toThrow(
      /float16 or bfloat16/,
    );
    await withTmp(async (dir) => {
      const path = join(dir, 'x.safetensors');
      await exportCompressed(pruned(1), path);
      const plain = build(1); // no ASP: the BOOL mask keys of dense-kept layers are unexpected
      await expect(importCompressed(plain, path)).rejects.toThrow(ValueError);
      await expect(importCompressed(plain, path)).rejects.toThrow(/0\.__weight_mma_mask/);
      const res = await importCompressed(plain, path, { strict: false });
      expect([...res.unexpectedKeys].sort()).toEqual(['0.__weight_mma_mask', '4.__weight_mma_mask']);
    });
  });
});
