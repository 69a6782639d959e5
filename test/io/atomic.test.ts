import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/io/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'sparse24-atomic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('replaces an existing file and leaves no temporary file', async () => {
    const path = join(tmp, 'out.bin');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    expect(readdirSync(tmp)).toEqual(['out.bin']);
  });

  it('keeps the old target and removes the temporary file when the rename fails', async () => {
    const dir = join(tmp, 'fail');
    mkdirSync(dir);
    // Renaming a file over a non-empty directory fails after the temporary file was written.
    const target = join(dir, 'target');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    await expect(writeFileAtomic(target, new Uint8Array([1]))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['target']);
    expect(readdirSync(target)).toEqual(['keep']);
  });

  it('fails cleanly when the folder does not exist', async () => {
    await expect(writeFileAtomic(join(tmp, 'missing', 'x'), new Uint8Array(1))).rejects.toThrow(/ENOENT/);
  });
});
