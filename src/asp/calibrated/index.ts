export {
  PRUNE_METHODS,
  type PruneLayerOptions,
  type PruneMethod,
  type PrunedLayer,
  krscView,
  pruneLayer,
  reconstructionError,
} from './prune_layer.js';
export { hessian, sparseGpt, type SparseGptOptions } from './sparsegpt.js';
export { inputNorms, wandaScores } from './wanda.js';
export { choleskyInverse, choleskyLower, choleskyUpper } from './linalg.js';
export { type LayerPruneReport, type OneShotResult, type PruneOneShotOptions, pruneOneShot } from './prune_model.js';
