import { type Tensor, ValueError } from '../../tensor/index.js';
import { type AnyModule, Module } from '../module.js';

/** A module mapping one tensor to one tensor: what Sequential chains. */
export type TensorModule = Module<[Tensor], Tensor>;

/** Runs its children in order; they are named '0', '1', ... as in PyTorch. */
export class Sequential extends Module {
  readonly #layers: TensorModule[] = [];

  constructor(...layers: TensorModule[]) {
    super();
    for (const m of layers) this.append(m);
  }

  append(m: TensorModule): this {
    this.registerModule(String(this.#layers.length), m);
    this.#layers.push(m);
    return this;
  }

  /** The i-th layer (negative counts from the end). */
  at(i: number): TensorModule {
    const m = this.#layers[i < 0 ? this.#layers.length + i : i];
    if (m === undefined)
      throw new ValueError(`Sequential index ${i} is out of range for ${this.#layers.length} layers`);
    return m;
  }

  get length(): number {
    return this.#layers.length;
  }

  [Symbol.iterator](): Iterator<TensorModule> {
    return this.#layers[Symbol.iterator]();
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.#layers) y = m.call(y);
    return y;
  }
}

/** Holds modules in a list (named '0', '1', ...); has no forward of its own. */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<never[], never> {
  readonly #items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  append(m: M): this {
    this.registerModule(String(this.#items.length), m);
    this.#items.push(m);
    return this;
  }

  at(i: number): M {
    const m = this.#items[i < 0 ? this.#items.length + i : i];
    if (m === undefined)
      throw new ValueError(`ModuleList index ${i} is out of range for ${this.#items.length} modules`);
    return m;
  }

  get length(): number {
    return this.#items.length;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.#items[Symbol.iterator]();
  }

  forward(): never {
    throw new ValueError('ModuleList has no forward: iterate over it and call its modules');
  }
}

/** Holds modules by name (insertion order); has no forward of its own. */
export class ModuleDict<M extends AnyModule = AnyModule> extends Module<never[], never> {
  readonly #items = new Map<string, M>();

  constructor(modules: Iterable<[string, M]> | Readonly<Record<string, M>> = []) {
    super();
    const pairs = Symbol.iterator in modules ? [...(modules as Iterable<[string, M]>)] : Object.entries(modules);
    for (const [k, m] of pairs) this.set(k, m);
  }

  set(key: string, m: M): this {
    this.registerModule(key, m);
    this.#items.set(key, m);
    return this;
  }

  get(key: string): M {
    const m = this.#items.get(key);
    if (m === undefined)
      throw new ValueError(`ModuleDict has no module '${key}' (keys: ${[...this.#items.keys()].join(', ')})`);
    return m;
  }

  has(key: string): boolean {
    return this.#items.has(key);
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  entries(): [string, M][] {
    return [...this.#items];
  }

  get size(): number {
    return this.#items.size;
  }

  forward(): never {
    throw new ValueError('ModuleDict has no forward: look modules up by name and call them');
  }
}
