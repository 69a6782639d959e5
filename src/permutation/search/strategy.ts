/**
 * Search strategies: one interface (`SearchStrategyImpl`) and one `Registry` (src/tensor/registry.ts),
 * the same extension point as kernel backends and mask calculators. The five apex strategies are
 * built in; `registerSearchStrategy` adds one under a new name, and `searchPermutation`, `permuteModel`
 * and the `permute` command then accept that name.
 */
import { ValueError } from '../../tensor/errors.js';
import type { MT19937 } from '../../tensor/random.js';
import { type RegisterOptions, Registry } from '../../tensor/registry.js';
import { channelSwap, progressiveChannelSwap } from './channel_swap.js';
import type { SearchClock } from './clock.js';
import { MAX_EXHAUSTIVE_COLUMNS, exhaustiveSearch } from './exhaustive.js';
import { SPLIT_COLUMNS, optimizeStripeGroups } from './osg.js';
import { randomSearch } from './random.js';
import type { SearchOptions } from './search.js';
import { APEX_OSG_THRESHOLD, resolveThreshold } from './threshold.js';
import { Workspace } from './workspace.js';

export type BuiltinSearchStrategy = 'osg' | 'channel-swap' | 'progressive' | 'random' | 'exhaustive';
/** A built-in strategy name, or one given to `registerSearchStrategy`. */
export type SearchStrategy = BuiltinSearchStrategy | (string & Record<never, never>);

/** What a strategy is given: the rows×cols row-major matrix, the call's options, and the shared state. */
export interface SearchInput {
  readonly matrix: ArrayLike<number>;
  readonly rows: number;
  /** A multiple of 4. */
  readonly cols: number;
  readonly options: SearchOptions;
  /** `options.escapes`, checked (an integer ≥ 0). */
  readonly escapes: number;
  /** The MT19937 stream seeded with `options.seed` (default 1). */
  readonly rng: MT19937;
  /**
   * The time limit and progress reports: check `clock.expired()` in every loop and return the best
   * order found once it is true; `clock.report(phase, kept)` reports progress, and
   * `clock.report(phase, kept, true, undefined, order)` with the order that keeps `kept`.
   */
  readonly clock: SearchClock;
  /** The default 2:4 kept magnitude of the input order (for relative thresholds). */
  readonly default24: number;
}

export interface SearchOutcome {
  /** Column j of the permuted matrix is column `permutation[j]` of the input. */
  readonly permutation: Int32Array;
  /** True when the strategy's own count (trials, attempts) ended it rather than convergence. */
  readonly counted: boolean;
}

export interface SearchStrategyImpl {
  search(input: SearchInput): SearchOutcome;
}

const strategies = new Registry<SearchStrategyImpl>('search strategy', ValueError);

/** Adds a search strategy under a new name (built-in names cannot be replaced). */
export function registerSearchStrategy(
  name: string,
  strategy: SearchStrategyImpl,
  options: RegisterOptions = {},
): void {
  strategies.register(name, strategy, options);
}

/** Removes a user strategy; returns whether it existed. */
export function unregisterSearchStrategy(name: string): boolean {
  return strategies.unregister(name);
}

/** Every registered strategy name, built-ins first. */
export function searchStrategyNames(): string[] {
  return strategies.names();
}

/** The strategy registered under `name`; an unknown name is a ValueError listing the names. */
export function searchStrategy(name: string): SearchStrategyImpl {
  return strategies.get(name);
}

export function nonNegativeInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 0)
    throw new ValueError(`searchPermutation: ${name} must be an integer ≥ 0, got ${v}`);
  return v;
}

/** Runs `fn` on a workspace over the matrix and returns the order it leaves. */
function onWorkspace(input: SearchInput, counted: boolean, fn: (ws: Workspace) => void): SearchOutcome {
  const ws = new Workspace(input.matrix, input.rows, input.cols);
  fn(ws);
  return { permutation: ws.perm.slice(), counted };
}

const exhaustive: SearchStrategyImpl = {
  search(input) {
    if (input.cols > MAX_EXHAUSTIVE_COLUMNS) {
      throw new ValueError(
        `searchPermutation: exhaustive search handles at most ${MAX_EXHAUSTIVE_COLUMNS} columns, found ${input.cols}; use osg or channel-swap`,
      );
    }
    return onWorkspace(input, false, (ws) => exhaustiveSearch(ws, input.clock));
  },
};

strategies.builtin('osg', {
  search(input) {
    const { options, cols } = input;
    const window = options.window ?? 8;
    // A window covering the whole matrix is one stripe group: apex solves it exhaustively.
    if (window >= cols) return exhaustive.search(input);
    const threshold = resolveThreshold(options.threshold ?? APEX_OSG_THRESHOLD, input.default24);
    const splitColumns = nonNegativeInt(options.splitColumns ?? SPLIT_COLUMNS, 'splitColumns');
    return onWorkspace(input, false, (ws) => {
      optimizeStripeGroups(ws, {
        window,
        escapes: input.escapes,
        threshold,
        tracking: options.tracking ?? 'apex',
        rng: input.rng,
        clock: input.clock,
        splitColumns,
      });
    });
  },
});

strategies.builtin('channel-swap', {
  search(input) {
    return onWorkspace(input, false, (ws) => {
      channelSwap(ws, { escapes: input.escapes, rng: input.rng, clock: input.clock });
    });
  },
});

strategies.builtin('progressive', {
  search(input) {
    const maxAttempts = input.options.maxAttempts ?? Number.POSITIVE_INFINITY;
    if (!(maxAttempts >= 0)) throw new ValueError(`searchPermutation: maxAttempts must be ≥ 0, got ${maxAttempts}`);
    const threshold = input.options.improvementThreshold ?? 1e-9;
    return onWorkspace(input, true, (ws) => {
      progressiveChannelSwap(ws, { maxAttempts, threshold, rng: input.rng, clock: input.clock });
    });
  },
});

strategies.builtin('random', {
  search(input) {
    const trials = nonNegativeInt(input.options.trials ?? 1000, 'trials');
    const permutation = randomSearch(input.matrix, input.rows, input.cols, trials, input.rng, input.clock);
    return { permutation, counted: true };
  },
});

strategies.builtin('exhaustive', exhaustive);

/** The built-in strategy names (`searchStrategyNames()` lists registered ones too). */
export const SEARCH_STRATEGIES: readonly BuiltinSearchStrategy[] = Object.freeze(
  searchStrategyNames() as BuiltinSearchStrategy[],
);
