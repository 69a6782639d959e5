import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/cli/commands/check.js';
import { main } from '../../src/cli/main.js';
import { saveNpy, saveSafetensors } from '../../src/io/index.js';
import { tensorRTReport } from '../../src/sparse/index.js';
import { capture, withTmp } from './helpers.js';

/** [rows][cols] float32 with a deterministic, distinct-magnitude pattern. */
function dense(rows: number, cols: number): Float32Array {
  return Float32Array.from({ length: rows * cols }, (_, i) => ((i * 7919) % 97) / 10 - 4.85 + (i % 3 === 0 ? 0.013 : 0));
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
      expect(w).toMatchObject({ dtype: 'F32', shape: [8, 16], candidate: true, eligible: true, groups: 32, violatingGroups: 0, isNM: true, keptMagnitudeFraction: 1 });
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
      expect(report.tensors[0]!.keptMagnitudeFraction).toBeCloseTo(tensorRTReport(data, [8, 32]).keptMagnitudeFraction, 12);
      const strict = await run(['check', f, '--strict']);
      expect(strict.code).toBe(1);
      expect(strict.out[0]).toMatch(/^layer\.weight F32 \[8, 32\]: not 2:4, 2\/64 groups violating, kept magnitude 0\.\d{4}, eligible$/);
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
      const data = new Float32Array(8 * 16 * 2).map((_, i) => (Math.floor(i / 2) % 16 < 16 && (Math.floor(i / 2) % 16) % 4 < 2 ? 1 + (i % 5) : 0));
      await saveNpy(f, { dtype: 'F32', shape: [8, 16, 1, 2], data });
      const two = JSON.parse((await run(['check', f, '--json', '--pattern', '2:4'])).out[0]!) as CheckReport;
      expect(two.tensors[0]).toMatchObject({ name: 'conv', candidate: true, groups: 64, violatingGroups: 0, isNM: true });
      const one = await run(['check', f, '--json', '--pattern', '1:4', '--strict']);
      expect(one.code).toBe(1);
      expect((JSON.parse(one.out[0]!) as CheckReport).tensors[0]).toMatchObject({ groups: 64, violatingGroups: 64, isNM: false });
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
      expect(txt.err[0]).toMatch(/unsupported file type '\.txt'; expected \.safetensors or \.npy/);
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
