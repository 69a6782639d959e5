import { ShapeError, ValueError } from '../errors.js';
import { type Shape, formatShape, normalizeAxis, numel, shapeEquals, stridesOf } from '../shape.js';
import type { OpAttrs, ShapeOpName } from '../op_list.js';
import { Tensor } from '../tensor.js';

/*
 * Every op here moves values without changing them. Each builds a source index (output position →
 * input position, or -1 for a padded position) and runs it through `gatherOp`, whose backward
 * scatters the gradient back along the same index. That one index is the whole op, forward and
 * backward, so there is nothing else to get wrong.
 */

/**
 * Flat source positions for an output of `outShape`: each axis d contributes `part(d, j)` for
 * output coordinate j (or -1 to mark padding), added to `offset`.
 */
function sourceIndex(outShape: Shape, part: (d: number, j: number) => number, offset = 0): Int32Array {
  let idx = Int32Array.of(offset);
  outShape.forEach((n, d) => {
    const next = new Int32Array(idx.length * n);
    const parts = Int32Array.from({ length: n }, (_v, j) => part(d, j));
    for (let p = 0; p < idx.length; p++) {
      const base = idx[p]!;
      for (let j = 0; j < n; j++) next[p * n + j] = base < 0 || parts[j]! < 0 ? -1 : base + parts[j]!;
    }
    idx = next;
  });
  return idx;
}

/** out[i] = x[src[i]] (or `fill` where src[i] < 0); a null index means the same order (a copy). */
function gatherOp<K extends ShapeOpName>(
  op: K,
  x: Tensor,
  outShape: Shape,
  src: Int32Array | null,
  attrs: OpAttrs[K],
  fill = 0,
): Tensor {
  let out: Float32Array;
  if (src === null) out = x.data.slice();
  else {
    out = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = src[i]! < 0 ? fill : x.data[src[i]!]!;
  }
  return Tensor.fromOp(
    op,
    out,
    outShape,
    [x],
    (g) => {
      if (src === null) return [g];
      const gx = new Float32Array(x.size);
      for (let i = 0; i < src.length; i++) if (src[i]! >= 0) gx[src[i]!]! += g[i]!;
      return [gx];
    },
    attrs,
  );
}

function checkInts(values: readonly number[], what: string): void {
  if (!values.every(Number.isInteger)) throw new ValueError(`${what} must be integers, got ${formatShape(values)}`);
}

/** Same values in a new shape; one entry may be -1 and is inferred. Always copies. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  checkInts(shape, 'reshape shape');
  const free = shape.filter((d) => d === -1).length;
  if (free > 1 || shape.some((d) => d < -1)) {
    throw new ShapeError(`reshape shape ${formatShape(shape)} may hold at most one -1 and no other negatives`);
  }
  const known = numel(shape.filter((d) => d !== -1));
  const out = free === 1 && known > 0 ? shape.map((d) => (d === -1 ? x.size / known : d)) : [...shape];
  if (!out.every(Number.isInteger) || out.some((d) => d < 0) || numel(out) !== x.size) {
    throw new ShapeError(
      `cannot reshape tensor of shape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)}`,
    );
  }
  return gatherOp('reshape', x, out, null, { shape: out });
}

/** PyTorch's view; here the same as reshape (tensors are always contiguous copies). */
export const view = reshape;

function permuteAs<K extends 'permute' | 'transpose'>(
  op: K,
  x: Tensor,
  dims: readonly number[],
  attrs: OpAttrs[K],
): Tensor {
  const rank = x.ndim;
  if (dims.length !== rank) {
    throw new ShapeError(
      `${op} dims ${formatShape(dims)} must list all ${rank} axes of a tensor of shape ${formatShape(x.shape)}`,
    );
  }
  const axes = dims.map((d) => normalizeAxis(d, rank, `${op} dim`));
  if (new Set(axes).size !== rank) throw new ShapeError(`${op} dims ${formatShape(dims)} repeat an axis`);
  const strides = stridesOf(x.shape);
  const outShape = axes.map((a) => x.shape[a]!);
  return gatherOp(
    op,
    x,
    outShape,
    sourceIndex(outShape, (d, j) => j * strides[axes[d]!]!),
    attrs,
  );
}

