import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Sparse24Error } from '../../tensor/index.js';

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
    if (cells.length !== 65) throw new Sparse24Error(`${path}: row ${r + 1} has ${cells.length} fields, expected 65`);
    for (let i = 0; i < 64; i++) images[r * 64 + i] = Number(cells[i]) / 16;
    labels[r] = Number(cells[64]);
  });
  return { images, labels, count: rows.length };
}

/**
 * The fixed split: every fifth image (index % 5 === 4) is test data, the rest training data —
 * 1,438 train / 359 test, with each class spread evenly because the file interleaves classes.
 */
export function isDigitsTestIndex(i: number): boolean {
  return i % 5 === 4;
}
