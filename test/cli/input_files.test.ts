import { execFileSync } from 'node:child_process';
import { copyFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { serializeNpy, serializeSafetensors } from '../../src/io/index.js';
import { capture, withTmp } from './helpers.js';

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out, err: c.err };
}

function weight(rows: number, cols: number): Float32Array {
  return Float32Array.from({ length: rows * cols }, (_, i) => ((i * 37) % 23) / 7 - 1.5);
}

describe('every command reads its input through one reader', () => {
  it('devices, FIFOs and links to devices are refused at once (exit 2), whatever their name', async () => {
    await withTmp(async (dir) => {
      const zeroNpy = join(dir, 'zero.npy');
      const zeroSt = join(dir, 'zero.safetensors');
      await symlink('/dev/zero', zeroNpy);
      await symlink('/dev/zero', zeroSt);
      const fifo = join(dir, 'pipe.safetensors');
      execFileSync('mkfifo', [fifo]);
      const out = join(dir, 'out.safetensors');
      const cases: [string[], string][] = [
        [['permute', zeroNpy], zeroNpy],
        [['check', zeroSt], zeroSt],
        [['check', fifo], fifo],
        [['prune', zeroSt, '-o', out], zeroSt],
        [['prune', fifo, '-o', out], fifo],
      ];
      for (const [argv, path] of cases) {
        const r = await run(argv);
        expect(r.code).toBe(2);
        expect(r.err).toHaveLength(1);
        expect(r.err[0]).toMatch(
          new RegExp(
            `^sparse24: ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: is (a character device \\(through a symbolic link\\)|a FIFO \\(named pipe\\)), not a regular file`,
          ),
        );
      }
    });
  });

  it('permute: W.NPY is an .npy file, /etc/passwd and /dev/zero are not tensor files, a mislabelled file is read as what it is', async () => {
    await withTmp(async (dir) => {
      const npy = serializeNpy({ dtype: 'F32', shape: [8, 16], data: weight(8, 16) });
      const upper = join(dir, 'W.NPY');
      await writeFile(upper, npy);
      const a = await run(['permute', upper, '--json']);
      expect(a.err).toEqual([]);
      expect(a.code).toBe(0);
      expect(JSON.parse(a.out[0]!)).toMatchObject({ rows: 8, cols: 16 });

      for (const path of ['/etc/passwd', '/dev/zero']) {
        const r = await run(['permute', path]);
        expect(r.code).toBe(2);
        expect(r.err).toEqual([
          `sparse24: ${path}: unsupported file type '(none)'; expected .safetensors, .npy or .onnx`,
        ]);
      }
      const passwd = join(dir, 'passwd.safetensors');
      await copyFile('/etc/passwd', passwd);
      const p = await run(['permute', passwd]);
      expect(p.code).toBe(2);
      expect(p.err[0]).toMatch(/^sparse24: .*passwd\.safetensors: header length \d+ (exceeds|runs past)/);

      // An .npy array saved under a .safetensors name, and a checkpoint saved as .npy.
      const npyAsSt = join(dir, 'array.safetensors');
      await writeFile(npyAsSt, npy);
      expect((await run(['permute', npyAsSt, '--json'])).code).toBe(0);
      const stAsNpy = join(dir, 'ckpt.npy');
      await writeFile(stAsNpy, serializeSafetensors({ w: { dtype: 'F32', shape: [8, 16], data: weight(8, 16) } }));
      const s = await run(['permute', stAsNpy, '--tensor', 'w', '--json']);
      expect(s.err).toEqual([]);
      expect(s.code).toBe(0);
      const prune = await run(['prune', npyAsSt, '-o', join(dir, 'o.safetensors')]);
      expect(prune.code).toBe(2);
      expect(prune.err).toEqual([`sparse24: prune: '${npyAsSt}' holds an .npy array, not a safetensors checkpoint`]);
    });
  });
});

