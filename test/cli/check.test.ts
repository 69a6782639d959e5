import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASP } from '../../src/asp/index.js';
import { exportCompressed } from '../../src/asp/inference/index.js';
import { exportQuantized, prepareQat } from '../../src/asp/qat/index.js';
import type { CheckReport, CheckedTensor } from '../../src/cli/commands/check.js';
import { main } from '../../src/cli/main.js';
import { float32ArrayToFloat16Bits, loadSafetensors, saveNpy, saveSafetensors } from '../../src/io/index.js';
import { Linear, ReLU, Sequential } from '../../src/nn/index.js';
import { tensorRTReport } from '../../src/sparse/index.js';
import { MT19937 } from '../../src/tensor/index.js';
import { capture, withTmp } from './helpers.js';

/** [rows][cols] float32 with a deterministic, distinct-magnitude pattern. */
function dense(rows: number, cols: number): Float32Array {
  return Float32Array.from(
    { length: rows * cols },
    (_, i) => ((i * 7919) % 97) / 10 - 4.85 + (i % 3 === 0 ? 0.013 : 0),
  );
}

/** [32][64] with no zeros: prune has something to do. */
function dense32x64(): Float32Array {
  return dense(32, 64).map((v) => (v === 0 ? 0.5 : v));
}

/** Zeroes positions 1 and 3 of every group of four: 2:4 along the columns. */
function sparse24(rows: number, cols: number): Float32Array {
  return dense(rows, cols).map((v, i) => (i % 4 === 1 || i % 4 === 3 ? 0 : v));
}

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out, err: c.err };
}

