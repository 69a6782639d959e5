import { normalizeAxis } from '../shape.js';
import { Tensor } from '../tensor.js';

/** Splits a shape around `axis` into (outer, size, inner), so element (o, k, i) sits at (o·size + k)·inner + i. */
function around(x: Tensor, dim: number): { outer: number; size: number; inner: number } {
  // A 0-d tensor behaves as one element along a single axis, as PyTorch's.
  if (x.ndim === 0) {
    normalizeAxis(dim, 1, 'softmax dim');
    return { outer: 1, size: 1, inner: 1 };
  }
  const axis = normalizeAxis(dim, x.ndim, 'softmax dim');
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= x.shape[d]!;
  let inner = 1;
  for (let d = axis + 1; d < x.ndim; d++) inner *= x.shape[d]!;
  return { outer, size: x.shape[axis]!, inner };
}

/**
 * log Σ exp over each line along the axis, with the max subtracted first so large logits cannot
 * overflow (and all -inf lines give NaN rather than a silent 0).
 */
function logSumExp(x: Float32Array, outer: number, size: number, inner: number): Float64Array {
  const lse = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let m = -Infinity;
      for (let k = 0; k < size; k++) m = Math.max(m, x[base + k * inner]!);
      if (m === Infinity) {
        lse[o * inner + i] = Infinity;
        continue;
      }
      let s = 0;
      for (let k = 0; k < size; k++) s += Math.exp(x[base + k * inner]! - m);
      lse[o * inner + i] = m + Math.log(s);
    }
  }
  return lse;
}

/** exp(x) / Σ exp(x) along `dim`, computed stably. */
export function softmax(x: Tensor, dim: number): Tensor {
  const { outer, size, inner } = around(x, dim);
  const lse = logSumExp(x.data, outer, size, inner);
  const y = new Float32Array(x.size);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < size; k++) {
      for (let i = 0; i < inner; i++) {
        const at = (o * size + k) * inner + i;
        y[at] = Math.exp(x.data[at]! - lse[o * inner + i]!);
      }
    }
  }
  return Tensor.fromOp(
    'softmax',
    y,
    x.shape,
    [x],
    (g) => {
      // dx = y ⊙ (g - Σ g⊙y) along the axis.
      const gx = new Float32Array(x.size);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * size * inner + i;
          let dot = 0;
          for (let k = 0; k < size; k++) dot += g[base + k * inner]! * y[base + k * inner]!;
          for (let k = 0; k < size; k++) {
            const at = base + k * inner;
            gx[at] = y[at]! * (g[at]! - dot);
          }
        }
      }
      return [gx];
    },
    { dim },
  );
}

/** x - log Σ exp(x) along `dim`: more accurate than log(softmax(x)) for very negative logits. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const { outer, size, inner } = around(x, dim);
  const lse = logSumExp(x.data, outer, size, inner);
  const y = new Float32Array(x.size);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < size; k++) {
      for (let i = 0; i < inner; i++) {
        const at = (o * size + k) * inner + i;
        y[at] = x.data[at]! - lse[o * inner + i]!;
      }
    }
  }
  return Tensor.fromOp(
    'logSoftmax',
    y,
    x.shape,
    [x],
    (g) => {
      // dx = g - softmax ⊙ Σ g along the axis.
      const gx = new Float32Array(x.size);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * size * inner + i;
          let total = 0;
          for (let k = 0; k < size; k++) total += g[base + k * inner]!;
          for (let k = 0; k < size; k++) {
            const at = base + k * inner;
            gx[at] = g[at]! - Math.exp(y[at]!) * total;
          }
        }
      }
      return [gx];
    },
    { dim },
  );
}

declare module '../tensor.js' {
  interface Tensor {
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
  }
}

Tensor.prototype.softmax = function (this: Tensor, dim: number) {
  return softmax(this, dim);
};
Tensor.prototype.logSoftmax = function (this: Tensor, dim: number) {
  return logSoftmax(this, dim);
};
