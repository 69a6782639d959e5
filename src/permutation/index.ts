/**
 * Channel permutations for 2:4 sparsity: `search/` finds a good column order for one matrix; the
 * model-graph part (which layers share a permutation, applying it) lives in `graph/`.
 */
export * from './search/index.js';
export * from './model/index.js';
export * from './permute_model.js';
