import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DenseSource, bitmaskSource, denseOf, denseSource } from '../../../../src/cli/util/check/dense_source.js';
import { decodeRecord } from '../../../../src/cli/util/check/records.js';
import { TILE_ELEMENTS, countGroups, countRecordGroups } from '../../../../src/cli/util/check/tensor_check.js';
import type { StoredTensor } from '../../../../src/io/index.js';

/** A random matrix with zeros, and its bitmask form (bit set = nonzero). */
const arbMatrix = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 6 })).chain(([rows, groups]) =>
  fc
    .array(fc.oneof(fc.constant(0), fc.integer({ min: -50, max: 50 })), {
      minLength: rows * groups * 4,
      maxLength: rows * groups * 4,
    })
    .map((v) => ({ rows, cols: groups * 4, values: Float32Array.from(v) })),
);

function asBitmask(values: Float32Array, rows: number, cols: number): DenseSource {
  const bytesPerRow = Math.ceil(cols / 8);
  const mask = new Uint8Array(rows * bytesPerRow);
  const kept: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c]!;
      if (v === 0) continue;
      mask[r * bytesPerRow + (c >> 3)]! |= 1 << (c & 7);
      kept.push(v);
    }
  }
  return bitmaskSource(mask, bytesPerRow, Float32Array.from(kept), rows, cols);
}

describe('records are read tile by tile', () => {
  it('property: every tiling of a bitmask or dense source covers the matrix exactly, in order', () => {
    fc.assert(
      fc.property(
        arbMatrix,
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 9 }),
        ({ rows, cols, values }, tr, tc) => {
          for (const src of [denseSource(values, rows, cols), asBitmask(values, rows, cols)]) {
            expect([...denseOf(src)]).toEqual([...values]);
            const seen = new Float32Array(rows * cols);
            let last = -1;
            src.forEachTile(tr, tc, (tile, r0, nr, c0, nc) => {
              expect(tile.length).toBe(nr * nc);
              expect(r0 * cols + c0).toBeGreaterThan(last);
              last = r0 * cols + c0;
              for (let i = 0; i < nr; i++)
                for (let j = 0; j < nc; j++) seen[(r0 + i) * cols + c0 + j] = tile[i * nc + j]!;
            });
            expect([...seen]).toEqual([...values]);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: countRecordGroups gives what countGroups gives on the dense matrix, for every pattern and tile size', () => {
    const patterns: [string, number, number][] = [
      ['m4n2_1d', 2, 4],
      ['2:8', 2, 8],
      ['1:4', 1, 4],
      ['m4n2_2d_best', 2, 4],
      ['m4n2_2d_greedy', 2, 4],
    ];
    fc.assert(
      fc.property(
        arbMatrix,
        fc.constantFrom(...patterns),
        fc.integer({ min: 4, max: 64 }),
        ({ rows, cols, values }, [pattern, n, m], tile) => {
          const expected = countGroups(values, [rows, cols], pattern, n, m);
          for (const src of [denseSource(values, rows, cols), asBitmask(values, rows, cols)]) {
            const whole = countRecordGroups(src, pattern, n, m);
            expect(whole).toEqual(expected); // whole-row tiles: flat order, the same sums bit for bit
            const split = countRecordGroups(src, pattern, n, m, tile);
            expect({ ...split, keptMagnitudeFraction: null }).toEqual({ ...expected, keptMagnitudeFraction: null });
            if (expected.keptMagnitudeFraction === null) expect(split.keptMagnitudeFraction).toBeNull();
            else expect(split.keptMagnitudeFraction).toBeCloseTo(expected.keptMagnitudeFraction, 6);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the first NaN is found at its flat index without expanding the matrix', () => {
    const values = Float32Array.from([0, 1, 0, 0, 0, 0, NaN, 2]);
    expect(asBitmask(values, 2, 4).firstNonFinite).toEqual({ index: 6, value: NaN });
    expect(denseSource(values, 2, 4).firstNonFinite).toEqual({ index: 6, value: NaN });
  });

  it('a huge claimed shape costs only the bytes present: decoding allocates nothing of its size, checking visits bounded tiles', () => {
    const rows = 1;
    const cols = 8_000_000; // a 1 MB bitmask claiming 8 M elements (32 MB as float32, 8 tiles)
    const tensors = new Map<string, StoredTensor>([
      ['w.weight.compressed', { dtype: 'F32', shape: [2], data: Float32Array.from([3, -4]) }],
      [
        'w.weight.bitmask',
        { dtype: 'U8', shape: [rows, cols / 8], data: new Uint8Array(cols / 8).fill(0).fill(0b0101, 0, 1) },
      ],
      ['w.weight.shape', { dtype: 'I64', shape: [2], data: BigInt64Array.from([BigInt(rows), BigInt(cols)]) }],
    ]);
    const before = process.memoryUsage().arrayBuffers;
    const d = decodeRecord('f', 'w.weight', [...tensors.keys()], tensors);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
    let largest = 0;
    const spy: DenseSource = {
      rows: d.source.rows,
      cols: d.source.cols,
      firstNonFinite: d.source.firstNonFinite,
      forEachTile: (tr, tc, visit) =>
        d.source.forEachTile(tr, tc, (tile, ...rest) => {
          largest = Math.max(largest, tile.length);
          visit(tile, ...rest);
        }),
    };
    const count = countRecordGroups(spy, '1:4', 1, 4);
    expect(largest).toBeLessThanOrEqual(TILE_ELEMENTS);
    expect(count).toEqual({ groups: cols / 4, violatingGroups: 1, isNM: false, keptMagnitudeFraction: 4 / 7 });
  });
});
