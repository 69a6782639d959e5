/**
 * The bound every search strategy runs under: a time limit, checked at the strategy's safe points
 * (between stripe groups, swap candidates, trials, attempts), and a progress report at most once
 * per interval. A strategy that runs out of time stops at the next safe point and returns the best
 * arrangement it has seen, so a search always ends, with a valid permutation.
 */
import { ValueError } from '../../tensor/errors.js';

/** Why a search ended. 'budget': the strategy's own count (trials, maxAttempts) ran out. */
export type StopReason = 'converged' | 'time-limit' | 'budget';

/** What a progress report says, besides its one-line message. */
export interface SearchProgress {
  /** The strategy that is running (a split osg reports its sub-searches as 'osg' too). */
  readonly strategy: string;
  /** What it is doing, e.g. 'pass 3' or 'scoring stripe groups 1200/523776'. */
  readonly phase: string;
  readonly elapsedSeconds: number;
  readonly timeLimitSeconds: number;
  /** Kept 2:4 magnitude of the current arrangement, where the strategy knows it. */
  readonly kept: number | null;
  /**
   * The arrangement `kept` belongs to, where the strategy reports it (a copy: column j of the permuted
   * matrix is column `permutation[j]` of the input): osg and channel-swap at the end of each pass,
   * random with its best trial so far. Null otherwise, and in the half-searches of a split osg,
   * which see only part of the matrix.
   */
  readonly permutation: Int32Array | null;
}

export type ProgressCallback = (message: string, progress: SearchProgress) => void;

/** Default time limit of every strategy, in seconds (apex's progressive default). */
export const DEFAULT_TIME_LIMIT = 60;

/** Default spacing of progress reports, in seconds. */
export const DEFAULT_PROGRESS_INTERVAL = 1;

export function checkSeconds(v: number, name: string, allowZero: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ValueError(
      `searchPermutation: ${name} must be a finite number of seconds ${allowZero ? '>= 0' : '> 0'}, got ${String(v)}` +
        (v === Infinity ? '; every search is bounded, so give a large finite limit to search longer' : ''),
    );
  }
  return v;
}

export class SearchClock {
  readonly timeLimitSeconds: number;
  readonly strategy: string;
  #start = performance.now();
  #lastReport: number;
  #expired = false;
  readonly #deadline: number;
  readonly #interval: number;
  readonly #onProgress: ProgressCallback | undefined;

  constructor(
    strategy: string,
    timeLimitSeconds: number,
    onProgress?: ProgressCallback,
    intervalSeconds = DEFAULT_PROGRESS_INTERVAL,
  ) {
    this.strategy = strategy;
    this.timeLimitSeconds = timeLimitSeconds;
    this.#deadline = this.#start + timeLimitSeconds * 1000;
    this.#interval = intervalSeconds * 1000;
    this.#lastReport = this.#start;
    this.#onProgress = onProgress;
  }

  /** Whether the time limit has passed (and stays so once it has). */
  expired(): boolean {
    if (!this.#expired && performance.now() >= this.#deadline) this.#expired = true;
    return this.#expired;
  }

  /** True once `expired()` has returned true. */
  get stoppedByTime(): boolean {
    return this.#expired;
  }

  elapsedSeconds(): number {
    return (performance.now() - this.#start) / 1000;
  }

  /** Whether a report would be made now (so a caller can skip building its message). */
  due(): boolean {
    return this.#onProgress !== undefined && performance.now() - this.#lastReport >= this.#interval;
  }

  /**
   * Reports `phase` if an interval has passed since the last report (or `force`). `message` is
   * the line a command prints; it defaults to the phase with the elapsed time. `permutation` (copied
   * when reported) is the whole matrix's current arrangement, if the caller has it.
   */
  report(
    phase: string,
    kept: number | null = null,
    force = false,
    message?: string,
    permutation: Int32Array | null = null,
  ): void {
    if (this.#onProgress === undefined) return;
    const now = performance.now();
    if (!force && now - this.#lastReport < this.#interval) return;
    this.#lastReport = now;
    const elapsedSeconds = (now - this.#start) / 1000;
    const line =
      message ??
      `${this.strategy}: ${phase}${kept === null ? '' : `, kept ${kept.toFixed(3)}`} (${elapsedSeconds.toFixed(1)} s of ${this.timeLimitSeconds} s)`;
    this.#onProgress(line, {
      strategy: this.strategy,
      phase,
      elapsedSeconds,
      timeLimitSeconds: this.timeLimitSeconds,
      kept,
      permutation: permutation === null ? null : permutation.slice(),
    });
  }
}
