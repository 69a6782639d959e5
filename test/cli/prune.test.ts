import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TensorFate } from '../../src/asp/oneshot.js';
import { main } from '../../src/cli/main.js';
import {
  type StoredTensor,
  float32ArrayToFloat16Bits,
  loadSafetensors,
  saveSafetensors,
  toFloat32,
} from '../../src/io/index.js';
import {
  createMask,
  decompress,
  fromCutlass24,
  fromSparse24Bitmask,
  isNM,
  type SparseStoredRecord,
} from '../../src/sparse/index.js';
import { MT19937 } from '../../src/tensor/index.js';
import { runScript } from '../helpers/child.js';
import { capture, withTmp } from './helpers.js';

function randn(n: number, seed: number): Float32Array {
  const g = new MT19937(seed);
  return Float32Array.from({ length: n }, () => 2 * g.nextDouble() - 1);
}

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out, err: c.err };
}

function record(tensors: Map<string, StoredTensor>): SparseStoredRecord {
  return Object.fromEntries(tensors) as SparseStoredRecord;
}

describe('sparse24 prune', () => {
  it('dense + --save-masks: eligible weights pruned bit-exactly, the rest copied byte for byte', async () => {
    await withTmp(async (dir) => {
      const input = join(dir, 'in.safetensors');
      const output = join(dir, 'out.safetensors');
      const fc1 = float32ArrayToFloat16Bits(randn(16 * 32, 1));
      const conv = randn(8 * 16 * 3 * 3, 2);
      await saveSafetensors(
        input,
        {
          'fc1.weight': { dtype: 'F16', shape: [16, 32], data: fc1 },
          'fc1.bias': { dtype: 'F32', shape: [16], data: randn(16, 3) },
          'conv.weight': { dtype: 'F32', shape: [8, 16, 3, 3], data: conv },
          'small.weight': { dtype: 'F32', shape: [4, 16], data: randn(64, 4) },
          'bn.num_batches_tracked': { dtype: 'I64', shape: [], data: BigInt64Array.from([7n]) },
        },
        { origin: 'test' },
      );
      const r = await run(['prune', input, '-o', output, '--save-masks', '--json']);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out[0]!) as { tensors: TensorFate[] };
      const fate = (n: string): TensorFate => report.tensors.find((t) => t.name === n)!;
      expect(fate('fc1.weight').fate).toBe('pruned');
      expect(fate('conv.weight').fate).toBe('pruned');
      expect(fate('small.weight').fate).toBe('skipped');
      expect(fate('small.weight').reasons[0]).toMatch(/dim0 % 8 == 0 and dim1 % 16 == 0/);
      expect(fate('fc1.bias').fate).toBe('copied');

      const before = await loadSafetensors(input);
      const after = await loadSafetensors(output);
      expect(after.metadata['origin']).toBe('test');
      for (const name of ['fc1.bias', 'small.weight', 'bn.num_batches_tracked'])
        expect(after.tensors.get(name)).toEqual(before.tensors.get(name));

      const out = after.tensors.get('fc1.weight')!;
      expect(out.dtype).toBe('F16');
      const mask = createMask(toFloat32(before.tensors.get('fc1.weight')!), [16, 32]);
      const bits = out.data as Uint16Array;
      for (let i = 0; i < bits.length; i++) expect(bits[i]).toBe(mask[i] ? fc1[i] : fc1[i]! & 0x8000);
      expect(after.tensors.get('fc1.__weight_mma_mask')).toEqual({ dtype: 'BOOL', shape: [16, 32], data: mask });

      const convOut = toFloat32(after.tensors.get('conv.weight')!);
      expect(isNM(convOut, [8, 16, 3, 3], 2, 4)).toBe(true);
      const convMask = after.tensors.get('conv.__weight_mma_mask')!.data as Uint8Array;
      expect(convMask).toEqual(createMask(conv, [8, 16, 3, 3]));
      for (let i = 0; i < conv.length; i++)
        expect(Object.is(convOut[i], convMask[i] ? conv[i] : conv[i]! * 0)).toBe(true);
      expect(after.tensors.has('small.__weight_mma_mask')).toBe(false);
    });
  });

  it("--format cutlass-24 writes sparse24's CUTLASS-layout keys that decode to the masked weight", async () => {
    await withTmp(async (dir) => {
      const input = join(dir, 'in.safetensors');
      const output = join(dir, 'out.safetensors');
      const w = float32ArrayToFloat16Bits(randn(32 * 64, 5));
      await saveSafetensors(input, {
        'proj.weight': { dtype: 'F16', shape: [32, 64], data: w },
        'f32.weight': { dtype: 'F32', shape: [32, 64], data: randn(32 * 64, 6) },
      });
      const r = await run(['prune', input, '--output', output, '--format', 'cutlass-24', '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out[0]!) as { tensors: TensorFate[] };
      const byName = new Map(report.tensors.map((t) => [t.name, t]));
      expect(byName.get('proj.weight')).toMatchObject({
        fate: 'compressed',
        outputKeys: ['proj.weight.cutlass_24_values', 'proj.weight.cutlass_24_meta'],
      });
      expect(byName.get('f32.weight')!.fate).toBe('pruned');
      expect(byName.get('f32.weight')!.reasons[0]).toMatch(/fp16\/bf16 values; this F32 weight is kept dense/);
      const after = await loadSafetensors(output);
      expect(after.tensors.has('proj.weight')).toBe(false);
      expect(after.tensors.get('proj.weight.cutlass_24_values')!.dtype).toBe('F16');
      const dense = toFloat32({ dtype: 'F16', shape: [32, 64], data: w });
      const mask = createMask(dense, [32, 64]);
      expect(decompress(fromCutlass24('proj.weight', record(after.tensors)))).toEqual(
        dense.map((v, i) => (mask[i] ? v : 0)),
      );
      // sparse24's own format: no compressed-tensors config claims it, only sparse24's marker.
      expect(after.metadata).toEqual({ format: 'pt', sparse24_format: 'cutlass-24' });
      expect(existsSync(join(dir, 'config.json'))).toBe(false);
    });
  });

  it('--format sparse-24-bitmask writes a compressed-tensors folder with F32 values kept exactly; a 2:8 pattern is refused', async () => {
    await withTmp(async (dir) => {
      const input = join(dir, 'in.safetensors');
      const output = join(dir, 'ct');
      const w = randn(8 * 16, 7);
      await saveSafetensors(input, {
        'l.weight': { dtype: 'F32', shape: [8, 16], data: w },
        'l.bias': { dtype: 'F32', shape: [8], data: randn(8, 8) },
        'conv.weight': { dtype: 'F32', shape: [8, 16, 1, 1], data: randn(128, 9) },
      });
      const r = await run(['prune', input, '-o', output, '--format', 'sparse-24-bitmask', '--json']);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out[0]!) as { output: string; tensors: TensorFate[] };
      expect(report.output).toBe(output);
      expect(report.tensors.find((t) => t.name === 'l.weight')).toMatchObject({
        fate: 'compressed',
        outputKeys: ['l.compressed', 'l.bitmask', 'l.shape'],
      });
      expect((await readdir(output)).sort()).toEqual(['config.json', 'model.safetensors']);
      const after = await loadSafetensors(join(output, 'model.safetensors'));
      expect([...after.tensors.keys()].sort()).toEqual([
        'conv.weight',
        'l.bias',
        'l.bitmask',
        'l.compressed',
        'l.shape',
      ]);
      const comp = after.tensors.get('l.compressed')!;
      expect([comp.dtype, comp.shape]).toEqual(['F32', [8, 8]]);
      const bits = after.tensors.get('l.bitmask')!;
      expect([bits.dtype, bits.shape]).toEqual(['U8', [8, 2]]);
      const shape = after.tensors.get('l.shape')!;
      expect([shape.dtype, shape.shape, Array.from(shape.data as BigInt64Array)]).toEqual(['I64', [2, 1], [8n, 16n]]);
      const mask = createMask(w, [8, 16]);
      expect(decompress(fromSparse24Bitmask('l', record(after.tensors)))).toEqual(w.map((v, i) => (mask[i] ? v : 0)));
      // A Conv has no compressed form: pruned, stored dense, and listed in ignore.
      expect(isNM(toFloat32(after.tensors.get('conv.weight')!), [8, 16, 1, 1], 2, 4)).toBe(true);
      // Half of both weights' 256 values are pruned (the bias is not counted): global_sparsity 0.5.
      expect(JSON.parse(await readFile(join(output, 'config.json'), 'utf8'))).toEqual({
        quantization_config: {
          quant_method: 'compressed-tensors',
          version: '0.14.0.1',
          sparsity_config: {
            format: 'sparse-24-bitmask',
            sparsity_structure: '2:4',
            targets: ['l'],
            ignore: ['conv'],
            global_sparsity: 0.5,
            registry_requires_subclass: false,
          },
        },
      });
      for (const format of ['cutlass-24', 'sparse-24-bitmask']) {
        const bad = await run([
          'prune',
          input,
          '-o',
          join(dir, format === 'cutlass-24' ? 'bad.safetensors' : 'bad'),
          '--format',
          format,
          '--pattern',
          '2:8',
        ]);
        expect(bad.code).toBe(2);
        expect(bad.err).toEqual([
          `sparse24: format ${format} stores 2:4 weights; pattern '2:8' is 2:8 (use --format dense)`,
        ]);
      }
    });
  });

  it('skips a weight with a NaN, prunes BF16 without a shape filter, and applies N:M patterns', async () => {
    await withTmp(async (dir) => {
      const input = join(dir, 'in.safetensors');
      const output = join(dir, 'out.safetensors');
      const nan = randn(8 * 16, 8);
      nan[3] = NaN;
      await saveSafetensors(input, {
        'nan.weight': { dtype: 'F32', shape: [8, 16], data: nan },
        'bf.weight': { dtype: 'BF16', shape: [4, 8], data: Uint16Array.from({ length: 32 }, (_, i) => 0x3f80 + i) },
      });
      const r = await run(['prune', input, '-o', output, '--pattern', '2:8', '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out[0]!) as { tensors: TensorFate[] };
      const byName = new Map(report.tensors.map((t) => [t.name, t]));
      expect(byName.get('nan.weight')!.fate).toBe('skipped');
      expect(byName.get('nan.weight')!.reasons[0]).toMatch(/non-finite value NaN at flat index 3/);
      expect(byName.get('bf.weight')!.fate).toBe('pruned');
      const bf = (await loadSafetensors(output)).tensors.get('bf.weight')!;
      // Magnitudes grow with the index, so 2:8 keeps the last two of every eight.
      expect(Array.from(bf.data as Uint16Array, (b, i) => (b === 0 ? 0 : i))).toEqual(
        Array.from({ length: 32 }, (_, i) => (i % 8 >= 6 ? i : 0)),
      );
    });
  });

  it('skips an F64 weight beyond float32 naming the stored value (1e+300), not Infinity, and copies it bit for bit', async () => {
    await withTmp(async (dir) => {
      const input = join(dir, 'in.safetensors');
      const output = join(dir, 'out.safetensors');
      const big = Float64Array.from(randn(8 * 16, 9));
      big[5] = 1e300;
      const inf = Float64Array.from(randn(8 * 16, 10));
      inf[2] = -Infinity;
      await saveSafetensors(input, {
        'big.weight': { dtype: 'F64', shape: [8, 16], data: big },
        'inf.weight': { dtype: 'F64', shape: [8, 16], data: inf },
      });
      const r = await run(['prune', input, '-o', output, '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out[0]!) as { tensors: TensorFate[] };
      const byName = new Map(report.tensors.map((t) => [t.name, t]));
      expect(byName.get('big.weight')!.fate).toBe('skipped');
      expect(byName.get('big.weight')!.reasons).toEqual([
        "value 1e+300 at flat index 5 is beyond float32's range (±3.4028234663852886e+38); masks are computed in float32",
      ]);
      expect(byName.get('inf.weight')!.reasons).toEqual([
        'non-finite value -Infinity at flat index 2; masks need finite weights',
      ]);
      expect(r.out[0]).not.toMatch(/non-finite value Infinity/);
      const out = (await loadSafetensors(output)).tensors.get('big.weight')!;
      expect(out.dtype).toBe('F64');
      expect(Array.from(out.data as Float64Array)).toEqual(Array.from(big));
    });
  });

  it('--format cutlass-24 exports a [0, 32] F16 weight as PyTorch shapes it (packed [0, 16], meta [0, 2]), and check reads it', async () => {
    await withTmp(async (dir) => {
      const input = join(dir, 'in.safetensors');
      const output = join(dir, 'out.safetensors');
      await saveSafetensors(input, { 'fc.weight': { dtype: 'F16', shape: [0, 32], data: new Uint16Array(0) } });
      const r = await run(['prune', input, '-o', output, '--format', 'cutlass-24', '--json']);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      const fate = (JSON.parse(r.out[0]!) as { tensors: TensorFate[] }).tensors[0]!;
      expect(fate.fate).toBe('compressed');
      const t = (await loadSafetensors(output)).tensors;
      expect([t.get('fc.weight.cutlass_24_values')?.dtype, t.get('fc.weight.cutlass_24_values')?.shape]).toEqual([
        'F16',
        [0, 16],
      ]);
      expect([t.get('fc.weight.cutlass_24_meta')?.dtype, t.get('fc.weight.cutlass_24_meta')?.shape]).toEqual([
        'I16',
        [0, 2],
      ]);
      const c = await run(['check', output, '--json']);
      expect(c.err).toEqual([]);
      expect(c.code).toBe(0);
    });
  });

  it('empty weights claiming huge dimensions ([1e15, 0, 3, 3], no bytes) are pruned at once, in a real process with a timeout', async () => {
    await withTmp(async (dir) => {
      const input = join(dir, 'empty.safetensors');
      await saveSafetensors(input, {
        'conv.weight': { dtype: 'F32', shape: [1e15, 0, 3, 3], data: new Float32Array(0) },
        'conv16.weight': { dtype: 'F16', shape: [2 ** 52, 16, 0, 3], data: new Uint16Array(0) },
        'fc.weight': { dtype: 'F16', shape: [1e15, 0], data: new Uint16Array(0) },
        'wide.weight': { dtype: 'BF16', shape: [0, 2 ** 52], data: new Uint16Array(0) },
      });
      const runs: string[][] = [];
      for (const pattern of ['m4n2_1d', 'm4n2_2d_best', 'm4n2_2d_greedy', '2:8']) {
        for (const format of ['dense', 'cutlass-24', 'sparse-24-bitmask']) {
          if (pattern === '2:8' && format !== 'dense') continue; // the compressed formats are 2:4 only
          // sparse-24-bitmask writes a folder; check reads it as one.
          const out = join(
            dir,
            `out-${pattern.replace(':', '_')}-${format}${format === 'sparse-24-bitmask' ? '' : '.safetensors'}`,
          );
          runs.push(
            ['prune', input, '-o', out, '--pattern', pattern, '--format', format, '--save-masks'],
            ['check', out, '--pattern', pattern],
          );
        }
      }
      // A synchronous loop over 1e15 rows cannot be interrupted in process: run the CLI in a child.
      const child = runScript(join('test', 'fuzz', 'fixtures', 'cli_many.ts'), [JSON.stringify(runs)], 60_000);
      expect(child.timedOut).toBe(false);
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      const lines = child.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { argv: string[]; code: number; err: string[] });
      expect(lines).toHaveLength(runs.length);
      for (const r of lines)
        expect({ argv: r.argv, code: r.code, err: r.err }).toEqual({ argv: r.argv, code: 0, err: [] });
      // The compressed records keep the weight's own shape, [1e15, 0] included.
      const bitmask = (await loadSafetensors(join(dir, 'out-m4n2_1d-sparse-24-bitmask', 'model.safetensors'))).tensors;
      expect(Array.from(bitmask.get('fc.shape')!.data as BigInt64Array)).toEqual([10n ** 15n, 0n]);
      expect(bitmask.get('fc.bitmask')!.shape).toEqual([1e15, 0]);
      expect([bitmask.get('fc.compressed')!.dtype, bitmask.get('fc.compressed')!.shape]).toEqual(['F16', [1e15, 0]]);
      const cutlass = (await loadSafetensors(join(dir, 'out-m4n2_1d-cutlass-24.safetensors'))).tensors;
      expect(cutlass.get('fc.weight.cutlass_24_values')!.shape).toEqual([1e15, 0]);
      expect(cutlass.get('wide.weight.cutlass_24_meta')!.shape).toEqual([0, 2 ** 52 / 16]);
    });
  }, 90_000);

  it('refuses to overwrite its input, needs -o, and rejects bad options with exit 2', async () => {
    await withTmp(async (dir) => {
      const input = join(dir, 'in.safetensors');
      await saveSafetensors(input, { 'l.weight': { dtype: 'F32', shape: [8, 16], data: randn(128, 9) } });
      const bytes = await readFile(input);
      const same = await run(['prune', input, '-o', join(dir, '.', 'in.safetensors')]);
      expect(same.code).toBe(2);
      expect(same.err[0]).toMatch(/refusing to overwrite the input file/);
      expect(await readFile(input)).toEqual(bytes);
      expect((await run(['prune', input])).err).toEqual([
        'sparse24: prune: --output is required (see sparse24 prune --help)',
      ]);
      expect((await run(['prune', input, '-o', join(dir, 'o.safetensors'), '--format', 'csr'])).err).toEqual([
        "sparse24: --format must be one of dense, cutlass-24, sparse-24-bitmask, got 'csr'",
      ]);
      await writeFile(join(dir, 'junk.safetensors'), 'not a checkpoint');
      const junk = await run(['prune', join(dir, 'junk.safetensors'), '-o', join(dir, 'o.safetensors')]);
      expect(junk.code).toBe(2);
      expect(junk.err).toHaveLength(1);
      const help = (await run(['prune', '--help'])).out.join('\n');
      for (const opt of [
        '--output',
        '--pattern',
        '--format',
        '--save-masks',
        '--json',
        'cutlass-24',
        'sparse-24-bitmask',
      ])
        expect(help).toContain(opt);
    });
  });
});
