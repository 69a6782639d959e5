/**
 * `searchPermutation`: one entry point over all strategies, returning the permutation with the
 * metrics apex's `permutation_test.py` prints (apex-asp.md §3.13, §4.4).
 */
import { ShapeError, ValueError } from '../../tensor/errors.js';
import { MT19937 } from '../../tensor/random.js';
import { channelSwap, progressiveChannelSwap } from './channel_swap.js';
import { MAX_EXHAUSTIVE_COLUMNS, exhaustiveSearch } from './exhaustive.js';
import { checkMatrix, efficacy, rowHalfBound, sumAfter24, unprunedMagnitude } from './objective.js';
import { type StripeTracking, optimizeStripeGroups } from './osg.js';
import { randomSearch } from './random.js';
import { APEX_OSG_THRESHOLD, type Threshold, resolveThreshold } from './threshold.js';
import { Workspace } from './workspace.js';

export type SearchStrategy = 'osg' | 'channel-swap' | 'progressive' | 'random' | 'exhaustive';

export const SEARCH_STRATEGIES: readonly SearchStrategy[] = ['osg', 'channel-swap', 'progressive', 'random', 'exhaustive'];

export interface SearchOptions {
  /** Default 'osg' (apex's default strategy). */
  strategy?: SearchStrategy;
  /** osg: columns per stripe group, 8 (default), 12 or 16. A window ≥ the width searches the whole matrix. */
  window?: number;
  /** osg and channel-swap: bounded regressions allowed after convergence (default 0). */
  escapes?: number;
  /** Seed of the MT19937 stream behind escapes and random draws (default 1, as apex's tests). */
  seed?: number;
  /** osg: stop threshold; default apex's absolute 5 × float16.tiny. `{ relative: r }` is scale-free. */
  threshold?: Threshold;
  /** osg: how changed stripes are detected (default 'apex'; see `StripeTracking`). */
  tracking?: StripeTracking;
  /** progressive: seconds (default 60, as apex). */
  timeLimit?: number;
  /** progressive: at most this many drawn pairs (default unlimited). */
  maxAttempts?: number;
  /** progressive: minimum gain to keep a swap (default 1e-9, as apex). */
  improvementThreshold?: number;
  /** random: number of shuffles (default 1000). */
  trials?: number;
  /** Called after each greedy pass (osg, channel-swap) or every 65,536 attempts (progressive). */
  onProgress?: (message: string) => void;
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
}

function nonNegativeInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 0) throw new ValueError(`searchPermutation: ${name} must be an integer ≥ 0, got ${v}`);
  return v;
}

/** Searches a column permutation of the rows×cols row-major `matrix` that keeps more under 2:4. */
export function searchPermutation(matrix: ArrayLike<number>, rows: number, cols: number, options: SearchOptions = {}): SearchResult {
  checkMatrix(matrix, rows, cols);
  if (cols % 4 !== 0) throw new ShapeError(`searchPermutation: 2:4 needs a column count divisible by 4, found ${cols} columns`);
  const strategy = options.strategy ?? 'osg';
  if (!SEARCH_STRATEGIES.includes(strategy)) {
    throw new ValueError(`searchPermutation: unknown strategy '${String(strategy)}'; expected one of ${SEARCH_STRATEGIES.join(', ')}`);
  }
  const seed = options.seed ?? 1;
  const rng = new MT19937(seed);
  const escapes = nonNegativeInt(options.escapes ?? 0, 'escapes');
  const unpruned = unprunedMagnitude(matrix);
  const default24 = sumAfter24(matrix, rows, cols);
  const bound = rowHalfBound(matrix, rows, cols);
  const progress = options.onProgress;
  const onPass = progress ? (pass: number, kept: number) => progress(`pass ${pass}: kept ${kept.toFixed(3)}`) : undefined;

  const start = performance.now();
  let permutation: Int32Array;
  if (strategy === 'random') {
    permutation = randomSearch(matrix, rows, cols, nonNegativeInt(options.trials ?? 1000, 'trials'), rng);
  } else {
    const ws = new Workspace(matrix, rows, cols);
    const window = options.window ?? 8;
    if (strategy === 'exhaustive' || (strategy === 'osg' && window >= cols)) {
      if (cols > MAX_EXHAUSTIVE_COLUMNS) {
        throw new ValueError(`searchPermutation: exhaustive search handles at most ${MAX_EXHAUSTIVE_COLUMNS} columns, found ${cols}; use osg or channel-swap`);
      }
      exhaustiveSearch(ws);
    } else if (strategy === 'osg') {
      const threshold = resolveThreshold(options.threshold ?? APEX_OSG_THRESHOLD, default24);
      optimizeStripeGroups(ws, { window, escapes, threshold, tracking: options.tracking ?? 'apex', rng, ...(onPass ? { onPass } : {}) });
    } else if (strategy === 'channel-swap') {
      channelSwap(ws, { escapes, rng, ...(onPass ? { onPass } : {}) });
    } else {
      const timeLimit = options.timeLimit ?? 60;
      if (!(timeLimit > 0)) throw new ValueError(`searchPermutation: timeLimit must be > 0 seconds, got ${timeLimit}`);
      const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
      if (!(maxAttempts >= 0)) throw new ValueError(`searchPermutation: maxAttempts must be ≥ 0, got ${maxAttempts}`);
      progressiveChannelSwap(ws, {
        timeLimit,
        maxAttempts,
        threshold: options.improvementThreshold ?? 1e-9,
        rng,
        ...(progress ? { onProgress: (a: number, k: number) => progress(`${a} pairs tried, ${k} swaps kept`) } : {}),
      });
    }
    permutation = ws.perm.slice();
  }
  const seconds = (performance.now() - start) / 1000;
  const permuted = sumAfter24(matrix, rows, cols, permutation);
  return { permutation, unpruned, default24, bound, permuted, efficacy: efficacy(unpruned, default24, bound, permuted), seconds, strategy };
}
