import { ShapeError } from './errors.js';

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function shapeEquals(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Checks that a shape is a list of non-negative integers. */
export function checkShape(shape: Shape, what = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${what} ${formatShape(shape)} must contain non-negative integers`);
    }
  }
}

/** Resolves a possibly negative axis against a rank, as NumPy does. */
export function normalizeAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new ShapeError(`${what} ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** NumPy broadcasting: align trailing dimensions; each pair must be equal or contain a 1. */
export function broadcastShapes(...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) {
        throw new ShapeError(
          `shapes ${shapes.map(formatShape).join(' and ')} cannot be broadcast together (dimension ${o}: ${out[o]} vs ${d})`,
        );
      }
    }
  }
  return out;
}

/**
 * For each flat index of `outShape`, the flat index into a tensor of shape `inShape` that
 * broadcasting reads. Used by element-wise ops and to reduce gradients back to the input shape.
 */
export function broadcastIndex(inShape: Shape, outShape: Shape): Int32Array {
  const n = numel(outShape);
  const idx = new Int32Array(n);
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  // Stride 0 along broadcast dimensions.
  const eff = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = rank - inShape.length + i;
    eff[o] = inShape[i] === 1 ? 0 : inStrides[i]!;
  }
  const counter = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let f = 0; f < n; f++) {
    idx[f] = offset;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]!++;
      offset += eff[d]!;
      if (counter[d]! < outShape[d]!) break;
      offset -= eff[d]! * counter[d]!;
      counter[d] = 0;
    }
  }
  return idx;
}
