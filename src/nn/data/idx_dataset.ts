import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Tensor, ValueError } from '../../tensor/index.js';
import { FormatError, type StoredTensor, readIdx } from '../../io/index.js';
import { TensorDataset } from './dataset.js';
import { DatasetError } from './errors.js';

export type IdxSplit = 'train' | 'test';

export interface IdxDatasetOptions {
  /** Folder holding the four MNIST-format files. */
  dir: string;
  /** 'train' reads `train-*`, 'test' reads `t10k-*`. Default 'train'. */
  split?: IdxSplit;
  /** Keep only the first `limit` examples (after reading the whole file). */
  limit?: number;
  /** Added to the "missing file" message: where the files can be had. */
  installHint?: string;
}

/** Where Debian's `dataset-fashion-mnist` package puts the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's class names, indexed by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The gzip file when present, else the plain one (readIdx detects gzip by content either way). */
async function findFile(dir: string, base: string, hint: string | undefined): Promise<string> {
  for (const name of [`${base}.gz`, base]) {
    const path = join(dir, name);
    if (await exists(path)) return path;
  }
  const where = (await exists(dir)) ? `folder ${dir} has neither` : `folder ${dir} does not exist, so neither is there`;
  throw new DatasetError(
    join(dir, `${base}.gz`),
    `missing dataset file ${base}.gz (or ${base}): ${where}${hint ? `; ${hint}` : ''}`,
  );
}

function expectU8(t: StoredTensor, file: string, rank: number, what: string): Uint8Array {
  if (t.dtype !== 'U8' || t.shape.length !== rank) {
    throw new FormatError(
      file,
      `${what} must be unsigned bytes of rank ${rank}, found ${t.dtype} of shape [${t.shape.join(', ')}]`,
    );
  }
  return t.data;
}

/**
 * An MNIST-format dataset (MNIST, Fashion-MNIST, KMNIST...) read from
 * `{train,t10k}-images-idx3-ubyte[.gz]` and `{train,t10k}-labels-idx1-ubyte[.gz]`: images
 * [n, 1, rows, cols] scaled to [0, 1] (byte / 255), labels [n] as floats.
 */
export async function idxDataset(options: IdxDatasetOptions): Promise<TensorDataset> {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test')
    throw new ValueError(`idxDataset: split must be 'train' or 'test', got '${String(split)}'`);
  const limit = options.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new ValueError(`idxDataset: limit must be a positive integer, got ${limit}`);
  const prefix = split === 'train' ? 'train' : 't10k';
  const imageFile = await findFile(options.dir, `${prefix}-images-idx3-ubyte`, options.installHint);
  const labelFile = await findFile(options.dir, `${prefix}-labels-idx1-ubyte`, options.installHint);
  const [imagesIdx, labelsIdx] = await Promise.all([readIdx(imageFile), readIdx(labelFile)]);
  const pixels = expectU8(imagesIdx, imageFile, 3, 'images');
  const labelBytes = expectU8(labelsIdx, labelFile, 1, 'labels');
  const [count, rows, cols] = imagesIdx.shape as [number, number, number];
  if (labelBytes.length !== count) {
    throw new FormatError(labelFile, `holds ${labelBytes.length} labels but ${imageFile} holds ${count} images`);
  }
  const n = limit === undefined ? count : Math.min(limit, count);
  const x = new Float32Array(n * rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = pixels[i]! / 255;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = labelBytes[i]!;
  return new TensorDataset(new Tensor(x, [n, 1, rows, cols]), new Tensor(y, [n]));
}

export interface FashionMnistOptions {
  /** Default `/usr/share/datasets/fashion-mnist` (Debian package `dataset-fashion-mnist`). */
  dir?: string;
  split?: IdxSplit;
  limit?: number;
}

/** Fashion-MNIST (Zalando, MIT licence): 60,000 train / 10,000 test 28×28 greyscale images, ten classes. */
export function fashionMnist(options: FashionMnistOptions = {}): Promise<TensorDataset> {
  const dir = options.dir ?? FASHION_MNIST_DIR;
  return idxDataset({
    dir,
    ...(options.split !== undefined && { split: options.split }),
    ...(options.limit !== undefined && { limit: options.limit }),
    installHint: `the Debian package dataset-fashion-mnist provides the Fashion-MNIST files in ${FASHION_MNIST_DIR} (apt install dataset-fashion-mnist), or pass dir`,
  });
}
