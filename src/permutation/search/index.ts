/** Channel-permutation search: the 2:4 objective, its metrics and the search strategies. */
export {
  top2,
  sumAfter24,
  unprunedMagnitude,
  rowHalfBound,
  efficacy,
  permuteColumns,
  checkPermutation,
  pairwiseSum,
} from './objective.js';
export {
  countCanonical,
  canonicalPermutations,
  canonicalTable,
  quadIndex,
  type CanonicalTable,
  type QuadIndex,
} from './canonical.js';
export { type Threshold, APEX_OSG_THRESHOLD, resolveThreshold } from './threshold.js';
export { type StripeTracking, SPLIT_COLUMNS } from './osg.js';
export {
  type StopReason,
  type SearchProgress,
  type ProgressCallback,
  DEFAULT_TIME_LIMIT,
  DEFAULT_PROGRESS_INTERVAL,
} from './clock.js';
export { MAX_EXHAUSTIVE_COLUMNS } from './exhaustive.js';
export { searchPermutation, type SearchOptions, type SearchResult } from './search.js';
export {
  registerSearchStrategy,
  unregisterSearchStrategy,
  searchStrategyNames,
  searchStrategy,
  SEARCH_STRATEGIES,
  type BuiltinSearchStrategy,
  type SearchStrategy,
  type SearchStrategyImpl,
  type SearchInput,
  type SearchOutcome,
} from './strategy.js';
export type { SearchClock } from './clock.js';
