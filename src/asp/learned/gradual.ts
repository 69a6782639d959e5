/**
 * Gradual N:M pruning: the share of each layer's groups of M that are pruned to N:M rises from 0
 * to 1 over a range of optimizer steps along Zhu & Gupta's cubic schedule (2017),
 * s(t) = 1 − (1 − (t − t₀) / (t₁ − t₀))³, so most groups go early, while the network still
 * recovers easily, and the last ones slowly. At each update the groups still dense whose pruning
 * costs the least magnitude (Σ|w| of the M − N entries the pattern would drop) are pruned, with the
 * pattern's own choice inside the group; a pruned group stays pruned. Between updates the masks
 * are held as ASP holds them: gradients masked before a step, weights after it.
 *
 * Groups are those of apex's 2-D mask view (M consecutive input channels), so at t₁ every mask is
 * the pattern's N:M and the model is an ordinary pruned ASP model.
 */
import type { BaseHyper, Optimizer, RemovableHandle } from '../../nn/index.js';
import { createMask, patternNM, resolvePattern, toView, fromView } from '../../sparse/index.js';
import { ValueError } from '../../tensor/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { ASP } from '../asp.js';
import { AspError } from '../errors.js';

export interface GradualOptions {
  /** An N:M pattern along the input channels: 'm4n2_1d' (default) or 'N:M'. */
  pattern?: string;
  /** First optimizer step of the ramp (default 0): dense until then. */
  startStep?: number;
  /** Step at which every group is pruned. */
  endStep: number;
  /** Update the masks every this many steps (default 1). */
  frequency?: number;
}

/** s(t) of the cubic schedule: 0 before t₀, 1 from t₁ on. */
export function cubicSparsity(step: number, start: number, end: number): number {
  if (step <= start) return 0;
  if (step >= end) return 1;
  return 1 - (1 - (step - start) / (end - start)) ** 3;
}

interface Layer {
  readonly param: Tensor;
  readonly mask: Tensor;
  /** Mask in view order (1 = keep). */
  readonly view: Uint8Array;
  readonly pruned: Uint8Array;
  prunedCount: number;
}

export class GradualPruning {
  readonly pattern: string;
  readonly startStep: number;
  readonly endStep: number;
  readonly frequency: number;
  readonly #m: number;
  readonly #layers: Layer[];
  readonly #hooks: RemovableHandle[];
  #steps = 0;

  private constructor(asp: ASP, optimizer: Optimizer<BaseHyper>, options: GradualOptions) {
    this.pattern = options.pattern ?? 'm4n2_1d';
    this.startStep = options.startStep ?? 0;
    this.endStep = options.endStep;
    this.frequency = options.frequency ?? 1;
    if (resolvePattern(this.pattern).name.startsWith('m4n2_2d')) {
      throw new ValueError(`gradual pruning: '${this.pattern}' prunes 4×4 blocks; use m4n2_1d or an 'N:M' pattern`);
    }
    this.#m = patternNM(this.pattern).m;
    if (
      !Number.isInteger(this.startStep) ||
      this.startStep < 0 ||
      !Number.isInteger(this.endStep) ||
      this.endStep <= this.startStep
    ) {
      throw new ValueError(
        `gradual pruning: need integers 0 <= startStep < endStep, got ${this.startStep} and ${this.endStep}`,
      );
    }
    if (!Number.isInteger(this.frequency) || this.frequency < 1) {
      throw new ValueError(`gradual pruning: frequency must be a positive integer, got ${this.frequency}`);
    }
    if (asp.sparseParameters.length === 0) throw new AspError('gradual pruning: the model has no sparse parameters');
    if (asp.optimizer !== null) {
      throw new AspError(
        "gradual pruning: ASP's optimizer hooks are set (initOptimizerForPruning); this mode replaces them",
      );
    }
    this.#layers = asp.sparseParameters.map((sp) => {
      const groups = sp.param.size / this.#m;
      return {
        param: sp.param,
        mask: sp.mask,
        view: new Uint8Array(sp.param.size).fill(1),
        pruned: new Uint8Array(groups),
        prunedCount: 0,
      };
    });
    this.#hooks = [
      optimizer.registerStepPreHook(() => {
        for (const l of this.#layers) {
          const g = l.param.grad;
          if (g !== null) for (let i = 0; i < g.size; i++) if (l.mask.data[i] === 0) g.data[i] = 0;
        }
      }),
      optimizer.registerStepPostHook(() => this.#afterStep()),
    ];
    this.#update();
  }

  /** Starts gradual pruning on an ASP-prepared model (masks not yet computed) trained by `optimizer`. */
  static start(asp: ASP, optimizer: Optimizer<BaseHyper>, options: GradualOptions): GradualPruning {
    return new GradualPruning(asp, optimizer, options);
  }

  /** The share of groups pruned now. */
  sparsity(): number {
    return cubicSparsity(this.#steps, this.startStep, this.endStep);
  }

  get steps(): number {
    return this.#steps;
  }

  #afterStep(): void {
    this.#steps++;
    if (this.#steps % this.frequency === 0 || this.#steps === this.endStep) this.#update();
    for (const l of this.#layers) {
      const w = l.param.data;
      for (let i = 0; i < w.length; i++) if (l.mask.data[i] === 0) w[i] = 0;
      l.param.markModified();
    }
  }

  /** Prunes the cheapest dense groups until each layer holds its scheduled share. */
  #update(): void {
    const share = this.sparsity();
    const m = this.#m;
    for (const l of this.#layers) {
      const groups = l.pruned.length;
      const target = share >= 1 ? groups : Math.round(share * groups);
      if (target <= l.prunedCount) continue;
      const { data: w } = toView(l.param.data, l.param.shape);
      const full = toView(createMask(l.param, this.pattern), l.param.shape).data;
      const cost = new Float64Array(groups);
      for (let g = 0; g < groups; g++) {
        let c = 0;
        for (let i = g * m; i < g * m + m; i++) if (full[i] === 0) c += Math.abs(w[i]!);
        cost[g] = c;
      }
      const order = [...Array(groups).keys()].filter((g) => l.pruned[g] === 0);
      order.sort((a, b) => cost[a]! - cost[b]! || a - b);
      for (const g of order.slice(0, target - l.prunedCount)) {
        l.pruned[g] = 1;
        for (let i = g * m; i < g * m + m; i++) l.view[i] = full[i]!;
      }
      l.prunedCount = target;
      l.mask.data.set(fromView(l.view, l.param.shape));
      l.mask.markModified();
      // The weights follow in #afterStep, which masks every layer after each step.
    }
  }

  /** Stops the schedule: the current masks stay (call it at or after endStep for full N:M). */
  finish(): void {
    for (const h of this.#hooks) h.remove();
    this.#hooks.length = 0;
  }
}
