/**
 * Magnitude, the quantity masks are judged by: Σ|w| over a weight, or over the entries a mask
 * keeps. Summed in element order in double precision, as apex logs it.
 */

/** Σ|w|; with `keep`, only over the entries where `keep` is nonzero (a 0/1 mask of the same size). */
export function absSum(values: ArrayLike<number>, keep?: ArrayLike<number>): number {
  let s = 0;
  if (keep === undefined) for (let i = 0; i < values.length; i++) s += Math.abs(values[i]!);
  else for (let i = 0; i < values.length; i++) if (keep[i] !== 0) s += Math.abs(values[i]!);
  return s;
}

/** Share of Σ|w| a 0/1 mask keeps (1 for an all-zero weight). */
export function keptMagnitude(values: ArrayLike<number>, mask: ArrayLike<number>): number {
  const total = absSum(values);
  return total === 0 ? 1 : absSum(values, mask) / total;
}
