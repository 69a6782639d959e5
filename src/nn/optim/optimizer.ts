import { Tensor, ValueError, formatShape, shapeEquals } from '../../tensor/index.js';
import { OptimizerError } from '../errors.js';
import type { StagedLoad } from '../staged.js';

/** Hyperparameters every optimizer group has; each optimizer adds its own. */
export interface BaseHyper {
  lr: number;
}

/** A group of parameters sharing hyperparameters (PyTorch's `param_groups` entry). */
export type ParamGroup<H extends BaseHyper> = H & {
  params: Tensor[];
  /** The lr a scheduler started from (set by the first scheduler, as PyTorch's `initial_lr`). */
  initialLr?: number;
};

/** A group as the constructor accepts it: params plus any hyperparameters that differ from the defaults. */
export type ParamGroupInput<H extends BaseHyper> = Partial<H> & { params: Iterable<Tensor> };

/** Per-parameter state: step counts as numbers, moment buffers as tensors (PyTorch's key names). */
export type ParamState = Record<string, number | Tensor>;

/**
 * An optimizer's state as plain data, shaped like PyTorch's: `state` by parameter index (counting
 * through the groups in order) and the groups' hyperparameters with `params` as those indices.
 * Tensors are copies.
 */
export interface OptimizerStateDict<H extends BaseHyper = BaseHyper> {
  state: Record<number, ParamState>;
  paramGroups: (H & { params: number[]; initialLr?: number })[];
}

/**
 * What `loadStateDict` accepts: a state dict whose groups' hyperparameters are not trusted yet (a
 * checkpoint file's, say); loading checks each against the optimizer's own. `stateDict()` output is one.
 */
export interface OptimizerStateInput {
  state: Record<number, ParamState>;
  paramGroups: { params: number[] }[];
}

/** A hook around `step()`; it may read or change gradients (pre) or weights (post). */
export type StepHook<O> = (optimizer: O) => void;

/** What `registerStepPreHook` / `registerStepPostHook` return: `remove()` unregisters. */
export interface RemovableHandle {
  remove(): void;
}

/**
 * The base of SGD, Adam, AdamW (PyTorch's `torch.optim.Optimizer`).
 *
 * `step()` runs every pre hook, then the update (`update()`, which subclasses implement), then
 * every post hook. Layers above (ASP) wrap a step without subclassing: a pre hook masks the
 * gradients, a post hook re-applies the weight masks. Assigning `optimizer.step = ...` also
 * works, as in PyTorch, for wrappers that need full control.
 */
export abstract class Optimizer<H extends BaseHyper = BaseHyper> {
  readonly defaults: H;
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state, created lazily by the first step that touches a parameter. */
  readonly state = new Map<Tensor, ParamState>();
  // Bound closures, not the hooks themselves: a Set typed by `this` would make every subclass
  // unassignable to Optimizer<BaseHyper> (what schedulers take).
  readonly #preHooks = new Set<() => void>();
  readonly #postHooks = new Set<() => void>();

