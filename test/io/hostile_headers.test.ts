import { describe, expect, it } from 'vitest';
import {
  FormatError,
  MAX_HEADER_VALUES,
  MAX_TENSORS,
  parseIdx,
  parseNpy,
  parseSafetensors,
} from '../../src/io/index.js';
import { clip, MAX_QUOTED } from '../../src/io/clip.js';
import { header } from './gen.js';

function formatError(read: () => unknown): FormatError {
  try {
    read();
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  return expect.fail('expected a FormatError');
}

function npy(dict: string): Uint8Array {
  const text = new TextEncoder().encode(`${dict}\n`);
  const out = new Uint8Array(12 + text.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
  new DataView(out.buffer).setUint32(8, text.length, true);
  out.set(text, 12);
  return out;
}

describe('deep nesting is refused, not a stack overflow', () => {
  it('.npy: a tuple nested 5,000 deep', () => {
    const deep = `${'('.repeat(5000)}${')'.repeat(5000)}`;
    const err = formatError(() =>
      parseNpy(npy(`{'descr': '<f4', 'fortran_order': False, 'shape': ${deep}}`), 'deep.npy'),
    );
    expect(err.message).toMatch(/^deep\.npy: malformed npy header: tuples nested deeper than 64/);
  });

  it('safetensors: an array nested 5,000 deep', () => {
    const err = formatError(() =>
      parseSafetensors(header(`{"w":${'['.repeat(5000)}${']'.repeat(5000)}}`, new Uint8Array(0)), 'deep.safetensors'),
    );
    expect(err.message).toMatch(/header is not valid JSON: nesting deeper than 64/);
  });
});

describe('safetensors header size is bounded by tensor count and JSON values', () => {
  it(`more than ${MAX_TENSORS} tensors is refused while parsing, naming the limit`, () => {
    const n = MAX_TENSORS + 2;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(`"t${i}":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`);
    const err = formatError(() =>
      parseSafetensors(header(`{${parts.join(',')}}`, new Uint8Array(0)), 'many.safetensors'),
    );
    expect(err.message).toMatch(
      /header holds an object with more than 100001 keys; the limits are 100000 tensors and 2000000 JSON values per file/,
    );
  });

  it(`exactly ${MAX_TENSORS} + 1 tensors is caught by the tensor count`, () => {
    const parts: string[] = [];
    for (let i = 0; i <= MAX_TENSORS; i++) parts.push(`"t${i}":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`);
    const err = formatError(() =>
      parseSafetensors(header(`{${parts.join(',')}}`, new Uint8Array(0)), 'many.safetensors'),
    );
    expect(err.message).toMatch(/header lists 100001 tensors; the limit is 100000 per file/);
  });

  it(`more than ${MAX_HEADER_VALUES} JSON values (a shape with millions of entries) is refused`, () => {
    const shape = new Array<string>(MAX_HEADER_VALUES).fill('1').join(',');
    const err = formatError(() =>
      parseSafetensors(
        header(`{"w":{"dtype":"U8","shape":[${shape}],"data_offsets":[0,1]}}`, new Uint8Array(1)),
        'wide.safetensors',
      ),
    );
    expect(err.message).toMatch(/header holds more than 2000000 JSON values/);
  });
});

describe('error messages quote file values clipped to one short line', () => {
  it('clip keeps short text and shortens long text, saying how much was left out', () => {
    expect(clip('abc')).toBe('abc');
    expect(clip('x'.repeat(MAX_QUOTED + 5))).toBe(`${'x'.repeat(MAX_QUOTED)}… (5 more characters)`);
  });

  const huge = '9'.repeat(3_000_000);
  const cases: [string, () => unknown][] = [
    [
      'safetensors: a 3 MB shape entry',
      () =>
        parseSafetensors(
          header(`{"w":{"dtype":"U8","shape":[-${huge}],"data_offsets":[0,0]}}`, new Uint8Array(0)),
          'f',
        ),
    ],
    [
      'safetensors: a 3 MB tensor name',
      () =>
        parseSafetensors(header(`{"${huge}":{"dtype":"U8","shape":[2],"data_offsets":[0,1]}}`, new Uint8Array(1)), 'f'),
    ],
    [
      'safetensors: a 3 MB dtype',
      () =>
        parseSafetensors(header(`{"w":{"dtype":"${huge}","shape":[],"data_offsets":[0,1]}}`, new Uint8Array(1)), 'f'),
    ],
    [
      'safetensors: a shape of 500,000 entries',
      () =>
        parseSafetensors(
          header(
            `{"w":{"dtype":"U8","shape":[${new Array(500_000).fill(2).join(',')}],"data_offsets":[0,1]}}`,
            new Uint8Array(1),
          ),
          'f',
        ),
    ],
    [
      'safetensors: a 3 MB metadata key',
      () => parseSafetensors(header(`{"__metadata__":{"${huge}":1}}`, new Uint8Array(0)), 'f'),
    ],
    ['npy: a 3 MB key', () => parseNpy(npy(`{'${huge.slice(0, 900_000)}': 1}`), 'f')],
    [
      'npy: a 3 MB dtype',
      () => parseNpy(npy(`{'descr': '${huge.slice(0, 900_000)}', 'fortran_order': False, 'shape': ()}`), 'f'),
    ],
    [
      'npy: a shape of 100,000 entries',
      () =>
        parseNpy(
          npy(`{'descr': '<f4', 'fortran_order': False, 'shape': (${new Array(100_000).fill(2).join(', ')})}`),
          'f',
        ),
    ],
  ];
  for (const [label, read] of cases) {
    it(label, () => {
      const err = formatError(read);
      expect(err.message.length).toBeLessThan(600);
      expect(err.message).toMatch(/more characters\)/);
    });
  }

  it('IDX: a 255-dimension shape is quoted clipped', async () => {
    const dims = new Array<number>(255).fill(0xffffffff);
    const bytes = new Uint8Array([0, 0, 0x08, 255, ...dims.flatMap(() => [255, 255, 255, 255])]);
    const err = await parseIdx(bytes, 'f').then(
      () => expect.fail('expected a FormatError'),
      (e: unknown) => e as FormatError,
    );
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message.length).toBeLessThan(600);
  });
});