/** Reorders axes: output axis i is input axis dims[i]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  return permuteAs('permute', x, dims, { dims: [...dims] });
}

/** Swaps two axes. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  // PyTorch lets a 0-d tensor transpose (0, 0) or (-1, -1) to itself.
  const rank = Math.max(x.ndim, 1);
  const a = normalizeAxis(dim0, rank, 'transpose dim0');
  const b = normalizeAxis(dim1, rank, 'transpose dim1');
  if (x.ndim === 0) return gatherOp('transpose', x, x.shape, null, { dim0: a, dim1: b });
  const dims = x.shape.map((_d, i) => (i === a ? b : i === b ? a : i));
  return permuteAs('transpose', x, dims, { dim0: a, dim1: b });
}

/** Drops size-1 axes: all of them, or those named (a named axis of another size is left, as PyTorch). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const named =
    dim === undefined
      ? null
      : new Set(
          (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeAxis(d, Math.max(x.ndim, 1), 'squeeze dim')),
        );
  const out = x.shape.filter((n, i) => n !== 1 || (named !== null && !named.has(i)));
  return gatherOp('squeeze', x, out, null, { dim: named === null ? null : [...named] });
}

/** Inserts a size-1 axis at `dim` (which may be -1 for the end, as PyTorch). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const axis = normalizeAxis(dim, x.ndim + 1, 'unsqueeze dim');
  const out = [...x.shape];
  out.splice(axis, 0, 1);
  return gatherOp('unsqueeze', x, out, null, { dim: axis });
}

/** Merges axes startDim..endDim into one; a 0-d tensor becomes shape [1]. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  const rank = Math.max(x.ndim, 1);
  const s = normalizeAxis(startDim, rank, 'flatten startDim');
  const e = normalizeAxis(endDim, rank, 'flatten endDim');
  if (s > e) throw new ShapeError(`flatten startDim ${startDim} comes after endDim ${endDim} (rank ${x.ndim})`);
  const out = x.ndim === 0 ? [1] : [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return gatherOp('flatten', x, out, null, { startDim: s, endDim: e });
}

/** Positions start, start+step, ... along one axis (shared by narrow, slice and split). */
function takeRange<K extends 'narrow' | 'slice' | 'split'>(
  op: K,
  x: Tensor,
  axis: number,
  start: number,
  count: number,
  step: number,
  attrs: OpAttrs[K],
): Tensor {
  const strides = stridesOf(x.shape);
  const out = [...x.shape];
  out[axis] = count;
  const src = sourceIndex(out, (d, j) => (d === axis ? (start + j * step) * strides[d]! : j * strides[d]!));
  return gatherOp(op, x, out, src, attrs);
}

/** `length` elements along `dim` from `start` (negative start counts from the end). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkInts([start, length], 'narrow start and length');
  const axis = normalizeAxis(dim, x.ndim, 'narrow dim');
  const size = x.shape[axis]!;
  const s = start < 0 ? start + size : start;
  if (s < 0 || length < 0 || s + length > size) {
    throw new ShapeError(
      `narrow(dim=${dim}, start=${start}, length=${length}) is out of range for size ${size} (shape ${formatShape(x.shape)})`,
    );
  }
  return takeRange('narrow', x, axis, s, length, 1, { dim: axis, start: s, length });
}

/** Python slicing x[start:end:step] along `dim`: negative bounds count from the end, bounds clamp. */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  checkInts([start, end ?? 0, step], 'slice start, end and step');
  if (step <= 0) throw new ValueError(`slice step must be positive, got ${step}`);
  const axis = normalizeAxis(dim, x.ndim, 'slice dim');
  const size = x.shape[axis]!;
  const clampBound = (b: number): number => Math.min(Math.max(b < 0 ? b + size : b, 0), size);
  const s = clampBound(start);
  const e = clampBound(end ?? size);
  const count = Math.max(0, Math.ceil((e - s) / step));
  return takeRange('slice', x, axis, s, count, step, { dim: axis, start: s, end: e, step });
}

/** Rows of `x` along `dim` at the positions in `index` (a 1-D float tensor of integers). */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  if (index.ndim > 1) throw new ShapeError(`indexSelect index must be 1-D, got shape ${formatShape(index.shape)}`);
  const axis = normalizeAxis(dim, Math.max(x.ndim, 1), 'indexSelect dim');
  const size = x.ndim === 0 ? 1 : x.shape[axis]!;
  const picks = Array.from(index.data);
  for (const p of picks) {
    if (!Number.isInteger(p)) throw new ValueError(`indexSelect index must hold integers, found ${p}`);
    if (p < 0 || p >= size)
      throw new ShapeError(`indexSelect index ${p} is out of range for dim ${dim} of size ${size}`);
  }
  if (x.ndim === 0)
    return gatherOp('indexSelect', x, index.ndim === 0 ? [] : [picks.length], new Int32Array(picks.length), {
      dim: axis,
    });
  const strides = stridesOf(x.shape);
  const out = [...x.shape];
  out[axis] = picks.length;
  const src = sourceIndex(out, (d, j) => (d === axis ? picks[j]! : j) * strides[d]!);
  return gatherOp('indexSelect', x, out, src, { dim: axis });
}

