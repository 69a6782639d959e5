/** Messages between the lab page and its permutation worker (worker.js). */

export interface PermuteRequest {
  readonly matrix: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly timeLimit: number;
}

export type PermuteReply =
  /** First, before the search: the matrix's metrics (kept by plain 2:4, the unstructured bound, Σ|w|). */
  | { readonly type: 'start'; readonly default24: number; readonly bound: number; readonly unpruned: number }
  /** A progress line of the search (`searchPermutation`'s onProgress); `elapsed` counts from the start. */
  | { readonly type: 'progress'; readonly message: string; readonly kept: number | null; readonly elapsed: number }
  /**
   * The best permutation so far, after each greedy pass that changed it: column j of the permuted
   * matrix is column `permutation[j]` of the input; `kept` is its 2:4 kept magnitude.
   */
  | {
      readonly type: 'step';
      readonly pass: number;
      readonly permutation: Int32Array;
      readonly kept: number;
      readonly elapsed: number;
    }
  /** The result; `permutation` equals the last step's (the identity when there was none). */
  | {
      readonly type: 'done';
      readonly permutation: Int32Array;
      readonly default24: number;
      readonly permuted: number;
      readonly bound: number;
      readonly unpruned: number;
      readonly efficacy: number;
      readonly seconds: number;
      readonly stopped: string;
      readonly passes: number;
    }
  | { readonly type: 'error'; readonly message: string };
