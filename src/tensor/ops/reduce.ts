import { noGrad } from '../autograd.js';
import { ShapeError, ValueError } from '../errors.js';
import { type Shape, broadcastIndex, formatShape, normalizeAxis, numel, stridesOf } from '../shape.js';
import { Tensor } from '../tensor.js';

/** How a reduction folds the input: every input position adds into output position `map[i]`. */
interface ReducePlan {
  /** The result's shape (reduced axes dropped, or kept as 1 with keepdim). */
  outShape: number[];
  map: Int32Array;
  /** Input elements per output element. */
  groupSize: number;
  outSize: number;
}

/** Normalizes a dim argument to sorted unique axes; undefined or [] means every axis, as PyTorch. */
export function resolveDims(shape: Shape, dim: number | readonly number[] | undefined, what = 'dim'): number[] {
  const rank = shape.length;
  const list = dim === undefined ? [] : typeof dim === 'number' ? [dim] : [...dim];
  if (list.length === 0) return shape.map((_d, i) => i);
  // A 0-d tensor accepts dim 0 or -1 and has nothing to reduce.
  if (rank === 0) {
    for (const d of list) normalizeAxis(d, 1, what);
    return [];
  }
  const axes = list.map((d) => normalizeAxis(d, rank, what));
  if (new Set(axes).size !== axes.length) {
    throw new ShapeError(`${what} ${formatShape(list)} names the same axis more than once (tensor of rank ${rank})`);
  }
  return axes.sort((a, b) => a - b);
}

function plan(shape: Shape, dim: number | readonly number[] | undefined, keepdim: boolean): ReducePlan {
  const axes = new Set(resolveDims(shape, dim));
  const kept = shape.map((d, i) => (axes.has(i) ? 1 : d));
  const outShape = keepdim ? kept : shape.filter((_d, i) => !axes.has(i));
  const outSize = numel(kept);
  return { outShape, map: broadcastIndex(kept, shape), groupSize: outSize === 0 ? 0 : numel(shape) / outSize, outSize };
}

/** Sum over `dim` (an axis, a list of axes, or all when omitted), accumulated in float64. */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  const p = plan(x.shape, dim, keepdim);
  const acc = new Float64Array(p.outSize);
  for (let i = 0; i < x.size; i++) acc[p.map[i]!]! += x.data[i]!;
  return Tensor.fromOp(
    'sum',
    Float32Array.from(acc),
    p.outShape,
    [x],
    (g) => {
      const gx = new Float32Array(x.size);
      for (let i = 0; i < gx.length; i++) gx[i] = g[p.map[i]!]!;
      return [gx];
    },
    { dim: resolveDims(x.shape, dim), keepdim },
  );
}

/** Arithmetic mean over `dim`; an empty reduction gives NaN, as PyTorch. */
export function mean(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  const p = plan(x.shape, dim, keepdim);
  const acc = new Float64Array(p.outSize);
  for (let i = 0; i < x.size; i++) acc[p.map[i]!]! += x.data[i]!;
  const out = new Float32Array(p.outSize);
  for (let o = 0; o < out.length; o++) out[o] = acc[o]! / p.groupSize;
  return Tensor.fromOp(
    'mean',
    out,
    p.outShape,
    [x],
    (g) => {
      const gx = new Float32Array(x.size);
      for (let i = 0; i < gx.length; i++) gx[i] = g[p.map[i]!]! / p.groupSize;
      return [gx];
    },
    { dim: resolveDims(x.shape, dim), keepdim },
  );
}

export interface VarianceOptions {
  keepdim?: boolean;
  /** Subtracted from the element count in the denominator: 1 (default) is Bessel's unbiased estimate. */
  correction?: number;
}

/**
 * Variance over `dim`: Σ(x - mean)² / (N - correction), as `torch.var`. With N ≤ correction the
 * result is inf or NaN, as in PyTorch. Two passes in float64 avoid the cancellation of E[x²] - E[x]².
 */
export function variance(x: Tensor, dim?: number | readonly number[], opts: VarianceOptions = {}): Tensor {
  const keepdim = opts.keepdim ?? false;
  const correction = opts.correction ?? 1;
  if (!Number.isFinite(correction) || correction < 0) {
    throw new ValueError(`variance correction must be a finite non-negative number, got ${correction}`);
  }
  const p = plan(x.shape, dim, keepdim);
  const mu = new Float64Array(p.outSize);
  for (let i = 0; i < x.size; i++) mu[p.map[i]!]! += x.data[i]!;
  for (let o = 0; o < mu.length; o++) mu[o] = mu[o]! / p.groupSize;
  const ss = new Float64Array(p.outSize);
  for (let i = 0; i < x.size; i++) {
    const d = x.data[i]! - mu[p.map[i]!]!;
    ss[p.map[i]!]! += d * d;
  }
  const denom = Math.max(0, p.groupSize - correction);
  const out = new Float32Array(p.outSize);
  for (let o = 0; o < out.length; o++) out[o] = ss[o]! / denom;
  return Tensor.fromOp(
    'var',
    out,
    p.outShape,
    [x],
    (g) => {
      const gx = new Float32Array(x.size);
      for (let i = 0; i < gx.length; i++) {
        const o = p.map[i]!;
        gx[i] = (g[o]! * 2 * (x.data[i]! - mu[o]!)) / denom;
      }
      return [gx];
    },
    { dim: resolveDims(x.shape, dim), keepdim, correction },
  );
}

