/**
 * Channel classes: a union-find over "channel axes" that must all be reordered by one permutation.
 *
 * An element is either a port (one axis of one traced tensor) or a parameter dimension (one axis of
 * a parameter or buffer). Ops join the axes they carry through unchanged (an activation joins
 * every axis of its input and output; a linear joins its input's last axis with its weight's
 * dim 1). Whatever ends up in one class is permuted together, so a reused layer, a shared
 * attribute or a residual add all fall out of the same rule instead of being special cases.
 * An axis an op cannot carry is pinned, and a pinned class is never permuted.
 */

export interface ParamDim {
  /** State-dict name ('layer1.0.conv1.weight'). */
  readonly name: string;
  readonly dim: number;
  /** 'C': a layer's weight along its input channels; 'K': everything else permuted with the channels. */
  readonly role: 'C' | 'K';
  readonly buffer: boolean;
}

export class ChannelClasses {
  readonly #parent: number[] = [];
  readonly #size: number[] = [];
  readonly #pins = new Map<number, string>();
  readonly #params = new Map<number, ParamDim>();
  readonly #keys = new Map<string, number>();

  /** The element for `key` (created on first use with the axis length `size`). */
  element(key: string, size: number): number {
    let id = this.#keys.get(key);
    if (id === undefined) {
      id = this.#parent.length;
      this.#parent.push(id);
      this.#size.push(size);
      this.#keys.set(key, id);
    }
    return id;
  }

  /** Marks `id` as a parameter dimension; the first role given wins ('C' is only set by layers). */
  markParam(id: number, p: ParamDim): void {
    const old = this.#params.get(id);
    if (old === undefined || (old.role === 'K' && p.role === 'C')) this.#params.set(id, p);
  }

  find(id: number): number {
    let r = id;
    while (this.#parent[r] !== r) r = this.#parent[r]!;
    while (this.#parent[id] !== r) {
      const next = this.#parent[id]!;
      this.#parent[id] = r;
      id = next;
    }
    return r;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }

  /** Records why `id` cannot be permuted (the first reason is kept). */
  pin(id: number, reason: string): void {
    if (!this.#pins.has(id)) this.#pins.set(id, reason);
  }

  sizeOf(id: number): number {
    return this.#size[id]!;
  }

  /** Every class with more than a trivial axis: its elements, pins and parameter dimensions. */
  classes(): ClassInfo[] {
    const byRoot = new Map<number, ClassInfo>();
    for (let id = 0; id < this.#parent.length; id++) {
      const root = this.find(id);
      let c = byRoot.get(root);
      if (c === undefined) {
        c = { root, elements: [], sizes: [], pins: [], params: [] };
        byRoot.set(root, c);
      }
      c.elements.push(id);
      c.sizes.push(this.#size[id]!);
      const pin = this.#pins.get(id);
      if (pin !== undefined) c.pins.push(pin);
      const p = this.#params.get(id);
      if (p !== undefined) c.params.push(p);
    }
    return [...byRoot.values()].sort((a, b) => a.root - b.root);
  }
}

export interface ClassInfo {
  readonly root: number;
  readonly elements: number[];
  readonly sizes: number[];
  readonly pins: string[];
  readonly params: ParamDim[];
}

/** Greatest common divisor (the period of a class whose axes differ in length, as after a concat). */
export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
