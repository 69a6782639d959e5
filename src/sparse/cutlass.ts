/**
 * PyTorch's CUTLASS semi-structured 2:4 layout (docs/formats.md §2): `packed` values [m][k/2] in fp16,
 * bf16 or int8, plus `meta`, the 2-bit kept indices packed into 16-bit (fp16/bf16) or 32-bit
 * (int8) words and then reordered the way CUTLASS's `reorder_meta` + ColumnMajorInterleaved<2>
 * store them. Byte-exact with `to_sparse_semi_structured`; stored in files as sparse24's `cutlass-24`
 * (cutlass24.ts).
 */
import { ShapeError, ValueError } from '../tensor/errors.js';
import type { Compressed24 } from './compressed.js';
import { SparsityError } from './errors.js';
import { weightElements } from './view2d.js';
import { type HalfDtype, fromHalfBits, toHalfBits } from './half.js';

export type CutlassValueDtype = HalfDtype | 'int8';

export interface CutlassSemiStructured {
  readonly rows: number;
  readonly cols: number;
  /** Kept values, row-major [rows][cols/2]: 16-bit patterns for fp16/bf16, or int8. */
  readonly packed: Uint16Array | Int8Array;
  readonly packedDtype: CutlassValueDtype;
  /** Reordered metadata, [rows][cols/16] int16 words or [rows][cols/32] int32 words. */
  readonly meta: Int16Array | Int32Array;
  readonly metaDtype: 'int16' | 'int32';
}

/** The 4-bit code of a group keeping positions i0 < i1: i0 | i1 << 2 (PTX ordered metadata). */
export function metaNibble(i0: number, i1: number): number {
  if (!(0 <= i0 && i0 < i1 && i1 <= 3)) throw new ValueError(`metaNibble: need 0 <= i0 < i1 <= 3, found ${i0}, ${i1}`);
  return i0 | (i1 << 2);
}

/** Parameters of the meta layout for a value dtype. */
function layoutOf(dtype: CutlassValueDtype): { groupsPerWord: number; rowGroup: number; interleave: number } {
  // One word covers 16 (int16) or 32 (int32) dense columns: 4 or 8 nibbles.
  return dtype === 'int8'
    ? { groupsPerWord: 8, rowGroup: 16, interleave: 2 }
    : { groupsPerWord: 4, rowGroup: 32, interleave: 4 };
}

/**
 * Meta words per row for `cols` dense columns: cols/16 (int16 meta) or cols/32 (int32 meta), the
 * second dimension of PyTorch's meta tensor. Taken from the column count, not from the buffer
 * length over the rows, so a matrix with zero rows still has a meta shape ([0, cols/16]).
 */
export function metaWordsPerRow(cols: number, dtype: CutlassValueDtype): number {
  return cols / (4 * layoutOf(dtype).groupsPerWord);
}

/**
 * Flat position in the stored meta buffer of logical meta word (r, c) for a matrix of `rows` rows:
 * CUTLASS `reorder_meta` then ColumnMajorInterleaved<2>. `rowGroup`/`interleave` are 32/4 for
 * int16 meta and 16/2 for int32 meta.
 */
export function cutlassMetaOffset(r: number, c: number, rows: number, rowGroup = 32, interleave = 4): number {
  let r1 = Math.floor(r / rowGroup) * rowGroup + (r % 8) * interleave + Math.floor((r % rowGroup) / 8);
  let c1 = c;
  if (r1 % 2 === 0 && c % 2 === 1) {
    r1 += 1;
    c1 = c - 1;
  } else if (r1 % 2 === 1 && c % 2 === 0) {
    r1 -= 1;
    c1 = c + 1;
  }
  return Math.floor(c1 / 2) * (2 * rows) + r1 * 2 + (c1 % 2);
}

function checkCutlassShape(rows: number, cols: number, dtype: CutlassValueDtype): void {
  weightElements([rows, cols], `CUTLASS ${dtype} matrix`);
  const { rowGroup, groupsPerWord } = layoutOf(dtype);
  // ColumnMajorInterleaved<2> stores meta columns in pairs: an odd count of meta words per row
  // would land past the buffer, so cols must cover an even number of words (docs/formats.md §2.6's k % 16
  // for fp16 is one word; PyTorch's own minimum of 64 columns is four).
  const colUnit = 2 * groupsPerWord * 4;
  if (rows % rowGroup !== 0 || cols % colUnit !== 0) {
    throw new ShapeError(
      `CUTLASS ${dtype} layout needs rows % ${rowGroup} == 0 and cols % ${colUnit} == 0, found ${rows}x${cols}` +
        ` (PyTorch's SparseSemiStructuredTensor is stricter still: multiples of ${dtype === 'int8' ? '16x128' : '32x64'})`,
    );
  }
}

