import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FormatError,
  ValueError,
  digitsDataset,
  digitsPath,
  digitsStats,
  isDigitsTestIndex,
  loadDigits,
} from './imports.js';

// Class counts of sklearn's digits.csv.gz, split by index % 5 === 4 (computed with NumPy).
const ALL_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];
const TEST_COUNTS = [27, 21, 34, 52, 34, 28, 31, 43, 47, 42];
const TRAIN_COUNTS = [151, 161, 143, 131, 147, 154, 150, 136, 127, 138];
// sklearn: load_digits().data[0] (a zero).
const FIRST_IMAGE = [
  0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8, 0, 0, 5, 8, 0, 0,
  9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0,
];

function classCounts(labels: ArrayLike<number>): number[] {
  const c = new Array<number>(10).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]!]!++;
  return c;
}

/** The labels column read straight from the CSV, independently of loadDigits. */
function fileLabels(): number[] {
  const lines = gunzipSync(readFileSync(digitsPath())).toString('utf8').trim().split('\n');
  return lines.map((l) => Number(l.split(',')[64]));
}

describe('digits split', () => {
  it('is 1,438 train / 359 test of 1,797, every fifth image being test', () => {
    expect(digitsDataset({ split: 'all' }).length).toBe(1797);
    expect(digitsDataset({ split: 'train' }).length).toBe(1438);
    expect(digitsDataset({ split: 'test' }).length).toBe(359);
    expect([0, 1, 2, 3, 4, 5, 9, 1794].map(isDigitsTestIndex)).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
      true,
      true,
    ]);
  });

  it('has every class in both splits, with the counts of the file', () => {
    const labels = fileLabels();
    const test = labels.filter((_, i) => i % 5 === 4);
    const train = labels.filter((_, i) => i % 5 !== 4);
    expect(classCounts(labels)).toEqual(ALL_COUNTS);
    expect(classCounts(digitsDataset({ split: 'test' }).labels.data)).toEqual(classCounts(test));
    expect(classCounts(digitsDataset({ split: 'train' }).labels.data)).toEqual(classCounts(train));
    expect(classCounts(test)).toEqual(TEST_COUNTS);
    expect(classCounts(train)).toEqual(TRAIN_COUNTS);
    expect(TEST_COUNTS.every((c) => c > 0) && TRAIN_COUNTS.every((c) => c > 0)).toBe(true);
  });

  it('train and test are disjoint and together are the whole file, in file order', () => {
    const all = digitsDataset({ split: 'all' });
    const train = digitsDataset({ split: 'train' });
    const test = digitsDataset({ split: 'test' });
    // Test image k is file row 5k + 4; train image k is row k + floor(k / 4).
    expect([...test.get(0).x.data]).toEqual([...all.get(4).x.data]);
    expect([...test.get(358).x.data]).toEqual([...all.get(1794).x.data]);
    expect([...train.get(4).x.data]).toEqual([...all.get(5).x.data]);
    expect([...train.get(1437).x.data]).toEqual([...all.get(1796).x.data]);
  });
});

describe('digits content', () => {
  it('first image and labels match the file, pixels scaled by 1/16', () => {
    const all = digitsDataset({ split: 'all' });
    expect([...all.get(0).x.data]).toEqual(FIRST_IMAGE.map((v) => v / 16));
    expect([...all.labels.data.subarray(0, 12)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(all.images.data.reduce((a, b) => Math.min(a, b))).toBe(0);
    expect(all.images.data.reduce((a, b) => Math.max(a, b))).toBe(1);
  });

  it("layout 'image' is [n, 1, 8, 8] holding the same row-major pixels", () => {
    const img = digitsDataset({ split: 'test', layout: 'image' });
    const flat = digitsDataset({ split: 'test' });
    expect(img.images.shape).toEqual([359, 1, 8, 8]);
    expect(flat.images.shape).toEqual([359, 64]);
    expect(img.labels.shape).toEqual([359]);
    expect(img.images.data).toEqual(flat.images.data);
  });

  it('normalize uses the train mean/std (NumPy: 0.3058066759388039, 0.37644229043168226)', () => {
    const { mean, std } = digitsStats();
    expect(mean).toBeCloseTo(0.3058066759388039, 12);
    expect(std).toBeCloseTo(0.37644229043168226, 12);
    const train = digitsDataset({ normalize: true }).images.data;
    let s = 0;
    let s2 = 0;
    for (const v of train) [s, s2] = [s + v, s2 + v * v];
    expect(s / train.length).toBeCloseTo(0, 5);
    expect(Math.sqrt(s2 / train.length)).toBeCloseTo(1, 5);
    const test = digitsDataset({ split: 'test', normalize: true });
    expect(test.images.data[0]).toBeCloseTo(-mean / std, 6);
  });

  it('rejects an unknown split or layout by name', () => {
    expect(() => digitsDataset({ split: 'val' as 'train' })).toThrow(
      /split must be 'train', 'test' or 'all', got 'val'/,
    );
    expect(() => digitsDataset({ layout: 'nchw' as 'flat' })).toThrow(ValueError);
  });
});

describe('loadDigits on a malformed copy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sparse24-digits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, gzipSync(Buffer.from(text)));
    return p;
  };
  const row = (label: string, pixel = '3'): string => [...new Array<string>(63).fill('0'), pixel, label].join(',');

  it('reads a well-formed copy', () => {
    const d = loadDigits(write('ok.csv.gz', `${row('7', '16')}\n${row('2')}\n`));
    expect(d.count).toBe(2);
    expect([...d.labels]).toEqual([7, 2]);
    expect(d.images[63]).toBe(1);
  });

  it('names the file and row of a short row, a bad pixel and a bad label', () => {
    const short = write('short.csv.gz', `${row('1')}\n1,2,3\n`);
    expect(() => loadDigits(short)).toThrow(FormatError);
    expect(() => loadDigits(short)).toThrow(/short\.csv\.gz: row 2 has 3 fields, expected 65/);
    expect(() => loadDigits(write('px.csv.gz', row('1', '17')))).toThrow(
      /row 1, field 64: pixel must be a number in 0\.\.16, found '17'/,
    );
    expect(() => loadDigits(write('lab.csv.gz', row('10')))).toThrow(
      /row 1: label must be an integer 0\.\.9, found '10'/,
    );
  });
});
