import { ShapeError, ValueError } from '../errors.js';
import { type MT19937, defaultGenerator } from '../random.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/**
 * Inverted dropout: zeroes each element with probability `p` and scales the survivors by
 * 1/(1-p), so the expected value is unchanged and eval mode needs no rescaling. One uniform
 * double is drawn per element, in order, from `generator` (the global one by default); an element
 * survives when its draw is >= p. Identity (a copy) when not training or p = 0.
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator?: MT19937): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout probability must be in [0, 1], got ${p}`);
  const n = x.size;
  if (!training || p === 0) {
    return Tensor.fromOp('dropout', x.data.slice(), x.shape, [x], (g) => [g], { p, training });
  }
  const g = generator ?? defaultGenerator();
  // p = 1 drops everything; 1/(1-p) would be infinite, and 0·∞ is NaN.
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) mask[i] = g.nextDouble() >= p ? scale : 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = x.data[i]! * mask[i]!;
  return Tensor.fromOp(
    'dropout',
    out,
    x.shape,
    [x],
    (grad) => {
      const gx = new Float32Array(n);
      for (let i = 0; i < n; i++) gx[i] = grad[i]! * mask[i]!;
      return [gx];
    },
    { p, training },
  );
}

/**
 * Looks up rows of `weight` [numEmbeddings, dim] by integer `indices` (a float tensor of any
 * shape holding integers); the result has shape [...indices.shape, dim]. The gradient
 * scatter-adds into the rows of `weight` that were read, so a repeated index accumulates.
 */
export function embedding(indices: Tensor, weight: Tensor): Tensor {
  if (weight.ndim !== 2) {
    throw new ShapeError(`embedding weight must have shape [numEmbeddings, dim], got ${formatShape(weight.shape)}`);
  }
  const [rows, dim] = weight.shape as [number, number];
  const idx = new Int32Array(indices.size);
  for (let i = 0; i < indices.size; i++) {
    const v = indices.data[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= rows) {
      throw new ValueError(
        `embedding index ${v} at position ${i} is out of range: expected an integer in [0, ${rows}) for a table of ${rows} rows`,
      );
    }
    idx[i] = v;
  }
  const wd = weight.data;
  const out = new Float32Array(idx.length * dim);
  for (let i = 0; i < idx.length; i++) out.set(wd.subarray(idx[i]! * dim, idx[i]! * dim + dim), i * dim);
  return Tensor.fromOp(
    'embedding',
    out,
    [...indices.shape, dim],
    [indices, weight],
    (g) => {
      if (!weight.requiresGrad) return [null, null];
      const gw = new Float32Array(wd.length);
      for (let i = 0; i < idx.length; i++) {
        const row = idx[i]! * dim;
        for (let j = 0; j < dim; j++) gw[row + j]! += g[i * dim + j]!;
      }
      return [null, gw];
    },
    { numEmbeddings: rows, dim },
  );
}
