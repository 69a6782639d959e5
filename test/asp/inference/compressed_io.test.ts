import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
import {
  FileWriteError,
  FormatError,
  float16BitsToFloat32Array,
  float32ArrayToFloat16Bits,
  loadSafetensors,
} from '../../../src/io/index.js';
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
  it('cutlass-24: fp16 CUTLASS keys for Linear that fit, dense + mask otherwise; check --strict passes', async () => {
    await withTmp(async (dir) => {
      const model = pruned(1);
      const path = join(dir, 'model.cutlass24.safetensors');
      const res = await exportCompressed(model, path, { format: 'cutlass-24' });
      expect(res.compressed).toEqual(['2']);
      expect(res.dense.map((d) => d.name)).toEqual(['0', '4']);
      expect(res.dense[1]!.reason).toMatch(/rows % 32/);
      const file = await loadSafetensors(path);
      expect(file.tensors.get('2.weight.cutlass_24_values')!.dtype).toBe('F16');
      expect(file.tensors.get('2.weight.cutlass_24_meta')!.dtype).toBe('I16');
      expect(file.tensors.has('2.weight')).toBe(false);
      expect(file.tensors.has('2.__weight_mma_mask')).toBe(false);
      expect(file.tensors.get('0.__weight_mma_mask')!.dtype).toBe('BOOL');
      expect(file.metadata).toEqual({ format: 'pt', sparse24_format: 'cutlass-24' });

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
      const path = join(dir, 'ct');
      const res = await exportCompressed(model, path, { format: 'sparse-24-bitmask' });
      expect(res.compressed).toEqual(['2', '4']);
      expect(res.files).toEqual([join(path, 'model.safetensors'), join(path, 'config.json')]);
      const file = await loadSafetensors(join(path, 'model.safetensors'));
      expect(file.metadata).toEqual({ format: 'pt' });
      expect([...file.tensors.keys()].filter((k) => k.startsWith('4.')).sort()).toEqual([
        '4.bias',
        '4.bitmask',
        '4.compressed',
        '4.shape',
      ]);
      const shape = file.tensors.get('4.shape')!;
      expect([shape.dtype, shape.shape]).toEqual(['I64', [2, 1]]);
      const w4 = (model.at(4) as Linear).weight;
      expect([...(shape.data as BigInt64Array)].map(Number)).toEqual(w4.shape);
      expect(file.tensors.get('4.bitmask')!.dtype).toBe('U8');
      expect(file.tensors.get('4.bitmask')!.shape).toEqual([w4.shape[0], Math.ceil(w4.shape[1]! / 8)]);
      // compressed-tensors' values: [rows, cols / 2], the weight's dtype (float32 here: lossless).
      const comp = file.tensors.get('4.compressed')!;
      expect([comp.dtype, comp.shape]).toEqual(['F32', [w4.shape[0], w4.shape[1]! / 2]]);
      const config = JSON.parse(readFileSync(join(path, 'config.json'), 'utf8'));
      expect(config).toEqual({
        quantization_config: {
          quant_method: 'compressed-tensors',
          version: '0.14.0.1',
          sparsity_config: {
            format: 'sparse-24-bitmask',
            sparsity_structure: '2:4',
            targets: ['2', '4'],
            ignore: ['0'],
            global_sparsity: 0.5,
            registry_requires_subclass: false,
          },
        },
      });
      expect((await check(join(path, 'model.safetensors'))).code).toBe(0);
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

  it('refuses float32 cutlass-24, the old sparse-24 name, and unknown keys under strict', async () => {
    expect(() => compressedStateDict(pruned(1), { format: 'sparse-24' as 'cutlass-24' })).toThrow(/now 'cutlass-24'/);
    expect(() => compressedStateDict(pruned(1), { format: 'cutlass-24', dtype: 'float32' })).toThrow(
      /float16 or bfloat16/,
    );
    await withTmp(async (dir) => {
      const path = join(dir, 'x.safetensors');
      await exportCompressed(pruned(1), path, { format: 'cutlass-24' });
      const plain = build(1); // no ASP: the BOOL mask keys of dense-kept layers are unexpected
      await expect(importCompressed(plain, path)).rejects.toThrow(ValueError);
      await expect(importCompressed(plain, path)).rejects.toThrow(/0\.__weight_mma_mask/);
      const res = await importCompressed(plain, path, { strict: false });
      expect([...res.unexpectedKeys].sort()).toEqual(['0.__weight_mma_mask', '4.__weight_mma_mask']);
    });
  });

  it('reads an llm-compressor style folder (class-name targets, exact and re: ignores); malformed ones are FormatErrors', async () => {
    await withTmp(async (dir) => {
      const model = pruned(5);
      const path = join(dir, 'ct');
      await exportCompressed(model, path);
      const cfg = (q: unknown): void => writeFileSync(join(path, 'config.json'), JSON.stringify(q));
      const sc = { format: 'sparse-24-bitmask', sparsity_structure: '2:4', global_sparsity: 0.4 };
      cfg({
        model_type: 'x',
        quantization_config: {
          quant_method: 'compressed-tensors',
          version: '0.9.1',
          sparsity_config: { ...sc, targets: ['Linear'], ignore: ['0', 're:^lm_head'] },
        },
      });
      const back = build(97);
      ASP.initModelForPruning(back, quiet);
      expect((await importCompressed(back, path)).decompressed).toEqual(['2', '4']);
      expect(
        (await importCompressed(build(96), join(path, 'model.safetensors'), { strict: false })).decompressed,
      ).toEqual(['2', '4']);
      cfg({ quantization_config: { sparsity_config: { ...sc, targets: ['Linear'], ignore: ['re:[24]'] } } });
      await expect(importCompressed(build(95), path, { strict: false })).rejects.toThrow(/does not compress '2'/);
      for (const bad of [
        '{',
        '[]',
        JSON.stringify({ quantization_config: { sparsity_config: { format: 'sparse-24' } } }),
      ]) {
        writeFileSync(join(path, 'config.json'), bad);
        await expect(importCompressed(build(94), path)).rejects.toThrow(FormatError);
        await expect(importCompressed(build(94), path)).rejects.toThrow(/config\.json/);
      }
      await expect(importCompressed(build(94), join(dir, 'nothing-here'))).rejects.toThrow();
      const empty = join(dir, 'empty');
      mkdirSync(empty);
      await expect(importCompressed(build(94), empty)).rejects.toThrow(/config\.json: is missing/);
      await expect(exportCompressed(model, join(path, 'model.safetensors', 'x'))).rejects.toThrow(FileWriteError);
    });
  });
});
