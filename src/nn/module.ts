import { Tensor, ValueError, currentScope, joinName, withScope } from '../tensor/index.js';
import { Parameter } from './parameter.js';
import type { StagedLoad } from './staged.js';
import { type LoadResult, type StateDict, type StateDictInput, stageModuleLoad } from './state_dict.js';

/** Any module, whatever its forward takes and returns (for containers and tree walks). */
export type AnyModule = Module<never[], unknown>;

export interface LoadStateDictOptions {
  /** Every key must match both ways (default true). Shape mismatches throw either way. */
  strict?: boolean;
}

function checkName(kind: string, name: string): void {
  if (name === '' || name.includes('.')) {
    throw new ValueError(`${kind} name must be non-empty and contain no '.', got '${name}'`);
  }
}

/**
 * The base of every layer and model, PyTorch's `nn.Module`.
 *
 * Registration is explicit: a subclass keeps typed fields and registers them by name, e.g.
 * `this.weight = this.registerParameter('weight', w)`; the registered name is the state-dict key
 * (snake_case, as PyTorch), the field is camelCase. Re-register to replace (assigning the field
 * alone leaves the registry pointing at the old tensor).
 *
 * Run a module with `module.call(...)`: it runs `forward` inside `withScope(name)`, so every
 * tensor produced inside carries the module's dotted name (`layer1.0.conv1`). Names are relative to
 * the outermost module called, whose scope is ''. Calling `forward` directly skips the tagging.
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** Training mode (dropout active, batch norm uses batch statistics); see `train()` / `eval()`. */
  training = true;
  readonly #parameters = new Map<string, Parameter | null>();
  readonly #buffers = new Map<string, Tensor | null>();
  readonly #nonPersistent = new Set<string>();
  readonly #modules = new Map<string, AnyModule | null>();
  /** The name the (last) parent registered this module under; the scope name when nested. */
  #localName = '';

  abstract forward(...args: In): Out;

  /** Runs `forward` with this module's scope, so the tensors it makes are tagged with its name. */
  call(...args: In): Out {
    const name = currentScope() === null ? '' : this.#localName;
    return withScope(name, () => this.forward(...args));
  }

  /** Registers (or replaces) a parameter; a plain tensor is wrapped, sharing its storage. */
  registerParameter(name: string, value: Tensor): Parameter;
  registerParameter(name: string, value: Tensor | null): Parameter | null;
  registerParameter(name: string, value: Tensor | null): Parameter | null {
    checkName('parameter', name);
    this.#clash(name, 'parameter');
    const p = value === null || value instanceof Parameter ? value : new Parameter(value);
    if (p !== null) p.name = name;
    this.#parameters.set(name, p);
    return p;
  }

  /**
   * Registers (or replaces) a buffer: state that is not learned (running statistics, masks). A
   * non-persistent buffer is left out of `stateDict()`.
   */
  registerBuffer(name: string, value: Tensor, persistent?: boolean): Tensor;
  registerBuffer(name: string, value: Tensor | null, persistent?: boolean): Tensor | null;
  registerBuffer(name: string, value: Tensor | null, persistent = true): Tensor | null {
    checkName('buffer', name);
    this.#clash(name, 'buffer');
    this.#buffers.set(name, value);
    if (persistent) this.#nonPersistent.delete(name);
    else this.#nonPersistent.add(name);
    return value;
  }

  /** Registers (or replaces) a child module; its state-dict keys get the prefix `name.`. */
  registerModule<M extends AnyModule | null>(name: string, module: M): M {
    checkName('module', name);
    this.#clash(name, 'module');
    if (module !== null) (module as AnyModule).#localName = name;
    this.#modules.set(name, module);
    return module;
  }

  /** Alias of `registerModule`, as PyTorch's `add_module`. */
  addModule<M extends AnyModule | null>(name: string, module: M): M {
    return this.registerModule(name, module);
  }

  #clash(name: string, kind: 'parameter' | 'buffer' | 'module'): void {
    const other =
      kind !== 'parameter' && this.#parameters.has(name)
        ? 'parameter'
        : kind !== 'buffer' && this.#buffers.has(name)
          ? 'buffer'
          : kind !== 'module' && this.#modules.has(name)
            ? 'module'
            : null;
    if (other !== null) {
      throw new ValueError(`cannot register ${kind} '${name}': a ${other} of that name is already registered`);
    }
  }

  /** The parameter, buffer or child registered directly on this module under `name`. */
  getLocal(name: string): Parameter | Tensor | AnyModule | null | undefined {
    if (this.#parameters.has(name)) return this.#parameters.get(name);
    if (this.#buffers.has(name)) return this.#buffers.get(name);
    return this.#modules.get(name);
  }

  /** The descendant at a dotted path ('layer1.0.conv1'); '' is this module. */
  getSubmodule(target: string): AnyModule {
    if (target === '') return this;
    return target.split('.').reduce<AnyModule>((m, part) => {
      const next = m.#modules.get(part);
      if (next === undefined || next === null) {
        throw new ValueError(`no submodule '${part}' on the way to '${target}'`);
      }
      return next;
    }, this);
  }

  /** Direct children with their names (registration order; null slots skipped). */
  namedChildren(): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    for (const [name, m] of this.#modules) {
      if (m !== null && !seen.has(m)) {
        seen.add(m);
        out.push([name, m]);
      }
    }
    return out;
  }

  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module ('') and every descendant, depth first, each once (PyTorch's `named_modules`). */
  namedModules(prefix = ''): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    const visit = (m: AnyModule, name: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [child, sub] of m.#modules) {
        if (sub !== null) visit(sub, joinName(name, child));
      }
    };
    visit(this, prefix);
    return out;
  }

  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Every parameter with its dotted name, each tensor once even if shared. */
  namedParameters(prefix = '', recurse = true): [string, Parameter][] {
    return this.#namedMembers(prefix, recurse, (m) => [...m.#parameters]);
  }

  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  /** Every buffer (persistent or not) with its dotted name. */
  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    return this.#namedMembers(prefix, recurse, (m) => [...m.#buffers]);
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  #namedMembers<T extends Tensor>(
    prefix: string,
    recurse: boolean,
    members: (m: AnyModule) => [string, T | null][],
  ): [string, T][] {
    const mods: [string, AnyModule][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    const out: [string, T][] = [];
    const seen = new Set<T>();
    for (const [modName, m] of mods) {
      for (const [name, t] of members(m)) {
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        out.push([joinName(modName, name), t]);
      }
    }
    return out;
  }

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (to null by default, as PyTorch 2; or to zeros). */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else p.grad.data.fill(0);
    }
  }

  /** Calls `fn` on every descendant, children first, then on this module (PyTorch's order). */
  apply(fn: (m: AnyModule) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Sets `requiresGrad` on every parameter: `requiresGrad_(false)` freezes the module. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /**
   * Parameters and persistent buffers by PyTorch's dotted keys, in PyTorch's order (each module's
   * parameters, then its buffers, then its children). Values are copies, detached from autograd.
   */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const [modName, m] of this.namedModules()) {
      for (const [name, p] of m.#parameters) if (p !== null) out.set(joinName(modName, name), p.detach());
      for (const [name, b] of m.#buffers) {
        if (b !== null && !m.#nonPersistent.has(name)) out.set(joinName(modName, name), b.detach());
      }
    }
    return out;
  }

  /** The live tensors that `stateDict()` copies, by key (what `loadStateDict` writes into). */
  stateTensors(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [modName, m] of this.namedModules()) {
      for (const [name, p] of m.#parameters) if (p !== null) out.set(joinName(modName, name), p);
      for (const [name, b] of m.#buffers) {
        if (b !== null && !m.#nonPersistent.has(name)) out.set(joinName(modName, name), b);
      }
    }
    return out;
  }

  /**
   * Copies `sd`'s values into this module's parameters and buffers in place (so optimizers keep
   * their references). Strict (default): any missing or unexpected key throws one
   * `StateDictError` listing them all. Non-strict returns the keys that did not match. A shape
   * mismatch throws either way, before anything is copied.
   */
  loadStateDict(sd: StateDictInput, opts: LoadStateDictOptions = {}): LoadResult {
    return this.stageLoadStateDict(sd, opts).commit();
  }

  /** `loadStateDict` in two halves: every check now (throwing the same errors), the copy on `commit()`. */
  stageLoadStateDict(sd: StateDictInput, opts: LoadStateDictOptions = {}): StagedLoad<LoadResult> {
    return stageModuleLoad(this.stateTensors(), sd, opts.strict ?? true);
  }
}
