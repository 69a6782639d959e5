import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileWriteError, temporaryName, writeFileAtomic } from '../../src/io/index.js';

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

  it('fails cleanly when the folder does not exist, naming the target (not the temporary file)', async () => {
    const target = join(tmp, 'missing', 'x');
    const err = await writeFileAtomic(target, new Uint8Array(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileWriteError);
    expect(err).toMatchObject({ path: target, code: 'ENOENT' });
    expect((err as Error).message).toBe(
      `cannot write ${target}: folder ${join(tmp, 'missing')} does not exist (ENOENT)`,
    );
    expect((err as Error).message).not.toMatch(/\.tmp/);
  });

  it('a target name near the 255-byte limit still gets a short temporary name', async () => {
    const name = `${'n'.repeat(240)}.safetensors`;
    const path = join(tmp, name);
    expect(Buffer.byteLength(name)).toBeGreaterThan(250);
    const tmpName = temporaryName(path).slice(tmp.length + 1);
    expect(Buffer.byteLength(tmpName)).toBeLessThan(130);
    expect(tmpName.startsWith(`.${'n'.repeat(24)}.`)).toBe(true);
    await writeFileAtomic(path, new Uint8Array([7]));
    expect([...readFileSync(path)]).toEqual([7]);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a multi-byte name is clipped by characters, never inside one', () => {
    const t = temporaryName(join(tmp, 'é'.repeat(200)));
    expect(t).toContain(`.${'é'.repeat(24)}.`);
  });
});
