/** writeBenchReport as a library function: an unwritable folder is the io layer's FileWriteError naming it. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BenchReport, writeBenchReport } from '../../src/bench/index.js';
import { FileWriteError } from '../../src/io/index.js';
import { withTmp } from '../cli/helpers.js';

const report: BenchReport = {
  suite: 'dense',
  date: '2026-01-01T00:00:00.000Z',
  quick: true,
  machine: { cpus: 1, cpuModel: 'test', memoryGiB: 1, node: process.version, wasmSimd: 'base' },
  rows: [],
};

describe('writeBenchReport', () => {
  it('creates the folder and writes <suite>-quick.json', async () => {
    await withTmp(async (dir) => {
      const file = await writeBenchReport(join(dir, 'a', 'b'), report);
      expect(file).toBe(join(dir, 'a', 'b', 'dense-quick.json'));
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(report);
    });
  });

  it('a folder path through a regular file, or a file where the folder should be, is a FileWriteError naming the folder', async () => {
    await withTmp(async (dir) => {
      const file = join(dir, 'plain');
      await writeFile(file, 'x');
      for (const [out, code, reason] of [
        [join(file, 'sub'), 'ENOTDIR', 'a part of the path is not a folder (ENOTDIR)'],
        [file, 'EEXIST', 'exists and is not a folder (EEXIST)'],
      ] as const) {
        const err = await writeBenchReport(out, report).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(FileWriteError);
        expect(err).toMatchObject({ path: out, code, message: `cannot write ${out}: ${reason}` });
      }
    });
  });
});
