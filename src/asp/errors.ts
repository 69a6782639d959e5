import { Sparse24Error } from '../tensor/errors.js';

/**
 * The ASP workflow was driven out of order or asked for something its setup cannot do: init twice,
 * an optimizer before the model, a recompute or restore without `allowRecomputeMask`, mixed
 * dense/sparse masks. (apex raises bare `AssertionError`s for these; a typed error lets callers
 * tell a workflow mistake from a shape or value mistake.)
 */
export class AspError extends Sparse24Error {}