  protected constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<H>>, defaults: H) {
    if (!(defaults.lr >= 0)) throw new ValueError(`${new.target.name}: lr must be >= 0, got ${defaults.lr}`);
    this.defaults = defaults;
    const list = [...(params as Iterable<Tensor | ParamGroupInput<H>>)];
    if (list.length === 0) throw new ValueError(`${new.target.name} got an empty parameter list`);
    if (list.every((p) => p instanceof Tensor)) this.#addGroup(list as Tensor[], {});
    else if (list.some((p) => p instanceof Tensor)) {
      throw new ValueError(`${new.target.name}: pass either tensors or parameter groups, not a mix`);
    } else for (const g of list as ParamGroupInput<H>[]) this.addParamGroup(g);
  }

  /** Adds a group; hyperparameters it leaves out come from the defaults. */
  addParamGroup(group: ParamGroupInput<H>): void {
    this.#addGroup(group.params, hyperparametersOf<H>(group));
  }

  #addGroup(iterable: Iterable<Tensor>, overrides: Partial<H>): void {
    const params = [...iterable];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of params) {
      if (!(p instanceof Tensor))
        throw new ValueError(`${this.constructor.name}: a parameter group holds something that is not a tensor`);
      if (seen.has(p))
        throw new ValueError(`${this.constructor.name}: a parameter appears in more than one group (or twice)`);
      seen.add(p);
    }
    const merged = { ...this.defaults, ...overrides, params } as ParamGroup<H>;
    this.validate(merged);
    this.paramGroups.push(merged);
  }

  /** Throws a ValueError naming the bad hyperparameter. */
  protected abstract validate(group: ParamGroup<H>): void;

  /** Updates the parameters of one group from their gradients (parameters without a grad are skipped). */
  protected abstract update(group: ParamGroup<H>): void;

  /** One optimisation step. `closure`, if given, re-evaluates the loss first and its value is returned. */
  step(closure?: () => number): number | undefined {
    const loss = closure?.();
    for (const h of this.#preHooks) h();
    for (const g of this.paramGroups) this.update(g);
    for (const h of this.#postHooks) h();
    // The parameters changed in place: packed copies a backend keeps must be rebuilt.
    for (const g of this.paramGroups) for (const p of g.params) p.markModified();
    return loss;
  }

  /** Runs before each update, after the gradients exist (ASP masks gradients here). */
  registerStepPreHook(hook: StepHook<this>): RemovableHandle {
    const bound = (): void => hook(this);
    this.#preHooks.add(bound);
    return { remove: () => void this.#preHooks.delete(bound) };
  }

  /** Runs after each update (ASP re-applies weight masks here). */
  registerStepPostHook(hook: StepHook<this>): RemovableHandle {
    const bound = (): void => hook(this);
    this.#postHooks.add(bound);
    return { remove: () => void this.#postHooks.delete(bound) };
  }

  /** Clears the gradients of every parameter (to null, as PyTorch 2, or to zeros). */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p.grad === null) continue;
        if (setToNone) p.grad = null;
        else p.grad.data.fill(0);
      }
    }
  }

  /** Plain-data state (copies), parameters referred to by index as in PyTorch. */
  stateDict(): OptimizerStateDict<H> {
    const state: Record<number, ParamState> = {};
    let index = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const ids: number[] = [];
      for (const p of g.params) {
        const s = this.state.get(p);
        if (s !== undefined) state[index] = copyState(s);
        ids.push(index++);
      }
      // Every group holds every default (see #addGroup), so the defaults only give the type.
      return { ...this.defaults, ...hyperparametersOf<H>(g), params: ids };
    });
    return { state, paramGroups };
  }

  /**
   * Restores hyperparameters and per-parameter state from `stateDict()` output. The groups must
   * have the same sizes, the hyperparameters pass the optimizer's own checks and the buffers have
   * the parameters' shapes; otherwise an OptimizerError says which group or parameter differs,
   * and nothing is changed.
   */
  loadStateDict(sd: OptimizerStateInput): void {
    this.stageLoadStateDict(sd).commit();
  }

  /** `loadStateDict` in two halves: every check now, the assignment on `commit()`. */
  stageLoadStateDict(sd: OptimizerStateInput): StagedLoad {
    const name = this.constructor.name;
    const fail = (problem: string): never => {
      throw new OptimizerError(`${name}.loadStateDict: ${problem}`);
    };
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.paramGroups))
      fail('the state dict has no paramGroups list');
    if (sd.state === null || typeof sd.state !== 'object') fail('the state dict has no state record');
    if (sd.paramGroups.length !== this.paramGroups.length) {
      fail(`the state dict has ${sd.paramGroups.length} parameter groups, the optimizer ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    const hypers: Partial<H>[] = [];
    sd.paramGroups.forEach((sg, i) => {
      const own = this.paramGroups[i]!;
      if (sg === null || typeof sg !== 'object' || !Array.isArray(sg.params)) fail(`group ${i} has no params list`);
      if (sg.params.length !== own.params.length) {
        fail(`group ${i} has ${sg.params.length} parameters in the state dict, ${own.params.length} in the optimizer`);
      }
      sg.params.forEach((id, j) => {
        if (!Number.isSafeInteger(id) || id < 0)
          fail(`group ${i} lists parameter index ${String(id)}; indices are integers >= 0`);
        if (byIndex.has(id)) fail(`parameter index ${id} is listed twice`);
        byIndex.set(id, own.params[j]!);
      });
      const hyper: Partial<H> = {};
      for (const [k, v] of Object.entries(sg)) {
        if (k === 'params') continue;
        const mine: unknown = Reflect.get(own, k);
        if (k === 'initialLr' && mine === undefined) {
          if (typeof v !== 'number') fail(`group ${i}: initialLr must be a number, found ${JSON.stringify(v)}`);
        } else {
          if (!(k in own)) fail(`group ${i} has hyperparameter '${k}', which a ${name} does not have`);
          if (typeof v !== typeof mine || Array.isArray(v) !== Array.isArray(mine)) {
            fail(
              `group ${i}: hyperparameter '${k}' is ${JSON.stringify(v)}, expected a value like ${JSON.stringify(mine)}`,
            );
          }
        }
        Object.assign(hyper, { [k]: v }); // checked above: a key of the group, a value of its kind
      }
      try {
        this.validate({ ...own, ...hyper });
      } catch (e) {
        if (e instanceof ValueError) fail(`group ${i}: ${e.message}`);
        throw e;
      }
      hypers.push(hyper);
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) fail(`state for parameter ${key}, which no group lists`);
      if (s === null || typeof s !== 'object') fail(`state of parameter ${key} is not a record of numbers and tensors`);
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor) {
          if (!shapeEquals(v.shape, p!.shape)) {
            fail(
              `state '${k}' of parameter ${key} has shape ${formatShape(v.shape)}, the parameter ${formatShape(p!.shape)}`,
            );
          }
        } else if (typeof v !== 'number') fail(`state '${k}' of parameter ${key} is neither a number nor a tensor`);
      }
      newState.set(p!, copyState(s));
    }
    return {
      commit: () => {
        hypers.forEach((hyper, i) => Object.assign(this.paramGroups[i]!, hyper));
        this.state.clear();
        for (const [p, s] of newState) this.state.set(p, s);
      },
    };
  }

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }
}

/** A group's hyperparameters: every field but `params`. */
function hyperparametersOf<H extends BaseHyper>(group: Partial<H> & { params: unknown }): Partial<H> {
  const out: Partial<H> = {};
  for (const [k, v] of Object.entries(group)) if (k !== 'params') Object.assign(out, { [k]: v });
  return out;
}

function copyState(s: ParamState): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s)) out[k] = v instanceof Tensor ? v.detach() : v;
  return out;
}

/** Checks a hyperparameter is a finite number >= `min` (and < `below`, when given). */
export function checkHyper(opt: string, name: string, v: number, min: number, below?: number): void {
  if (!(Number.isFinite(v) && v >= min && (below === undefined || v < below))) {
    const range = below === undefined ? `>= ${min}` : `in [${min}, ${below})`;
    throw new ValueError(`${opt}: ${name} must be ${range}, got ${v}`);
  }
}