describe('sparse24 check', () => {
  it('--json reports each tensor and the sparse verdict for a 2:4 checkpoint', async () => {
    await withTmp(async (dir) => {
      const f = join(dir, 'm.safetensors');
      await saveSafetensors(f, {
        'fc.weight': { dtype: 'F32', shape: [8, 16], data: sparse24(8, 16) },
        'fc.bias': { dtype: 'F32', shape: [8], data: new Float32Array(8).fill(1) },
      });
      const r = await run(['check', f, '--json', '--strict']);
      expect(r.code).toBe(0);
      expect(r.out).toHaveLength(1);
      const report = JSON.parse(r.out[0]!) as CheckReport;
      expect(report.file).toBe(f);
      expect(report.pattern).toBe('m4n2_1d');
      expect(report.verdict).toBe('sparse');
      const w = report.tensors.find((t) => t.name === 'fc.weight')!;
      expect(w).toMatchObject({
        format: 'dense',
        dtype: 'F32',
        shape: [8, 16],
        candidate: true,
        eligible: true,
        groups: 32,
        violatingGroups: 0,
        isNM: true,
        keptMagnitudeFraction: 1,
        storedViolatingGroups: null,
        maskConsistent: null,
      });
      const b = report.tensors.find((t) => t.name === 'fc.bias')!;
      expect(b).toMatchObject({ candidate: false, eligible: false, groups: 0 });
    });
  });

  it('a dense eligible weight gives not-sparse; --strict turns that into exit 1', async () => {
    await withTmp(async (dir) => {
      const f = join(dir, 'm.safetensors');
      const data = sparse24(8, 32);
      data[5] = 2; // row 0, group 1 now has three nonzeros
      data[32 * 7 + 29] = -1; // row 7, group 7
      await saveSafetensors(f, { 'layer.weight': { dtype: 'F32', shape: [8, 32], data } });
      const loose = await run(['check', f, '--json']);
      expect(loose.code).toBe(0);
      const report = JSON.parse(loose.out[0]!) as CheckReport;
      expect(report.verdict).toBe('not-sparse');
      expect(report.tensors[0]).toMatchObject({ groups: 64, violatingGroups: 2, isNM: false, eligible: true });
      expect(report.tensors[0]!.keptMagnitudeFraction).toBeCloseTo(
        tensorRTReport(data, [8, 32]).keptMagnitudeFraction,
        12,
      );
      const strict = await run(['check', f, '--strict']);
      expect(strict.code).toBe(1);
      expect(strict.out[0]).toMatch(
        /^layer\.weight F32 \[8, 32\] dense: not 2:4, 2\/64 groups violating, kept magnitude 0\.\d{4}, eligible$/,
      );
      expect(strict.out.at(-1)).toBe('verdict: not-sparse (0/1 eligible tensors are 2:4)');
    });
  });

  it("apex's shape rule makes a dense [4, 16] F32 weight ineligible, so --strict passes", async () => {
    await withTmp(async (dir) => {
      const f = join(dir, 'm.safetensors');
      await saveSafetensors(f, { 'a.weight': { dtype: 'F32', shape: [4, 16], data: dense(4, 16) } });
      const r = await run(['check', f, '--json', '--strict']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out[0]!) as CheckReport;
      expect(report.verdict).toBe('no-eligible-tensors');
      expect(report.tensors[0]!.eligible).toBe(false);
      expect(report.tensors[0]!.reasons.join()).toMatch(/tensor-core rule/);
      expect(report.tensors[0]!.violatingGroups).toBe(16);
    });
  });

  it('checks a .npy array under the file name, along C of the Conv view, for another pattern', async () => {
    await withTmp(async (dir) => {
      const f = join(dir, 'conv.npy');
      // [K=8, C=16, R=1, S=2]; channel pairs (c, c+1) with c even hold values: 2:4 but not 1:4.
      const data = new Float32Array(8 * 16 * 2).map((_, i) =>
        Math.floor(i / 2) % 16 < 16 && (Math.floor(i / 2) % 16) % 4 < 2 ? 1 + (i % 5) : 0,
      );
      await saveNpy(f, { dtype: 'F32', shape: [8, 16, 1, 2], data });
      const two = JSON.parse((await run(['check', f, '--json', '--pattern', '2:4'])).out[0]!) as CheckReport;
      expect(two.tensors[0]).toMatchObject({
        name: 'conv',
        candidate: true,
        groups: 64,
        violatingGroups: 0,
        isNM: true,
      });
      const one = await run(['check', f, '--json', '--pattern', '1:4', '--strict']);
      expect(one.code).toBe(1);
      expect((JSON.parse(one.out[0]!) as CheckReport).tensors[0]).toMatchObject({
        groups: 64,
        violatingGroups: 64,
        isNM: false,
      });
    });
  });

  it('malformed, missing and unsupported files are one-line errors with exit 2', async () => {
    await withTmp(async (dir) => {
      const bad = join(dir, 'bad.safetensors');
      await writeFile(bad, new Uint8Array([1, 2, 3]));
      const r = await run(['check', bad]);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^sparse24: .*bad\.safetensors: /);
      expect(r.err[0]).not.toContain('    at ');
      const missing = await run(['check', join(dir, 'nope.npy')]);
      expect(missing.code).toBe(2);
      expect(missing.err).toEqual([`sparse24: ${join(dir, 'nope.npy')}: cannot read file: no such file`]);
      const txt = await run(['check', join(dir, 'x.txt')]);
      expect(txt.code).toBe(2);
      expect(txt.err[0]).toMatch(/unsupported file type '\.txt'; expected \.safetensors, \.npy or \.onnx/);
    });
  });

  it('an unknown pattern and a missing FILE are usage errors (exit 2); --help documents every option', async () => {
    const p = await run(['check', 'x.npy', '--pattern', 'm9n1']);
    expect(p.code).toBe(2);
    expect(p.err[0]).toMatch(/unknown mask pattern 'm9n1'/);
    const none = await run(['check']);
    expect(none.code).toBe(2);
    expect(none.err).toEqual(['sparse24: check: expected exactly one FILE, got none']);
    const help = await run(['check', '--help']);
    expect(help.code).toBe(0);
    for (const opt of ['--pattern', '--json', '--strict']) expect(help.out.join('\n')).toContain(opt);
  });
});

const quiet = { verbosity: 0, allowPermutation: false, logger: () => {} } as const;

/** Linear [32, 64] (fits the fp16 and int8 CUTLASS layouts) and Linear [16, 32] (fits neither), 2:4-pruned by ASP. */
function prunedModel(seed: number): Sequential {
  const g = new MT19937(seed);
  const model = new Sequential(new Linear(64, 32, { generator: g }), new ReLU(), new Linear(32, 16, { generator: g }));
  ASP.initModelForPruning(model, quiet).computeSparseMasks();
  return model;
}

