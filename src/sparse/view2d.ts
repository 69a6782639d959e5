/**
 * The 2-D view of a weight on which masks are computed, exactly as apex's `create_mask` builds it
 * (docs/apex-asp.md §2.1). Groups of M always run along the view's columns, which are the weight's
 * input channels C; the row order only matters for the 4x4 blocks of the 2-D patterns.
 *
 *   rank 1  (N)            -> (1, N)
 *   rank 2  (K, C)         -> (K, C)
 *   rank 3  (K, C, R)      -> (K*R, C)        row = k*R + r
 *   rank 4  (K, C, R, S)   -> (R*S*K, C)      row = (r*S + s)*K + k
 *   rank 5  (K, C, T, R, S)-> (T*R*S*K, C)    row = ((t*R + r)*S + s)*K + k
 *
 * Apex has no rank-5 branch (it returns None); we extend the rank-4 rule the natural way, spatial
 * positions outer and output channels inner.
 *
 * Shapes come from files, so they are checked before anything is allocated or walked: every
 * dimension a non-negative safe integer, the element count a safe integer. A weight with no
 * elements (any dimension 0, however large the others) has a view with 0 rows, so every loop
 * over it ends at once.
 */
import { ShapeError } from '../tensor/errors.js';
import { type Shape, formatShape } from '../tensor/shape.js';

/** A row-major matrix of `rows` x `cols` values. */
export interface MatrixView<T extends ArrayLike<number> = Float32Array> {
  readonly data: T;
  readonly rows: number;
  readonly cols: number;
}

/**
 * The element count of a weight shape, after checking it: an array of non-negative safe integers
 * whose product is a safe integer (a `ShapeError` naming `what` and the shape otherwise).
 */
export function weightElements(shape: Shape, what = 'weight'): number {
  if (!Array.isArray(shape)) {
    throw new ShapeError(
      `${what}: the shape must be an array of dimensions, found ${typeof shape === 'object' ? String(shape) : typeof shape}`,
    );
  }
  let zero = false;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(
        `${what}: shape ${formatShape(shape)} must hold non-negative integers below 2^53, found ${String(d)}`,
      );
    }
    if (d === 0) zero = true;
  }
  if (zero) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) {
      throw new ShapeError(
        `${what}: shape ${formatShape(shape)} has more than 2^53 - 1 elements; no weight can be that large`,
      );
    }
  }
  return n;
}

/** Rows and columns of the 2-D view of a weight of this shape (0 rows when it has no elements). */
export function viewDims(shape: Shape): { rows: number; cols: number } {
  const count = weightElements(shape);
  const rank = shape.length;
  if (rank < 1 || rank > 5) {
    throw new ShapeError(
      `mask view: weight rank must be 1 to 5 (vector, Linear, Conv1d/2d/3d), found shape ${formatShape(shape)}`,
    );
  }
  const cols = rank === 1 ? shape[0]! : shape[1]!;
  if (count === 0) return { rows: 0, cols };
  return { rows: count / cols, cols };
}

/**
 * `map[i]` is the position in the 2-D view of the weight element at flat index `i`. One table
 * serves both directions, so the view and its inverse cannot drift apart.
 */
export function viewIndexMap(shape: Shape): Int32Array {
  const { rows, cols } = viewDims(shape);
  const n = rows * cols;
  const map = new Int32Array(n);
  const rank = shape.length;
  if (rank <= 2 || n === 0) {
    for (let i = 0; i < n; i++) map[i] = i;
    return map;
  }
  const K = shape[0]!;
  const C = cols;
  const spatial = rows / K; // positions (t, r, s) flattened row-major
  let i = 0;
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < spatial; p++, i++) {
        // Conv1d puts k outside r; Conv2d/3d put the spatial position outside k (apex's permutes).
        const row = rank === 3 ? k * spatial + p : p * K + k;
        map[i] = row * C + c;
      }
    }
  }
  return map;
}

function checkLength(what: string, length: number, shape: Shape): void {
  const needed = weightElements(shape, what);
  if (length !== needed) {
    throw new ShapeError(`${what} has ${length} elements but shape ${formatShape(shape)} needs ${needed}`);
  }
}

/** The weight (flat, in its own layout) rearranged into its 2-D mask view. */
export function toView<T extends Float32Array | Uint8Array>(data: T, shape: Shape): MatrixView<T> {
  checkLength('weight', data.length, shape);
  const { rows, cols } = viewDims(shape);
  const map = viewIndexMap(shape);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  for (let i = 0; i < data.length; i++) out[map[i]!] = data[i]!;
  return { data: out, rows, cols };
}

/** A 2-D view (e.g. a mask computed on it) mapped back to the layout of a weight of `shape`. */
export function fromView<T extends Float32Array | Uint8Array>(view: T, shape: Shape): T {
  checkLength('view', view.length, shape);
  const map = viewIndexMap(shape);
  const out = new (view.constructor as new (n: number) => T)(view.length);
  for (let i = 0; i < view.length; i++) out[i] = view[map[i]!]!;
  return out;
}
