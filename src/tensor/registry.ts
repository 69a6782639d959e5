/**
 * The one kind of extension point: a named registry. Kernel backends (`registerBackend`), mask
 * calculators (`registerMaskCalculator`) and permutation search strategies
 * (`registerSearchStrategy`) are each a `Registry`: the built-ins are registered when their module
 * loads, users add their own under new names, and looking up an unknown name fails with the
 * registry's own error type, naming what is available.
 *
 * The rules, the same for every registry:
 * - a name is registered once; registering it again needs `{ replace: true }`;
 * - built-in entries (`builtin: true`) and names the registry reserves (for example `'N:M'` mask
 *   strings) cannot be replaced or removed;
 * - names are listed in registration order, built-ins first.
 */

export interface RegisterOptions {
  /** Replace an entry registered under the same name (else that is an error). */
  replace?: boolean;
}

export interface RegistryOptions {
  /** Names no entry may take, with the reason shown in the error (for example generated names). */
  reserved?: { test: (name: string) => boolean; reason: string };
}

type ErrorClass = new (message: string) => Error;

export class Registry<T> {
  readonly #entries = new Map<string, T>();
  readonly #builtins = new Set<string>();

  /**
   * @param what what an entry is, for messages ('backend', 'mask calculator', 'search strategy')
   * @param error the error class of the layer that owns the registry
   */
  constructor(
    readonly what: string,
    private readonly error: ErrorClass,
    private readonly options: RegistryOptions = {},
  ) {}

  /** Registers a built-in entry: one that users cannot replace or remove. */
  builtin(name: string, value: T): void {
    this.register(name, value);
    this.#builtins.add(name);
  }

  register(name: string, value: T, options: RegisterOptions = {}): void {
    if (typeof name !== 'string' || name === '') throw new this.error(`a ${this.what} needs a non-empty name`);
    if (this.#builtins.has(name)) {
      throw new this.error(`${this.what} '${name}' is built in and cannot be replaced; choose another name`);
    }
    const reserved = this.options.reserved;
    if (reserved !== undefined && reserved.test(name)) {
      throw new this.error(`${this.what} name '${name}' is reserved: ${reserved.reason}; choose another name`);
    }
    if (this.#entries.has(name) && options.replace !== true) {
      throw new this.error(`${this.what} '${name}' is registered already; pass { replace: true } to replace it`);
    }
    this.#entries.set(name, value);
  }

  /** Removes a user entry; returns whether it existed. Built-ins cannot be removed. */
  unregister(name: string): boolean {
    if (this.#builtins.has(name)) throw new this.error(`${this.what} '${name}' is built in and cannot be removed`);
    return this.#entries.delete(name);
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** The entry, or undefined. */
  find(name: string): T | undefined {
    return this.#entries.get(name);
  }

  /** The entry; an unknown name is an error listing the registered ones (and `alsoAccepted`). */
  get(name: string, alsoAccepted?: string): T {
    const found = this.#entries.get(name);
    if (found !== undefined) return found;
    const known = this.names().join(', ');
    throw new this.error(
      `unknown ${this.what} '${String(name)}'; available: ${known}${alsoAccepted === undefined ? '' : ` ${alsoAccepted}`}`,
    );
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  isBuiltin(name: string): boolean {
    return this.#builtins.has(name);
  }
}
