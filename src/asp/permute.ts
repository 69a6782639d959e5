/**
 * The one place ASP calls channel permutation, so swapping the implementation is a one-line
 * change. The contract is `permuteModel(model, exampleInput, options) → report` (src/permutation):
 * it permutes weights in place so the model computes the same function while the 2:4 masks that
 * follow keep more magnitude.
 */
import type { AnyModule } from '../nn/index.js';
import { type PermuteModelOptions, type PermuteReport, permuteModel } from '../permutation/model/permute_model.js';
import type { Tensor } from '../tensor/index.js';
import type { AspLogger } from './log.js';

/** How the search runs (per-layer guard, search options, progress); ASP decides which weights are sparse. */
export type AspPermutationSettings = Omit<PermuteModelOptions, 'sparse'>;

export interface AspPermuteOptions {
  /** Dotted names of the parameters ASP sparsifies (`fc1.weight`): only their groups need a search. */
  readonly sparseParameters: readonly string[];
  readonly verbosity: number;
  readonly logger: AspLogger;
  /** apex's `save_permutation_graph` and `permutation_output_dir`. */
  readonly saveGraph: boolean;
  readonly outputDir: string;
  /** AspOptions' `permutation` settings, for the permutation library. */
  readonly settings: AspPermutationSettings;
}

/** Permutes `model` in place and says what it did; ASP keeps the report (`ASP.permutationReport()`). */
export type PermuteModelFn = (
  model: AnyModule,
  exampleInput: readonly Tensor[],
  options: AspPermuteOptions,
) => PermuteReport;

/** What ASP's last channel permutation did. */
export interface AspPermutation {
  readonly report: PermuteReport;
  /** Wall time of the search and the application, in seconds. */
  readonly seconds: number;
}

/**
 * src/permutation's `permuteModel`, told which weights ASP sparsifies. It has no graph dump, so
 * `saveGraph` is reported and otherwise ignored. (Null would mean "no permutation in this build":
 * ASP then logs a skip.)
 */
export function builtinPermuteModel(): PermuteModelFn | null {
  return (model, exampleInput, o) => {
    if (o.saveGraph)
      o.logger(`savePermutationGraph: the permutation library writes no graph files; nothing saved to ${o.outputDir}`);
    return permuteModel(model, exampleInput, { ...o.settings, sparse: o.sparseParameters });
  };
}
