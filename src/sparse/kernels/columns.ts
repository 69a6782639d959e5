/**
 * Decoded column indices of a compressed matrix, computed once per matrix and cached: kernels read
 * one int per kept value instead of unpacking positions in their inner loops. A compressed matrix
 * is immutable (readonly fields), so a cache keyed by the object stays valid.
 */
import { type CompressedNM, columnIndices } from '../compressed.js';

const int32Cache = new WeakMap<CompressedNM, Int32Array>();
const scaledCache = new WeakMap<CompressedNM, Map<number, Float32Array>>();

/** The column of every kept value, [rows][cols/M·N]. */
export function decodedColumns(c: CompressedNM): Int32Array {
  let cols = int32Cache.get(c);
  if (cols === undefined) {
    cols = columnIndices(c);
    int32Cache.set(c, cols);
  }
  return cols;
}

/**
 * Columns premultiplied by `scale` (the element stride between consecutive columns of the dense
 * operand), as float32 for gpu.js, whose webasm and cpu modes read every argument as float32.
 * The products stay exact below 2^24, which the callers check.
 */
export function scaledColumns(c: CompressedNM, scale: number): Float32Array {
  let byScale = scaledCache.get(c);
  if (byScale === undefined) {
    byScale = new Map();
    scaledCache.set(c, byScale);
  }
  let cols = byScale.get(scale);
  if (cols === undefined) {
    const ints = decodedColumns(c);
    cols = new Float32Array(ints.length);
    for (let i = 0; i < ints.length; i++) cols[i] = ints[i]! * scale;
    byScale.set(scale, cols);
  }
  return cols;
}
