/**
 * Compressed N:M weights: for each row of a [rows][cols] matrix (rows = output channels, groups of
 * M along cols = input channels), the N kept values of every group and their positions in it.
 *
 * Built from a weight AND its mask, never from which values are nonzero: a kept weight that
 * happens to be 0 stays kept, so the stored pattern is exactly the mask. A group whose mask keeps
 * fewer than N (the greedy 2-D mask can) is padded with its lowest unkept positions holding 0,
 * which decompresses to the same masked matrix. A group keeping more than N is an error.
 */
import { ShapeError } from '../tensor/errors.js';
import { type Shape, formatShape, numel } from '../tensor/shape.js';
import { SparsityError } from './errors.js';
import { checkNM } from './groups.js';
import { fromView, toView, weightElements } from './view2d.js';

export interface CompressedNM {
  readonly n: number;
  readonly m: number;
  readonly rows: number;
  readonly cols: number;
  /** Kept values, row-major [rows][cols/M*N], in ascending position order within each group. */
  readonly values: Float32Array;
  /** Position (0..M-1) in its group of each value; same layout as `values`. One byte: M <= `MAX_GROUP_SIZE` (256). */
  readonly indices: Uint8Array;
  /** The weight shape this matrix is the 2-D mask view of, or null for a plain matrix. */
  readonly weightShape: readonly number[] | null;
}

/** A compressed 2:4 matrix: values [rows][cols/2] and kept positions. */
export type Compressed24 = CompressedNM & { readonly n: 2; readonly m: 4 };

/** Compresses a row-major [rows][cols] matrix with its 0/1 mask into N:M form. */
export function compressNM(
  matrix: Float32Array,
  mask: Uint8Array,
  rows: number,
  cols: number,
  n: number,
  m: number,
): CompressedNM {
  checkNM(n, m);
  weightElements([rows, cols], `compress ${n}:${m}`);
  if (matrix.length !== rows * cols || mask.length !== rows * cols) {
    throw new ShapeError(
      `compress ${n}:${m}: matrix (${matrix.length}) and mask (${mask.length}) must both hold ${rows}x${cols} = ${rows * cols} values`,
    );
  }
  if (cols % m !== 0) throw new ShapeError(`compress ${n}:${m}: cols=${cols} must be divisible by M=${m}`);
  const count = (rows * cols * n) / m;
  const values = new Float32Array(count);
  const indices = new Uint8Array(count);
  let out = 0;
  for (let g = 0; g < rows * cols; g += m) {
    let kept = 0;
    for (let i = 0; i < m; i++) if (mask[g + i] !== 0) kept++;
    if (kept > n) {
      const row = Math.floor(g / cols);
      throw new SparsityError(
        `compress ${n}:${m}: mask keeps ${kept} values in row ${row}, columns ${g - row * cols}..${g - row * cols + m - 1}; at most ${n} allowed`,
      );
    }
    let pad = n - kept;
    for (let i = 0; i < m; i++) {
      const keep = mask[g + i] !== 0;
      if (keep || pad > 0) {
        if (!keep) pad--;
        values[out] = keep ? matrix[g + i]! : 0;
        indices[out++] = i;
      }
    }
  }
  return { n, m, rows, cols, values, indices, weightShape: null };
}

/** Compresses a row-major [rows][cols] matrix with its 2:4 mask. */
export function compress24(matrix: Float32Array, mask: Uint8Array, rows: number, cols: number): Compressed24 {
  return compressNM(matrix, mask, rows, cols, 2, 4) as Compressed24;
}

/**
 * Compresses a weight of any supported rank through its 2-D mask view (Conv weights included);
 * `weight` and `mask` are in the weight's own layout. `decompressWeight` undoes it.
 */
export function compressWeight(weight: Float32Array, mask: Uint8Array, shape: Shape, n = 2, m = 4): CompressedNM {
  if (mask.length !== numel(shape)) {
    throw new ShapeError(
      `compressWeight: mask has ${mask.length} elements but shape ${formatShape(shape)} needs ${numel(shape)}`,
    );
  }
  const w = toView(weight, shape);
  const c = compressNM(w.data, toView(mask, shape).data, w.rows, w.cols, n, m);
  return { ...c, weightShape: [...shape] };
}

/** The dense [rows][cols] matrix (zeros where pruned). */
export function decompress(c: CompressedNM): Float32Array {
  const dense = new Float32Array(c.rows * c.cols);
  const perRowGroups = c.cols / c.m;
  for (let v = 0; v < c.values.length; v++) {
    const group = Math.floor(v / c.n);
    const row = Math.floor(group / perRowGroups);
    const g = group - row * perRowGroups;
    dense[row * c.cols + g * c.m + c.indices[v]!] = c.values[v]!;
  }
  return dense;
}

/** The 0/1 mask stored in the compressed form, [rows][cols]. */
export function compressedMask(c: CompressedNM): Uint8Array {
  const mask = new Uint8Array(c.rows * c.cols);
  const cols = columnIndices(c);
  const perRow = (c.cols / c.m) * c.n;
  for (let v = 0; v < cols.length; v++) mask[Math.floor(v / perRow) * c.cols + cols[v]!] = 1;
  return mask;
}

/** Back to the weight's own layout (only for results of `compressWeight`). */
export function decompressWeight(c: CompressedNM): Float32Array {
  if (c.weightShape === null) {
    throw new ShapeError(
      'decompressWeight: this compressed matrix has no weight shape; use decompress for plain matrices',
    );
  }
  return fromView(decompress(c), c.weightShape);
}

/**
 * The column (0..cols-1) of every stored value, as int32: the decoded form gpu kernels consume
 * (no bit unpacking in the kernel), [rows][cols/M*N].
 */
export function columnIndices(c: CompressedNM): Int32Array {
  const out = new Int32Array(c.indices.length);
  const perRowGroups = c.cols / c.m;
  for (let v = 0; v < out.length; v++) {
    const g = Math.floor(v / c.n) % perRowGroups;
    out[v] = g * c.m + c.indices[v]!;
  }
  return out;
}
