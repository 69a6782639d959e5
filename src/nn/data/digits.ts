import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Tensor, ValueError } from '../../tensor/index.js';
import { TensorDataset } from './dataset.js';
import { FormatError } from '../../io/index.js';

/** The embedded UCI digits: 1,797 8×8 images (pixels 0..16), ten classes. See data/digits/README.md. */
export interface DigitsData {
  /** [n, 64] pixel values scaled to [0, 1]. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

/** Where the embedded copy lives: `data/digits/` at the package root (same depth from src/ and dist/). */
export function digitsPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'digits', 'digits.csv.gz');
}

export function loadDigits(path: string = digitsPath()): DigitsData {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const rows = text.split('\n').filter((l) => l.trim() !== '');
  const images = new Float32Array(rows.length * 64);
  const labels = new Int32Array(rows.length);
  rows.forEach((row, r) => {
    const cells = row.split(',');
    if (cells.length !== 65)
      throw new FormatError(path, `row ${r + 1} has ${cells.length} fields, expected 65 (64 pixels and a label)`);
    for (let i = 0; i < 64; i++) {
      const v = Number(cells[i]);
      if (!(v >= 0 && v <= 16))
        throw new FormatError(
          path,
          `row ${r + 1}, field ${i + 1}: pixel must be a number in 0..16, found '${cells[i]}'`,
        );
      images[r * 64 + i] = v / 16;
    }
    const label = Number(cells[64]);
    if (!Number.isInteger(label) || label < 0 || label > 9)
      throw new FormatError(path, `row ${r + 1}: label must be an integer 0..9, found '${cells[64]}'`);
    labels[r] = label;
  });
  return { images, labels, count: rows.length };
}

/**
 * The fixed split: every fifth image (index % 5 === 4) is test data, the rest training data —
 * 1,438 train / 359 test. Every class is in both splits, though not in equal numbers (the file
 * only roughly interleaves classes): test holds 21 to 52 images of each class.
 */
export function isDigitsTestIndex(i: number): boolean {
  return i % 5 === 4;
}

export type DigitsSplit = 'train' | 'test' | 'all';
export type DigitsLayout = 'flat' | 'image';

export interface DigitsOptions {
  /** Which part of the fixed split (see `isDigitsTestIndex`); default 'train'. */
  split?: DigitsSplit;
  /** 'flat': images [n, 64]; 'image': [n, 1, 8, 8] (NCHW, one channel). Default 'flat'. */
  layout?: DigitsLayout;
  /** Standardise pixels with the train split's mean and std (see `digitsStats`); default false. */
  normalize?: boolean;
  /** Another copy of digits.csv.gz (tests); default the embedded one. */
  path?: string;
}

const cache = new Map<string, DigitsData>();

function cachedDigits(path: string): DigitsData {
  let data = cache.get(path);
  if (data === undefined) {
    data = loadDigits(path);
    cache.set(path, data);
  }
  return data;
}

/**
 * Mean and population std (ddof 0) of all train-split pixels after scaling to [0, 1], computed in
 * double precision: one scalar pair, like torchvision's MNIST `Normalize((0.1307,), (0.3081,))`.
 * A per-pixel std would be zero at the always-blank border pixels.
 */
export function digitsStats(path: string = digitsPath()): { mean: number; std: number } {
  const { images, count } = cachedDigits(path);
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let r = 0; r < count; r++) {
    if (isDigitsTestIndex(r)) continue;
    for (let i = r * 64; i < r * 64 + 64; i++) {
      const v = images[i]!;
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
}

/** The embedded digits as a `TensorDataset`: images scaled to [0, 1] (or standardised), labels [n] as floats. */
export function digitsDataset(options: DigitsOptions = {}): TensorDataset {
  const split = options.split ?? 'train';
  const layout = options.layout ?? 'flat';
  if (split !== 'train' && split !== 'test' && split !== 'all')
    throw new ValueError(`digitsDataset: split must be 'train', 'test' or 'all', got '${String(split)}'`);
  if (layout !== 'flat' && layout !== 'image')
    throw new ValueError(`digitsDataset: layout must be 'flat' or 'image', got '${String(layout)}'`);
  const path = options.path ?? digitsPath();
  const data = cachedDigits(path);
  const rows: number[] = [];
  for (let r = 0; r < data.count; r++) {
    if (split === 'all' || (split === 'test') === isDigitsTestIndex(r)) rows.push(r);
  }
  const x = new Float32Array(rows.length * 64);
  const y = new Float32Array(rows.length);
  rows.forEach((r, k) => {
    x.set(data.images.subarray(r * 64, r * 64 + 64), k * 64);
    y[k] = data.labels[r]!;
  });
  if (options.normalize === true) {
    const { mean, std } = digitsStats(path);
    for (let i = 0; i < x.length; i++) x[i] = (x[i]! - mean) / std;
  }
  const shape = layout === 'flat' ? [rows.length, 64] : [rows.length, 1, 8, 8];
  return new TensorDataset(new Tensor(x, shape), new Tensor(y, [rows.length]));
}
