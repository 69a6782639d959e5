/** The names the data tests use, from the modules under test and the tensor core. */
export * from '../../../src/nn/data/index.js';
export { MT19937, ShapeError, Tensor, ValueError, manualSeed } from '../../../src/tensor/index.js';
export { FormatError } from '../../../src/io/index.js';
