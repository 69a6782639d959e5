/**
 * Data: map-style datasets, a batching DataLoader with seeded shuffling, the embedded digits and
 * MNIST-format (IDX) datasets such as Fashion-MNIST.
 */
export { DatasetError } from './errors.js';
export {
  type Dataset,
  type Example,
  type Batch,
  type ExampleDataset,
  TensorDataset,
  Subset,
  stackExamples,
} from './dataset.js';
export { randomPermutation } from './shuffle.js';
export { type DataLoaderOptions, DataLoader } from './loader.js';
export {
  type DigitsData,
  type DigitsSplit,
  type DigitsLayout,
  type DigitsOptions,
  digitsPath,
  loadDigits,
  isDigitsTestIndex,
  digitsStats,
  digitsDataset,
} from './digits.js';
export {
  type IdxSplit,
  type IdxDatasetOptions,
  type FashionMnistOptions,
  FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  idxDataset,
  fashionMnist,
} from './idx_dataset.js';