/**
 * Joins tensors along `axis` of `outShape`; `parts[k]` is read as having shape `views[k]` (for
 * stack, the input with a 1 inserted). The backward hands each input its slab of the gradient.
 */
function joinOp(
  op: 'cat' | 'stack',
  inputs: readonly Tensor[],
  views: Shape[],
  axis: number,
  outShape: Shape,
  attrs: { dim: number },
): Tensor {
  const outer = numel(outShape.slice(0, axis));
  const inner = numel(outShape.slice(axis + 1));
  const chunks = views.map((v) => v[axis]! * inner);
  const row = chunks.reduce((a, b) => a + b, 0);
  const out = new Float32Array(numel(outShape));
  let at = 0;
  for (let o = 0; o < outer; o++) {
    inputs.forEach((t, k) => {
      out.set(t.data.subarray(o * chunks[k]!, (o + 1) * chunks[k]!), at);
      at += chunks[k]!;
    });
  }
  return Tensor.fromOp(
    op,
    out,
    outShape,
    inputs,
    (g) => {
      let offset = 0;
      return inputs.map((t, k) => {
        const start = offset;
        offset += chunks[k]!;
        if (!t.requiresGrad) return null;
        const gt = new Float32Array(t.size);
        for (let o = 0; o < outer; o++)
          gt.set(g.subarray(o * row + start, o * row + start + chunks[k]!), o * chunks[k]!);
        return gt;
      });
    },
    attrs,
  );
}

/** Concatenates along an existing axis; every other axis must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('cat needs at least one tensor');
  const first = tensors[0]!;
  if (first.ndim === 0) throw new ShapeError('cat cannot join 0-d tensors; unsqueeze them or use stack');
  const axis = normalizeAxis(dim, first.ndim, 'cat dim');
  tensors.forEach((t, k) => {
    const fits = t.ndim === first.ndim && t.shape.every((n, i) => i === axis || n === first.shape[i]);
    if (!fits) {
      throw new ShapeError(
        `cat along dim ${dim}: tensor ${k} has shape ${formatShape(t.shape)}, incompatible with tensor 0's ${formatShape(first.shape)}`,
      );
    }
  });
  const out = [...first.shape];
  out[axis] = tensors.reduce((s, t) => s + t.shape[axis]!, 0);
  return joinOp(
    'cat',
    tensors,
    tensors.map((t) => t.shape),
    axis,
    out,
    { dim: axis },
  );
}

export const concat = cat;

/** Joins equal-shaped tensors along a new axis `dim`. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('stack needs at least one tensor');
  const first = tensors[0]!;
  const axis = normalizeAxis(dim, first.ndim + 1, 'stack dim');
  tensors.forEach((t, k) => {
    if (!shapeEquals(t.shape, first.shape)) {
      throw new ShapeError(
        `stack: tensor ${k} has shape ${formatShape(t.shape)}, but tensor 0 has ${formatShape(first.shape)}`,
      );
    }
  });
  const view1 = [...first.shape];
  view1.splice(axis, 0, 1);
  const out = [...view1];
  out[axis] = tensors.length;
  return joinOp(
    'stack',
    tensors,
    tensors.map(() => view1),
    axis,
    out,
    { dim: axis },
  );
}

/**
 * Splits along `dim` as torch.split: a number gives pieces of that size (the last may be smaller),
 * a list gives the piece sizes, which must add up to the axis length.
 */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const axis = normalizeAxis(dim, x.ndim, 'split dim');
  const size = x.shape[axis]!;
  let sizes: number[];
  if (typeof sizeOrSections === 'number') {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections <= 0) {
      throw new ValueError(`split size must be a positive integer, got ${sizeOrSections}`);
    }
    sizes = [];
    for (let s = 0; s < size; s += sizeOrSections) sizes.push(Math.min(sizeOrSections, size - s));
    if (sizes.length === 0) sizes.push(0);
  } else {
    sizes = [...sizeOrSections];
    checkInts(sizes, 'split sections');
    if (sizes.some((s) => s < 0) || sizes.reduce((a, b) => a + b, 0) !== size) {
      throw new ShapeError(
        `split sections ${formatShape(sizes)} must be non-negative and sum to ${size} (dim ${dim} of ${formatShape(x.shape)})`,
      );
    }
  }
  let start = 0;
  return sizes.map((n) => {
    const piece = takeRange('split', x, axis, start, n, 1, { dim: axis, start, length: n });
    start += n;
    return piece;
  });
}