describe('empty tensors claiming huge dimensions', () => {
  it('permute refuses a tensor with no elements before building its view (exit 2, at once)', async () => {
    await withTmp(async (dir) => {
      const st = join(dir, 'empty.safetensors');
      await writeFile(
        st,
        serializeSafetensors({ w: { dtype: 'F32', shape: [1e15, 8, 0, 3], data: new Float32Array(0) } }),
      );
      const r = await run(['permute', st]);
      expect(r.code).toBe(2);
      expect(r.err).toEqual([
        "sparse24: tensor 'w' has shape [1000000000000000, 8, 0, 3], which holds no elements; nothing to permute",
      ]);
    });
  });
});

describe('F64 values beyond float32 are reported as the file holds them, not as ±Infinity', () => {
  it('check names 1e+300 and -1e+300; permute refuses them with exit 2', async () => {
    await withTmp(async (dir) => {
      for (const big of [1e300, -1e300]) {
        const data = Float64Array.from(weight(8, 16));
        data[3] = big;
        const st = join(dir, 'f64.safetensors');
        await writeFile(st, serializeSafetensors({ 'fc.weight': { dtype: 'F64', shape: [8, 16], data } }));
        const c = await run(['check', st, '--json']);
        expect(c.code).toBe(0);
        const reasons = (JSON.parse(c.out[0]!) as { tensors: { eligible: boolean; reasons: string[] }[] }).tensors[0]!;
        expect(reasons.eligible).toBe(false);
        expect(reasons.reasons).toEqual([
          `value ${big} at flat index 3 is beyond float32's range (±3.4028234663852886e+38); masks are computed in float32`,
        ]);
        expect(c.out[0]).not.toMatch(/Infinity/);

        const npy = join(dir, 'f64.npy');
        await writeFile(npy, serializeNpy({ dtype: 'F64', shape: [8, 16], data }));
        const p = await run(['permute', npy]);
        expect(p.code).toBe(2);
        expect(p.err).toEqual([
          `sparse24: tensor '${npy}': value ${big} at flat index 3 is beyond float32's range (±3.4028234663852886e+38); the permutation search works in float32`,
        ]);
      }
    });
  });

  it('a genuine F64 infinity is still reported as one, beside the other reasons', async () => {
    await withTmp(async (dir) => {
      const data = Float64Array.from(weight(8, 16));
      data[1] = 1e300;
      data[2] = -Infinity;
      const st = join(dir, 'f64.safetensors');
      await writeFile(st, serializeSafetensors({ 'fc.weight': { dtype: 'F64', shape: [8, 16], data } }));
      const c = await run(['check', st, '--json']);
      const t = (JSON.parse(c.out[0]!) as { tensors: { reasons: string[] }[] }).tensors[0]!;
      expect(t.reasons).toEqual([
        'non-finite value -Infinity at flat index 2; masks need finite weights',
        "value 1e+300 at flat index 1 is beyond float32's range (±3.4028234663852886e+38); masks are computed in float32",
      ]);
    });
  });
});

describe('diagnostics are one bounded line', () => {
  it('a message quoting a multi-line or megabyte argument is printed on one line, clipped', async () => {
    await withTmp(async (dir) => {
      const st = join(dir, 'two.safetensors');
      await writeFile(
        st,
        serializeSafetensors({
          a: { dtype: 'F32', shape: [8, 8], data: weight(8, 8) },
          b: { dtype: 'F32', shape: [8, 8], data: weight(8, 8) },
        }),
      );
      const nl = await run(['permute', st, '--tensor', 'x\ny']);
      expect(nl.code).toBe(2);
      expect(nl.err).toEqual([`sparse24: '${st}' has no tensor 'x y'; it has: a, b`]);
      const huge = await run(['permute', st, '--tensor', 'z'.repeat(1_000_000)]);
      expect(huge.code).toBe(2);
      expect(huge.err).toHaveLength(1);
      expect(huge.err[0]!.length).toBeLessThan(2100);
      expect(huge.err[0]).toMatch(/more characters\)$/);
    });
  });
});
