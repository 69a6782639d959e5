/**
 * `searchPermutation`: one entry point over all strategies, returning the permutation with the
 * metrics apex's `permutation_test.py` prints (docs/apex-asp.md §3.13, §4.4).
 *
 * Every strategy is bounded by `timeLimit` (default 60 s, always finite) on top of its own
 * counts; `SearchResult.stopped` says which bound ended it. Within the limit the results are
 * apex's; a search cut short returns the best arrangement it reached, never worse than the input.
 */
import { ShapeError } from '../../tensor/errors.js';
import { MT19937 } from '../../tensor/random.js';
import {
  DEFAULT_PROGRESS_INTERVAL,
  DEFAULT_TIME_LIMIT,
  type ProgressCallback,
  SearchClock,
  type StopReason,
  checkSeconds,
} from './clock.js';
import { checkMatrix, checkPermutation, efficacy, rowHalfBound, sumAfter24, unprunedMagnitude } from './objective.js';
import type { StripeTracking } from './osg.js';
import { type SearchStrategy, nonNegativeInt, searchStrategy } from './strategy.js';
import type { Threshold } from './threshold.js';

export interface SearchOptions {
  /** Default 'osg' (apex's default strategy); a built-in name or one given to `registerSearchStrategy`. */
  strategy?: SearchStrategy;
  /** osg: columns per stripe group, 8 (default), 12 or 16. A window ≥ the width searches the whole matrix. */
  window?: number;
  /** osg and channel-swap: bounded regressions allowed after convergence (default 0). */
  escapes?: number;
  /** Seed of the MT19937 stream behind escapes and random draws (default 1, as apex's tests). */
  seed?: number;
  /** osg: stop threshold; default apex's absolute 5 × float16.tiny. `{ relative: r }` is scale-free. */
  threshold?: Threshold;
  /**
   * osg with a window of 12 or 16: matrices wider than this many columns are solved as two halves,
   * then as a whole with window 8 (default 512, apex's rule for window 12).
   */
  splitColumns?: number;
  /** osg: how changed stripes are detected (default 'apex'; see `StripeTracking`). */
  tracking?: StripeTracking;
  /**
   * Seconds any strategy may run (default 60, apex's progressive default; must be finite and > 0).
   * Progressive uses all of it; the others stop earlier when they converge. For results that do
   * not depend on machine speed, leave enough time for the search to converge.
   */
  timeLimit?: number;
  /** progressive: at most this many drawn pairs (default unlimited). */
  maxAttempts?: number;
  /** progressive: minimum gain to keep a swap (default 1e-9, as apex). */
  improvementThreshold?: number;
  /** random: number of shuffles (default 1000). */
  trials?: number;
  /**
   * Called after each greedy pass (osg, channel-swap) and otherwise at most every
   * `progressInterval` seconds while a long pass, trial loop or attempt loop runs, with a
   * one-line message and its parts; and once more when the time limit stops the search.
   */
  onProgress?: ProgressCallback;
  /** Seconds between progress reports within a pass (default 1; 0 reports at every check). */
  progressInterval?: number;
}

export interface SearchResult {
  /** Column j of the permuted matrix is column `permutation[j]` of the input. */
  permutation: Int32Array;
  /** Σ|w|. */
  unpruned: number;
  /** Kept by 2:4 without permutation. */
  default24: number;
  /** Kept by 50% per row, unstructured: the upper bound. */
  bound: number;
  /** Kept by 2:4 after the permutation. */
  permuted: number;
  /** (lost_default − lost_permuted) / (lost_default − lost_bound). */
  efficacy: number;
  /** Search time only (metrics excluded), like apex's reported duration. */
  seconds: number;
  strategy: SearchStrategy;
  /** What ended the search: convergence, the time limit, or the strategy's own count (trials, maxAttempts). */
  stopped: StopReason;
}

/** Searches a column permutation of the rows×cols row-major `matrix` that keeps more under 2:4. */
export function searchPermutation(
  matrix: ArrayLike<number>,
  rows: number,
  cols: number,
  options: SearchOptions = {},
): SearchResult {
  checkMatrix(matrix, rows, cols);
  if (cols % 4 !== 0)
    throw new ShapeError(`searchPermutation: 2:4 needs a column count divisible by 4, found ${cols} columns`);
  const strategy = options.strategy ?? 'osg';
  const impl = searchStrategy(strategy);
  const seed = options.seed ?? 1;
  const rng = new MT19937(seed);
  const escapes = nonNegativeInt(options.escapes ?? 0, 'escapes');
  const timeLimit = checkSeconds(options.timeLimit ?? DEFAULT_TIME_LIMIT, 'timeLimit', false);
  const interval = checkSeconds(options.progressInterval ?? DEFAULT_PROGRESS_INTERVAL, 'progressInterval', true);
  const unpruned = unprunedMagnitude(matrix);
  const default24 = sumAfter24(matrix, rows, cols);
  const bound = rowHalfBound(matrix, rows, cols);

  const start = performance.now();
  const clock = new SearchClock(strategy, timeLimit, options.onProgress, interval);
  // counted: stopped by the strategy's own count rather than convergence
  const { permutation, counted } = impl.search({ matrix, rows, cols, options, escapes, rng, clock, default24 });
  const seconds = (performance.now() - start) / 1000;
  checkPermutation(permutation, cols); // a registered strategy's answer is checked like a user's

  const stopped: StopReason = clock.stoppedByTime ? 'time-limit' : counted ? 'budget' : 'converged';
  const permuted = sumAfter24(matrix, rows, cols, permutation);
  if (stopped === 'time-limit') {
    clock.report(
      'stopped',
      permuted,
      true,
      `${strategy}: stopped at the time limit of ${timeLimit} s; returning the best arrangement found (kept ${permuted.toFixed(3)})`,
      permutation,
    );
  }
  return {
    permutation,
    unpruned,
    default24,
    bound,
    permuted,
    efficacy: efficacy(unpruned, default24, bound, permuted),
    seconds,
    strategy,
    stopped,
  };
}
