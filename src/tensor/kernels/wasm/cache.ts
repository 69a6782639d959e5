/**
 * Weight-stationary packing: a weight copied (and packed) into wasm memory once and reused by every
 * later call, as inference runs the same layers over and over.
 *
 * An entry is keyed by the weight's own object (its Float32Array, or a compressed matrix) and a
 * layout name, and is served only while it is still valid:
 * - the caller's `stamp` must equal the one it was built with. Dense weights pass their tensor's
 *   `version`, which every in-place write of the engine bumps (optimizer steps, loadStateDict, ASP
 *   masking, permutation, init); a changed weight therefore misses and is packed again;
 * - as a second line of defence against writes that bypass the engine (`t.data[i] = …` without
 *   `t.markModified()`), 32 values sampled across the weight must still equal the packed ones;
 * - compressed matrices are immutable by contract (see src/sparse/compressed.ts): their stamp is 0.
 * Entries die with their key (a FinalizationRegistry frees the block) or, least recently used first,
 * when the cache passes its byte budget.
 */
import type { WasmHeap } from './heap.js';

export interface Packed {
  /** Address of the packed block. */
  readonly ptr: number;
  readonly bytes: number;
  /** Layout facts a kernel needs (offsets of sub-arrays, block counts...). */
  readonly meta: Readonly<Record<string, number>>;
}

interface Entry extends Packed {
  stamp: number;
  sample: Float32Array | null;
  alive: boolean;
}

const SAMPLES = 32;

function sampleOf(data: Float32Array): Float32Array {
  const n = Math.min(SAMPLES, data.length);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = data[Math.floor((i * (data.length - 1)) / Math.max(1, n - 1))]!;
  return out;
}

function sameSample(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  // Compare bit patterns, so NaN equals NaN and -0 differs from 0.
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

export class WeightCache {
  readonly #heap: WasmHeap;
  readonly #budget: number;
  readonly #byKey = new WeakMap<object, Map<string, Entry>>();
  /** Live entries, least recently used first. */
  readonly #lru = new Set<Entry>();
  readonly #finalizer = new FinalizationRegistry<Entry[]>((entries) => {
    for (const e of entries) this.#drop(e);
  });
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(heap: WasmHeap, budgetBytes: number) {
    this.#heap = heap;
    this.#budget = budgetBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The packed form of `key` in `layout`: the cached one when still valid, else `build()`'s (which
   * allocates the block on this heap and fills it). `values` is the weight's float data, sampled to
   * catch unannounced writes (null for immutable keys).
   */
  get(key: object, layout: string, stamp: number, values: Float32Array | null, build: () => Packed): Packed {
    let byLayout = this.#byKey.get(key);
    const old = byLayout?.get(layout);
    if (
      old !== undefined &&
      old.alive &&
      old.stamp === stamp &&
      (values === null || sameSample(old.sample!, sampleOf(values)))
    ) {
      this.#lru.delete(old);
      this.#lru.add(old);
      this.hits++;
      return old;
    }
    this.misses++;
    if (old !== undefined) this.#drop(old);
    const packed = build();
    const entry: Entry = { ...packed, stamp, sample: values === null ? null : sampleOf(values), alive: true };
    if (byLayout === undefined) {
      byLayout = new Map();
      this.#byKey.set(key, byLayout);
    }
    byLayout.set(layout, entry);
    this.#trackForFinalizer(key, entry);
    this.#lru.add(entry);
    this.#bytes += entry.bytes;
    for (const e of this.#lru) {
      if (this.#bytes <= this.#budget || e === entry) break;
      this.#drop(e);
    }
    return entry;
  }

  // The registry holds, per key, the list of its entries, so finalization frees every layout.
  readonly #lists = new WeakMap<object, Entry[]>();
  #trackForFinalizer(key: object, entry: Entry): void {
    let list = this.#lists.get(key);
    if (list === undefined) {
      list = [];
      this.#lists.set(key, list);
      this.#finalizer.register(key, list);
    }
    // Drop dead entries in place (the registry holds this very array).
    let live = 0;
    for (const e of list) if (e.alive) list[live++] = e;
    list.length = live;
    list.push(entry);
  }

  #drop(e: Entry): void {
    if (!e.alive) return;
    e.alive = false;
    this.#lru.delete(e);
    this.#bytes -= e.bytes;
    this.#heap.free(e.ptr);
  }
}