async function report(
  path: string,
  ...extra: string[]
): Promise<{ code: number; report: CheckReport; byName: (n: string) => CheckedTensor }> {
  const r = await run(['check', path, '--json', '--strict', ...extra]);
  expect(r.err).toEqual([]);
  const rep = JSON.parse(r.out[0]!) as CheckReport;
  return { code: r.code, report: rep, byName: (n) => rep.tensors.find((t) => t.name === n)! };
}

describe('sparse24 check on compressed-tensors records', () => {
  it('exportCompressed cutlass-24: the record is decoded under <param>, checked and passes --strict', async () => {
    await withTmp(async (dir) => {
      const f = join(dir, 'c.safetensors');
      await exportCompressed(prunedModel(1), f, { format: 'cutlass-24' });
      const { code, report: rep, byName } = await report(f);
      expect(code).toBe(0);
      expect(rep.verdict).toBe('sparse');
      // The record's keys are reported once, under the weight they stand for.
      expect(rep.tensors.map((t) => t.name).sort()).toEqual([
        '0.bias',
        '0.weight',
        '2.__weight_mma_mask',
        '2.bias',
        '2.weight',
      ]);
      expect(byName('0.weight')).toMatchObject({
        format: 'cutlass-24',
        dtype: 'F16',
        shape: [32, 64],
        candidate: true,
        eligible: true,
        groups: 512,
        violatingGroups: 0,
        storedViolatingGroups: 0,
        isNM: true,
        maskConsistent: null,
      });
      // Too small for CUTLASS: stored dense with apex's BOOL mask, which the weight agrees with.
      expect(byName('2.weight')).toMatchObject({
        format: 'dense',
        dtype: 'F32',
        shape: [16, 32],
        eligible: true,
        isNM: true,
        maskConsistent: true,
      });
      const human = await run(['check', f]);
      expect(human.out).toContain(
        '0.weight F16 [32, 64] cutlass-24: 2:4, 0/512 groups violating, stored pattern 2:4, kept magnitude 1.0000, eligible',
      );
      expect(human.out.at(-1)).toBe('verdict: sparse (2/2 eligible tensors are 2:4)');
    });
  });

  it('exportCompressed sparse-24-bitmask and prune --format (both) round-trip through check --strict', async () => {
    await withTmp(async (dir) => {
      const f = join(dir, 'b');
      await exportCompressed(prunedModel(2), f, { format: 'sparse-24-bitmask' });
      const b = await report(f);
      expect(b.code).toBe(0);
      expect(b.report.file).toBe(join(f, 'model.safetensors'));
      expect(b.byName('0.weight')).toMatchObject({
        format: 'sparse-24-bitmask',
        dtype: 'F32',
        shape: [32, 64],
        groups: 512,
        storedViolatingGroups: 0,
        isNM: true,
      });
      expect(b.byName('2.weight')).toMatchObject({
        format: 'sparse-24-bitmask',
        shape: [16, 32],
        groups: 128,
        isNM: true,
      });

      const dense = join(dir, 'dense.safetensors');
      // F16: prune's cutlass-24 (the CUTLASS layout) takes fp16/bf16 weights only.
      await saveSafetensors(dense, {
        'fc.weight': { dtype: 'F16', shape: [32, 64], data: float32ArrayToFloat16Bits(dense32x64()) },
        'fc.bias': { dtype: 'F32', shape: [32], data: new Float32Array(32) },
      });
      expect((await report(dense)).code).toBe(1);
      for (const format of ['cutlass-24', 'sparse-24-bitmask']) {
        // cutlass-24 is one file; sparse-24-bitmask a compressed-tensors folder.
        const out = join(dir, format === 'cutlass-24' ? 'cutlass-24.safetensors' : 'bitmask');
        expect((await run(['prune', dense, '-o', out, '--format', format])).code).toBe(0);
        const p = await report(out);
        expect(p.code).toBe(0);
        expect(p.byName('fc.weight')).toMatchObject({
          format,
          dtype: 'F16',
          shape: [32, 64],
          eligible: true,
          isNM: true,
          storedViolatingGroups: 0,
        });
      }
    });
  });

  it('decodes one model exported both ways: a compressed-tensors folder and a cutlass-24 file', async () => {
    await withTmp(async (dir) => {
      const model = prunedModel(6);
      const folder = join(dir, 'ct');
      const cutlass = join(dir, 'model.cutlass-24.safetensors');
      await exportCompressed(model, folder, { format: 'sparse-24-bitmask' });
      await exportCompressed(model, cutlass, { format: 'cutlass-24' });
      const stored = (await loadSafetensors(join(folder, 'model.safetensors'))).tensors;
      const comp = stored.get('0.compressed')!;
      expect([comp.dtype, comp.shape]).toEqual(['F32', [32, 32]]);

      // The folder, and its model.safetensors (config.json beside it), read the same.
      for (const path of [folder, join(folder, 'model.safetensors')]) {
        const b = await report(path);
        expect(b.code).toBe(0);
        expect(b.report.file).toBe(join(folder, 'model.safetensors'));
        expect(b.report.verdict).toBe('sparse');
        expect(b.report.tensors.map((t) => t.name).sort()).toEqual(['0.bias', '0.weight', '2.bias', '2.weight']);
        for (const [name, shape, groups] of [
          ['0.weight', [32, 64], 512],
          ['2.weight', [16, 32], 128],
        ] as const) {
          expect(b.byName(name)).toMatchObject({
            format: 'sparse-24-bitmask',
            dtype: 'F32',
            shape,
            groups,
            violatingGroups: 0,
            storedViolatingGroups: 0,
            isNM: true,
            eligible: true,
            keptMagnitudeFraction: 1,
          });
        }
      }
      const c = await report(cutlass);
      expect(c.code).toBe(0);
      expect(c.report.file).toBe(cutlass);
      expect(c.report.verdict).toBe('sparse');
      expect(c.byName('0.weight')).toMatchObject({
        format: 'cutlass-24',
        dtype: 'F16',
        shape: [32, 64],
        groups: 512,
        violatingGroups: 0,
        storedViolatingGroups: 0,
        isNM: true,
        eligible: true,
      });
      // [16, 32] is too small for the CUTLASS layout: dense with its mask.
      expect(c.byName('2.weight')).toMatchObject({ format: 'dense', dtype: 'F32', isNM: true, maskConsistent: true });

      const human = await run(['check', folder]);
      expect(human.code).toBe(0);
      expect(human.out).toContain(
        '0.weight F32 [32, 64] sparse-24-bitmask: 2:4, 0/512 groups violating, stored pattern 2:4, kept magnitude 1.0000, eligible',
      );
      expect(human.out.at(-1)).toBe('verdict: sparse (2/2 eligible tensors are 2:4)');
    });
  });

  it('what prune writes for an empty weight ([0, 16], [16, 0]) its own check reads (exit 0, no groups)', async () => {
    await withTmp(async (dir) => {
      for (const shape of [
        [0, 16],
        [16, 0],
      ]) {
        const input = join(dir, 'empty.safetensors');
        await saveSafetensors(input, { 'fc.weight': { dtype: 'F32', shape, data: new Float32Array(0) } });
        const out = join(dir, 'empty-bitmask');
        expect((await run(['prune', input, '-o', out, '--format', 'sparse-24-bitmask'])).code).toBe(0);
        const r = await report(out);
        expect(r.code).toBe(0);
        expect(r.byName('fc.weight')).toMatchObject({
          format: 'sparse-24-bitmask',
          shape,
          groups: 0,
          violatingGroups: 0,
          storedViolatingGroups: 0,
          isNM: true,
        });
      }
    });
  });

  it('empty tensors claiming 1e15 rows (no bytes at all) are checked at once, dense and as records', async () => {
    await withTmp(async (dir) => {
      const f = join(dir, 'empty.safetensors');
      await saveSafetensors(f, {
        'a.weight': { dtype: 'F32', shape: [1e15, 0], data: new Float32Array(0) },
        'c.weight': { dtype: 'F32', shape: [1e15, 0, 3, 3], data: new Float32Array(0) },
        'r.weight.compressed': { dtype: 'F32', shape: [0], data: new Float32Array(0) },
        'r.weight.bitmask': { dtype: 'U8', shape: [1e15, 0], data: new Uint8Array(0) },
        'r.weight.shape': { dtype: 'I64', shape: [2], data: BigInt64Array.from([10n ** 15n, 0n]) },
      });
      for (const pattern of ['m4n2_1d', 'm4n2_2d_greedy', '2:8']) {
        const r = await report(f, '--pattern', pattern);
        expect(r.code).toBe(0);
        for (const name of ['a.weight', 'c.weight', 'r.weight'])
          expect(r.byName(name)).toMatchObject({ groups: 0, violatingGroups: 0, isNM: true, keptMagnitudeFraction: 1 });
      }
    });
  });

  it('a bitmask keeping 3 of 4 in a group is a violation: --strict exits 1 naming the param', async () => {
    await withTmp(async (dir) => {
      const folder = join(dir, 'b');
      await exportCompressed(prunedModel(3), folder, { format: 'sparse-24-bitmask' });
      const f = join(folder, 'model.safetensors');
      const file = await loadSafetensors(f);
      const bits = file.tensors.get('0.bitmask')!.data as Uint8Array;
      // Row 0, byte 0 covers groups 0 and 1: move one kept bit from group 1 into group 0, so the
      // stored count still matches the values but group 0 keeps three.
      const low = bits[0]! & 0x0f;
      const high = bits[0]! & 0xf0;
      const free = [0, 1, 2, 3].find((i) => ((low >> i) & 1) === 0)!;
      const taken = [4, 5, 6, 7].find((i) => ((high >> i) & 1) === 1)!;
      bits[0] = (bits[0]! | (1 << free)) & ~(1 << taken);
      await saveSafetensors(f, file.tensors, file.metadata);
      const { code, report: rep, byName } = await report(folder);
      expect(code).toBe(1);
      expect(rep.verdict).toBe('not-sparse');
      expect(byName('0.weight')).toMatchObject({
        format: 'sparse-24-bitmask',
        storedViolatingGroups: 1,
        isNM: false,
        eligible: true,
      });
      expect(byName('0.weight').reasons.join()).toMatch(/stored bitmask keeps more than 2 of 4 in 1 of 512 groups/);
      const human = await run(['check', folder, '--strict']);
      expect(human.code).toBe(1);
      expect(human.out.find((l) => l.startsWith('0.weight '))).toMatch(
        /^0\.weight F32 \[32, 64\] sparse-24-bitmask: not 2:4, .*stored pattern not 2:4/,
      );

      // One more kept bit than stored values: undecodable, so a malformed file.
      bits[1] = bits[1]! | 0xff;
      await saveSafetensors(f, file.tensors, file.metadata);
      const bad = await run(['check', folder]);
      expect(bad.code).toBe(2);
      expect(bad.err).toHaveLength(1);
      expect(bad.err[0]).toMatch(
        /^sparse24: .*model\.safetensors: sparse-24-bitmask record '0': key '0\.bitmask' marks \d+ kept values but '0\.compressed' holds 1024$/,
      );
    });
  });

  it('a truncated or undecodable cutlass-24 record is one line and exit 2, naming the param and key', async () => {
    await withTmp(async (dir) => {
      const f = join(dir, 'c.safetensors');
      await exportCompressed(prunedModel(4), f, { format: 'cutlass-24' });
      const file = await loadSafetensors(f);
      const meta = file.tensors.get('0.weight.cutlass_24_meta')!;
      file.tensors.delete('0.weight.cutlass_24_meta');
      await saveSafetensors(f, file.tensors, file.metadata);
      const r = await run(['check', f, '--strict']);
      expect(r.code).toBe(2);
      expect(r.out).toEqual([]);
      expect(r.err).toEqual([
        `sparse24: ${f}: cutlass-24 record '0.weight' is incomplete: missing key '0.weight.cutlass_24_meta' (found 0.weight.cutlass_24_values)`,
      ]);

      (meta.data as Int16Array)[0] = 0; // nibble 0: keeps position 0 twice, not an ordered pair
      file.tensors.set('0.weight.cutlass_24_meta', meta);
      await saveSafetensors(f, file.tensors, file.metadata);
      const nib = await run(['check', f]);
      expect(nib.code).toBe(2);
      expect(nib.err).toHaveLength(1);
      expect(nib.err[0]).toMatch(/cutlass-24 record '0\.weight' .*cannot be decoded: .*meta nibble 0x0/);
    });
  });

  it('a dense weight that is nonzero where its mask buffer is 0 reports maskConsistent false', async () => {
    await withTmp(async (dir) => {
      const f = join(dir, 'm.safetensors');
      const w = sparse24(16, 32);
      const mask = Uint8Array.from(w, (v) => (v !== 0 ? 1 : 0));
      mask[0] = 0; // w[0] is nonzero
      await saveSafetensors(f, {
        'l.weight': { dtype: 'F32', shape: [16, 32], data: w },
        'l.__weight_mma_mask': { dtype: 'BOOL', shape: [16, 32], data: mask },
      });
      const { byName } = await report(f);
      expect(byName('l.weight')).toMatchObject({ isNM: true, maskConsistent: false });
      expect(byName('l.weight').reasons).toEqual([
        '1 value(s) are nonzero where l.__weight_mma_mask is 0 (first at flat index 0)',
      ]);
      expect(byName('l.__weight_mma_mask').candidate).toBe(false);
    });
  });
});

