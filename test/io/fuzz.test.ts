import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DTYPES,
  FormatError,
  type StoredTensor,
  parseIdx,
  parseNpy,
  parseSafetensors,
  serializeNpy,
  serializeSafetensors,
} from '../../src/io/index.js';
import { fixtureBytes } from './fixtures.js';
import { arbStored } from './gen.js';

/** A reader either returns something well-formed or throws FormatError; anything else fails. */
function checkStored(t: StoredTensor): void {
  const n = t.shape.reduce((a, b) => a * b, 1);
  expect(t.data.length).toBe(n);
  expect(t.data.BYTES_PER_ELEMENT).toBe(DTYPES[t.dtype].size);
}

function onlyFormatErrors(read: () => void): boolean {
  try {
    read();
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
  }
  return true;
}

async function onlyFormatErrorsAsync(read: () => Promise<void>): Promise<boolean> {
  try {
    await read();
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
  }
  return true;
}

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; value: number };

const arbMutations = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  ),
  { minLength: 1, maxLength: 4 },
);

/** Mutations aimed mostly at the first `focus` bytes (the header), where parsers branch most. */
function mutate(src: Uint8Array, muts: Mutation[], focus: number): Uint8Array {
  let b = src.slice();
  for (const m of muts) {
    if (b.length === 0) break;
    const span = m.at % 4 === 0 ? b.length : Math.min(b.length, focus);
    const at = m.at % span;
    if (m.kind === 'flip') b[at] = m.value;
    else if (m.kind === 'truncate') b = b.slice(0, at);
    else b = new Uint8Array([...b.subarray(0, at), m.value, ...b.subarray(at)]);
  }
  return b;
}

/** Header edits that keep the JSON plausible: swap digits and structural characters. */
const arbHeaderEdit = fc.tuple(
  fc.nat(),
  fc.constantFrom('0', '9', '-', '.', '"', ',', '[', ']', '{', '}', 'e', ' ', '1'),
);

const safetensorsSeed = fixtureBytes('golden.safetensors');
const npySeed = fixtureBytes('f4.npy');
const idxSeeds = [fixtureBytes('i32.idx'), fixtureBytes('f64.idx.gz')];

describe('fuzzing the readers', () => {
  it('safetensors: random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => onlyFormatErrors(() => void parseSafetensors(b))),
      { numRuns: 300 },
    );
  });

  it('safetensors: random length prefix + random header bytes', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.uint8Array({ maxLength: 64 }), (len, rest) => {
        const b = new Uint8Array(8 + rest.length);
        new DataView(b.buffer).setBigUint64(0, len, true);
        b.set(rest, 8);
        return onlyFormatErrors(() => void parseSafetensors(b));
      }),
      { numRuns: 200 },
    );
  });

  it('safetensors: mutations of valid files (golden and random) parse or throw FormatError', () => {
    const headerLen =
      Number(new DataView(safetensorsSeed.buffer, safetensorsSeed.byteOffset).getBigUint64(0, true)) + 8;
    fc.assert(
      fc.property(arbMutations, (muts) =>
        onlyFormatErrors(() => {
          for (const t of parseSafetensors(mutate(safetensorsSeed, muts, headerLen)).tensors.values()) checkStored(t);
        }),
      ),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.array(arbStored(), { maxLength: 3 }), arbMutations, (ts, muts) => {
        const seed = serializeSafetensors(new Map(ts.map((t, i) => [`t${i}`, t])));
        return onlyFormatErrors(() => void parseSafetensors(mutate(seed, muts, 64)));
      }),
      { numRuns: 200 },
    );
  });

  it('safetensors: header character edits', () => {
    const headerLen = Number(new DataView(safetensorsSeed.buffer, safetensorsSeed.byteOffset).getBigUint64(0, true));
    fc.assert(
      fc.property(fc.array(arbHeaderEdit, { minLength: 1, maxLength: 3 }), (edits) => {
        const b = safetensorsSeed.slice();
        for (const [at, ch] of edits) b[8 + (at % headerLen)] = ch.charCodeAt(0);
        return onlyFormatErrors(() => {
          for (const t of parseSafetensors(b).tensors.values()) checkStored(t);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('npy: random bytes behind a valid magic, and mutations of valid files', () => {
    const magic = npySeed.subarray(0, 8);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (rest) =>
        onlyFormatErrors(() => void parseNpy(new Uint8Array([...magic, ...rest]))),
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(arbMutations, (muts) => onlyFormatErrors(() => checkStored(parseNpy(mutate(npySeed, muts, 128))))),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(arbStored(['F32', 'I64', 'BOOL', 'F16']), arbMutations, (t, muts) =>
        onlyFormatErrors(() => checkStored(parseNpy(mutate(serializeNpy(t), muts, 128)))),
      ),
      { numRuns: 200 },
    );
  });

  it('idx: random bytes and mutations of plain and gzip files', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 40 }), (b) =>
        onlyFormatErrorsAsync(async () => void (await parseIdx(b))),
      ),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...idxSeeds), arbMutations, (seed, muts) =>
        onlyFormatErrorsAsync(async () => checkStored(await parseIdx(mutate(seed, muts, 24)))),
      ),
      { numRuns: 300 },
    );
  });
});
