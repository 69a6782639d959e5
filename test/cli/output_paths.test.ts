import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { saveSafetensors } from '../../src/io/index.js';
import { capture, withTmp } from './helpers.js';

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out, err: c.err };
}

/** Exit 2 with one line that names the path the user gave, and nothing else on stderr (no work started). */
function expectRefused(r: { code: number; err: string[] }, what: string, path: string, problem: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err).toHaveLength(1);
  expect(r.err[0]!.startsWith(`sparse24: ${what}: cannot write '${path}': `)).toBe(true);
  expect(r.err[0]).toMatch(problem);
  expect(r.err[0]).not.toMatch(/internal error|\.tmp/);
}

async function checkpoint(dir: string): Promise<string> {
  const input = join(dir, 'in.safetensors');
  await saveSafetensors(input, { 'fc.weight': { dtype: 'F32', shape: [8, 16], data: new Float32Array(128).fill(1) } });
  return input;
}

const isRoot = process.getuid?.() === 0;

describe('prune -o: unwritable outputs are bad input (exit 2) naming the path, checked before pruning', () => {
  it('a missing folder, a path under a regular file, a folder as output, a name over 255 bytes', async () => {
    await withTmp(async (dir) => {
      const input = await checkpoint(dir);
      const file = join(dir, 'plain.txt');
      await writeFile(file, 'x');
      await mkdir(join(dir, 'folder.safetensors'));
      const cases: [string, RegExp][] = [
        ['/nonexistent/x.safetensors', /folder \/nonexistent does not exist$/],
        [join(dir, 'a', 'b', 'x.safetensors'), /folder .*\/a\/b does not exist$/],
        [join(file, 'x.safetensors'), /plain\.txt is not a folder$/],
        [join(dir, 'folder.safetensors'), /it is a folder; expected a file path$/],
        [
          join(dir, `${'n'.repeat(290)}.safetensors`),
          /the file name is 302 bytes, longer than the 255 a file name may have$/,
        ],
      ];
      for (const [output, problem] of cases)
        expectRefused(await run(['prune', input, '-o', output]), 'prune -o', output, problem);
      expect((await readdir(dir)).sort()).toEqual(['folder.safetensors', 'in.safetensors', 'plain.txt']);
    });
  });

  it('a 250-character file name is written (the temporary name stays short)', async () => {
    await withTmp(async (dir) => {
      const input = await checkpoint(dir);
      const name = `${'p'.repeat(238)}.safetensors`;
      expect(name.length).toBe(250);
      const r = await run(['prune', input, '-o', join(dir, name)]);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      expect((await readdir(dir)).sort()).toEqual(['in.safetensors', name].sort());
    });
  });

  // Root ignores permission bits, so a chmod-ed folder proves nothing here; sysfs refuses new
  // files even to root, which is an honest unwritable folder on Linux.
  it.skipIf(!existsSync('/sys/kernel'))(
    'a folder nobody may create files in (/sys) is refused by the probe write',
    async () => {
      await withTmp(async (dir) => {
        const input = await checkpoint(dir);
        expectRefused(
          await run(['prune', input, '-o', '/sys/out.safetensors']),
          'prune -o',
          '/sys/out.safetensors',
          /folder \/sys is not writable: (permission denied \(EACCES\)|operation not permitted \(EPERM\)|read-only file system \(EROFS\))$/,
        );
      });
    },
  );

  it.skipIf(isRoot)('a read-only folder (permission bits; skipped as root, which ignores them)', async () => {
    await withTmp(async (dir) => {
      const input = await checkpoint(dir);
      const ro = join(dir, 'ro');
      await mkdir(ro);
      await chmod(ro, 0o500);
      try {
        expectRefused(
          await run(['prune', input, '-o', join(ro, 'x.safetensors')]),
          'prune -o',
          join(ro, 'x.safetensors'),
          /is not writable: permission denied \(EACCES\)$/,
        );
      } finally {
        await chmod(ro, 0o700);
      }
    });
  });
});

describe('--out folders (demo, bench, vectors) are checked before the work starts', () => {
  it('an existing regular file, a path under a file and an unwritable folder: exit 2, no progress printed', async () => {
    await withTmp(async (dir) => {
      const file = join(dir, 'existing_file');
      await writeFile(file, 'x');
      const outs: [string, RegExp][] = [
        [file, /it exists and is not a folder$/],
        [join(file, 'sub'), /existing_file is not a folder$/],
        ...(existsSync('/sys/kernel')
          ? ([['/sys/sparse24-out', /folder \/sys is not writable/]] as [string, RegExp][])
          : []),
      ];
      for (const [out, problem] of outs) {
        // demo without --quiet prints progress from its first step, and bench prints a line per
        // measurement: a single stderr line shows the check ran before either.
        expectRefused(await run(['demo', '--out', out]), 'demo --out', out, problem);
        expectRefused(
          await run(['bench', '--quick', '--only', 'gemm-256', '--backends', 'reference', '--no-peers', '--out', out]),
          'bench --out',
          out,
          problem,
        );
        expectRefused(await run(['vectors', '--out', out]), 'vectors --out', out, problem);
      }
    });
  });

  it('a folder that does not exist yet is fine when the folder above it can be written', async () => {
    await withTmp(async (dir) => {
      const out = join(dir, 'new', 'deeper');
      const r = await run(['vectors', '--out', out, '--json']);
      expect(r.code).toBe(0);
      expect((await readdir(out)).length).toBeGreaterThan(1);
      // The probe leaves nothing behind.
      expect(await readdir(dir)).toEqual(['new']);
    });
  });
});
