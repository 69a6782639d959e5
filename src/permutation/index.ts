/**
 * Channel permutations for 2:4 sparsity: `search/` finds a good column order for one matrix
 * (strategies registered with `registerSearchStrategy`); `model/` holds the model side (the traced
 * graph and its channel classes, the op rules, applying permutations, and `permuteModel`).
 */
export * from './search/index.js';
export * from './model/index.js';
