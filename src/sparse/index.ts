/** N:M masks, 2:4 checks and compressed 2:4 formats. */
export * from './errors.js';
export * from './view2d.js';
export { APEX_24_PATTERNS, apex24Choice, m4n2_1d } from './mask1d.js';
export { MAX_LISTED_PATTERNS, nmMask, nmPatterns } from './masknm.js';
export { MAX_GROUP_SIZE } from './groups.js';
export { TRANSPOSABLE_24_PATTERNS, blockScore, m4n2_2d_best, m4n2_2d_greedy } from './mask2d.js';
export * from './registry.js';
export * from './checks.js';
export * from './half.js';
export * from './compressed.js';
export * from './cutlass.js';
export * from './stored_record.js';
export * from './cutlass24.js';
export * from './compressed_tensors.js';
export * from './ct_config.js';
export * from './kernels/index.js';
export * from './ops/linear.js';
export * from './ops/conv.js';
