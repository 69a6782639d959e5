import { execFileSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  writeSync,
  ftruncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FormatError,
  MAX_FILE_BYTES,
  RegularFile,
  loadNpy,
  loadSafetensors,
  readIdx,
  readRegularFile,
  serializeNpy,
  serializeSafetensors,
} from '../../src/io/index.js';
import { ValueError } from '../../src/tensor/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'sparse24-read-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function formatError(p: Promise<unknown>): Promise<FormatError> {
  const err: unknown = await p.then(
    () => expect.fail('expected a FormatError'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FormatError);
  return err as FormatError;
}

/** A sparse file of `size` bytes (no data blocks written) that starts with `head`. */
function sparseFile(name: string, size: number, head: Uint8Array): string {
  const path = join(tmp, name);
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
    writeSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return path;
}

const READERS: [string, (path: string) => Promise<unknown>][] = [
  ['readRegularFile', (p) => readRegularFile(p)],
  ['loadSafetensors', (p) => loadSafetensors(p)],
  ['loadNpy', (p) => loadNpy(p)],
  ['readIdx', (p) => readIdx(p)],
];

describe('only regular files are read', () => {
  const link = join(tmp, 'zero-link.safetensors');
  symlinkSync('/dev/zero', link);
  const fifo = join(tmp, 'pipe.npy');
  execFileSync('mkfifo', [fifo]);
  const dir = join(tmp, 'folder.safetensors');
  mkdirSync(dir);

  for (const [reader, read] of READERS) {
    it(`${reader}: a device, a link to a device, a FIFO and a directory are refused at once`, async () => {
      const cases: [string, RegExp][] = [
        ['/dev/zero', /^\/dev\/zero: is a character device, not a regular file/],
        [link, /is a character device \(through a symbolic link\), not a regular file/],
        [fifo, /is a FIFO \(named pipe\), not a regular file/],
        [dir, /is a directory, not a regular file/],
      ];
      for (const [path, message] of cases) {
        const err = await formatError(read(path));
        expect(err.file).toBe(path);
        expect(err.message).toMatch(message);
      }
    });
  }

  it('a missing file keeps Node’s error code (callers tell "no such file" from "bad file")', async () => {
    await expect(readRegularFile(join(tmp, 'missing.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(loadSafetensors(join(tmp, 'missing.safetensors'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the size limit is checked before anything is allocated', () => {
  // Sparse files: 2 GiB + 8 bytes on disk by ftruncate, no data written.
  const big = MAX_FILE_BYTES + 8;
  const idxHead = new Uint8Array([0, 0, 0x08, 1, 0x80, 0, 0, 0]); // U8 [2^31]: a valid claim for this size
  const files: [string, (path: string) => Promise<unknown>, Uint8Array][] = [
    ['big.bin', (p) => readRegularFile(p), new Uint8Array(0)],
    [
      'big.safetensors',
      (p) => loadSafetensors(p),
      serializeSafetensors({ x: { dtype: 'U8', shape: [1], data: new Uint8Array(1) } }).subarray(0, 8),
    ],
    ['big.npy', (p) => loadNpy(p), serializeNpy({ dtype: 'U8', shape: [1], data: new Uint8Array(1) }).subarray(0, 16)],
    ['big.idx', (p) => readIdx(p), idxHead],
  ];
  for (const [name, read, head] of files) {
    it(`${name}: a file over 2 GiB is a FormatError naming the file, its size and the limit (no native abort)`, async () => {
      const path = sparseFile(name, big, head);
      const err = await formatError(read(path));
      expect(err.file).toBe(path);
      expect(err.message).toBe(
        `${path}: file is ${big} bytes, more than the ${MAX_FILE_BYTES}-byte limit for reading a file (maxBytes)`,
      );
    });
  }

  it('maxBytes lowers the limit, and must be a sane integer', async () => {
    const path = join(tmp, 'ten.bin');
    writeFileSync(path, new Uint8Array(10));
    expect((await readRegularFile(path, { maxBytes: 10 })).length).toBe(10);
    expect((await formatError(readRegularFile(path, { maxBytes: 9 }))).message).toMatch(
      /file is 10 bytes, more than the 9-byte limit/,
    );
    await expect(readRegularFile(path, { maxBytes: -1 })).rejects.toBeInstanceOf(ValueError);
    await expect(readRegularFile(path, { maxBytes: 2 ** 40 })).rejects.toThrow(
      /maxBytes must be an integer in \[0, \d+\]/,
    );
  });

  it('gzip IDX: the decompressed size is capped by maxBytes too', async () => {
    const path = join(tmp, 'bomb.idx.gz');
    const n = 1 << 22; // 4 MiB of zeros compress to ~4 kB
    const plain = new Uint8Array(8 + n);
    plain.set([0, 0, 0x08, 1, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    writeFileSync(path, gzipSync(plain));
    expect((await readIdx(path)).data.length).toBe(n);
    const err = await formatError(readIdx(path, { maxBytes: 1 << 20 }));
    expect(err.message).toMatch(
      /shape \[4194304\] of U8 needs 4194304 bytes, more than the 1048576-byte limit for decompressed data \(maxBytes\)/,
    );
  });
});

describe('reads in chunks and checks every read', () => {
  it('small chunks give the same bytes', async () => {
    const path = join(tmp, 'chunks.bin');
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 255);
    writeFileSync(path, bytes);
    expect(await readRegularFile(path, { chunkBytes: 7 })).toEqual(bytes);
    expect(await readIdx(join(tmp, 'chunks.bin')).catch((e: unknown) => e)).toBeInstanceOf(FormatError);
  });

  it('a file that shrinks while being read is a FormatError, not zero-filled data', async () => {
    const path = join(tmp, 'shrinks.bin');
    writeFileSync(path, new Uint8Array(100).fill(1));
    const f = await RegularFile.open(path, { chunkBytes: 16 });
    try {
      truncateSync(path, 40);
      const err = await formatError(f.readAll());
      expect(err.message).toMatch(/file ended after 40 bytes, but it was 100 bytes when opened/);
      expect(err.offset).toBe(40);
    } finally {
      await f.close();
    }
  });
});
