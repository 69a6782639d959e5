import { ValueError } from '../errors.js';
import type { AttrsArg, UnaryOpName } from '../op_list.js';
import { Tensor } from '../tensor.js';

/**
 * Applies `f` element-wise. `df(x, y)` is dy/dx at input x with output y (the output is handy for
 * exp, sigmoid, tanh, whose derivatives are cheapest in terms of it).
 */
export function unaryOp<K extends UnaryOpName>(
  op: K,
  x: Tensor,
  f: (v: number) => number,
  df: (v: number, y: number) => number,
  ...attrs: AttrsArg<K>
): Tensor {
  const xd = x.data;
  const out = new Float32Array(xd.length);
  for (let i = 0; i < out.length; i++) out[i] = f(xd[i]!);
  return Tensor.fromOp(
    op,
    out,
    x.shape,
    [x],
    (g) => {
      const gx = new Float32Array(g.length);
      for (let i = 0; i < g.length; i++) gx[i] = g[i]! * df(xd[i]!, out[i]!);
      return [gx];
    },
    ...attrs,
  );
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * The error function, accurate far beyond float32 (about 1e-14 relative, in float64). Below |x| = 3
 * the Maclaurin series converges fast and loses at most e^9 ≈ 1e4 to cancellation; above, erf is
 * 1 - erfc with erfc < 2.3e-5, and Numerical Recipes' Chebyshev-fitted erfc (relative error
 * below 1.2e-7) leaves an absolute error under 3e-12.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x);
  if (z < 3) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const next = term / (2 * n + 1);
      sum += next;
      if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x > 0 ? 1 - erfc : erfc - 1;
}

export function neg(x: Tensor): Tensor {
  return unaryOp(
    'neg',
    x,
    (v) => -v,
    () => -1,
  );
}

export function sqrt(x: Tensor): Tensor {
  return unaryOp('sqrt', x, Math.sqrt, (_v, y) => 0.5 / y);
}

export function exp(x: Tensor): Tensor {
  return unaryOp('exp', x, Math.exp, (_v, y) => y);
}

export function log(x: Tensor): Tensor {
  return unaryOp('log', x, Math.log, (v) => 1 / v);
}

/** |x|; the gradient at 0 is 0, as PyTorch's sign(x). */
export function abs(x: Tensor): Tensor {
  return unaryOp('abs', x, Math.abs, (v) => Math.sign(v));
}

/**
 * max(x, 0); the gradient at 0 is 0, as PyTorch's. Written out rather than through `unaryOp`: it
 * follows every conv and linear layer, and unaryOp's shared loop calls its per-element function
 * through a call site V8 cannot inline once many ops use it (relu was 11% of a Fashion-MNIST epoch).
 * The arithmetic is unaryOp's exactly (NaN maps to 0; the gradient is g·0 or g·1).
 */
export function relu(x: Tensor): Tensor {
  const xd = x.data;
  const out = new Float32Array(xd.length);
  for (let i = 0; i < out.length; i++) {
    const v = xd[i]!;
    out[i] = v > 0 ? v : 0;
  }
  return Tensor.fromOp('relu', out, x.shape, [x], (g) => {
    const gx = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) gx[i] = g[i]! * (xd[i]! > 0 ? 1 : 0);
    return [gx];
  });
}

/** min(max(x, 0), 6); gradient 1 strictly inside (0, 6), as PyTorch's hardtanh backward. */
export function relu6(x: Tensor): Tensor {
  return unaryOp(
    'relu6',
    x,
    (v) => Math.min(Math.max(v, 0), 6),
    (v) => (v > 0 && v < 6 ? 1 : 0),
  );
}

function sigmoidValue(v: number): number {
  // Split by sign so exp never overflows.
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

export function sigmoid(x: Tensor): Tensor {
  return unaryOp('sigmoid', x, sigmoidValue, (_v, y) => y * (1 - y));
}

export function tanh(x: Tensor): Tensor {
  return unaryOp('tanh', x, Math.tanh, (_v, y) => 1 - y * y);
}

/** x·sigmoid(x). */
export function silu(x: Tensor): Tensor {
  return unaryOp(
    'silu',
    x,
    (v) => v * sigmoidValue(v),
    (v) => {
      const s = sigmoidValue(v);
      return s * (1 + v * (1 - s));
    },
  );
}

/** x·relu6(x + 3)/6, with PyTorch's piecewise gradient (0 below -3, 1 above 3). */
export function hardswish(x: Tensor): Tensor {
  return unaryOp(
    'hardswish',
    x,
    (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6,
    (v) => (v < -3 ? 0 : v <= 3 ? v / 3 + 0.5 : 1),
  );
}

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;
const SQRT_2_OVER_PI = 0.7978845608028654;
const GELU_C = 0.044715;

/**
 * GELU as PyTorch defines it: 'none' is the exact x·Φ(x) = x/2·(1 + erf(x/√2)); 'tanh' is the
 * approximation x/2·(1 + tanh(√(2/π)·(x + 0.044715x³))).
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate === 'none') {
    return unaryOp(
      'gelu',
      x,
      (v) => 0.5 * v * (1 + erf(v * INV_SQRT2)),
      (v) => 0.5 * (1 + erf(v * INV_SQRT2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v),
      { approximate },
    );
  }
  if (approximate !== 'tanh') {
    throw new ValueError(`gelu approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  }
  return unaryOp(
    'gelu',
    x,
    (v) => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + GELU_C * v * v * v))),
    (v) => {
      const t = Math.tanh(SQRT_2_OVER_PI * (v + GELU_C * v * v * v));
      return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_C * v * v);
    },
    { approximate },
  );
}

/** x for x > 0, else negativeSlope·x (the gradient at 0 is negativeSlope, as PyTorch's). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return unaryOp(
    'leakyRelu',
    x,
    (v) => (v > 0 ? v : v * negativeSlope),
    (v) => (v > 0 ? 1 : negativeSlope),
    { negativeSlope },
  );
}

/**
 * Limits values to [min, max] (either bound optional). The gradient passes where min ≤ x ≤ max,
 * bounds included, as PyTorch's clamp backward.
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  if (min === undefined && max === undefined) {
    throw new ValueError('clamp needs at least one of min and max');
  }
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  return unaryOp(
    'clamp',
    x,
    // PyTorch applies min first, then max, so min > max yields max everywhere.
    (v) => Math.min(Math.max(v, lo), hi),
    (v) => (v >= lo && v <= hi ? 1 : 0),
    { min: lo, max: hi },
  );
}

declare module '../tensor.js' {
  interface Tensor {
    neg(): Tensor;
    sqrt(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    abs(): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    clamp(min?: number, max?: number): Tensor;
  }
}

Tensor.prototype.neg = function (this: Tensor) {
  return neg(this);
};
Tensor.prototype.sqrt = function (this: Tensor) {
  return sqrt(this);
};
Tensor.prototype.exp = function (this: Tensor) {
  return exp(this);
};
Tensor.prototype.log = function (this: Tensor) {
  return log(this);
};
Tensor.prototype.abs = function (this: Tensor) {
  return abs(this);
};
Tensor.prototype.relu = function (this: Tensor) {
  return relu(this);
};
Tensor.prototype.sigmoid = function (this: Tensor) {
  return sigmoid(this);
};
Tensor.prototype.tanh = function (this: Tensor) {
  return tanh(this);
};
Tensor.prototype.clamp = function (this: Tensor, min?: number, max?: number) {
  return clamp(this, min, max);
};
