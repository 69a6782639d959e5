/**
 * apex's ASP (Automatic SParsity) workflow, one object per model.
 *
 * apex keeps its state in class attributes, so a process can prune one model only and re-init
 * asserts forever after. Here each `ASP` object holds one model, its mask buffers and (optionally)
 * one optimizer; two models in one process each get their own object. Both apex spellings work:
 * `ASP.initModelForPruning(model, opts)` (static, returns the new ASP) and
 * `new ASP().initModelForPruning(model, opts)`; the static form is the documented one.
 *
 * Where apex crashes or misbehaves, this class does what apex meant (each case is tested):
 * subclasses of whitelisted layers are sparsified (apex: KeyError); `m4n2_2d_*`, 'N:M' and Conv3d
 * work; an unknown pattern fails at init, not at compute; `alreadyInitialized` always returns a
 * boolean; a recompute restores the dense weights before permuting (apex permutes first and then
 * adds unpermuted pruned values back); nothing reseeds the global random generator.
 */
import type { AnyModule, BaseHyper, Optimizer, Parameter, RemovableHandle } from '../nn/index.js';
import { Conv2d, Linear, MultiheadAttention, maskBufferName, prunedBufferName } from '../nn/index.js';
import { absSum, isTensorCoreShape } from '../sparse/index.js';
import { type Tensor, formatShape, joinName, ones, zeros } from '../tensor/index.js';
import { AspError } from './errors.js';
import { AspLog, stderrLogger } from './log.js';
import { checkPattern, computeMask, isAllOnes, keptCount, patternGroupSize } from './masks.js';
import { type AspOptions, type ResolvedOptions, resolveOptions } from './options.js';
import type { PermuteReport } from '../permutation/index.js';
import {
  type AspPermutation,
  type AspPermutationSettings,
  type PermuteModelFn,
  builtinPermuteModel,
} from './permute.js';

/** One sparsified parameter and its buffers (apex's `__sparse_parameters` tuple). */
export interface SparseParameter {
  readonly moduleName: string;
  readonly module: AnyModule;
  /** The parameter's name on its module ('weight', 'in_proj_weight'). */
  readonly paramName: string;
  readonly param: Parameter;
  /** Buffer `__<param>_mma_mask`: float 0/1 (1 = keep), all ones until masks are computed. */
  readonly mask: Tensor;
  /** Buffer `__<param>_mma_pruned_p` (only with allowRecomputeMask): the values the mask zeroed. */
  readonly pruned: Tensor | null;
}

export interface PermutationSavingParams {
  allowPermutation?: boolean;
  savePermutationGraph?: boolean;
  permutationOutputDir?: string;
}

// apex's buffer names live with nn's state dict (`nn/mask_buffers.ts`); ASP has always exported them too.
export { maskBufferName, prunedBufferName } from '../nn/index.js';

const prepared = new WeakMap<AnyModule, ASP>();

const describe = (sp: { moduleName: string; paramName: string; param: Tensor }): string =>
  `${sp.moduleName}::${sp.paramName} of size=${formatShape(sp.param.shape)} and type=float32`;

export class ASP {
  #model: AnyModule | null = null;
  #opts: ResolvedOptions | null = null;
  #log = new AspLog(0, stderrLogger);
  #optimizer: Optimizer<BaseHyper> | null = null;
  #hooks: RemovableHandle[] = [];
  #sparse: SparseParameter[] = [];
  #allowPermutation = true;
  #savePermutationGraph = false;
  #permutationOutputDir = '.';
  #permute: PermuteModelFn | null = null;
  #permutationSettings: AspPermutationSettings = {};
  #lastPermutation: AspPermutation | null = null;

  /** Creates an ASP for `model` and prepares it (apex's classmethod spelling). */
  static initModelForPruning(model: AnyModule, options: AspOptions = {}): ASP {
    return new ASP().initModelForPruning(model, options);
  }

