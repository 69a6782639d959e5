/**
 * Hostile bytes for every reader: mutations of valid files, random headers behind valid magic,
 * gzip streams that are corrupt or that inflate to hostile IDX content. Each case may parse or
 * throw FormatError; nothing else (see guard.ts).
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { onnxLayerWeights, parseIdx, parseNpy, parseOnnx, parseSafetensors } from '../../src/io/index.js';
import { documentedOnly, documentedOnlyAsync, runs } from './guard.js';
import { arbHeaderChar, arbMutations, mutate } from './mutate.js';
import { headerEnd, idxGzipSeeds, idxSeeds, npySeeds, onnxSeeds, protoField, safetensorsSeeds } from './seeds.js';

const NAME = 'fuzz.bin';

/** u64 LE length + text: a safetensors prefix around any header text. */
function withHeader(text: string, data: Uint8Array, claimed?: bigint): Uint8Array {
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, claimed ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Random but plausible safetensors headers: real field names, odd values. */
const arbEntry = fc.record({
  dtype: fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'U8', 'BOOL', 'F64', 'X9', ''),
  shape: fc.array(fc.oneof(fc.nat({ max: 6 }), fc.constantFrom(-1, 1.5, 2 ** 53, 1e300)), { maxLength: 4 }),
  offsets: fc.tuple(fc.integer({ min: -2, max: 64 }), fc.integer({ min: -2, max: 64 })),
});
const arbHeaderJson = fc.oneof(
  fc
    .array(fc.tuple(fc.constantFrom('w', 'b', '__metadata__', 'x.weight', '__proto__'), arbEntry), { maxLength: 4 })
    .map(
      (entries) =>
        `{${entries.map(([k, e]) => `${JSON.stringify(k)}:{"dtype":${JSON.stringify(e.dtype)},"shape":[${e.shape.join(',')}],"data_offsets":[${e.offsets.join(',')}]}`).join(',')}}`,
    ),
  // Deep nesting where a shape or the metadata should be.
  fc
    .integer({ min: 1, max: 20000 })
    .map((k) => `{"w":{"dtype":"U8","shape":${'['.repeat(k)}${']'.repeat(k)},"data_offsets":[0,0]}}`),
  fc.integer({ min: 1, max: 20000 }).map((k) => `{"__metadata__":${'{"a":'.repeat(k)}1${'}'.repeat(k)}}`),
);

