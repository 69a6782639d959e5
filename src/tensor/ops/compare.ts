import { noGrad } from '../autograd.js';
import { broadcastIndex, broadcastShapes, numel, shapeEquals } from '../shape.js';
import type { CompareOpName } from '../op_list.js';
import { Tensor } from '../tensor.js';
import { unbroadcast } from './broadcast.js';
import { type TensorLike, asTensor } from './elementwise.js';

/**
 * A broadcast comparison giving a 0/1 float mask. Masks are not differentiable; the op is still
 * recorded (under noGrad) so a traced graph shows where a mask came from.
 */
function compareOp(
  op: Exclude<CompareOpName, 'where'>,
  x: TensorLike,
  y: TensorLike,
  test: (a: number, b: number) => boolean,
): Tensor {
  const a = asTensor(x);
  const b = asTensor(y);
  const shape = broadcastShapes(a.shape, b.shape);
  const ia = shapeEquals(a.shape, shape) ? null : broadcastIndex(a.shape, shape);
  const ib = shapeEquals(b.shape, shape) ? null : broadcastIndex(b.shape, shape);
  const out = new Float32Array(numel(shape));
  for (let i = 0; i < out.length; i++) {
    out[i] = test(a.data[ia === null ? i : ia[i]!]!, b.data[ib === null ? i : ib[i]!]!) ? 1 : 0;
  }
  return noGrad(() => Tensor.fromOp(op, out, shape, [a, b], () => [null, null]));
}

export function eq(a: TensorLike, b: TensorLike): Tensor {
  return compareOp('eq', a, b, (x, y) => x === y);
}

export function ne(a: TensorLike, b: TensorLike): Tensor {
  return compareOp('ne', a, b, (x, y) => x !== y);
}

export function lt(a: TensorLike, b: TensorLike): Tensor {
  return compareOp('lt', a, b, (x, y) => x < y);
}

export function le(a: TensorLike, b: TensorLike): Tensor {
  return compareOp('le', a, b, (x, y) => x <= y);
}

export function gt(a: TensorLike, b: TensorLike): Tensor {
  return compareOp('gt', a, b, (x, y) => x > y);
}

export function ge(a: TensorLike, b: TensorLike): Tensor {
  return compareOp('ge', a, b, (x, y) => x >= y);
}

/**
 * Picks `a` where `cond` is nonzero and `b` elsewhere, broadcasting all three. The gradient flows
 * to whichever side was picked; `cond` gets none.
 */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = asTensor(cond);
  const ta = asTensor(a);
  const tb = asTensor(b);
  const shape = broadcastShapes(c.shape, ta.shape, tb.shape);
  const index = (t: Tensor): Int32Array | null => (shapeEquals(t.shape, shape) ? null : broadcastIndex(t.shape, shape));
  const ic = index(c);
  const ia = index(ta);
  const ib = index(tb);
  const n = numel(shape);
  const pick = new Uint8Array(n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    pick[i] = c.data[ic === null ? i : ic[i]!]! !== 0 ? 1 : 0;
    out[i] = pick[i] ? ta.data[ia === null ? i : ia[i]!]! : tb.data[ib === null ? i : ib[i]!]!;
  }
  return Tensor.fromOp('where', out, shape, [c, ta, tb], (g) => {
    const side = (t: Tensor, want: number): Float32Array | null => {
      if (!t.requiresGrad) return null;
      const gs = new Float32Array(n);
      for (let i = 0; i < n; i++) gs[i] = pick[i] === want ? g[i]! : 0;
      return unbroadcast(gs, t.shape, shape);
    };
    return [null, side(ta, 1), side(tb, 0)];
  });
}

declare module '../tensor.js' {
  interface Tensor {
    eq(other: TensorLike): Tensor;
    ne(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    /** PyTorch's `x.where(cond, y)`: x where cond, else y. */
    where(cond: TensorLike, other: TensorLike): Tensor;
  }
}

Tensor.prototype.eq = function (this: Tensor, other: TensorLike) {
  return eq(this, other);
};
Tensor.prototype.ne = function (this: Tensor, other: TensorLike) {
  return ne(this, other);
};
Tensor.prototype.lt = function (this: Tensor, other: TensorLike) {
  return lt(this, other);
};
Tensor.prototype.le = function (this: Tensor, other: TensorLike) {
  return le(this, other);
};
Tensor.prototype.gt = function (this: Tensor, other: TensorLike) {
  return gt(this, other);
};
Tensor.prototype.ge = function (this: Tensor, other: TensorLike) {
  return ge(this, other);
};
Tensor.prototype.where = function (this: Tensor, cond: TensorLike, other: TensorLike) {
  return where(cond, this, other);
};