/** The logical (un-reordered) meta words, row-major [rows][cols/(4*groupsPerWord)], as uint32. */
export function logicalMetaWords(c: Compressed24, groupsPerWord: number): Uint32Array {
  const groups = (c.rows * c.cols) / 4;
  const words = new Uint32Array(groups / groupsPerWord);
  for (let g = 0; g < groups; g++) {
    const nib = metaNibble(c.indices[2 * g]!, c.indices[2 * g + 1]!);
    const w = Math.floor(g / groupsPerWord);
    words[w] = (words[w]! | (nib << (4 * (g % groupsPerWord)))) >>> 0;
  }
  return words;
}

/** Exports a compressed 2:4 matrix in the CUTLASS layout. int8 export needs integer values in [-128, 127]. */
export function toCutlass(c: Compressed24, dtype: CutlassValueDtype = 'float16'): CutlassSemiStructured {
  if (c.n !== 2 || c.m !== 4) throw new ValueError(`toCutlass: only 2:4 can be exported, found ${c.n}:${c.m}`);
  checkCutlassShape(c.rows, c.cols, dtype);
  const { groupsPerWord, rowGroup, interleave } = layoutOf(dtype);
  let packed: Uint16Array | Int8Array;
  if (dtype === 'int8') {
    packed = new Int8Array(c.values.length);
    for (let i = 0; i < c.values.length; i++) {
      const v = c.values[i]!;
      if (!Number.isInteger(v) || v < -128 || v > 127) {
        throw new ValueError(
          `toCutlass int8: value ${i} is ${v}; int8 export needs integers in [-128, 127] (quantize first)`,
        );
      }
      packed[i] = v;
    }
  } else {
    packed = toHalfBits(c.values, dtype);
  }
  const logical = logicalMetaWords(c, groupsPerWord);
  const ncols = metaWordsPerRow(c.cols, dtype);
  const meta = dtype === 'int8' ? new Int32Array(logical.length) : new Int16Array(logical.length);
  for (let r = 0; r < (ncols === 0 ? 0 : c.rows); r++) {
    for (let j = 0; j < ncols; j++) {
      meta[cutlassMetaOffset(r, j, c.rows, rowGroup, interleave)] = logical[r * ncols + j]!;
    }
  }
  return {
    rows: c.rows,
    cols: c.cols,
    packed,
    packedDtype: dtype,
    meta,
    metaDtype: dtype === 'int8' ? 'int32' : 'int16',
  };
}

/** Imports the CUTLASS layout back into a compressed 2:4 matrix (values widened to float32). */
export function fromCutlass(s: CutlassSemiStructured): Compressed24 {
  const { rows, cols, packedDtype: dtype } = s;
  checkCutlassShape(rows, cols, dtype);
  const { groupsPerWord, rowGroup, interleave } = layoutOf(dtype);
  const expectedMeta = dtype === 'int8' ? 'int32' : 'int16';
  if (s.metaDtype !== expectedMeta)
    throw new ValueError(`fromCutlass: ${dtype} values need ${expectedMeta} meta, found ${s.metaDtype}`);
  if ((dtype === 'int8') !== s.packed instanceof Int8Array) {
    throw new ValueError(
      `fromCutlass: packedDtype ${dtype} needs ${dtype === 'int8' ? 'an Int8Array' : 'a Uint16Array of bit patterns'}`,
    );
  }
  if (s.packed.length !== (rows * cols) / 2) {
    throw new ShapeError(`fromCutlass: packed has ${s.packed.length} values, expected ${rows}x${cols / 2}`);
  }
  const ncols = metaWordsPerRow(cols, dtype);
  if (s.meta.length !== rows * ncols)
    throw new ShapeError(`fromCutlass: meta has ${s.meta.length} words, expected ${rows}x${ncols}`);
  const indices = new Uint8Array((rows * cols) / 2);
  // cols = 0 with rows = 2^52 is a valid empty matrix: walk no rows then.
  for (let r = 0; r < (ncols === 0 ? 0 : rows); r++) {
    for (let j = 0; j < ncols; j++) {
      const word = s.meta[cutlassMetaOffset(r, j, rows, rowGroup, interleave)]! >>> 0;
      for (let t = 0; t < groupsPerWord; t++) {
        const nib = (word >>> (4 * t)) & 0xf;
        const i0 = nib & 3;
        const i1 = nib >> 2;
        const g = (r * ncols + j) * groupsPerWord + t;
        if (i0 >= i1) {
          throw new SparsityError(
            `fromCutlass: meta nibble 0x${nib.toString(16)} for row ${r}, columns ${4 * (g % (cols / 4))}..+3 is not a valid ordered 2:4 code`,
          );
        }
        indices[2 * g] = i0;
        indices[2 * g + 1] = i1;
      }
    }
  }
  const values =
    s.packed instanceof Int8Array ? Float32Array.from(s.packed) : fromHalfBits(s.packed, dtype as HalfDtype);
  return { n: 2, m: 4, rows, cols, values, indices, weightShape: null };
}
