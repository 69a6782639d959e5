import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Dtype,
  FormatError,
  type StoredTensor,
  loadSafetensors,
  parseSafetensors,
  saveSafetensors,
  serializeSafetensors,
  toFloat32,
} from '../../src/io/index.js';
import { ValueError } from '../../src/tensor/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { fixtureBytes, fixtureJson, fixturePath } from './fixtures.js';
import { arbStored, header, storedBytes } from './gen.js';

interface Golden {
  tensors: Record<string, { dtype: Dtype; shape: number[]; values: (number | string)[]; hex: string }>;
  metadata: Record<string, string>;
  order: string[];
}
const golden = fixtureJson<Golden>('golden_safetensors.json');
const tmp = mkdtempSync(join(tmpdir(), 'sparse24-st-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function hexOf(t: StoredTensor): string {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex');
}

/** A safetensors buffer from a header object and raw data, without our writer. */
function build(head: unknown, data = new Uint8Array(0), pad = true): Uint8Array {
  return header(typeof head === 'string' ? head : JSON.stringify(head), data, pad);
}

function formatError(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  return expect.fail('expected a FormatError');
}

describe('golden file written by Python', () => {
  it('reads every dtype, name and metadata entry', async () => {
    const file = await loadSafetensors(fixturePath('golden.safetensors'));
    expect([...file.tensors.keys()]).toEqual(golden.order);
    for (const [name, want] of Object.entries(golden.tensors)) {
      const got = file.tensors.get(name)!;
      expect(got.dtype, name).toBe(want.dtype);
      expect(got.shape, name).toEqual(want.shape);
      expect(hexOf(got), name).toBe(want.hex);
      if (want.dtype === 'I64') expect([...(got.data as BigInt64Array)].map(String)).toEqual(want.values);
      else expect([...toFloat32(got)], name).toEqual(want.values.map((v) => Math.fround(Number(v))));
    }
    expect(Object.getPrototypeOf(file.metadata)).toBe(null);
    expect({ ...file.metadata }).toEqual(golden.metadata);
    expect(Object.keys(file.metadata)).toContain('__proto__');
  });

  it('our writer reproduces the Python bytes exactly', () => {
    const bytes = fixtureBytes('golden.safetensors');
    const file = parseSafetensors(bytes, 'golden');
    // Insert in a different order to show the writer sorts like the reference.
    const shuffled = new Map([...file.tensors].reverse());
    expect(Buffer.from(serializeSafetensors(shuffled, file.metadata)).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('round trip', () => {
  it('write -> read is bit-identical for every dtype (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string({ maxLength: 6 }), arbStored()), { maxLength: 5, selector: ([n]) => n }),
        (items) => {
          const input = new Map(items.filter(([n]) => n !== '__metadata__'));
          const meta = { a: 'b', __proto__x: 'y' };
          const bytes = serializeSafetensors(input, meta);
          expect(new DataView(bytes.buffer).getBigUint64(0, true) % 8n).toBe(0n);
          const back = parseSafetensors(bytes);
          expect(back.tensors.size).toBe(input.size);
          for (const [name, t] of input) {
            const got = back.tensors.get(name)!;
            expect(got.dtype).toBe(t.dtype);
            expect(got.shape).toEqual(t.shape);
            expect(storedBytes(got)).toEqual(storedBytes(t));
          }
          expect({ ...back.metadata }).toEqual(meta);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('saves atomically and loads back; Tensors are written as F32; names like __proto__ are plain keys', async () => {
    const path = join(tmp, 'model.safetensors');
    const t = new Tensor(new Float32Array([1, -2.5, 3, 0.125]), [2, 2]);
    const tensors: Record<string, Tensor | StoredTensor> = Object.create(null) as Record<string, Tensor | StoredTensor>;
    tensors['__proto__'] = t;
    tensors['mask'] = { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) };
    await saveSafetensors(path, tensors, new Map([['format', 'pt']]));
    expect(readdirSync(tmp)).toEqual(['model.safetensors']);
    const back = await loadSafetensors(path);
    expect(back.tensors.get('__proto__')).toEqual({
      dtype: 'F32',
      shape: [2, 2],
      data: new Float32Array([1, -2.5, 3, 0.125]),
    });
    expect(back.tensors.get('mask')?.data).toEqual(new Uint8Array([1, 0]));
    expect(back.metadata['format']).toBe('pt');
    expect(readFileSync(path).readBigUInt64LE(0) % 8n).toBe(0n);
  });

  it('tensor data never aliases the input buffer', () => {
    const bytes = serializeSafetensors({ w: { dtype: 'F32', shape: [1], data: new Float32Array([7]) } });
    const t = parseSafetensors(bytes).tensors.get('w')!;
    bytes.fill(0);
    expect(t.data[0]).toBe(7);
  });

  it('refuses invalid input on write with a ValueError naming the tensor', () => {
    expect(() => serializeSafetensors({ __metadata__: new Tensor(new Float32Array(1), [1]) })).toThrow(ValueError);
    expect(() => serializeSafetensors({ m: { dtype: 'BOOL', shape: [1], data: new Uint8Array([2]) } })).toThrow(
      /tensor "m": BOOL data must be 0 or 1/,
    );
    expect(() =>
      serializeSafetensors({ m: { dtype: 'F16', shape: [1], data: new Float32Array(1) } as unknown as StoredTensor }),
    ).toThrow(/Uint16Array/);
    expect(() => serializeSafetensors({ m: { dtype: 'F32', shape: [3], data: new Float32Array(2) } })).toThrow(
      /needs 3 elements/,
    );
  });
});

describe('malformed files give FormatError naming file and problem', () => {
  const ok = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const eight = new Uint8Array(8);

  it('accepts the well-formed baseline', () => {
    expect(parseSafetensors(build(ok, eight), 'x.safetensors').tensors.get('w')?.shape).toEqual([2]);
  });

  it.each([
    ['truncated length', () => new Uint8Array(5), /too short/],
    ['header past end', () => header('{}', new Uint8Array(0), false).subarray(0, 9), /runs past the end/],
    ['invalid JSON', () => build('{"w":', eight), /not valid JSON/],
    ['JSON not an object', () => build('[1,2]', eight), /must start with '\{'/],
    [
      'duplicate keys',
      () =>
        build(
          '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
          eight,
        ),
      /duplicate key "w"/,
    ],
    [
      'unknown dtype',
      () => build({ w: { dtype: 'F8', shape: [2], data_offsets: [0, 8] } }, eight),
      /dtype "F8" is not one of/,
    ],
    [
      'negative shape',
      () => build({ w: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, eight),
      /non-negative integers, found -2/,
    ],
    ['fractional shape', () => build('{"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}', eight), /found 2.0/],
    [
      'huge shape',
      () => build('{"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}', eight),
      /needs more than 8/,
    ],
    [
      'offset beyond 2^53',
      () => build('{"w":{"dtype":"U8","shape":[0],"data_offsets":[99999999999999999999,99999999999999999999]}}'),
      /data_offsets must be/,
    ],
    [
      'size mismatch',
      () => build({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, eight),
      /needs more than 8 bytes/,
    ],
    ['offsets reversed', () => build({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, eight), /begin <= end/],
    [
      'out of range',
      () => build({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, eight),
      /should be 16 bytes after the header but the file holds 8/,
    ],
    ['gap', () => build({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight), /leaves a gap/],
    [
      'overlap',
      () =>
        build(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
          },
          eight,
        ),
      /overlaps/,
    ],
    ['trailing bytes', () => build(ok, new Uint8Array(12)), /file holds 12/],
    [
      'extra field',
      () => build({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8], x: 1 } }, eight),
      /unexpected field "x"/,
    ],
    ['metadata not strings', () => build({ __metadata__: { a: 1 } }), /__metadata__\["a"\] must be a string/],
    [
      'bad bool byte',
      () => build({ m: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] } }, new Uint8Array([3])),
      /BOOL byte is 3/,
    ],
    [
      'absurd header length',
      () => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 2n ** 60n, true);
        return b;
      },
      /exceeds the 100000000-byte limit/,
    ],
  ] as const)('%s', (_label, make, pattern) => {
    const err = formatError(() => parseSafetensors(make(), 'bad.safetensors'));
    expect(err.file).toBe('bad.safetensors');
    expect(err.message).toMatch(/^bad\.safetensors: /);
    expect(err.message).toMatch(pattern);
  });

  it('reports the byte offset of a JSON syntax error', () => {
    const err = formatError(() => parseSafetensors(build('{"w" 1}'), 'f'));
    expect(err.offset).toBe(8 + 5);
  });

  it('tensors named __proto__ and constructor in a file are just Map keys', () => {
    const raw = build(
      '{"__proto__":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"constructor":{"dtype":"U8","shape":[0],"data_offsets":[8,8]}}',
      eight,
    );
    const file = parseSafetensors(raw);
    expect([...file.tensors.keys()]).toEqual(['__proto__', 'constructor']);
    expect(file.tensors.get('__proto__')?.shape).toEqual([2]);
    expect(file.tensors.get('constructor')?.data).toEqual(new Uint8Array(0));
  });
});