describe('sparse24 check on int8 weights', () => {
  it('exportQuantized (dense and int8 CUTLASS layouts): the int8 weights are checked as 2:4 and eligible', async () => {
    await withTmp(async (dir) => {
      const model = prunedModel(5);
      prepareQat(model);
      const f = join(dir, 'q.safetensors');
      await exportQuantized(model, f);
      const d = await report(f);
      expect(d.code).toBe(0);
      expect(d.report.verdict).toBe('sparse');
      for (const [name, shape] of [
        ['0.weight', [32, 64]],
        ['2.weight', [16, 32]],
      ] as const) {
        // quantizeModel keeps apex's BOOL masks beside the int8 weights; q is 0 wherever they are.
        expect(d.byName(name)).toMatchObject({
          format: 'dense',
          dtype: 'I8',
          shape,
          candidate: true,
          eligible: true,
          violatingGroups: 0,
          isNM: true,
          maskConsistent: true,
        });
        expect(d.byName(name).reasons.join()).toMatch(/I8: apex's tensor-core rule .* applied/);
      }
      const c = join(dir, 'q24.safetensors');
      await exportQuantized(model, c, { layout: 'cutlass-24' });
      const s = await report(c);
      expect(s.code).toBe(0);
      expect(s.byName('0.weight')).toMatchObject({
        format: 'cutlass-24',
        dtype: 'I8',
        shape: [32, 64],
        eligible: true,
        groups: 512,
        isNM: true,
        storedViolatingGroups: 0,
      });
      expect(s.byName('2.weight')).toMatchObject({ format: 'dense', dtype: 'I8', isNM: true });
    });
  });

  it('an int8 weight that is not 2:4 fails --strict; one that fails the shape rule is not eligible', async () => {
    await withTmp(async (dir) => {
      const model = prunedModel(6);
      prepareQat(model, { weight: { scheme: 'asymmetric' } }); // nonzero zero points store pruned zeros as nonzero
      const f = join(dir, 'q.safetensors');
      await exportQuantized(model, f);
      const r = await run(['check', f, '--strict']);
      expect(r.code).toBe(1);
      expect(r.out.find((l) => l.startsWith('0.weight '))).toMatch(
        /^0\.weight I8 \[32, 64\] dense: not 2:4, [1-9]\d*\/512 groups violating/,
      );

      const g = join(dir, 'h.safetensors');
      const q = Int8Array.from({ length: 16 * 32 }, (_, i) => (i % 4 === 3 ? 0 : 1 + (i % 7))); // three of four kept
      await saveSafetensors(g, {
        'a.weight': { dtype: 'I8', shape: [16, 32], data: q },
        'b.weight': { dtype: 'I8', shape: [10, 32], data: q.slice(0, 320) },
      });
      const h = await report(g);
      expect(h.code).toBe(1);
      expect(h.byName('a.weight')).toMatchObject({ eligible: true, groups: 128, violatingGroups: 128, isNM: false });
      expect(h.byName('b.weight')).toMatchObject({ candidate: true, eligible: false, isNM: false });
      expect(h.byName('b.weight').reasons[0]).toMatch(/shape \[10, 32\] fails apex's tensor-core rule/);
    });
  });
});
