import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FormatError,
  type StoredTensor,
  loadNpy,
  parseNpy,
  saveNpy,
  serializeNpy,
  toFloat32,
} from '../../src/io/index.js';
import { ValueError } from '../../src/tensor/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { fixtureBytes, fixtureJson, fixturePath } from './fixtures.js';
import { arbStored, storedBytes } from './gen.js';

const golden = fixtureJson<Record<string, { shape: number[]; values: (number | string)[] }>>('golden_npy.json');
const DTYPE_OF: Record<string, string> = {
  f4: 'F32',
  f8: 'F64',
  f2: 'F16',
  i4: 'I32',
  i8: 'I64',
  i2: 'I16',
  i1: 'I8',
  u1: 'U8',
  b1: 'BOOL',
  scalar: 'F32',
  empty: 'F32',
  v2_f4: 'F32',
  be_f4: 'F32',
  be_i8: 'I64',
};
const tmp = mkdtempSync(join(tmpdir(), 'sparse24-npy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function values(t: StoredTensor): (number | string)[] {
  return t.dtype === 'I64' ? [...t.data].map(String) : [...toFloat32(t)];
}

describe('golden files written by numpy', () => {
  it.each(Object.keys(golden))('reads %s.npy', async (name) => {
    const t = await loadNpy(fixturePath(`${name}.npy`));
    const want = golden[name]!;
    expect(t.dtype).toBe(DTYPE_OF[name]);
    expect(t.shape).toEqual(want.shape);
    expect(values(t)).toEqual(want.values.map((v) => (typeof v === 'string' ? v : Math.fround(v))));
  });

  it.each(['f4', 'f8', 'f2', 'i4', 'i8', 'i2', 'i1', 'u1', 'b1', 'scalar', 'empty'])(
    'serializeNpy reproduces np.save bytes for %s',
    (name) => {
      const bytes = fixtureBytes(`${name}.npy`);
      expect(Buffer.from(serializeNpy(parseNpy(bytes))).equals(Buffer.from(bytes))).toBe(true);
    },
  );

  it('writes a numpy-identical file for a Tensor (as <f4)', () => {
    const t = new Tensor(new Float32Array([-2, -0.5, 1, 2.5, 4, 5.5]), [2, 3]);
    expect(Buffer.from(serializeNpy(t)).equals(Buffer.from(fixtureBytes('f4.npy')))).toBe(true);
  });

  it('refuses a Fortran-order 2-D array with a clear error', () => {
    expect(() => parseNpy(fixtureBytes('fortran_f4.npy'), 'fortran_f4.npy')).toThrow(
      /fortran_f4\.npy: Fortran-order array of shape \(2, 3\) is not supported/,
    );
  });
});

describe('round trip', () => {
  it('write -> read is bit-identical for every dtype numpy has (property)', () => {
    fc.assert(
      fc.property(arbStored(['F64', 'F32', 'F16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL']), (t) => {
        const back = parseNpy(serializeNpy(t));
        expect(back.dtype).toBe(t.dtype);
        expect(back.shape).toEqual(t.shape);
        expect(storedBytes(back)).toEqual(storedBytes(t));
      }),
      { numRuns: 100 },
    );
  });

  it('saves atomically and loads back', async () => {
    const path = join(tmp, 'a.npy');
    await saveNpy(path, { dtype: 'I16', shape: [3], data: new Int16Array([1, -2, 3]) });
    expect(readdirSync(tmp)).toEqual(['a.npy']);
    expect((await loadNpy(path)).data).toEqual(new Int16Array([1, -2, 3]));
    expect(readFileSync(path).subarray(0, 8)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]));
  });

  it('refuses BF16, which numpy cannot store', () => {
    expect(() => serializeNpy({ dtype: 'BF16', shape: [1], data: new Uint16Array(1) })).toThrow(ValueError);
  });
});

describe('malformed files give FormatError', () => {
  const good = fixtureBytes('f4.npy');
  function withHeader(dict: string, data = new Uint8Array(0), major = 1): Uint8Array {
    const text = new TextEncoder().encode(dict + '\n');
    const lenBytes = major === 1 ? 2 : 4;
    const out = new Uint8Array(8 + lenBytes + text.length + data.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
    if (major === 1) new DataView(out.buffer).setUint16(8, text.length, true);
    else new DataView(out.buffer).setUint32(8, text.length, true);
    out.set(text, 8 + lenBytes);
    out.set(data, 8 + lenBytes + text.length);
    return out;
  }

  it('accepts a hand-made baseline (unpadded header, double-quoted keys)', () => {
    const t = parseNpy(
      withHeader(`{"descr": "<i4", "fortran_order": False, "shape": (1,)}`, new Uint8Array([5, 0, 0, 0])),
    );
    expect(t.data).toEqual(new Int32Array([5]));
  });

  it.each([
    ['bad magic', () => new Uint8Array(16), /missing the \\x93NUMPY magic/],
    ['bad version', () => withHeader('{}', undefined, 4), /unsupported \.npy format version 4\.0/],
    ['truncated header', () => good.subarray(0, 40), /runs past the end/],
    ['truncated data', () => good.subarray(0, good.length - 1), /truncated/],
    ['trailing data', () => new Uint8Array([...good, 0]), /1 bytes after the array data/],
    ['not a dict', () => withHeader('[1]'), /header must start with '\{'/],
    ['missing shape', () => withHeader(`{'descr': '<f4', 'fortran_order': False}`), /no 'shape' entry/],
    [
      'duplicate key',
      () => withHeader(`{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}`),
      /duplicate key 'descr'/,
    ],
    [
      'unknown key',
      () => withHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}`),
      /unexpected key 'x'/,
    ],
    [
      'unsupported dtype',
      () => withHeader(`{'descr': '<u4', 'fortran_order': False, 'shape': ()}`),
      /unsupported dtype "<u4"/,
    ],
    ['object dtype', () => withHeader(`{'descr': '|O', 'fortran_order': False, 'shape': ()}`), /unsupported dtype/],
    [
      'negative shape',
      () => withHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}`),
      /malformed npy header/,
    ],
    [
      '(3) is not a tuple',
      () => withHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (3)}`),
      /trailing comma/,
    ],
    [
      'huge shape',
      () => withHeader(`{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}`),
      /truncated/,
    ],
    [
      'fortran_order not bool',
      () => withHeader(`{'descr': '<f4', 'fortran_order': 0, 'shape': ()}`),
      /must be True or False/,
    ],
    [
      'bad bool byte',
      () => withHeader(`{'descr': '|b1', 'fortran_order': False, 'shape': (1,)}`, new Uint8Array([9])),
      /bool byte is 9/,
    ],
  ] as const)('%s', (_label, make, pattern) => {
    let caught: unknown;
    try {
      parseNpy(make(), 'bad.npy');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FormatError);
    expect((caught as FormatError).file).toBe('bad.npy');
    expect((caught as Error).message).toMatch(pattern);
  });

  it('reads Fortran order when the layout equals C order, and a version 2 header by hand', () => {
    const t = parseNpy(
      withHeader(
        `{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2)}`,
        new Uint8Array(new Float32Array([1, 2]).buffer),
        2,
      ),
    );
    expect([...(t.data as Float32Array)]).toEqual([1, 2]);
  });
});
