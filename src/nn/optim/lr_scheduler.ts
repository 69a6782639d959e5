import { ValueError } from '../../tensor/index.js';
import { OptimizerError } from '../errors.js';
import type { StagedLoad } from '../staged.js';
import type { BaseHyper, Optimizer } from './optimizer.js';

/** A scheduler's state as plain data. */
export interface SchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
}

/**
 * PyTorch's `LRScheduler`: construction records each group's `initialLr` (once) and takes step 0;
 * every `step()` advances `lastEpoch` and writes the new lr into the optimizer's groups. The
 * formulas are torch 1.13's "chainable" ones (each lr derived from the previous one), so the
 * sequences match torch's in double precision.
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer<BaseHyper>;
  lastEpoch = -1;
  readonly baseLrs: number[];
  #lastLr: number[] = [];

  protected constructor(optimizer: Optimizer<BaseHyper>) {
    this.optimizer = optimizer;
    for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** The lrs for `lastEpoch`, given the groups' current lrs. */
  protected abstract computeLr(): number[];

  /** Takes step 0; subclasses call it at the end of their constructor, once their fields exist. */
  protected start(): void {
    this.step();
  }

  step(): void {
    this.lastEpoch++;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]!));
    this.#lastLr = [...lrs];
  }

  /** The lrs the last `step()` set, one per group. */
  getLastLr(): number[] {
    return [...this.#lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.#lastLr] };
  }

  /** Restores the position; the optimizer's lrs come from its own state dict. */
  loadStateDict(sd: SchedulerStateDict): void {
    this.stageLoadStateDict(sd).commit();
  }

  /** `loadStateDict` in two halves: every check now, the assignment on `commit()`. */
  stageLoadStateDict(sd: SchedulerStateDict): StagedLoad {
    const name = this.constructor.name;
    const numbers = (v: unknown): v is number[] =>
      Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (sd === null || typeof sd !== 'object' || !Number.isInteger(sd.lastEpoch) || sd.lastEpoch < -1) {
      throw new OptimizerError(
        `${name}.loadStateDict: lastEpoch must be an integer >= -1, found ${JSON.stringify(sd?.lastEpoch)}`,
      );
    }
    if (!numbers(sd.baseLrs) || !numbers(sd.lastLr)) {
      throw new OptimizerError(`${name}.loadStateDict: baseLrs and lastLr must be lists of finite numbers`);
    }
    if (sd.baseLrs.length !== this.baseLrs.length || sd.lastLr.length !== this.baseLrs.length) {
      throw new OptimizerError(
        `${name}.loadStateDict: ${sd.baseLrs.length} groups in the state dict, ${this.baseLrs.length} in the optimizer`,
      );
    }
    return {
      commit: () => {
        this.lastEpoch = sd.lastEpoch;
        this.baseLrs.splice(0, this.baseLrs.length, ...sd.baseLrs);
        this.#lastLr = [...sd.lastLr];
      },
    };
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}

function positiveInt(sched: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ValueError(`${sched}: ${name} must be a positive integer, got ${v}`);
}

/** lr × gamma every `stepSize` steps. */
export class StepLR extends LRScheduler {
  constructor(
    optimizer: Optimizer<BaseHyper>,
    readonly stepSize: number,
    readonly gamma = 0.1,
  ) {
    super(optimizer);
    positiveInt('StepLR', 'stepSize', stepSize);
    this.start();
  }

  protected computeLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }
}

/** Cosine from the base lr down to `etaMin` over `tMax` steps (and back up, periodically). */
export class CosineAnnealingLR extends LRScheduler {
  constructor(
    optimizer: Optimizer<BaseHyper>,
    readonly tMax: number,
    readonly etaMin = 0,
  ) {
    super(optimizer);
    positiveInt('CosineAnnealingLR', 'tMax', tMax);
    this.start();
  }

  protected computeLr(): number[] {
    const e = this.lastEpoch;
    const T = this.tMax;
    const lrs = this.groupLrs();
    if (e === 0) return lrs;
    // Python's modulo: non-negative for a negative left operand.
    if ((((e - 1 - T) % (2 * T)) + 2 * T) % (2 * T) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i]! - this.etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T));
    return lrs.map((lr) => ratio * (lr - this.etaMin) + this.etaMin);
  }
}

/** Linear warm-up: the lr factor moves from `startFactor` to `endFactor` over `totalIters` steps. */
export class LinearLR extends LRScheduler {
  constructor(
    optimizer: Optimizer<BaseHyper>,
    readonly startFactor = 1 / 3,
    readonly endFactor = 1,
    readonly totalIters = 5,
  ) {
    super(optimizer);
    if (!(startFactor > 0 && startFactor <= 1))
      throw new ValueError(`LinearLR: startFactor must be in (0, 1], got ${startFactor}`);
    if (!(endFactor >= 0 && endFactor <= 1))
      throw new ValueError(`LinearLR: endFactor must be in [0, 1], got ${endFactor}`);
    positiveInt('LinearLR', 'totalIters', totalIters);
    this.start();
  }

