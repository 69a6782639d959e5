/**
 * max |a − b| over two outputs, as the lab's tables report it against the reference backend: a NaN
 * anywhere makes it NaN (never agreement), and outputs of different lengths differ by Infinity.
 */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