/**
 * Constant padding in F.pad order: pads = [lastBefore, lastAfter, secondLastBefore, ...]. Negative
 * pads crop, as PyTorch's constant mode allows.
 */
export function pad(x: Tensor, pads: readonly number[], value = 0): Tensor {
  checkInts(pads, 'pad widths');
  if (pads.length % 2 !== 0 || pads.length > 2 * x.ndim) {
    throw new ShapeError(
      `pad widths ${formatShape(pads)} must come in pairs, at most ${x.ndim} pairs for shape ${formatShape(x.shape)}`,
    );
  }
  const before = new Array<number>(x.ndim).fill(0);
  const out = [...x.shape];
  for (let k = 0; k < pads.length / 2; k++) {
    const d = x.ndim - 1 - k;
    before[d] = pads[2 * k]!;
    out[d] = x.shape[d]! + pads[2 * k]! + pads[2 * k + 1]!;
    if (out[d]! < 0) {
      throw new ShapeError(`pad widths ${formatShape(pads)} shrink dim ${d} of ${formatShape(x.shape)} below zero`);
    }
  }
  const strides = stridesOf(x.shape);
  const src = sourceIndex(out, (d, j) => {
    const s = j - before[d]!;
    return s < 0 || s >= x.shape[d]! ? -1 : s * strides[d]!;
  });
  return gatherOp('pad', x, out, src, { pads: [...pads], value }, value);
}

/** Broadcasts to `shape` (size-1 axes stretch, new axes may lead; -1 keeps a size). Copies. */
export function expand(x: Tensor, shape: Shape): Tensor {
  checkInts(shape, 'expand shape');
  const lead = shape.length - x.ndim;
  if (lead < 0)
    throw new ShapeError(`expand shape ${formatShape(shape)} has fewer axes than the tensor's ${formatShape(x.shape)}`);
  const out = shape.map((n, d) => {
    if (d < lead) {
      if (n < 0)
        throw new ShapeError(`expand shape ${formatShape(shape)}: new leading axis ${d} needs a size, got ${n}`);
      return n;
    }
    const have = x.shape[d - lead]!;
    if (n === -1) return have;
    if (n < 0 || (have !== 1 && have !== n)) {
      throw new ShapeError(
        `cannot expand tensor of shape ${formatShape(x.shape)} to ${formatShape(shape)} (axis ${d}: ${have} vs ${n})`,
      );
    }
    return n;
  });
  const strides = stridesOf(x.shape);
  const src = sourceIndex(out, (d, j) => (d < lead || x.shape[d - lead] === 1 ? 0 : j * strides[d - lead]!));
  return gatherOp('expand', x, out, src, { shape: out });
}

/** A copy that keeps the autograd connection (unlike detach). */
export function clone(x: Tensor): Tensor {
  return gatherOp('clone', x, x.shape, null, {});
}

declare module '../tensor.js' {
  interface Tensor {
    reshape(shape: Shape): Tensor;
    view(shape: Shape): Tensor;
    permute(dims: readonly number[]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    split(sizeOrSections: number | readonly number[], dim?: number): Tensor[];
    expand(shape: Shape): Tensor;
    clone(): Tensor;
  }
}

Tensor.prototype.reshape = function (this: Tensor, shape: Shape) {
  return reshape(this, shape);
};
Tensor.prototype.view = function (this: Tensor, shape: Shape) {
  return reshape(this, shape);
};
Tensor.prototype.permute = function (this: Tensor, dims: readonly number[]) {
  return permute(this, dims);
};
Tensor.prototype.transpose = function (this: Tensor, dim0: number, dim1: number) {
  return transpose(this, dim0, dim1);
};
Tensor.prototype.squeeze = function (this: Tensor, dim?: number | readonly number[]) {
  return squeeze(this, dim);
};
Tensor.prototype.unsqueeze = function (this: Tensor, dim: number) {
  return unsqueeze(this, dim);
};
Tensor.prototype.flatten = function (this: Tensor, startDim?: number, endDim?: number) {
  return flatten(this, startDim, endDim);
};
Tensor.prototype.narrow = function (this: Tensor, dim: number, start: number, length: number) {
  return narrow(this, dim, start, length);
};
Tensor.prototype.indexSelect = function (this: Tensor, dim: number, index: Tensor) {
  return indexSelect(this, dim, index);
};
Tensor.prototype.split = function (this: Tensor, sizeOrSections: number | readonly number[], dim?: number) {
  return split(this, sizeOrSections, dim);
};
Tensor.prototype.expand = function (this: Tensor, shape: Shape) {
  return expand(this, shape);
};
Tensor.prototype.clone = function (this: Tensor) {
  return clone(this);
};