  /**
   * apex's documented one-liner: prepare with m4n2_1d, verbosity 2, whitelist [Linear, Conv2d,
   * MultiheadAttention], no recompute, then patch the optimizer and compute the masks. `options`
   * override any of these (e.g. `exampleInput` so permutation can run).
   */
  static pruneTrainedModel(model: AnyModule, optimizer: Optimizer<BaseHyper>, options: AspOptions = {}): ASP {
    const asp = ASP.initModelForPruning(model, {
      maskCalculator: 'm4n2_1d',
      verbosity: 2,
      whitelist: [Linear, Conv2d, MultiheadAttention],
      allowRecomputeMask: false,
      ...options,
    });
    asp.initOptimizerForPruning(optimizer);
    asp.computeSparseMasks();
    return asp;
  }

  /** The ASP object that prepared `model`, if any. */
  static forModel(model: AnyModule): ASP | undefined {
    return prepared.get(model);
  }

  get model(): AnyModule | null {
    return this.#model;
  }

  get optimizer(): Optimizer<BaseHyper> | null {
    return this.#optimizer;
  }

  /** The sparsified parameters, in registration order. */
  get sparseParameters(): readonly SparseParameter[] {
    return this.#sparse;
  }

  /** Dotted names of the sparsified parameters (`fc1.weight`). */
  sparseParameterNames(): string[] {
    return this.#sparse.map((sp) => joinName(sp.moduleName, sp.paramName));
  }

  /**
   * Adds mask buffers (all ones) to every eligible parameter; changes no weight. Eligible: a module
   * that is an instance of a whitelisted class, passes the name filters, and lists the parameter;
   * the parameter requires grad and passes apex's tensor-core shape filter (`isTensorCoreShape`).
   */
  initModelForPruning(model: AnyModule, options: AspOptions = {}): this {
    if (this.#model !== null) {
      throw new AspError(
        'initModelForPruning: ASP has been initialized already; use a new ASP object for another model',
      );
    }
    if (prepared.has(model)) {
      throw new AspError(
        'initModelForPruning: this model was already prepared for pruning by another ASP object (ASP.forModel(model) returns it)',
      );
    }
    const opts = resolveOptions(options);
    checkPattern(opts.maskCalculator);
    this.#log = new AspLog(opts.verbosity, options.logger ?? stderrLogger);
    const sparse = this.#decorate(model, opts);
    this.#model = model;
    this.#opts = opts;
    this.#sparse = sparse;
    if (options.allowPermutation !== undefined) this.#allowPermutation = options.allowPermutation;
    this.#permute = options.permuteModel ?? builtinPermuteModel();
    this.#permutationSettings = options.permutation ?? {};
    prepared.set(model, this);
    this.#explainPermutationSkip();
    return this;
  }

