/**
 * The options of `initModelForPruning`, with apex's defaults, and the table that says which
 * parameters of which layer classes are sparsified.
 */
import { type AnyModule, Conv1d, Conv2d, Conv3d, Linear, MultiheadAttention } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import { ValueError } from '../tensor/errors.js';
import type { AspLogger } from './log.js';
import type { AspPermutationSettings, PermuteModelFn } from './permute.js';

/** A layer class (what apex's whitelist and `custom_layer_dict` hold). */
export type LayerClass = abstract new (...args: never[]) => AnyModule;

/**
 * A user mask function (apex's non-string `mask_calculator`): gets a copy of the parameter in its
 * own shape and returns a 0/1 mask of the same size (1 = keep), as a Tensor or typed array.
 */
export type MaskFunction = (weight: Tensor) => Tensor | Float32Array | Uint8Array;

export interface AspOptions {
  /**
   * A pattern name ('m4n2_1d', 'm4n2_2d_best', 'm4n2_2d_greedy', 'N:M', a registered name) or a
   * MaskFunction. Default 'm4n2_1d'.
   */
  maskCalculator?: string | MaskFunction;
  /** apex's levels (see log.ts); default 3, as apex's `init_model_for_pruning`. */
  verbosity?: number;
  /** Layer classes to sparsify; subclasses count. Default [Linear, Conv1d, Conv2d, Conv3d, MultiheadAttention]. */
  whitelist?: readonly LayerClass[];
  /** Only these dotted module names (exact match) may be sparsified; default: no restriction. */
  allowedLayerNames?: readonly string[] | null;
  /** These dotted module names (exact match) are never sparsified. */
  disallowedLayerNames?: readonly string[];
  /** Keep the pruned values (buffer `__<param>_mma_pruned_p`) so masks can be recomputed or removed. Default false. */
  allowRecomputeMask?: boolean;
  /** Extra layer classes and the names of their parameters to sparsify; the classes join the whitelist. */
  customLayerDict?: ReadonlyMap<LayerClass, readonly string[]> | readonly (readonly [LayerClass, readonly string[]])[];
  /** Permute input channels before computing masks (default true); needs `exampleInput`. */
  allowPermutation?: boolean;
  /** What to run the model on to trace its dataflow for permutation (one tensor, or the forward's arguments). */
  exampleInput?: Tensor | readonly Tensor[];
  /** Where log lines go (default stderr). */
  logger?: AspLogger;
  /** The permutation implementation (default: the one in `src/permutation`, see permute.ts). */
  permuteModel?: PermuteModelFn;
  /** How the permutation search runs (`perLayerGuard`, `search`, `onProgress`); passed to `permuteModel`. */
  permutation?: AspPermutationSettings;
}

export const DEFAULT_WHITELIST: readonly LayerClass[] = [Linear, Conv1d, Conv2d, Conv3d, MultiheadAttention];

/**
 * apex's `sparse_parameter_list`. MultiheadAttention lists the separate q/k/v weights apex knows
 * too; our MHA has only `in_proj_weight`, so those names match nothing unless a subclass adds them.
 * MHA's `out_proj` is a Linear child and is found through Linear.
 */
const DEFAULT_PARAMETERS: readonly (readonly [LayerClass, readonly string[]])[] = [
  [Linear, ['weight']],
  [Conv1d, ['weight']],
  [Conv2d, ['weight']],
  [Conv3d, ['weight']],
  [MultiheadAttention, ['q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'in_proj_weight']],
];

/** Which parameters of a layer class are sparsified; custom entries win over the defaults. */
export class LayerTable {
  readonly #byClass = new Map<LayerClass, readonly string[]>(DEFAULT_PARAMETERS);

  constructor(custom: Iterable<readonly [LayerClass, readonly string[]]> = []) {
    for (const [cls, names] of custom) this.#byClass.set(cls, [...names]);
  }

  /**
   * The parameter names of the nearest class up the prototype chain that the table lists, so a
   * subclass of Linear is treated as a Linear (apex looks up the exact type and throws KeyError).
   */
  parameterNames(module: AnyModule): readonly string[] | undefined {
    return this.namesForClass(module.constructor as LayerClass);
  }

  namesForClass(cls: LayerClass): readonly string[] | undefined {
    let c: unknown = cls;
    while (typeof c === 'function') {
      const names = this.#byClass.get(c as LayerClass);
      if (names !== undefined) return names;
      c = Object.getPrototypeOf(c);
    }
    return undefined;
  }
}

/** The options resolved: every default filled in, the whitelist checked against the table. */
export interface ResolvedOptions {
  readonly maskCalculator: string | MaskFunction;
  readonly verbosity: number;
  readonly whitelist: readonly LayerClass[];
  readonly allowedLayerNames: ReadonlySet<string> | null;
  readonly disallowedLayerNames: ReadonlySet<string>;
  readonly allowRecomputeMask: boolean;
  readonly table: LayerTable;
  readonly exampleInput: readonly Tensor[] | null;
}

export function resolveOptions(opts: AspOptions): ResolvedOptions {
  const custom = [...(opts.customLayerDict ?? [])];
  const table = new LayerTable(custom);
  // A fresh list: apex appends custom classes to its mutable default whitelist, which leaks into later calls.
  const whitelist = [...(opts.whitelist ?? DEFAULT_WHITELIST), ...custom.map(([cls]) => cls)];
  for (const cls of whitelist) {
    if (typeof cls !== 'function')
      throw new ValueError(`initModelForPruning: whitelist entries must be layer classes, got ${String(cls)}`);
    if (table.namesForClass(cls) === undefined) {
      throw new ValueError(
        `initModelForPruning: whitelisted class ${cls.name} has no list of parameters to sparsify; ` +
          `add it to customLayerDict, e.g. new Map([[${cls.name}, ['weight']]])`,
      );
    }
  }
  const verbosity = opts.verbosity ?? 3;
  if (!Number.isInteger(verbosity) || verbosity < 0) {
    throw new ValueError(`initModelForPruning: verbosity must be a non-negative integer, got ${verbosity}`);
  }
  const maskCalculator = opts.maskCalculator ?? 'm4n2_1d';
  if (typeof maskCalculator !== 'string' && typeof maskCalculator !== 'function') {
    throw new ValueError(
      `initModelForPruning: maskCalculator must be a pattern name or a function, got ${typeof maskCalculator}`,
    );
  }
  const ex = opts.exampleInput;
  return {
    maskCalculator,
    verbosity,
    whitelist,
    allowedLayerNames: opts.allowedLayerNames == null ? null : new Set(opts.allowedLayerNames),
    disallowedLayerNames: new Set(opts.disallowedLayerNames ?? []),
    allowRecomputeMask: opts.allowRecomputeMask ?? false,
    table,
    exampleInput: ex === undefined ? null : Array.isArray(ex) ? [...(ex as readonly Tensor[])] : [ex as Tensor],
  };
}
