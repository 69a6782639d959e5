/**
 * Apex's tensor-core shape rule: which weight shapes its sparse kernels (and so ASP) take. A
 * weight of rank >= 2 whose dim 0 (output channels) is a multiple of 8 and whose dim 1 (input
 * channels, per group for Conv) is a multiple of 16. Apex skips every other weight.
 */

/** The rule in words, for messages and help text. */
export const TENSOR_CORE_RULE = 'dim0 % 8 == 0 and dim1 % 16 == 0';

/** Whether a weight of `shape` passes the tensor-core rule (rank >= 2 included). */
export function isTensorCoreShape(shape: readonly number[]): boolean {
  return shape.length >= 2 && shape[0]! % 8 === 0 && shape[1]! % 16 === 0;
}
