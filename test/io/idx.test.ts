import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FormatError, parseIdx, readIdx, toFloat32 } from '../../src/io/index.js';
import { fixtureBytes, fixtureJson, fixturePath } from './fixtures.js';

const golden = fixtureJson<Record<string, { shape: number[]; values: number[] }>>('golden_idx.json');
const DTYPE_OF: Record<string, string> = { u8: 'U8', i8: 'I8', i16: 'I16', i32: 'I32', f32: 'F32', f64: 'F64' };

async function formatError(p: Promise<unknown>): Promise<FormatError> {
  const err: unknown = await p.then(
    () => expect.fail('expected a FormatError'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FormatError);
  return err as FormatError;
}

function idx(code: number, shape: number[], data: number[]): Uint8Array {
  return new Uint8Array([
    0,
    0,
    code,
    shape.length,
    ...shape.flatMap((d) => [d >>> 24, (d >>> 16) & 255, (d >>> 8) & 255, d & 255]),
    ...data,
  ]);
}

describe('golden IDX files (big-endian, every dtype)', () => {
  for (const name of Object.keys(golden)) {
    for (const ext of ['idx', 'idx.gz']) {
      it(`reads ${name}.${ext}`, async () => {
        const t = await readIdx(fixturePath(`${name}.${ext}`));
        expect(t.dtype).toBe(DTYPE_OF[name]);
        expect(t.shape).toEqual(golden[name]!.shape);
        expect([...toFloat32(t)]).toEqual(golden[name]!.values.map(Math.fround));
      });
    }
  }

  it('parses in-memory bytes, plain and gzip, to the same result', async () => {
    const plain = await parseIdx(fixtureBytes('i16.idx'));
    const gz = await parseIdx(fixtureBytes('i16.idx.gz'));
    expect(gz).toEqual(plain);
    expect(plain.data).toEqual(new Int16Array([-32768, 300, 1, 32767]));
  });
});

describe('malformed IDX gives FormatError', () => {
  it.each([
    ['empty', () => new Uint8Array(0), /ends inside the IDX header/],
    ['bad magic', () => new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]), /two zero bytes/],
    ['unknown type', () => new Uint8Array([0, 0, 0x0a, 0]), /unknown IDX type code 0x0a/],
    ['truncated dims', () => new Uint8Array([0, 0, 8, 2, 0, 0, 0, 1]), /ends inside the IDX header/],
    ['truncated data', () => idx(0x08, [3], [1, 2]), /needs 3 bytes, more than this file can hold \(2\)/],
    ['trailing data', () => idx(0x08, [1], [1, 2]), /continues past the 1 bytes/],
    ['absurd shape', () => idx(0x0e, [0xffffffff, 0xffffffff], []), /more than this file can hold/],
    ['gzip: absurd shape', () => gzipSync(idx(0x0e, [0xffffffff, 0xffffffff], [])), /more than this file can hold/],
    [
      'gzip: truncated stream',
      () => gzipSync(idx(0x08, [4], [1, 2, 3, 4])).subarray(0, 12),
      /corrupt gzip|ends inside|truncated/,
    ],
    [
      'gzip: corrupt stream',
      () => new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]),
      /corrupt gzip/,
    ],
    [
      'gzip: truncated data',
      () => gzipSync(idx(0x0c, [2], [0, 0, 0, 1])),
      /truncated: shape \[2\] needs 8 data bytes, found 4/,
    ],
  ] as const)('%s', async (_label, make, pattern) => {
    const err = await formatError(parseIdx(make(), 'bad.idx'));
    expect(err.file).toBe('bad.idx');
    expect(err.message).toMatch(pattern);
  });
});

const FASHION = '/usr/share/datasets/fashion-mnist';
describe('Fashion-MNIST', () => {
  it.skipIf(!existsSync(`${FASHION}/t10k-labels-idx1-ubyte.gz`))(
    'reads the real gzip files (test split, and train labels)',
    async () => {
      const images = await readIdx(`${FASHION}/t10k-images-idx3-ubyte.gz`);
      expect(images.dtype).toBe('U8');
      expect(images.shape).toEqual([10000, 28, 28]);
      const labels = await readIdx(`${FASHION}/t10k-labels-idx1-ubyte.gz`);
      expect(labels.shape).toEqual([10000]);
      const counts = new Array<number>(10).fill(0);
      for (const l of labels.data as Uint8Array) counts[l]!++;
      expect(counts).toEqual(new Array<number>(10).fill(1000));
      const train = await readIdx(`${FASHION}/train-labels-idx1-ubyte.gz`);
      expect(train.shape).toEqual([60000]);
    },
  );
});

describe('IDX memory is bounded by what the file holds', () => {
  it('readIdx keeps the data in one buffer of exactly its size (no over-allocation, no second copy)', async () => {
    for (const name of ['f32.idx', 'f32.idx.gz', 'u8.idx.gz']) {
      const t = await readIdx(fixturePath(name));
      expect(t.data.byteOffset).toBe(0);
      expect(t.data.buffer.byteLength).toBe(t.data.byteLength);
    }
  });

  it('a gzip file whose header claims more than it inflates to is truncated, however large the claim', async () => {
    // 64 kB of incompressible data behind a header claiming 60 MB: within deflate's bound for
    // the file's size, so only the data that really arrives decides.
    let x = 2463534242;
    const data = Uint8Array.from({ length: 1 << 16 }, () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 24;
    });
    const bytes = gzipSync(idx(0x08, [60_000_000], [...data]));
    const err = await formatError(parseIdx(bytes, 'claims.idx.gz'));
    expect(err.message).toMatch(/file is truncated: shape \[60000000\] needs 60000000 data bytes, found 65536/);
  });
});
