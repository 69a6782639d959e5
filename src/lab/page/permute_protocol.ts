/** Messages between the lab page and its permutation worker (worker.js). */

export interface PermuteRequest {
  readonly matrix: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly timeLimit: number;
}

export type PermuteReply =
  | { readonly type: 'progress'; readonly message: string; readonly kept: number | null; readonly elapsed: number }
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
    }
  | { readonly type: 'error'; readonly message: string };