  protected computeLr(): number[] {
    const e = this.lastEpoch;
    const lrs = this.groupLrs();
    if (e === 0) return lrs.map((lr) => lr * this.startFactor);
    if (e > this.totalIters) return lrs;
    const d = this.endFactor - this.startFactor;
    return lrs.map((lr) => lr * (1 + d / (this.totalIters * this.startFactor + (e - 1) * d)));
  }
}

export interface OneCycleOptions {
  maxLr: number | readonly number[];
  totalSteps: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  /** Cycle SGD's momentum or Adam's beta1 inversely to the lr (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  lr: [number[], number[]];
  mom: [number, number];
}

/** PyTorch's OneCycleLR: warm up to `maxLr`, then anneal far below the start (per step, not per epoch). */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly cycleMomentum: boolean;
  readonly #phases: Phase[];
  readonly #anneal: (start: number, end: number, pct: number) => number;

  constructor(optimizer: Optimizer<BaseHyper>, opts: OneCycleOptions) {
    const groups = optimizer.paramGroups;
    const maxLrs = typeof opts.maxLr === 'number' ? groups.map(() => opts.maxLr as number) : [...opts.maxLr];
    if (maxLrs.length !== groups.length) {
      throw new ValueError(`OneCycleLR: maxLr has ${maxLrs.length} entries for ${groups.length} parameter groups`);
    }
    const div = opts.divFactor ?? 25;
    const initial = maxLrs.map((m) => m / div);
    // OneCycleLR owns the starting lr: it overwrites initialLr, as torch does.
    groups.forEach((g, i) => (g.initialLr = initial[i]!));
    super(optimizer);
    positiveInt('OneCycleLR', 'totalSteps', opts.totalSteps);
    const pct = opts.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1)) throw new ValueError(`OneCycleLR: pctStart must be in [0, 1], got ${pct}`);
    this.totalSteps = opts.totalSteps;
    const minLrs = initial.map((l) => l / (opts.finalDivFactor ?? 1e4));
    const base = opts.baseMomentum ?? 0.85;
    const max = opts.maxMomentum ?? 0.95;
    const T = this.totalSteps;
    this.#phases = opts.threePhase
      ? [
          { endStep: pct * T - 1, lr: [initial, maxLrs], mom: [max, base] },
          { endStep: 2 * pct * T - 2, lr: [maxLrs, initial], mom: [base, max] },
          { endStep: T - 1, lr: [initial, minLrs], mom: [max, max] },
        ]
      : [
          { endStep: pct * T - 1, lr: [initial, maxLrs], mom: [max, base] },
          { endStep: T - 1, lr: [maxLrs, minLrs], mom: [base, max] },
        ];
    this.#anneal =
      (opts.annealStrategy ?? 'cos') === 'cos'
        ? (s, e, p) => e + ((s - e) / 2) * (Math.cos(Math.PI * p) + 1)
        : (s, e, p) => (e - s) * p + s;
    this.cycleMomentum = opts.cycleMomentum ?? true;
    if (this.cycleMomentum) {
      for (const g of groups) {
        if (!('momentum' in g) && !('betas' in g)) {
          throw new ValueError(
            'OneCycleLR: cycleMomentum needs an optimizer with momentum or betas; pass cycleMomentum: false',
          );
        }
      }
    }
    this.start();
  }

  protected computeLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new ValueError(`OneCycleLR: stepped ${step} times, more than totalSteps = ${this.totalSteps}`);
    }
    let start = 0;
    for (let i = 0; i < this.#phases.length; i++) {
      const ph = this.#phases[i]!;
      if (step <= ph.endStep || i === this.#phases.length - 1) {
        const pct = (step - start) / (ph.endStep - start);
        if (this.cycleMomentum) this.#setMomentum(this.#anneal(ph.mom[0], ph.mom[1], pct));
        return ph.lr[0].map((s, g) => this.#anneal(s, ph.lr[1][g]!, pct));
      }
      start = ph.endStep;
    }
    return this.groupLrs();
  }

  #setMomentum(m: number): void {
    for (const g of this.optimizer.paramGroups) {
      // The constructor checked every group has momentum or betas (Adam's [beta1, beta2]).
      const betas: unknown = Reflect.get(g, 'betas');
      if (Array.isArray(betas)) Object.assign(g, { betas: [m, betas[1] as number] });
      else Object.assign(g, { momentum: m });
    }
  }
}