  #decorate(model: AnyModule, opts: ResolvedOptions): SparseParameter[] {
    const groupSize = patternGroupSize(opts.maskCalculator);
    const seen = new Set<Tensor>();
    const out: SparseParameter[] = [];
    for (const [moduleName, module] of model.namedModules()) {
      if (!opts.whitelist.some((cls) => module instanceof cls)) continue;
      if (opts.disallowedLayerNames.has(moduleName)) continue;
      if (opts.allowedLayerNames !== null && !opts.allowedLayerNames.has(moduleName)) continue;
      const names = opts.table.parameterNames(module) ?? [];
      for (const [paramName, param] of module.namedParameters('', false)) {
        const sp = { moduleName, paramName, param };
        if (!names.includes(paramName) || !param.requiresGrad || seen.has(param)) {
          const why = !names.includes(paramName)
            ? 'not listed for its layer'
            : !param.requiresGrad
              ? 'frozen'
              : 'shared with a layer already sparsified';
          this.#log.at(3, `Not sparsifying ${describe(sp)} (${why})`);
          continue;
        }
        const c = param.shape[1];
        const skip =
          c === undefined
            ? 'it has fewer than 2 dims'
            : !isTensorCoreShape(param.shape)
              ? null
              : groupSize !== null && c % groupSize !== 0
                ? `dim 1 (${c}) is not a multiple of the pattern's group size ${groupSize}`
                : undefined;
        if (skip !== undefined) {
          // apex prints this at every verbosity; the reason is ours.
          this.#log.at(0, `Auto skipping pruning ${describe(sp)} for sparsity${skip === null ? '' : ` (${skip})`}`);
          continue;
        }
        this.#log.at(3, `Sparsifying ${describe(sp)}`);
        seen.add(param);
        const mask = module.registerBuffer(maskBufferName(paramName), ones(param.shape), true);
        const pruned = opts.allowRecomputeMask
          ? module.registerBuffer(prunedBufferName(paramName), zeros(param.shape), true)
          : null;
        out.push({ moduleName, module, paramName, param, mask, pruned });
      }
    }
    return out;
  }

  /** Whether `initModelForPruning` ran (apex returns None unless verbosity ≥ 3; this always answers). */
  alreadyInitialized(): boolean {
    const done = this.#model !== null;
    this.#log.at(3, done ? 'ASP has been initialized already.' : 'ASP has not been initialized.');
    return done;
  }

  /**
   * Wraps the optimizer's step: gradients of sparse parameters are masked before the update and the
   * weights after it, so neither momentum nor weight decay can revive a pruned weight. Optimizer
   * state (momenta) is not masked, as in apex.
   */
  initOptimizerForPruning(optimizer: Optimizer<BaseHyper>): this {
    if (this.#model === null) {
      throw new AspError('initOptimizerForPruning: call initModelForPruning(model) before initializing the optimizer');
    }
    if (this.#optimizer !== null)
      throw new AspError('initOptimizerForPruning: ASP has initialized an optimizer already');
    this.#optimizer = optimizer;
    this.#hooks = [
      optimizer.registerStepPreHook(() => {
        for (const sp of this.#sparse) if (sp.param.grad !== null) multiplyInPlace(sp.param.grad.data, sp.mask.data);
      }),
      optimizer.registerStepPostHook(() => {
        for (const sp of this.#sparse) multiplyInPlace(sp.param.data, sp.mask.data);
      }),
    ];
    return this;
  }

  /**
   * Enables sparsity: restores the dense weights if masks were applied before (needs
   * allowRecomputeMask), permutes channels (if allowed and possible), then computes each mask and
   * zeroes the pruned weights in place.
   */
  computeSparseMasks(): void {
    const opts = this.#requireInit('computeSparseMasks');
    this.#restoreAll('computeSparseMasks', 'recompute the masks');
    if (this.#permutationPlan() === null) {
      const start = performance.now();
      const report = this.#permute!(this.#model!, opts.exampleInput!, {
        sparseParameters: this.sparseParameterNames(),
        verbosity: opts.verbosity,
        logger: (line) => this.#log.at(1, line),
        saveGraph: this.#savePermutationGraph,
        outputDir: this.#permutationOutputDir,
        settings: this.#permutationSettings,
      });
      const seconds = (performance.now() - start) / 1000;
      this.#lastPermutation = { report, seconds };
      this.#log.at(2, `Permutation search and application took ${seconds.toFixed(3)} s`);
    }
    // All masks first: a failure (NaN weight, bad user mask) leaves every layer dense and unchanged.
    const masks = this.#sparse.map((sp) =>
      computeMask(sp.param, opts.maskCalculator, joinName(sp.moduleName, sp.paramName)),
    );
    this.#sparse.forEach((sp, i) => {
      const mask = masks[i]!;
      const w = sp.param.data;
      if (sp.pruned !== null) {
        const p = sp.pruned.data;
        // w · (1 − mask), as apex's p * ~mask: a kept entry stores a zero of w's sign.
        for (let j = 0; j < w.length; j++) p[j] = w[j]! * (1 - mask[j]!);
      }
      sp.mask.data.set(mask);
      multiplyInPlace(w, mask);
      sp.param.markModified();
      const pct = (100 * (1 - keptCount(mask) / mask.length)).toFixed(2);
      this.#log.at(2, `Enabled ${pct}% sparsity for ${describe(sp)} with magnitude ${absSum(w)}`);
    });
  }

  /** Puts the pruned values back and resets every mask to ones (needs allowRecomputeMask). */
  restorePrunedWeights(): void {
    this.#requireInit('restorePrunedWeights');
    for (const sp of this.#restoreAll('restorePrunedWeights', 'restore the dense weights')) {
      this.#log.at(2, `Disabled sparsity for ${describe(sp)} (dense weights restored)`);
    }
  }

  /**
   * True when every mask prunes something, false when every mask is all ones (or there are none);
   * a mix throws. Meant for right after loading a checkpoint.
   */
  isSparsityEnabled(): boolean {
    const dense = this.#sparse.filter((sp) => isAllOnes(sp.mask.data));
    if (dense.length === 0 || dense.length === this.#sparse.length)
      return dense.length === 0 && this.#sparse.length > 0;
    const names = (list: SparseParameter[]): string =>
      list.map((sp) => joinName(sp.moduleName, sp.paramName)).join(', ');
    const sparse = this.#sparse.filter((sp) => !dense.includes(sp));
    throw new AspError(
      `isSparsityEnabled: inconsistent model sparsity: dense masks on ${names(dense)}; sparse masks on ${names(sparse)}`,
    );
  }

  /**
   * apex's permutation settings. Fields left out keep their value; unlike apex, calling this
   * before `initModelForPruning` is not undone by it (init changes only what its options name).
   */
  setPermutationSavingParams(params: PermutationSavingParams = {}): this {
    if (params.allowPermutation !== undefined) this.#allowPermutation = params.allowPermutation;
    if (params.savePermutationGraph !== undefined) this.#savePermutationGraph = params.savePermutationGraph;
    if (params.permutationOutputDir !== undefined) this.#permutationOutputDir = params.permutationOutputDir;
    this.#log.at(
      1,
      `permutation: allowPermutation=${this.#allowPermutation}, savePermutationGraph=${this.#savePermutationGraph}, ` +
        `permutationOutputDir=${this.#permutationOutputDir}`,
    );
    if (this.#model !== null && params.allowPermutation === true) this.#explainPermutationSkip();
    return this;
  }

  /** Removes the optimizer hooks (the masks stay); after this the optimizer steps as a plain one. */
  releaseOptimizer(): void {
    for (const h of this.#hooks) h.remove();
    this.#hooks = [];
    this.#optimizer = null;
  }

  #requireInit(what: string): ResolvedOptions {
    if (this.#opts === null) throw new AspError(`${what}: call initModelForPruning(model) first`);
    return this.#opts;
  }

  /** The last permutation `computeSparseMasks` ran: its report and time; null when none ran yet. */
  lastPermutation(): AspPermutation | null {
    return this.#lastPermutation;
  }

  /** The report of the last permutation `computeSparseMasks` ran (null when none ran yet). */
  permutationReport(): PermuteReport | null {
    return this.#lastPermutation?.report ?? null;
  }

  /** null when permutation will run at compute time, else why it will not. */
  #permutationPlan(): string | null {
    if (!this.#allowPermutation) return 'disabled';
    if (this.#opts?.exampleInput == null) {
      return 'allowPermutation is true but no exampleInput was given, so masks are computed without channel permutation (pass exampleInput to permute, or allowPermutation: false to silence this)';
    }
    if (this.#permute === null)
      return 'channel permutation is not available in this build, so masks are computed without it';
    return null;
  }

  #explainPermutationSkip(): void {
    const plan = this.#permutationPlan();
    if (plan !== null && plan !== 'disabled') this.#log.at(0, plan);
  }

  /** Restores every layer whose mask prunes something; checks all before changing any. */
  #restoreAll(what: string, action: string): SparseParameter[] {
    const applied = this.#sparse.filter((sp) => !isAllOnes(sp.mask.data));
    const stuck = applied.filter((sp) => sp.pruned === null);
    if (stuck.length > 0) {
      throw new AspError(
        `${what}: unable to ${action} of ${stuck.map((sp) => joinName(sp.moduleName, sp.paramName)).join(', ')}: ` +
          'allowRecomputeMask is false, so the pruned values were not kept; pass allowRecomputeMask: true to initModelForPruning',
      );
    }
    for (const sp of applied) {
      const w = sp.param.data;
      const m = sp.mask.data;
      const p = sp.pruned!.data;
      // Assign rather than add (apex adds): the stored value is the dense value exactly,
      // whatever a pruned slot holds now.
      for (let j = 0; j < w.length; j++) if (m[j] === 0) w[j] = p[j]!;
      sp.param.markModified();
      m.fill(1);
      p.fill(0);
    }
    return applied;
  }
}

function multiplyInPlace(target: Float32Array, mask: Float32Array): void {
  for (let i = 0; i < target.length; i++) target[i] = target[i]! * mask[i]!;
}
