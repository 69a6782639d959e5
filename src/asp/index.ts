/**
 * The ASP workflow (apex's Automatic SParsity): prepare a model for 2:4 / N:M pruning, keep pruned
 * weights at zero through the optimizer, compute, recompute and remove masks, and save them in
 * checkpoints under apex's buffer names.
 */
export * from './errors.js';
export { type AspLogger, stderrLogger } from './log.js';
export { type AspOptions, type LayerClass, type MaskFunction, DEFAULT_WHITELIST } from './options.js';
export {
  type AspPermutation,
  type AspPermutationSettings,
  type AspPermuteOptions,
  type PermuteModelFn,
} from './permute.js';
export * from './asp.js';
export * from './checkpoint.js';
export * from './oneshot.js';
export * from './inference/index.js';
export * from './qat/index.js';
export * from './calibrated/index.js';
export * from './learned/index.js';
