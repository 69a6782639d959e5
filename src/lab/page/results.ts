/// <reference lib="dom" />
/**
 * What the page publishes for automation as `window.sparse24Results` (tests, `sparse24 lab
 * --bench-out`): filled in as sections finish, `done: true` (and `error` if something failed) last.
 */
import type { BlockOutcome } from './block_view.js';
import type { BenchShape, ModeResult } from './bench.js';

export interface LabResults {
  done: boolean;
  error: string | null;
  userAgent: string;
  crossOriginIsolated: boolean;
  /** Tolerance the page itself uses to mark a mode's max |Δ| as agreeing with reference. */
  tolerance: number;
  /** The weight shown; `source` is 'demo checkpoint', 'random', 'planted ties' or 'file NAME'. */
  weight: { name: string; shape: number[]; source: string } | null;
  /** The picker's entries, in order ('NAME [SHAPE]'): a dropped file's usable weights first. */
  weightChoices: string[];
  /** Weights shown to the end (masks, block and permutation), counting the first. */
  weightsShown: number;
  /** Why the last file given to the page was not read (the weight shown stays); null after a good one. */
  fileError: string | null;
  masks: { pattern: string; keptFraction: number; keptMagnitude: number; violations: number; error: string | null }[];
  permutation: {
    default24: number;
    permuted: number;
    bound: number;
    efficacy: number;
    seconds: number;
    stopped: string;
    progressReports: number;
    /** Greedy passes that changed the order. */
    passes: number;
    /** Distinct column orders drawn while the search ran (the last is the result). */
    drawn: number;
    /** Kept 2:4 magnitude shown with the starting order, then each drawn one: non-decreasing, last = permuted. */
    keptSequence: number[];
    /** The result: column j of the permuted matrix is column order[j] of the weight's 2-D view. */
    order: number[];
  } | null;
  block: BlockOutcome | null;
  benchShape: BenchShape | null;
  /** The trained 2:4 demo model the modes run compressed, and what Node measured for it. */
  demoModel: {
    testImages: number;
    /** Every weight its checkpoint's masks prune is zero. */
    masksHold: boolean;
    sparseLayers: string[];
    nodeBackend: string;
    nodeCompressedAccuracy: number | null;
  } | null;
  /** One entry per mode tried, in order; `ran` says which ran and `error` why one did not. */
  modes: ModeResult[];
  /** Distinct colours of each heatmap canvas drawn (a check that the page drew something). */
  canvasColours: number[];
}

declare global {
  interface Window {
    sparse24Results?: LabResults;
  }
}

export function emptyResults(): LabResults {
  const r: LabResults = {
    done: false,
    error: null,
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    tolerance: 1e-3,
    weight: null,
    weightChoices: [],
    weightsShown: 0,
    fileError: null,
    masks: [],
    permutation: null,
    block: null,
    benchShape: null,
    demoModel: null,
    modes: [],
    canvasColours: [],
  };
  window.sparse24Results = r;
  return r;
}
