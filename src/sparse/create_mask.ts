/**
 * `createMask`: apex's `create_mask`, with the pattern looked up in the pattern table
 * (`patterns.ts`) instead of by `getattr` on a module, so unknown names fail with a clear error
 * and users can add their own calculators.
 *
 * A calculator works on the 2-D view (see `view2d.ts`) and returns a 0/1 `Uint8Array` of the same
 * size; `createMask` maps it back to the weight's own layout.
 *
 * Non-finite weights: `createMask` refuses them with a `SparsityError` naming the index of the
 * first NaN/Inf in the weight's own layout. Apex would silently keep a NaN (argmax treats it as the
 * maximum); a NaN in a weight is almost always a training bug worth stopping on. The calculators
 * themselves, called directly, follow torch's argmax semantics instead.
 */
import { ShapeError, ValueError } from '../tensor/errors.js';
import { type Shape, formatShape, shapeEquals, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { SparsityError } from './errors.js';
import { getMaskCalculator } from './patterns.js';
import { fromView, toView, weightElements } from './view2d.js';

/** The multi-index of flat position `flat` in a tensor of `shape`, as "[i, j, ...]". */
function formatIndex(flat: number, shape: Shape): string {
  const strides = stridesOf(shape);
  return `[${strides.map((s, d) => Math.floor(flat / s) % shape[d]!).join(', ')}]`;
}

/** Throws `SparsityError` at the first NaN or infinity of a weight. */
export function assertFinite(data: Float32Array, shape: Shape, what = 'weight'): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new SparsityError(
        `${what} of shape ${formatShape(shape)} has a non-finite value ${data[i]} at index ${formatIndex(i, shape)} ` +
          `(flat ${i}); masks need finite weights`,
      );
    }
  }
}

/**
 * The mask of a weight for a pattern: a 0/1 `Uint8Array` in the weight's own layout (1 = keep).
 * A Tensor brings its shape (`createMask(t, 'm4n2_1d')`); a flat Float32Array needs `shape`, and a
 * shape given with a Tensor must equal the tensor's. A weight with no elements gets an empty mask
 * at once (the pattern is still checked).
 */
export function createMask(weight: Tensor, pattern?: string): Uint8Array;
export function createMask(weight: Float32Array | Tensor, shape: Shape, pattern?: string): Uint8Array;
export function createMask(
  weight: Float32Array | Tensor,
  shapeOrPattern?: Shape | string,
  maybePattern?: string,
): Uint8Array {
  const { shape, pattern } = maskArguments(weight, shapeOrPattern, maybePattern);
  const data = weight instanceof Tensor ? weight.data : weight;
  const calculator = getMaskCalculator(pattern);
  const view = toView(data, shape);
  assertFinite(data, shape);
  const mask = calculator(view);
  if (!(mask instanceof Uint8Array) || mask.length !== data.length) {
    throw new SparsityError(
      `mask calculator '${pattern}' returned ${mask instanceof Uint8Array ? `${mask.length} values` : 'no Uint8Array'}, ` +
        `expected a Uint8Array of ${data.length} for the ${view.rows}x${view.cols} view`,
    );
  }
  return fromView(mask, shape);
}

function maskArguments(
  weight: Float32Array | Tensor,
  shapeOrPattern: Shape | string | undefined,
  maybePattern: string | undefined,
): { shape: Shape; pattern: string } {
  if (!(weight instanceof Tensor) && !(weight instanceof Float32Array)) {
    throw new ValueError(`createMask: the weight must be a Tensor or a Float32Array, found ${kindOf(weight)}`);
  }
  if (shapeOrPattern === undefined || typeof shapeOrPattern === 'string') {
    if (!(weight instanceof Tensor)) {
      throw new ShapeError(
        'createMask: a Float32Array weight needs its shape, as createMask(data, shape, pattern); only a Tensor brings its own',
      );
    }
    if (maybePattern !== undefined) {
      throw new ValueError(
        `createMask: two patterns given ('${String(shapeOrPattern)}' and '${maybePattern}'); call createMask(tensor, pattern)`,
      );
    }
    return { shape: weight.shape, pattern: shapeOrPattern ?? 'm4n2_1d' };
  }
  weightElements(shapeOrPattern, 'createMask');
  if (weight instanceof Tensor && !shapeEquals(weight.shape, shapeOrPattern)) {
    throw new ShapeError(
      `createMask: shape ${formatShape(shapeOrPattern)} does not match the tensor's ${formatShape(weight.shape)}`,
    );
  }
  if (maybePattern !== undefined && typeof maybePattern !== 'string') {
    throw new ValueError(
      `createMask: the pattern must be a string such as 'm4n2_1d' or '2:4', found ${kindOf(maybePattern)}`,
    );
  }
  return { shape: shapeOrPattern, pattern: maybePattern ?? 'm4n2_1d' };
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : typeof v === 'object' ? (v.constructor?.name ?? 'an object') : typeof v;
}
