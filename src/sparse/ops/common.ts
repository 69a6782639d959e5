import { AutogradError } from '../../tensor/errors.js';
import { Tensor } from '../../tensor/tensor.js';
import type { OpAttrs } from '../../tensor/op_list.js';
import type { Shape } from '../../tensor/shape.js';
import type { SparseOpName } from './op_list.js';

/**
 * Wraps a sparse kernel result as a Tensor. Recorded like any op (so a traced forward pass shows
 * it in the dataflow graph), but inference-only: asking for its gradient is an error that says
 * what to use instead.
 */
export function sparseResult<K extends SparseOpName>(
  op: K,
  data: Float32Array,
  shape: Shape,
  inputs: readonly Tensor[],
  attrs: OpAttrs[K],
): Tensor {
  return Tensor.fromOp(
    op,
    data,
    shape,
    inputs,
    () => {
      throw new AutogradError(
        `${op} is inference-only (compressed weights have no gradient); train with the dense op and the masked weight, then compress`,
      );
    },
    attrs,
  );
}
