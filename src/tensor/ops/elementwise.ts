import type { BinaryOpName } from '../op_list.js';
import { Tensor } from '../tensor.js';
import { broadcastIndex, broadcastShapes, numel, shapeEquals } from '../shape.js';
import { unbroadcast } from './broadcast.js';

/** A tensor or a plain number (a 0-d constant that needs no gradient). */
export type TensorLike = Tensor | number;

export function asTensor(x: TensorLike): Tensor {
  return typeof x === 'number' ? new Tensor(new Float32Array([x]), []) : x;
}

/**
 * Applies `f` element-wise with NumPy broadcasting. `grads` gives dL/da and dL/db per element from
 * (a, b, out, gradOut); they are summed back over broadcast dimensions.
 */
export function binaryOp(
  op: BinaryOpName,
  x: TensorLike,
  y: TensorLike,
  f: (a: number, b: number) => number,
  grads: (a: number, b: number, out: number, g: number) => [number, number],
): Tensor {
  const a = asTensor(x);
  const b = asTensor(y);
  const shape = broadcastShapes(a.shape, b.shape);
  const ia = shapeEquals(a.shape, shape) ? null : broadcastIndex(a.shape, shape);
  const ib = shapeEquals(b.shape, shape) ? null : broadcastIndex(b.shape, shape);
  const ad = a.data;
  const bd = b.data;
  const out = new Float32Array(numel(shape));
  for (let i = 0; i < out.length; i++) out[i] = f(ad[ia === null ? i : ia[i]!]!, bd[ib === null ? i : ib[i]!]!);
  return Tensor.fromOp(op, out, shape, [a, b], (g) => {
    const ga = new Float32Array(out.length);
    const gb = new Float32Array(out.length);
    for (let i = 0; i < out.length; i++) {
      const [da, db] = grads(ad[ia === null ? i : ia[i]!]!, bd[ib === null ? i : ib[i]!]!, out[i]!, g[i]!);
      ga[i] = da;
      gb[i] = db;
    }
    return [
      a.requiresGrad ? unbroadcast(ga, a.shape, shape) : null,
      b.requiresGrad ? unbroadcast(gb, b.shape, shape) : null,
    ];
  });
}

export function add(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp(
    'add',
    a,
    b,
    (x, y) => x + y,
    (_x, _y, _o, g) => [g, g],
  );
}

export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp(
    'sub',
    a,
    b,
    (x, y) => x - y,
    (_x, _y, _o, g) => [g, -g],
  );
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp(
    'mul',
    a,
    b,
    (x, y) => x * y,
    (x, y, _o, g) => [g * y, g * x],
  );
}

export function div(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp(
    'div',
    a,
    b,
    (x, y) => x / y,
    (x, y, _o, g) => [g / y, (-g * x) / (y * y)],
  );
}

/**
 * a ** b. The gradient conventions are PyTorch's: a zero exponent contributes no gradient to the
 * base (even at a = 0, where b·a^(b-1) would be 0·inf), and a zero base with a non-negative
 * exponent contributes none to the exponent (where ln 0 would give -inf·0).
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp(
    'pow',
    a,
    b,
    (x, y) => Math.pow(x, y),
    (x, y, o, g) => [y === 0 ? 0 : g * y * Math.pow(x, y - 1), x === 0 && y >= 0 ? 0 : g * o * Math.log(x)],
  );
}

declare module '../tensor.js' {
  interface Tensor {
    add(other: TensorLike): Tensor;
    sub(other: TensorLike): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike): Tensor;
    pow(exponent: TensorLike): Tensor;
  }
}

Tensor.prototype.add = function (this: Tensor, other: TensorLike) {
  return add(this, other);
};
Tensor.prototype.sub = function (this: Tensor, other: TensorLike) {
  return sub(this, other);
};
Tensor.prototype.mul = function (this: Tensor, other: TensorLike) {
  return mul(this, other);
};
Tensor.prototype.div = function (this: Tensor, other: TensorLike) {
  return div(this, other);
};
Tensor.prototype.pow = function (this: Tensor, exponent: TensorLike) {
  return pow(this, exponent);
};
