/**
 * SR-STE (Zhou et al. 2021, "Learning N:M fine-grained structured sparse neural networks from
 * scratch"): train with masks that keep being recomputed from the dense weights.
 *
 * Per optimizer step, for every sparse parameter of an ASP-prepared model:
 * - the forward pass sees W̃ = W ⊙ M, with M the N:M mask of the dense W (recomputed every
 *   `every` steps, with any of createMask's patterns — the transposable m4n2_2d_* included);
 * - the gradient of W̃ is applied to the dense W unchanged (the straight-through estimator), plus
 *   the sparse-refined decay λ · (1 − M) ⊙ W, which pulls the pruned weights towards zero so the
 *   mask settles;
 * - the share of mask entries that changed (the mask flip rate of Hu et al. 2024) is counted.
 *
 * The dense weights live in this object between steps (the parameters hold W ⊙ M, so evaluation
 * and checkpoints see the sparse model). `finish()` fixes the last masks: from there on the model
 * is an ordinary pruned ASP model, to fine-tune with `asp.initOptimizerForPruning`.
 */
import type { BaseHyper, Optimizer, RemovableHandle } from '../../nn/index.js';
import { createMask } from '../../sparse/index.js';
import { ValueError } from '../../tensor/errors.js';
import { Tensor } from '../../tensor/tensor.js';
import type { ASP } from '../asp.js';
import { AspError } from '../errors.js';

export interface SrSteOptions {
  /** A createMask pattern (default 'm4n2_1d'). */
  pattern?: string;
  /** λ of the sparse-refined decay (default 2e-4, the paper's). */
  decay?: number;
  /** Recompute the masks every this many steps (default 1). */
  every?: number;
}

interface Slot {
  readonly param: Tensor;
  readonly mask: Tensor;
  dense: Float32Array;
}

export class SrSte {
  readonly pattern: string;
  readonly decay: number;
  readonly every: number;
  readonly #slots: Slot[];
  readonly #hooks: RemovableHandle[];
  #steps = 0;
  #flips = 0;
  #compared = 0;
  #finished = false;

  private constructor(asp: ASP, optimizer: Optimizer<BaseHyper>, options: SrSteOptions) {
    this.pattern = options.pattern ?? 'm4n2_1d';
    this.decay = options.decay ?? 2e-4;
    this.every = options.every ?? 1;
    if (!(this.decay >= 0) || !Number.isFinite(this.decay)) {
      throw new ValueError(`SR-STE: decay must be a finite number >= 0, got ${this.decay}`);
    }
    if (!Number.isInteger(this.every) || this.every < 1) {
      throw new ValueError(`SR-STE: every must be a positive integer, got ${this.every}`);
    }
    if (asp.sparseParameters.length === 0) throw new AspError('SR-STE: the model has no sparse parameters');
    if (asp.optimizer !== null) {
      throw new AspError("SR-STE: ASP's optimizer hooks are set (initOptimizerForPruning); SR-STE replaces them");
    }
    this.#slots = asp.sparseParameters.map((sp) => ({ param: sp.param, mask: sp.mask, dense: sp.param.data.slice() }));
    for (const s of this.#slots) {
      s.mask.data.set(this.#maskOf(s));
      this.#apply(s);
    }
    this.#hooks = [
      optimizer.registerStepPreHook(() => this.#beforeStep()),
      optimizer.registerStepPostHook(() => this.#afterStep()),
    ];
  }

  /** Starts SR-STE on an ASP-prepared model (masks not yet computed) trained by `optimizer`. */
  static start(asp: ASP, optimizer: Optimizer<BaseHyper>, options: SrSteOptions = {}): SrSte {
    return new SrSte(asp, optimizer, options);
  }

  /** Dense W back into the parameter; the STE gradient gets the decay on pruned entries. */
  #beforeStep(): void {
    for (const s of this.#slots) {
      const g = s.param.grad;
      if (g !== null && this.decay > 0) {
        const m = s.mask.data;
        for (let i = 0; i < s.dense.length; i++) if (m[i] === 0) g.data[i]! += this.decay * s.dense[i]!;
      }
      s.param.data.set(s.dense);
    }
  }

  #afterStep(): void {
    this.#steps++;
    const recompute = this.#steps % this.every === 0;
    for (const s of this.#slots) {
      s.dense = s.param.data.slice();
      this.#remask(s, recompute);
    }
  }

  #maskOf(s: Slot): Uint8Array {
    return createMask(new Tensor(s.dense, s.param.shape), this.pattern);
  }

  /** A new mask from the dense weights, counting the entries that flip. */
  #remask(s: Slot, recompute: boolean): void {
    if (recompute) {
      const fresh = this.#maskOf(s);
      const m = s.mask.data;
      for (let i = 0; i < m.length; i++) if (m[i] !== fresh[i]) this.#flips++;
      this.#compared += m.length;
      m.set(fresh);
      s.mask.markModified();
    }
    this.#apply(s);
  }

  /** W ⊙ M into the parameter: what the next forward pass sees. */
  #apply(s: Slot): void {
    const w = s.param.data;
    const m = s.mask.data;
    for (let i = 0; i < w.length; i++) w[i] = m[i] === 0 ? 0 : s.dense[i]!;
    s.param.markModified();
  }

  /** Share of mask entries that flipped per recomputation since the last call (0 without any). */
  flipRate(): number {
    const r = this.#compared === 0 ? 0 : this.#flips / this.#compared;
    this.#flips = 0;
    this.#compared = 0;
    return r;
  }

  /** Copies of the dense weights SR-STE trains (the parameters hold W ⊙ M), in sparse-parameter order. */
  denseWeights(): Float32Array[] {
    return this.#slots.map((s) => s.dense.slice());
  }

  get steps(): number {
    return this.#steps;
  }

  /** Stops recomputing: the current masks stay, the parameters hold W ⊙ M. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const h of this.#hooks) h.remove();
  }
}