/** For each output position, the flat input index of the first extreme value (NaN counts as extreme). */
function findExtremes(x: Tensor, p: ReducePlan, greater: boolean, what: string): Int32Array {
  if (p.outSize > 0 && p.groupSize === 0) {
    throw new ShapeError(`${what} of an empty reduction (tensor of shape ${formatShape(x.shape)}) has no value`);
  }
  const arg = new Int32Array(p.outSize).fill(-1);
  for (let i = 0; i < x.size; i++) {
    const o = p.map[i]!;
    const v = x.data[i]!;
    const a = arg[o]!;
    if (a < 0) {
      arg[o] = i;
      continue;
    }
    const cur = x.data[a]!;
    if (Number.isNaN(cur)) continue;
    if (Number.isNaN(v) || (greater ? v > cur : v < cur)) arg[o] = i;
  }
  return arg;
}

function sameValue(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Shared by max and min. With `dim` the gradient goes to the first extreme position, as PyTorch's
 * max(dim) (its indices). Without `dim` it is split evenly among all tied extremes, as torch.amax
 * and the full-reduction torch.max: the choice that keeps the gradient symmetric in the ties.
 */
function extreme(op: 'max' | 'min', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  const p = plan(x.shape, dim, keepdim);
  const arg = findExtremes(x, p, op === 'max', op);
  const out = new Float32Array(p.outSize);
  for (let o = 0; o < out.length; o++) out[o] = x.data[arg[o]!]!;
  return Tensor.fromOp(
    op,
    out,
    p.outShape,
    [x],
    (g) => {
      const gx = new Float32Array(x.size);
      if (dim !== undefined) {
        for (let o = 0; o < out.length; o++) gx[arg[o]!]! += g[o]!;
        return [gx];
      }
      let ties = 0;
      for (let i = 0; i < x.size; i++) if (sameValue(x.data[i]!, out[0]!)) ties++;
      for (let i = 0; i < x.size; i++) if (sameValue(x.data[i]!, out[0]!)) gx[i] = g[0]! / ties;
      return [gx];
    },
    { dim: dim === undefined ? null : dim, keepdim },
  );
}

/** Largest value over one axis, or over everything when `dim` is omitted (see `extreme` for gradients). */
export function max(x: Tensor, dim?: number, keepdim = false): Tensor {
  return extreme('max', x, dim, keepdim);
}

export function min(x: Tensor, dim?: number, keepdim = false): Tensor {
  return extreme('min', x, dim, keepdim);
}

function argExtreme(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  const p = plan(x.shape, dim, keepdim);
  const arg = findExtremes(x, p, op === 'argmax', op);
  const out = new Float32Array(p.outSize);
  if (dim === undefined || x.ndim === 0) out.set(arg);
  else {
    const axis = normalizeAxis(dim, x.ndim);
    const stride = stridesOf(x.shape)[axis]!;
    for (let o = 0; o < out.length; o++) out[o] = Math.floor(arg[o]! / stride) % x.shape[axis]!;
  }
  return noGrad(() => Tensor.fromOp(op, out, p.outShape, [x], () => [null], { dim: dim ?? null, keepdim }));
}

/**
 * Index of the first largest value along `dim` (a float tensor holding integers), or the flat index
 * over the whole tensor when `dim` is omitted. NaN counts as largest, as in PyTorch.
 */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme('argmax', x, dim, keepdim);
}

export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme('argmin', x, dim, keepdim);
}

declare module '../tensor.js' {
  interface Tensor {
    sum(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    mean(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    var(dim?: number | readonly number[], opts?: VarianceOptions): Tensor;
    max(dim?: number, keepdim?: boolean): Tensor;
    min(dim?: number, keepdim?: boolean): Tensor;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
  }
}

Tensor.prototype.sum = function (this: Tensor, dim?: number | readonly number[], keepdim?: boolean) {
  return sum(this, dim, keepdim);
};
Tensor.prototype.mean = function (this: Tensor, dim?: number | readonly number[], keepdim?: boolean) {
  return mean(this, dim, keepdim);
};
Tensor.prototype.var = function (this: Tensor, dim?: number | readonly number[], opts?: VarianceOptions) {
  return variance(this, dim, opts);
};
Tensor.prototype.max = function (this: Tensor, dim?: number, keepdim?: boolean) {
  return max(this, dim, keepdim);
};
Tensor.prototype.min = function (this: Tensor, dim?: number, keepdim?: boolean) {
  return min(this, dim, keepdim);
};
Tensor.prototype.argmax = function (this: Tensor, dim?: number, keepdim?: boolean) {
  return argmax(this, dim, keepdim);
};
Tensor.prototype.argmin = function (this: Tensor, dim?: number, keepdim?: boolean) {
  return argmin(this, dim, keepdim);
};
