/**
 * compressed-tensors records through `check` (checkTensors, the function behind the command):
 * mutated files holding sparse-24 and sparse-24-bitmask records, and record tensors built at
 * random (any dtype, shape and bytes under the record's key names). Reading and checking may
 * succeed or throw FormatError naming the file; nothing else.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkTensors } from '../../src/cli/commands/check.js';
import { type StoredTensor, parseSafetensors } from '../../src/io/index.js';
import { arbStored } from '../io/gen.js';
import { documentedOnly, runs } from './guard.js';
import { arbMutations, mutate } from './mutate.js';
import { headerEnd, recordSeeds } from './seeds.js';

const NAME = 'fuzz.safetensors';
const PATTERNS = ['m4n2_1d', 'm4n2_2d_best', '2:8', '1:4'] as const;
const seeds = recordSeeds();

function checkBytes(bytes: Uint8Array, pattern: string): void {
  const file = parseSafetensors(bytes, NAME);
  checkTensors(NAME, file.tensors, pattern, true);
}

describe('check on hostile compressed-tensors records', () => {
  it('mutations of files with records (header and data: shapes, bits, meta nibbles)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), arbMutations, fc.constantFrom(...PATTERNS), (seed, muts, pattern) =>
        documentedOnly(NAME, () => checkBytes(mutate(seed, muts, headerEnd(seed)), pattern)),
      ),
      { numRuns: runs(300) },
    );
  });

  it('mutations confined to the data section (the header stays valid, so decoding is what is tested)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.constantFrom(...PATTERNS),
        (seed, flips, pattern) => {
          const b = seed.slice();
          const start = headerEnd(seed);
          for (const [at, v] of flips) b[start + (at % (b.length - start))] = v;
          return documentedOnly(NAME, () => checkBytes(b, pattern));
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it('dense tensors of any rank and dtype, empty ones claiming huge dimensions included, beside apex masks', () => {
    const dims = fc.constantFrom(0, 1, 2, 3, 4, 8, 16, 2 ** 40);
    const arbDense = fc
      .tuple(fc.array(dims, { maxLength: 5 }), fc.constantFrom<'F32' | 'F64' | 'I8'>('F32', 'F64', 'I8'), fc.integer())
      .filter(([shape]) => shape.reduce((a, b) => a * b, 1) <= 4096)
      .map(([shape, dtype, seed]): StoredTensor => {
        const n = shape.reduce((a, b) => a * b, 1);
        const v = Array.from({ length: n }, (_, i) => (((i * 2654435761) ^ seed) % 7) - 3);
        if (dtype === 'I8') return { dtype, shape, data: Int8Array.from(v) };
        return dtype === 'F64'
          ? { dtype, shape, data: Float64Array.from(v, (x) => (x === 3 ? 1e300 : x)) }
          : { dtype, shape, data: Float32Array.from(v) };
      });
    fc.assert(
      fc.property(
        arbDense,
        fc.option(arbStored(['BOOL', 'U8', 'F32'])),
        fc.constantFrom(...PATTERNS),
        (w, mask, pattern) => {
          const tensors = new Map<string, StoredTensor>([['l.weight', w]]);
          if (mask !== null) tensors.set('l.__weight_mma_mask', mask);
          return documentedOnly(NAME, () => checkTensors(NAME, tensors, pattern, true));
        },
      ),
      { numRuns: runs(300) },
    );
  });

  const arbShapeTensor = fc.oneof(
    arbStored(['I64', 'I32', 'F32', 'U8']),
    fc
      .tuple(
        fc.oneof(fc.nat({ max: 9 }), fc.constant(2 ** 31 - 1)),
        fc.oneof(fc.nat({ max: 40 }), fc.constant(0)),
        fc.constantFrom<'I64' | 'I32'>('I64', 'I32'),
      )
      .map(
        ([r, c, dtype]): StoredTensor =>
          dtype === 'I64'
            ? { dtype, shape: [2], data: BigInt64Array.from([BigInt(r), BigInt(c)]) }
            : { dtype, shape: [2], data: Int32Array.from([r, c]) },
      ),
  );

  it('random bitmask records: any dtype, shape and bits under .compressed, .bitmask, .shape', () => {
    fc.assert(
      fc.property(
        arbStored(['F32', 'F16', 'BF16', 'I8', 'F64']),
        arbStored(['U8', 'BOOL', 'I32']),
        arbShapeTensor,
        fc.constantFrom(...PATTERNS),
        (values, bits, shape, pattern) => {
          const tensors = new Map<string, StoredTensor>([
            ['l.weight.compressed', values],
            ['l.weight.bitmask', bits],
            ['l.weight.shape', shape],
          ]);
          return documentedOnly(NAME, () => checkTensors(NAME, tensors, pattern, true));
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it('random sparse-24 records: any dtype, shape and bytes under .cutlass_24_values and .meta', () => {
    fc.assert(
      fc.property(
        arbStored(['F16', 'BF16', 'I8', 'F32', 'BOOL']),
        arbStored(['I16', 'I32', 'U8', 'I64']),
        fc.constantFrom(...PATTERNS),
        (packed, meta, pattern) => {
          const tensors = new Map<string, StoredTensor>([
            ['l.weight.cutlass_24_values', packed],
            ['l.weight.cutlass_24_meta', meta],
          ]);
          return documentedOnly(NAME, () => checkTensors(NAME, tensors, pattern, true));
        },
      ),
      { numRuns: runs(300) },
    );
  });
});
