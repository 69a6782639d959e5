import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError, FASHION_MNIST_DIR, FormatError, ValueError, fashionMnist, idxDataset } from './imports.js';

/** An IDX file: magic 00 00 type ndim, big-endian u32 dims, then the data bytes. */
function idx(code: number, shape: number[], data: ArrayLike<number>): Buffer {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = code;
  head[3] = shape.length;
  shape.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(Uint8Array.from(data))]);
}

const root = mkdtempSync(join(tmpdir(), 'sparse24-idx-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes a split's two files into a fresh folder: n images of 2×3 with pixel (k, j) = 10k + j. */
function makeDir(name: string, files: Record<string, Buffer>, gz: boolean): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, bytes] of Object.entries(files))
    writeFileSync(join(dir, gz ? `${file}.gz` : file), gz ? gzipSync(bytes) : bytes);
  return dir;
}

function split(prefix: string, n: number, labelOffset = 0): Record<string, Buffer> {
  const pixels = Array.from({ length: n * 6 }, (_, i) => 10 * Math.floor(i / 6) + (i % 6));
  return {
    [`${prefix}-images-idx3-ubyte`]: idx(0x08, [n, 2, 3], pixels),
    [`${prefix}-labels-idx1-ubyte`]: idx(
      0x08,
      [n],
      Array.from({ length: n }, (_, i) => (i + labelOffset) % 10),
    ),
  };
}

describe('idxDataset on generated MNIST-format files', () => {
  const plainDir = makeDir('plain', { ...split('train', 4), ...split('t10k', 3, 5) }, false);
  const gzDir = makeDir('gz', { ...split('train', 4), ...split('t10k', 3, 5) }, true);

  it('reads images as [n, 1, rows, cols] scaled by 1/255 and labels as [n]', async () => {
    const d = await idxDataset({ dir: plainDir });
    expect(d.length).toBe(4);
    expect(d.images.shape).toEqual([4, 1, 2, 3]);
    expect(d.labels.shape).toEqual([4]);
    expect([...d.get(2).x.data]).toEqual([20, 21, 22, 23, 24, 25].map((v) => Math.fround(v / 255)));
    expect([...d.labels.data]).toEqual([0, 1, 2, 3]);
  });

  it("reads the t10k files for split 'test'", async () => {
    const d = await idxDataset({ dir: plainDir, split: 'test' });
    expect(d.length).toBe(3);
    expect([...d.labels.data]).toEqual([5, 6, 7]);
  });

  it('reads gzip files to the same tensors as plain ones', async () => {
    const [a, b] = await Promise.all([
      idxDataset({ dir: plainDir, split: 'test' }),
      idxDataset({ dir: gzDir, split: 'test' }),
    ]);
    expect(b.images.data).toEqual(a.images.data);
    expect(b.labels.data).toEqual(a.labels.data);
  });

  it('limit keeps the first examples; a limit above n keeps all', async () => {
    const d = await idxDataset({ dir: gzDir, limit: 2 });
    expect(d.images.shape).toEqual([2, 1, 2, 3]);
    expect([...d.labels.data]).toEqual([0, 1]);
    expect((await idxDataset({ dir: gzDir, limit: 99 })).length).toBe(4);
    await expect(idxDataset({ dir: gzDir, limit: 0 })).rejects.toThrow(/limit must be a positive integer, got 0/);
    await expect(idxDataset({ dir: gzDir, split: 'val' as 'train' })).rejects.toThrow(ValueError);
  });

  it('names a missing file, and whether the folder exists', async () => {
    const onlyImages = makeDir(
      'no-labels',
      { 'train-images-idx3-ubyte': split('train', 2)['train-images-idx3-ubyte']! },
      false,
    );
    const err: unknown = await idxDataset({ dir: onlyImages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).path).toBe(join(onlyImages, 'train-labels-idx1-ubyte.gz'));
    expect((err as Error).message).toMatch(
      /missing dataset file train-labels-idx1-ubyte\.gz \(or train-labels-idx1-ubyte\): folder .*no-labels has neither/,
    );
    await expect(idxDataset({ dir: join(root, 'nowhere') })).rejects.toThrow(
      /train-images-idx3-ubyte\.gz .*folder .*nowhere does not exist/,
    );
  });

  it('fashionMnist says which Debian package provides the files', async () => {
    await expect(fashionMnist({ dir: join(root, 'nowhere') })).rejects.toThrow(/Debian package dataset-fashion-mnist/);
    await expect(fashionMnist({ dir: join(root, 'nowhere'), split: 'test' })).rejects.toThrow(
      /missing dataset file t10k-images-idx3-ubyte\.gz/,
    );
  });

  it('rejects wrong dtypes, ranks and mismatched counts with a FormatError naming the file', async () => {
    const wide = makeDir(
      'i32',
      { ...split('train', 2), 'train-images-idx3-ubyte': idx(0x0c, [1, 1, 1], [0, 0, 0, 7]) },
      false,
    );
    await expect(idxDataset({ dir: wide })).rejects.toThrow(
      /train-images-idx3-ubyte: images must be unsigned bytes of rank 3, found I32 of shape \[1, 1, 1\]/,
    );
    const flat = makeDir(
      'rank2',
      { ...split('train', 2), 'train-images-idx3-ubyte': idx(0x08, [2, 6], new Array<number>(12).fill(0)) },
      true,
    );
    await expect(idxDataset({ dir: flat })).rejects.toThrow(FormatError);
    const short = makeDir('short', { ...split('train', 3), 'train-labels-idx1-ubyte': idx(0x08, [2], [1, 2]) }, false);
    await expect(idxDataset({ dir: short })).rejects.toThrow(
      /train-labels-idx1-ubyte: holds 2 labels but .*train-images-idx3-ubyte holds 3 images/,
    );
  });
});

describe.skipIf(!existsSync(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz')))(
  'Fashion-MNIST from dataset-fashion-mnist',
  () => {
    it('test split: 10,000 images [1, 28, 28], 1,000 per class, known first labels and pixels', async () => {
      const d = await fashionMnist({ split: 'test' });
      expect(d.images.shape).toEqual([10000, 1, 28, 28]);
      expect([...d.labels.data.subarray(0, 10)]).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
      const counts = new Array<number>(10).fill(0);
      for (const y of d.labels.data) counts[y]!++;
      expect(counts).toEqual(new Array<number>(10).fill(1000));
      const first = d.get(0).x.data;
      // NumPy: nonzero bytes of t10k image 0 start at 215 (3), 216 (1), 219 (7); bytes sum to 33456.
      expect([first[214], first[215], first[216], first[219]]).toEqual([0, 3, 1, 7].map((v) => Math.fround(v / 255)));
      expect(Math.round(first.reduce((a, b) => a + b * 255, 0))).toBe(33456);
    });

    it('train split with a limit: first labels and image of the file', async () => {
      const d = await fashionMnist({ limit: 10 });
      expect(d.images.shape).toEqual([10, 1, 28, 28]);
      expect([...d.labels.data]).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
      const first = d.get(0).x.data;
      expect([first[96], first[99], first[100]]).toEqual([1, 13, 73].map((v) => Math.fround(v / 255)));
      expect(Math.round(first.reduce((a, b) => a + b * 255, 0))).toBe(76247);
    });
  },
);
