import { Sparse24Error } from '../../tensor/errors.js';

/**
 * Quantization-aware training was asked for something it cannot do: preparing a model twice,
 * calibrating with no batches, or exporting int8 2:4 weights whose stored integers are not 2:4
 * (an asymmetric weight quantizer with a nonzero zero point stores a pruned 0 as that point).
 */
export class QatError extends Sparse24Error {}
