import { Sparse24Error } from '../tensor/errors.js';

/**
 * A sparsity request cannot be honoured: an unknown mask pattern, a non-finite weight, a mask that
 * keeps more than the format can store. Shape problems stay `ShapeError` and bad arguments
 * `ValueError`, as everywhere else in sparse24.
 */
export class SparsityError extends Sparse24Error {}