describe('safetensors reader under hostile bytes', () => {
  it('mutations of valid files', () => {
    fc.assert(
      fc.property(fc.constantFrom(...safetensorsSeeds), arbMutations, (seed, muts) =>
        documentedOnly(NAME, () => parseSafetensors(mutate(seed, muts, headerEnd(seed)), NAME)),
      ),
      { numRuns: runs(400) },
    );
  });

  it('header character edits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...safetensorsSeeds),
        fc.array(fc.tuple(fc.nat(), arbHeaderChar), { minLength: 1, maxLength: 4 }),
        (seed, edits) => {
          const b = seed.slice();
          const len = headerEnd(seed) - 8;
          for (const [at, ch] of edits) b[8 + (at % len)] = ch.charCodeAt(0);
          return documentedOnly(NAME, () => parseSafetensors(b, NAME));
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it('random headers and random length prefixes', () => {
    fc.assert(
      fc.property(
        arbHeaderJson,
        fc.uint8Array({ maxLength: 64 }),
        fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
        (json, data, claimed) =>
          documentedOnly(NAME, () => parseSafetensors(withHeader(json, data, claimed ?? undefined), NAME)),
      ),
      { numRuns: runs(300) },
    );
  });
});

describe('.npy reader under hostile bytes', () => {
  const arbDict = fc
    .record({
      descr: fc.constantFrom("'<f4'", "'>i8'", "'|b1'", "'<u4'", "'|O'", "''", '1', '(1,)'),
      fortran: fc.constantFrom('False', 'True', '0', "'x'"),
      shape: fc.array(
        fc.oneof(
          fc.nat({ max: 5 }).map(String),
          fc.constantFrom('-1', '99999999999999999999', '()', '(1,)', "'a'"),
          fc.integer({ min: 1, max: 20000 }).map((k) => `${'('.repeat(k)}${')'.repeat(k)}`),
        ),
        { maxLength: 4 },
      ),
      extra: fc.constantFrom('', ", 'x': 1", ', }', ','),
    })
    .map(
      (d) =>
        `{'descr': ${d.descr}, 'fortran_order': ${d.fortran}, 'shape': (${d.shape.join(', ')}${d.shape.length === 1 ? ',' : ''})${d.extra}}`,
    );

  it('mutations of valid files', () => {
    fc.assert(
      fc.property(fc.constantFrom(...npySeeds), arbMutations, (seed, muts) =>
        documentedOnly(NAME, () => parseNpy(mutate(seed, muts, 128), NAME)),
      ),
      { numRuns: runs(400) },
    );
  });

  it('random header dicts behind a valid magic, with random data', () => {
    fc.assert(
      fc.property(arbDict, fc.constantFrom(1, 2, 3), fc.uint8Array({ maxLength: 48 }), (dict, major, data) => {
        const text = new TextEncoder().encode(`${dict}\n`);
        const lenBytes = major === 1 ? 2 : 4;
        const b = new Uint8Array(8 + lenBytes + text.length + data.length);
        b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
        if (major === 1) new DataView(b.buffer).setUint16(8, text.length, true);
        else new DataView(b.buffer).setUint32(8, text.length, true);
        b.set(text, 8 + lenBytes);
        b.set(data, 8 + lenBytes + text.length);
        return documentedOnly(NAME, () => parseNpy(b, NAME));
      }),
      { numRuns: runs(300) },
    );
  });
});

describe('IDX reader under hostile bytes, plain and gzip', () => {
  it('mutations of plain files', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...idxSeeds), arbMutations, (seed, muts) =>
        documentedOnlyAsync(NAME, () => parseIdx(mutate(seed, muts, 24), NAME)),
      ),
      { numRuns: runs(300) },
    );
  });

  it('mutations of gzip files (corrupt streams)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...idxGzipSeeds), arbMutations, (seed, muts) =>
        documentedOnlyAsync(NAME, () => parseIdx(mutate(seed, muts, 32), NAME)),
      ),
      { numRuns: runs(200) },
    );
  });

  it('valid gzip streams of mutated IDX content, and random headers claiming any shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...idxSeeds), arbMutations, (seed, muts) =>
        documentedOnlyAsync(NAME, () => parseIdx(gzipSync(mutate(seed, muts, 24)), NAME)),
      ),
      { numRuns: runs(150) },
    );
    const arbHeader = fc.tuple(
      fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x0a),
      fc.array(fc.oneof(fc.nat({ max: 4 }), fc.constant(0xffffffff), fc.nat()), { maxLength: 4 }),
      fc.uint8Array({ maxLength: 40 }),
      fc.boolean(),
    );
    await fc.assert(
      fc.asyncProperty(arbHeader, ([code, dims, data, gz]) => {
        const head = new Uint8Array(4 + 4 * dims.length);
        head.set([0, 0, code, dims.length]);
        dims.forEach((d, i) => new DataView(head.buffer).setUint32(4 + 4 * i, d >>> 0, false));
        const plain = new Uint8Array([...head, ...data]);
        return documentedOnlyAsync(NAME, () => parseIdx(gz ? gzipSync(plain) : plain, NAME));
      }),
      { numRuns: runs(200) },
    );
  });
});

describe('ONNX reader under hostile bytes', () => {
  const seeds = onnxSeeds();
  it('mutations of valid models: parse and weight discovery', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), arbMutations, (seed, muts) =>
        documentedOnly(NAME, () => onnxLayerWeights(parseOnnx(mutate(seed, muts, seed.length), NAME))),
      ),
      { numRuns: runs(400) },
    );
  });

  it('attribute graphs nested far deeper than any model', () => {
    for (const depth of [100, 3000, 6000]) {
      // AttributeProto.g (field 6) holding a GraphProto whose node (field 1) holds an attribute (field 5)...
      let inner: Uint8Array = new Uint8Array(0);
      for (let i = 0; i < depth; i++) {
        inner = protoField(6, protoField(1, protoField(5, inner)));
      }
      const graph = protoField(1, protoField(5, inner));
      documentedOnly(NAME, () => parseOnnx(protoField(7, graph), NAME));
    }
  });
});
